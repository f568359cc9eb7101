"""Colour checks in pure Python: WCAG contrast, colour-vision-deficiency simulation and CIEDE2000 distance.

Used by the tests (and the palette picture) to hold the palette to two promises: text on a tone colour is
readable (WCAG 2.2 AA, 4.5:1), and the tones stay apart for a reader with protanopia, deuteranopia or tritanopia.

The simulation uses the full-severity matrices of Machado, Oliveira and Fernandes (2009), "A physiologically-based
model for simulation of color vision deficiency", applied to linear-light sRGB (as the `colorspacious` package
does); distance is CIEDE2000 (Sharma, Wu and Dalal 2005) in CIELAB under D65.
"""

import math
from itertools import combinations

Rgb = tuple[float, float, float]
Lab = tuple[float, float, float]

DEFICIENCIES = ("protanopia", "deuteranopia", "tritanopia")
MACHADO_2009 = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
SRGB_TO_XYZ = ((0.4124564, 0.3575761, 0.1804375), (0.2126729, 0.7151522, 0.0721750), (0.0193339, 0.1191920, 0.9503041))
D65_WHITE = (0.95047, 1.0, 1.08883)


def hex_rgb(colour: str) -> Rgb:
    """`#RRGGBB` as sRGB components in 0..1."""
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def rgb_hex(rgb: Rgb) -> str:
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = min(max(c, 0.0), 1.0)
    return c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def _apply(matrix: tuple[tuple[float, float, float], ...], v: Rgb) -> Rgb:
    return tuple(sum(m * x for m, x in zip(row, v, strict=False)) for row in matrix)  # type: ignore[return-value]


def relative_luminance(colour: str) -> float:
    """WCAG's relative luminance of an sRGB colour."""
    r, g, b = (_linear(c) for c in hex_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio, 1 to 21 (4.5 is the AA minimum for normal text, 3 for large text)."""
    high, low = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def simulate(colour: str, deficiency: str) -> str:
    """How `colour` looks to a reader with the given deficiency (full severity), as `#rrggbb`."""
    linear = tuple(_linear(c) for c in hex_rgb(colour))
    return rgb_hex(tuple(_gamma(c) for c in _apply(MACHADO_2009[deficiency], linear)))  # type: ignore[arg-type]


def to_lab(colour: str) -> Lab:
    """CIELAB (D65) of an sRGB colour."""
    xyz = _apply(SRGB_TO_XYZ, tuple(_linear(c) for c in hex_rgb(colour)))  # type: ignore[arg-type]

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = (f(v / w) for v, w in zip(xyz, D65_WHITE, strict=False))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def ciede2000(lab1: Lab, lab2: Lab) -> float:
    """CIEDE2000 colour difference (kL = kC = kH = 1); about 2 is a just-noticeable difference."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh) / 2)
    lp, cp = (l1 + l2) / 2, (c1p + c2p) / 2
    hp = h1p + h2p
    if c1p * c2p:
        hp = (hp + 360) / 2 if abs(h1p - h2p) > 180 and hp < 360 else (hp - 360) / 2 if abs(h1p - h2p) > 180 else hp / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hp - 30))
        + 0.24 * math.cos(math.radians(2 * hp))
        + 0.32 * math.cos(math.radians(3 * hp + 6))
        - 0.20 * math.cos(math.radians(4 * hp - 63))
    )
    sl = 1 + 0.015 * (lp - 50) ** 2 / math.sqrt(20 + (lp - 50) ** 2)
    sc, sh = 1 + 0.045 * cp, 1 + 0.015 * cp * t
    rt = -2 * math.sqrt(cp**7 / (cp**7 + 25**7)) * math.sin(math.radians(60 * math.exp(-(((hp - 275) / 25) ** 2))))
    return math.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh))


def colour_distance(colour1: str, colour2: str) -> float:
    """CIEDE2000 between two sRGB colours."""
    return ciede2000(to_lab(colour1), to_lab(colour2))


def closest_pairs(colours: dict[str, str], deficiency: str | None = None) -> list[tuple[str, str, float]]:
    """Every pair of named colours with its CIEDE2000 distance as seen with `deficiency` (None: typical vision),
    closest first."""
    seen = {name: simulate(c, deficiency) if deficiency else c for name, c in colours.items()}
    pairs = [(a, b, colour_distance(seen[a], seen[b])) for a, b in combinations(seen, 2)]
    return sorted(pairs, key=lambda pair: pair[2])
