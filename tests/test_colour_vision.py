"""The colour checks the palette is held to: WCAG contrast, colour-vision simulation and CIEDE2000, each checked
against published values or an independent implementation (colorspacious, a test-only dependency)."""

import colorspacious
import numpy as np
import pytest

from tools.colour_vision import (
    DEFICIENCIES,
    ciede2000,
    closest_pairs,
    contrast_ratio,
    hex_rgb,
    simulate,
    to_lab,
)

# Pairs from Sharma, Wu and Dalal (2005), the reference data set for CIEDE2000 implementations.
SHARMA_PAIRS = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, -0.001, 2.49), (50.0, 0.0011, -2.49), 4.7461),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.694), (23.0331, 14.973, -42.5619), 2.0373),
]
COLOURS = ["#8E1519", "#9A5C00", "#2645A9", "#237B5F", "#6A6982", "#ff0000", "#00ff00", "#0000ff", "#ffffff"]
COLORSPACIOUS_NAMES = {"protanopia": "protanomaly", "deuteranopia": "deuteranomaly", "tritanopia": "tritanomaly"}


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA_PAIRS)
def test_ciede2000_matches_the_published_reference_pairs(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    # Streamlit's default caption colour on white, the failure axe reported before the fix.
    assert contrast_ratio("#777f85", "#ffffff") == pytest.approx(4.07, abs=0.01)


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
@pytest.mark.parametrize("colour", COLOURS)
def test_simulation_agrees_with_colorspacious_machado_at_full_severity(colour, deficiency):
    cvd = {"name": "sRGB1+CVD", "cvd_type": COLORSPACIOUS_NAMES[deficiency], "severity": 100}
    expected = np.clip(colorspacious.cspace_convert(np.array(hex_rgb(colour)), cvd, "sRGB1"), 0, 1)
    assert np.allclose(hex_rgb(simulate(colour, deficiency)), expected, atol=1 / 255)


def test_red_and_green_collapse_for_a_deuteranope_but_not_for_typical_vision():
    red, green = "#cc3333", "#669900"
    assert closest_pairs({"red": red, "green": green})[0][2] > 30
    assert closest_pairs({"red": red, "green": green}, "deuteranopia")[0][2] < 10


def test_lab_of_white_and_black():
    assert to_lab("#ffffff") == pytest.approx((100, 0, 0), abs=0.01)
    assert to_lab("#000000") == pytest.approx((0, 0, 0), abs=0.01)
