"""The educational-use notice every page shows (pages run on their own show it themselves)."""
from core.guideline import Guideline


def notice_line(guideline: Guideline) -> str:
    """The notice with the guideline version, as app.py's caption shows it."""
    return f"{guideline.info.notice} Guideline version {guideline.info.version}."
