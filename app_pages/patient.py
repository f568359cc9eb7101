"""Patient page: enter a case, see what to do next, why, and on what evidence. The result follows the inputs."""

import streamlit as st

from app_pages.case_form import case_form
from app_pages.course_editor import COURSE_PARAMS, course_section, sync_course_with_url
from app_pages.result_sections import RESULT_SECTIONS
from app_pages.session import (
    CASE_KEY,
    current_case,
    forget_url_problems,
    guarded,
    guideline,
    show_problems,
    sync_case_with_url,
    url_problems,
)
from app_pages.variant_view import variant_comparison
from core import evaluate_case
from core.review.variant_params import VARIANT_PARAMS

WIDGET_PREFIX = "patient_"
COLUMNS_KEY = "patient_columns"


def patient_page() -> None:
    g = guideline()
    sync_case_with_url(COURSE_PARAMS + VARIANT_PARAMS)
    sync_course_with_url()
    st.title("Patient")
    st.caption(
        "Enter what is known; leave the rest “not assessed”. The result updates as you go, and the "
        "address bar holds the case so you can share it."
    )
    show_problems(url_problems(), g, "Some parameters of the link could not be used:")
    case, problems = current_case()
    evaluation = None if case is None else evaluate_case(case, g)
    notes: dict[str, list[str]] = {}
    for found in evaluation.inconsistencies if evaluation else []:
        for field in found.fields:
            notes.setdefault(field, []).append(found.text)
    # On a phone the columns stack; the result comes first there (CSS order), the form follows.
    st.html(
        f"<style>@media (max-width: 640px) {{ .st-key-{COLUMNS_KEY} [data-testid='stHorizontalBlock'] "
        "> div:nth-child(2) { order: -1; } }</style>"
    )
    with st.container(key=COLUMNS_KEY):
        inputs, result = st.columns([5, 7], gap="large")
    with inputs:
        case_form(g, CASE_KEY, WIDGET_PREFIX, problems, after_change=forget_url_problems, notes=notes)
    with result:
        course_section(case, g)
        if evaluation is None:
            st.warning(
                "No evaluation while an input is invalid: correct the field marked in red.", icon=":material/block:"
            )
            return
        variant_comparison(case, g)
        for section in RESULT_SECTIONS:
            section(evaluation, g)


guarded(patient_page)
