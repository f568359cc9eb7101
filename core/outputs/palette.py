"""The tone colours of dispositions, importable without plotly or pandas (the Patient page's first render needs
them, and importing the figure module would cost pandas on every cold start).

Each colour carries white text at WCAG AA contrast (4.5:1 or more) and reads on its own light tint.
"""
TONE_COLOURS = {
    "critical": "#B4464B",
    "high": "#AD5F1A",
    "moderate": "#3B6E99",
    "routine": "#3F7A5C",
    "unknown": "#8A6D1F",
}


def tint(colour: str, amount: float) -> str:
    """`colour` mixed with white; amount 0 is the colour, 1 is white."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)
