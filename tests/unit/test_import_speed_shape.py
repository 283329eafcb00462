"""The import's work grows in proportion to the screenplay, measured by counting work rather than timing it (the
times are in benchmarks/bench_import.py): lines visited by the paragraph grouping, characters measured while a
long sentence is cut into beats, lexicon look-ups per distinct word, and ids tried per scene; and the parse
reports its progress as it goes."""

from __future__ import annotations

from player.engine.catalog import lexicon
from player.engine.importing import beat_split, fountain, importer, names

SPEECH = "MARA\nI waited.\n  \nAnd then I left.\n\n"
SCENE = "INT. KITCHEN - NIGHT\n\nThe door opens.\n[[a note]]\n\n" + SPEECH + "/* cut */\n\n"


class CountingList(list):
    """A list that counts the items it hands out, one by one or in slices."""

    def __init__(self, items):
        super().__init__(items)
        self.handed = 0

    def __getitem__(self, key):
        item = super().__getitem__(key)
        self.handed += len(item) if isinstance(key, slice) else 1
        return item

    def __iter__(self):
        for item in super().__iter__():
            self.handed += 1
            yield item


def lines_handed_out(scenes: int) -> tuple[int, int]:
    lines = CountingList(fountain._lines(SCENE * scenes))
    list(fountain._paragraphs(lines))
    return lines.handed, len(lines)


def test_grouping_lines_into_paragraphs_visits_each_line_a_few_times_not_the_rest_of_the_file_each_time():
    small, small_lines = lines_handed_out(200)
    large, large_lines = lines_handed_out(800)
    assert small <= 3 * small_lines and large <= 3 * large_lines
    assert large <= 4.5 * small


def characters_measured(sentence: str, monkeypatch) -> int:
    measured = [0]
    real = beat_split.cell_len

    def counting(text: str) -> int:
        measured[0] += len(text)
        return real(text)

    monkeypatch.setattr(beat_split, "cell_len", counting)
    pieces = beat_split.split_beats(sentence)
    monkeypatch.setattr(beat_split, "cell_len", real)
    assert pieces and all(real(piece) <= beat_split.BEAT_CELLS for piece in pieces)
    return measured[0]


def test_cutting_one_long_sentence_measures_each_character_a_bounded_number_of_times(monkeypatch):
    for words in (["the", "door", "opens", "slowly,", "and"], ["门", "慢慢", "打开，", "然后"]):  # narrow and wide
        sentence = " ".join(words[index % len(words)] for index in range(4000))
        small = characters_measured(sentence, monkeypatch)
        large = characters_measured(" ".join([sentence] * 4), monkeypatch)
        assert large <= 4.5 * small
        assert large <= 40 * len(sentence) * 4


def test_abbreviations_do_not_make_one_sentence_rescanned_from_its_start():
    text = "Mr. " * 3000 + "Smith left."
    assert beat_split.sentences(text) == [text.strip()]  # one sentence: "Mr." never ends one
    calls = []
    real = beat_split._ABBREVIATION

    class Counting:
        def search(self, piece):
            calls.append(len(piece))
            return real.search(piece)

    beat_split._ABBREVIATION = Counting()
    try:
        beat_split.sentences(text)
    finally:
        beat_split._ABBREVIATION = real
    assert sum(calls) <= 10 * len(calls)  # only the end of the sentence so far is looked at


def test_the_lexicon_looks_up_a_repeated_word_once(monkeypatch):
    cache = getattr(lexicon, "_token_weights", None)
    if cache is not None:
        cache.cache_clear()
    looked_up = []
    real = lexicon._forms
    monkeypatch.setattr(lexicon, "_forms", lambda token: looked_up.append(token) or real(token))
    found, count = lexicon.word_weights("sprinting " * 5000 + "quietly " * 5000)
    assert count == 10000 and found["action"] == 5000 and found["quiet"] == 5000
    assert sorted(looked_up) == ["quietly", "sprinting"]


class CountingSet(set):
    """A set that counts the times it is asked whether it holds something."""

    def __init__(self):
        super().__init__()
        self.asked = 0

    def __contains__(self, item):
        self.asked += 1
        return super().__contains__(item)


def ids_tried(scenes: int, titles: int) -> tuple[int, list[str]]:
    ids = names.UniqueIds()
    ids.taken = CountingSet()
    given = [ids.new(f"room-{number % titles}", "scene") for number in range(scenes)]
    assert len(set(given)) == scenes
    return ids.taken.asked, given


def test_numbering_scenes_that_share_a_title_tries_a_few_ids_each_not_all_the_numbers_before():
    small, _ = ids_tried(600, 6)
    large, given = ids_tried(6000, 6)
    assert given[:7] == ["room-0", "room-1", "room-2", "room-3", "room-4", "room-5", "room-0-2"]
    assert large <= 3 * 6000 and large <= 11 * small


def test_a_title_written_with_a_number_is_skipped_when_numbering():
    ids = names.UniqueIds()
    assert [ids.new(wanted, "scene") for wanted in ("kitchen-2", "kitchen", "kitchen", "kitchen", "", "")] == \
        ["kitchen-2", "kitchen", "kitchen-3", "kitchen-4", "scene", "scene-2"]


def test_the_parse_reports_its_progress_as_it_reads_the_lines():
    told = []
    importer.convert(SCENE * 4000, title_id="long", progress=told.append)  # about 12,000 paragraphs
    parsing = [fraction for fraction in told if fraction < importer._PARSED]
    assert len(parsing) >= 5 and parsing == sorted(parsing) and parsing[0] > 0
    assert told == sorted(told) and told[-1] == importer._BUILT
