import pytest
from hypothesis import given, strategies as st

from player.engine.base import text as text_module
from player.engine.base.text import folded, printable


def test_escapes_and_controls_become_visible_and_harmless():
    shown = printable("a\x1b[31mred\x07\x9b\x7f\tb\nc")
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown and "\x7f" not in shown
    assert shown == "a\u241b[31mred\u2407\ufffd\u2421\u2409b\nc"


def test_newlines_can_be_flattened():
    assert printable("a\nb", keep_newlines=False) == "a b"


def test_markup_is_left_alone_because_it_is_rendered_as_plain_text():
    assert printable("[bold]x[/]") == "[bold]x[/]"


SPACES = " \t\n\r\x0b\x0c\x85\xa0\u1680\u2000\u2028\u3000"


@given(st.text(alphabet=st.sampled_from(SPACES + "ab\u200b"), max_size=40), st.integers(1, 6))
def test_folding_a_long_text_in_chunks_gives_what_folding_it_whole_gives(text, chunk):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_module, "_FOLD_CHUNK", chunk)  # cuts fall in and between runs of spaces
        assert folded(text) == " ".join(text.split())


def test_a_text_longer_than_a_chunk_is_folded_whole():
    words = ("word  \n\t" * (text_module._FOLD_CHUNK // 3)).rstrip()
    assert len(words) > 2 * text_module._FOLD_CHUNK
    assert folded("  " + words + " \n") == " ".join(["word"] * (text_module._FOLD_CHUNK // 3))
