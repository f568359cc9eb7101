"""The pages' palette is the figures' palette: a badge and a chart never disagree about a tone."""
from core import load_guideline
from core.palette import TONE_COLOURS, tint


def test_every_disposition_tone_has_a_colour():
    assert {d.tone for d in load_guideline().pathway.dispositions} <= set(TONE_COLOURS)


def test_the_palette_matches_the_one_the_figures_draw_with():
    import core.figures

    assert core.figures.TONE_COLOURS == TONE_COLOURS
    assert all(core.figures.tint(c, a) == tint(c, a) for c in TONE_COLOURS.values() for a in (0, 0.5, 0.85, 1))


def test_tint_mixes_with_white():
    assert tint("#000000", 0) == "#000000" and tint("#000000", 1) == "#ffffff" and tint("#204060", 0.5) == "#90a0b0"
