"""A variant of the pathway beside the article's, for one case (the Patient page) and for the What if page.

The variant travels in the URL (core.review.variant_params), so the What if page's list of changed cases opens
each case here, under the variant and the article's pathway side by side.
"""

import functools
from urllib.parse import urlencode

import streamlit as st

from app_pages.result_sections import disposition_badge
from core import Case, Guideline, evaluate_case
from core.engine.case_params import as_params
from core.engine.case_text import case_to_text
from core.review.variant_params import VARIANT_PARAM, VARIANT_PARAMS, variant_from_params, variant_params
from core.review.variants import Variant, apply_variant, load_variants

NOT_THE_ARTICLE = "A variant is a what-if: it is **not the article's pathway**, and no variant is a recommendation."
PATIENT_PICK_KEY = "patient_variant"
PATIENT_TOGGLE_KEY = "patient_variant_on"
NONE = ""
PATIENT_URL_PATH = "patient"


@functools.lru_cache(maxsize=1)
def shipped_variants() -> dict[str, Variant]:
    """data/variants.yaml by id, read once per process (like the guideline)."""
    return {v.id: v for v in load_variants()}


def patient_link(case: Case, variant: Variant) -> str:
    """A relative link that opens this case on the Patient page under the variant and the article's pathway."""
    params = {**as_params(case_to_text(case)), **variant_params(variant, shipped_variants())}
    return f"{PATIENT_URL_PATH}?{urlencode(params, doseq=True)}"


def _url_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in VARIANT_PARAMS if k in st.query_params}


def _choose_variant() -> None:
    for key in VARIANT_PARAMS:
        st.query_params.pop(key, None)
    if st.session_state.get(PATIENT_TOGGLE_KEY) and st.session_state.get(PATIENT_PICK_KEY, NONE) != NONE:
        st.query_params[VARIANT_PARAM] = st.session_state[PATIENT_PICK_KEY]


def variant_comparison(case: Case, g: Guideline) -> None:
    """The Patient page's variant switch: off by default (variants are read only once asked for); on, pick a shipped
    variant (or keep the link's) and see both decisions side by side."""
    raw = _url_params()
    if raw:
        st.session_state[PATIENT_TOGGLE_KEY] = True
    if not st.toggle(
        "Compare with a variant of the pathway (what if the guideline said otherwise?)",
        key=PATIENT_TOGGLE_KEY,
        on_change=_choose_variant,
    ):
        return
    shipped = shipped_variants()
    variant, problems = variant_from_params(raw, shipped, g)
    if problems:  # shown as inert text: they quote the link
        intro = (
            "Parts of the link's variant are ignored:" if variant is not None else "The link's variant cannot be used:"
        )
        st.error(intro, icon=":material/error:")
        st.text("\n".join(str(p) for p in problems))
    options = [NONE, *shipped] + ([variant.id] if variant is not None and variant.id not in shipped else [])
    st.session_state[PATIENT_PICK_KEY] = variant.id if variant is not None else NONE
    titles = {NONE: "choose a variant", **{v.id: v.title for v in shipped.values()}}
    with st.container(border=True):
        st.selectbox(
            "Variant",
            options,
            format_func=lambda option: titles.get(option, "a variant from a link"),
            key=PATIENT_PICK_KEY,
            on_change=_choose_variant,
        )
        st.caption(NOT_THE_ARTICLE)
        if variant is None:
            return
        patched = apply_variant(variant, g)
        article, other = evaluate_case(case, g), evaluate_case(case, patched)
        left, right = st.columns(2)
        with left:
            st.markdown("**The article's pathway**")
            disposition_badge(article, g, size="1.1rem")
            st.caption(f"decided by {article.deciding_rule}")
        with right:
            st.markdown("**Variant: not the article's pathway**")
            disposition_badge(other, patched, size="1.1rem")
            st.caption(f"decided by {other.deciding_rule}")
        same = article.disposition == other.disposition
        st.write(
            "The variant decides this case the same way."
            if same
            else "The variant changes this decision. Everything below follows the article's pathway."
        )
