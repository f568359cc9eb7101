"""Patient page: enter a case, see what to do next, why, and on what evidence. The result follows the inputs."""

import streamlit as st

from app_pages.case_form import case_form
from app_pages.course_editor import COURSE_PARAMS, course_section, record_button, sync_course_with_url
from app_pages.result_sections import RESULT_SECTIONS
from app_pages.session import (
    CASE_KEY,
    case_text,
    forget_url_problems,
    guarded,
    guideline,
    show_problems,
    sync_case_with_url,
    url_problems,
)
from app_pages.variant_view import variant_comparison
from core import evaluate_case
from core.engine.case_params import case_setting_aside
from core.review.variant_params import VARIANT_PARAMS

WIDGET_PREFIX = "patient_"
COLUMNS_KEY = "patient_columns"
RESULT_KEY = "patient_result"
FORM_ANCHOR = "case-form"


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
    # A field that breaks the case is set aside (evaluated as not assessed), so the rest still decides; only a
    # valid case may be recorded as a visit.
    evaluated_case, problems = case_setting_aside(case_text())
    case = None if problems else evaluated_case
    evaluation = evaluate_case(evaluated_case, g)
    notes: dict[str, list[str]] = {}
    for found in evaluation.inconsistencies:
        for field in found.fields:
            notes.setdefault(field, []).append(found.text)
    # On a phone the columns stack; the result comes first there (CSS order), the form follows. Only the column
    # holding the result moves: columns nested inside either one keep their order.
    st.html(
        f"<style>@media (max-width: 640px) {{ .st-key-{COLUMNS_KEY} [data-testid='stHorizontalBlock'] "
        f"> div:has(.st-key-{RESULT_KEY}) {{ order: -1; }} }}"
        "@media (min-width: 641px) { .to-form { display: none; } }</style>"
    )
    with st.container(key=COLUMNS_KEY):
        inputs, result = st.columns([5, 7], gap="large")
    with inputs:
        st.html(f'<div id="{FORM_ANCHOR}"></div>')
        case_form(g, CASE_KEY, WIDGET_PREFIX, problems, after_change=forget_url_problems, notes=notes)
        # On a phone the form comes after the result: the visit is recorded where it was entered.
        record_button(case, "course_record_form")
    with result, st.container(key=RESULT_KEY):
        # On a phone the form is below the whole result: one tap goes there to change the case or record a visit.
        st.html(f'<a class="to-form" href="#{FORM_ANCHOR}">Change the case or record a visit (the form below)</a>')
        course_section(case, g)
        if problems:
            set_aside = ", ".join(dict.fromkeys(g.labels.get(p.field, p.field) for p in problems))
            st.warning(
                f"Evaluated with {set_aside} treated as not assessed: correct the field marked in red.",
                icon=":material/rule:",
            )
        variant_comparison(evaluated_case, g)
        for section in RESULT_SECTIONS:
            section(evaluation, g)


guarded(patient_page)
