"""The tone palette the badges and the figures both draw with (defined once, in core.outputs.palette): readable
text on and in each colour, and every pair of tones apart for readers with a colour-vision deficiency."""

import pytest

from core import load_guideline
from core.outputs.palette import TONE_COLOURS, tint
from tools.colour_vision import DEFICIENCIES, closest_pairs, contrast_ratio

# CIEDE2000: about 2 is just noticeable; categorical colours that must be told apart at a glance need far more.
MIN_DISTANCE = {None: 15.0, **{deficiency: 12.0 for deficiency in DEFICIENCIES}}
WCAG_AA_TEXT = 4.5


def test_every_disposition_tone_has_a_colour():
    assert {d.tone for d in load_guideline().pathway.dispositions} <= set(TONE_COLOURS)


def test_tint_mixes_with_white():
    assert tint("#000000", 0) == "#000000" and tint("#000000", 1) == "#ffffff" and tint("#204060", 0.5) == "#90a0b0"


@pytest.mark.parametrize("tone", TONE_COLOURS)
def test_each_tone_carries_white_text_and_reads_as_text_on_its_own_tint(tone):
    colour = TONE_COLOURS[tone]
    assert contrast_ratio("#ffffff", colour) >= WCAG_AA_TEXT
    assert contrast_ratio(colour, tint(colour, 0.9)) >= WCAG_AA_TEXT


@pytest.mark.parametrize("deficiency", MIN_DISTANCE, ids=lambda d: d or "typical")
def test_every_pair_of_tones_stays_apart_under_each_colour_vision_deficiency(deficiency):
    a, b, distance = closest_pairs(TONE_COLOURS, deficiency)[0]
    assert distance >= MIN_DISTANCE[deficiency], f"{a} and {b} are {distance:.1f} apart ({deficiency or 'typical'})"
