"""Hypothesis strategies for courses of care, and a writer that turns courses into a visits file."""

import csv
import io

from hypothesis import strategies as st

from core.engine.case import DEFAULT_SCHEMA
from tests.strategies import MRI_FINDINGS, PROPOSALS

BOOL_FIELDS = DEFAULT_SCHEMA.bool_fields  # the default pack's yes/no fields

VISIT_FIELDS = (*BOOL_FIELDS, "mri_finding", "motor_grade_mrc", "pt_weeks", "proposed")


def _change(draw, field: str):
    """What a visit states about a field: absent (carried), None (unknown from now) or a value."""
    kind = draw(st.sampled_from(["absent", "absent", "null", "value"]))
    if kind != "value":
        return kind
    if field in BOOL_FIELDS:
        return draw(st.booleans())
    if field == "mri_finding":
        return draw(st.sampled_from(MRI_FINDINGS))
    return draw(st.integers(0, 5))


@st.composite
def any_course(draw, max_visits: int = 6) -> dict:
    """A valid course: weeks in order (ties allowed), pt_weeks within the course rules."""
    count = draw(st.integers(1, max_visits))
    weeks = sorted(draw(st.lists(st.integers(0, 40), min_size=count, max_size=count)))
    visits = []
    pt, pt_week, pt_known = None, None, False  # the last known pt_weeks, the week it was last known, known now
    for week in weeks:
        visit: dict = {"week": week}
        for field in (*BOOL_FIELDS, "mri_finding", "motor_grade_mrc"):
            change = _change(draw, field)
            if change != "absent":
                visit[field] = None if change == "null" else change
        kind = draw(st.sampled_from(["absent", "null", "value", "value"]))
        if kind == "null":
            visit["pt_weeks"], pt_known = None, False
        elif kind == "value":
            low = 0 if pt is None else pt
            high = week if pt is None else min(week, pt + (week - pt_week))
            if low <= high:
                pt, pt_week, pt_known = draw(st.integers(low, high)), week, True
                visit["pt_weeks"] = pt
        if pt_known:
            pt_week = week  # carried forward: still known at this visit
        proposed = draw(st.lists(st.sampled_from(PROPOSALS), unique=True, max_size=2))
        if proposed:
            visit["proposed"] = proposed
        visits.append(visit)
    return {"visits": visits}


def cell(visit: dict, field: str) -> str:
    if field not in visit:
        return ""
    value = visit[field]
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def visits_csv(courses: list[dict]) -> bytes:
    """Courses as one visits file, one row per visit, courses in turn (case ids c0, c1, ...)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["case_id", "week", *VISIT_FIELDS])
    for n, course in enumerate(courses):
        for visit in course["visits"]:
            writer.writerow([f"c{n}", visit["week"], *(cell(visit, f) for f in VISIT_FIELDS)])
    return out.getvalue().encode()
