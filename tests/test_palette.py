"""The tone palette the badges and the figures both draw with (defined once, in core.outputs.palette)."""
from core import load_guideline
from core.outputs.palette import TONE_COLOURS, tint


def test_every_disposition_tone_has_a_colour():
    assert {d.tone for d in load_guideline().pathway.dispositions} <= set(TONE_COLOURS)


def test_tint_mixes_with_white():
    assert tint("#000000", 0) == "#000000" and tint("#000000", 1) == "#ffffff" and tint("#204060", 0.5) == "#90a0b0"
