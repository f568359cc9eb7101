"""The case form, generated from the pack's fields: grouped as a clinician works, yes/no fields tri-state, each
widget chosen by the field's kind in the vocabulary (data/vocabulary.yaml), help text from there too.

The form edits a case held as text in `st.session_state[store_key]`; each widget writes its field back on change
(no submit button), and the widgets are seeded from the text on every run so a loaded scenario or a shared link
shows in them.
"""

from collections.abc import Callable

import streamlit as st

from app_pages.inert import inert
from core import Guideline
from core.engine.case_params import UNKNOWN, CaseText, choice_options, form_value, is_scale, text_from_form, with_field
from core.engine.words import NO, NOT_ASSESSED, YES
from core.errors import Problem
from core.outputs.presentation import field_groups, problem_text, problems_by_field

YES_NO_WORDS = {"true": YES, "false": NO, UNKNOWN: NOT_ASSESSED}


def _seed_widgets(g: Guideline, text: CaseText, prefix: str) -> None:
    for field in g.schema.fields:
        key, wanted = prefix + field, form_value(field, text)
        if key not in st.session_state or st.session_state[key] != wanted:
            st.session_state[key] = wanted


def _field_changed(g: Guideline, store_key: str, prefix: str, field: str, after: Callable[[], None] | None) -> None:
    value = text_from_form(field, st.session_state[prefix + field])
    st.session_state[store_key] = with_field(st.session_state.get(store_key, {}), field, value, g.schema)
    if after is not None:
        after()


def _field_widget(g: Guideline, field: str, prefix: str, store_key: str, after: Callable[[], None] | None) -> None:
    info = g.fields[field]
    label = info.label[:1].upper() + info.label[1:]
    common = dict(
        key=prefix + field, help=info.help, on_change=_field_changed, args=(g, store_key, prefix, field, after)
    )
    kind = info.kind
    if kind == "bool":
        st.segmented_control(
            label, choice_options(field, g.schema), format_func=YES_NO_WORDS.get, required=True, **common
        )
    elif kind == "choice":
        # Each value with what a reader looks for (the hints), so the choice matches the report in hand.
        words = {v: f"{w}: {info.value_hints[v]}" if v in info.value_hints else w for v, w in info.values.items()}
        words[UNKNOWN] = NOT_ASSESSED
        st.radio(label, [*g.schema.choices[field], UNKNOWN], format_func=words.get, **common)
    elif is_scale(info):
        st.segmented_control(
            label,
            choice_options(field, g.schema),
            format_func=lambda v: NOT_ASSESSED if v == UNKNOWN else v,
            required=True,
            **common,
        )
    elif kind == "int":
        st.number_input(
            label, min_value=info.min, max_value=info.max, step=1, value=None, placeholder=NOT_ASSESSED, **common
        )
    elif kind == "list":
        items = list(g.schema.choices[field])
        st.pills(label, items, selection_mode="multi", format_func=lambda v: info.items.get(v, v), **common)
    else:
        st.text_input(label, max_chars=info.max_length, placeholder=info.pattern_hint or "", **common)


def case_form(
    g: Guideline,
    store_key: str,
    prefix: str,
    problems: list[Problem],
    after_change: Callable[[], None] | None = None,
    columns: int = 1,
    notes: dict[str, list[str]] | None = None,
) -> None:
    """Render the grouped inputs for the case in `store_key`; each problem shows right under its field, and each
    note (say, inputs that contradict each other) under the fields it concerns.

    With several columns the groups fill them in reading order, about the same number of fields in each, so
    they still read in order when the columns stack on a phone.
    """
    _seed_widgets(g, st.session_state.setdefault(store_key, {}), prefix)
    by_field = problems_by_field(problems)
    groups = field_groups(g)
    slots = st.columns(columns) if columns > 1 else [st.container()]
    per_slot = sum(len(fields) for _, fields in groups) / len(slots)
    n, filled = 0, 0
    for title, fields in groups:
        if filled >= per_slot and n < len(slots) - 1:
            n, filled = n + 1, 0
        filled += len(fields)
        with slots[n].container(border=True):
            st.markdown(f"**{title}**")
            for field in fields:
                _field_widget(g, field, prefix, store_key, after_change)
                for problem in by_field.get(field, []):
                    st.error(inert(problem_text(problem, g)), icon=":material/error:")
                for note in (notes or {}).get(field, []):
                    st.warning(inert(note), icon=":material/rule:")
