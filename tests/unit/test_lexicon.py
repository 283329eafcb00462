"""The tag lexicon: scores any text against the ten tags, and infers a beat's tags as an author would."""

import tomllib
from collections import Counter

import pytest

from player.engine.catalog.films import TAGS
from player.engine.catalog.lexicon import LEXICON, THRESHOLD, infer_tags, leanings, ranked, word_weights
from player.engine.base.locations import bundled_catalog

HAND_TAGGED = ["lighthouse", "tallow", "deli"]  # tagged by their authors, not by the lexicon


def test_the_lexicon_covers_exactly_the_catalog_tags_with_clean_entries():
    assert set(LEXICON) == set(TAGS)
    for tag, groups in LEXICON.items():
        entries = [e.strip() for weight, text in groups.items() for e in text.split(",")]
        assert all(0 < weight <= 1 for weight in groups) and 1.0 in groups
        assert all(e and e == e.lower() and "*" not in e[:-1] for e in entries), tag
        repeated = [entry for entry, count in Counter(entries).items() if count > 1]
        assert not repeated, f"{tag} lists {repeated} twice"


def test_scores_cover_every_tag_between_zero_and_one():
    scores = leanings("Anything at all.")
    assert list(scores) == list(TAGS) and all(0.0 <= score <= 1.0 for score in scores.values())
    assert leanings("") == {tag: 0.0 for tag in TAGS}


@pytest.mark.parametrize("text, strongest", [
    ("He grabs the rifle and sprints for the door as the bullets hit the wall.", "action"),
    ("She kisses him, and they hold each other, tender and in love.", "romance"),
    ("They wait in the dark. Footsteps creak closer. Nobody breathes.", "suspense"),
    ("He laughs so hard at the joke that he snorts tea through his nose.", "humor"),
    ("A secret letter, a missing key, and a clue nobody can explain.", "mystery"),
    ("At the funeral the widow weeps over the coffin of her murdered son.", "dark"),
    ("At dawn they forgive each other and hope, at last, for a second chance.", "hopeful"),
    ("Alone on the silent prairie, she sits and watches the calm horizon.", "quiet"),
    ("The storm rolls over the canyon, and lightning splits the enormous sky.", "spectacle"),
    ('"Where were you?" she asks. "Out," he said. They argue until midnight.', "dialogue"),
])
def test_each_tag_wins_on_a_text_that_is_plainly_about_it(text, strongest):
    scores = leanings(text)
    assert max(scores, key=scores.get) == strongest, scores


def test_inflections_prefixes_and_phrases_match():
    assert word_weights("She ran. He runs. They were running.")[0]["action"] == 3.0
    assert word_weights("The bridge explodes; the explosion echoes.")[0]["action"] >= 2.0
    assert word_weights("He rolls his eyes.")[0]["humor"] == 1.0
    assert word_weights("Hopeless.")[0]["hopeful"] == 0.0 and word_weights("Hopeless.")[0]["dark"] == 1.0


def test_a_word_counts_once_per_tag_and_longer_texts_are_not_favoured():
    assert word_weights("stampede")[0]["action"] == 1.0 and word_weights("stampede")[0]["spectacle"] == 1.0
    scene = "The guns fire and she runs for cover behind the low wall of the yard, while the riders circle the house."
    short, long = leanings(scene)["action"], leanings(" ".join([scene] * 10))["action"]
    diluted = leanings(scene + " She sits by the window and reads her book." * 10)["action"]
    assert abs(short - long) < 0.05 and diluted < short / 2


def test_inferred_beat_tags():
    assert infer_tags("The coach careens into the canyon as rifles crack.") == ("action", "spectacle")
    assert infer_tags("Nothing in particular occurs here.") == ("quiet",)
    assert infer_tags("Where is everybody?", kind="dialogue") == ("dialogue",)
    assert infer_tags("They buried him at dawn.", kind="dialogue") == ("dialogue", "dark")
    assert infer_tags("He kisses her in the storm.", limit=1) == ("romance",)


def test_ranked_orders_by_weight_then_vocabulary():
    assert ranked({"dark": 2.0, "action": 2.0, "quiet": 0.5}) == ["action", "dark", "quiet"]
    assert ranked({"dark": 2.0, "quiet": 0.5}, minimum=THRESHOLD) == ["dark"]


def test_inference_agrees_with_the_authors_of_the_hand_tagged_samples():
    """A regression guard: an entry that matches too much, or too little, shows up here (see docs/lexicon.md)."""
    agree = total = 0
    confident, right = Counter(), Counter()
    for title in HAND_TAGGED:
        film = tomllib.loads((bundled_catalog() / title / "film.toml").read_text(encoding="utf-8"))
        scenes = film["scenes"] + [scene for ending in film["branch"]["endings"] for scene in ending["scenes"]]
        for beat in (beat for scene in scenes for beat in scene["beats"]):
            inferred = set(infer_tags(beat["text"], beat["kind"]))
            total += 1
            agree += bool(inferred & set(beat["tags"]))
            for tag in inferred - {"dialogue", "quiet"}:  # tags found from evidence, not given by rule
                confident[tag] += 1
                right[tag] += tag in beat["tags"]
    assert total > 250 and agree / total >= 0.6
    assert sum(right.values()) / sum(confident.values()) >= 0.6
    assert confident["action"] >= 25 and right["action"] / confident["action"] >= 0.7
