from player.engine.base.text import printable


def test_escapes_and_controls_become_visible_and_harmless():
    shown = printable("a\x1b[31mred\x07\x9b\x7f\tb\nc")
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown and "\x7f" not in shown
    assert shown == "a\u241b[31mred\u2407\ufffd\u2421\u2409b\nc"


def test_newlines_can_be_flattened():
    assert printable("a\nb", keep_newlines=False) == "a b"


def test_markup_is_left_alone_because_it_is_rendered_as_plain_text():
    assert printable("[bold]x[/]") == "[bold]x[/]"
