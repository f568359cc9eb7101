"""Patient page: enter a case, see what to do next, why, and on what evidence. The result follows the inputs.

A new visitor's first run shows the answer alone (app_pages.first_view): the result's first sections, which are
text. The form, the course of care, the variant switch and the sections a clinician reads after the answer
(why, what would change, downloads) come with the second pass, in the places kept for them.
"""

import streamlit as st

from app_pages.case_form import case_form
from app_pages.course_editor import COURSE_PARAMS, course_section, record_button, sync_course_with_url
from app_pages.first_view import ask_for_the_rest, first_view, pending_mark
from app_pages.other_pathways import COMPARE_PARAM, other_pathways_section
from app_pages.result_sections import RESULT_SECTIONS, timeline_section
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
# Above the answer, empty in a first pass: kept as containers so the answer keeps its place when they fill.
COURSE_SLOT_KEY, VARIANT_SLOT_KEY = "patient_course_slot", "patient_variant_slot"
# The sections a first pass draws: the answer and what a clinician reads first, all text (each later section has
# widgets, a table or a computation of its own).
FIRST_SECTIONS = RESULT_SECTIONS[: RESULT_SECTIONS.index(timeline_section) + 1]


def patient_page() -> None:
    g = guideline()
    sync_case_with_url(COURSE_PARAMS + VARIANT_PARAMS + (COMPARE_PARAM,))
    sync_course_with_url()
    st.title("Patient")
    st.caption(
        "Enter what is known; leave the rest “not assessed”. The result updates as you go, and the "
        "address bar holds the case so you can share it."
    )
    show_problems(url_problems(), g, "Some parameters of the link could not be used:")
    # A field that breaks the case is set aside (evaluated as not assessed), so the rest still decides; only a
    # valid case may be recorded as a visit.
    evaluated_case, problems = case_setting_aside(case_text(), g.schema)
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
    whole = not first_view()
    with result, st.container(key=RESULT_KEY):
        # On a phone the form is below the whole result: one tap goes there to change the case or record a visit.
        st.html(f'<a class="to-form" href="#{FORM_ANCHOR}">Change the case or record a visit (the form below)</a>')
        with st.container(key=COURSE_SLOT_KEY):
            if whole:
                course_section(case, g)
        if problems:
            set_aside = ", ".join(dict.fromkeys(g.labels.get(p.field, p.field) for p in problems))
            st.warning(
                f"Evaluated with {set_aside} treated as not assessed: correct the field marked in red.",
                icon=":material/rule:",
            )
        with st.container(key=VARIANT_SLOT_KEY):
            if whole:
                variant_comparison(evaluated_case, g)
        for section in RESULT_SECTIONS if whole else FIRST_SECTIONS:
            section(evaluation, g)
        if whole:
            other_pathways_section()
    with inputs:
        # The anchor is there in a first pass too: the phone's link then lands on the note that the form follows.
        st.html(f'<div id="{FORM_ANCHOR}"></div>')
        if whole:
            case_form(g, CASE_KEY, WIDGET_PREFIX, problems, after_change=forget_url_problems, notes=notes)
            # On a phone the form comes after the result: the visit is recorded where it was entered.
            record_button(case, "course_record_form")
        else:
            pending_mark("The form with this case, the course of care and the details follow in a moment.")
    if not whole:
        ask_for_the_rest()


guarded(patient_page)
