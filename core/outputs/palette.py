"""The tone colours of dispositions, importable without plotly or pandas (the Patient page's first render needs
them, and importing the figure module would cost pandas on every cold start).

Each colour carries white text at WCAG AA contrast (4.5:1 or more) and, as text, reads at 4.5:1 on its own light
tint (`tint(colour, 0.9)` or lighter). The five stay apart for readers with protanopia, deuteranopia or
tritanopia: the tones differ in lightness as well as hue (critical darkest, then moderate, then the others), and
`unknown` is a neutral slate, not a second orange. tests/test_palette.py holds them to both promises
(tools.colour_vision, checked by the tests). A tone is never shown by colour alone: its disposition's words go with it.
"""

TONE_COLOURS = {
    "critical": "#8E1519",  # dark red
    "high": "#9A5C00",  # dark orange
    "moderate": "#2645A9",  # blue
    "routine": "#237B5F",  # green
    "unknown": "#6A6982",  # slate
}


def tint(colour: str, amount: float) -> str:
    """`colour` mixed with white; amount 0 is the colour, 1 is white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)
