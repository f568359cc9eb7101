"""Under other pathways: the current case under every pathway of the library, side by side, differences in words.

Which pathways are compared is in the URL (`?compare=ID,ID`; absent: every active pack), so a link reproduces it.
"""

import streamlit as st

from app_pages.inert import inert
from app_pages.session import case_text, chosen_pathway
from core.analyses.across_pathways import PathwayResult, compare_pathways
from core.engine.guideline import load_guideline
from core.engine.packs import PACKS_DIR
from core.review.pack_check import library

COMPARE_PARAM = "compare"
SCOPE_WORDS = {True: "yes", False: "no", None: "not confirmed"}


def compared_pathways() -> list[str]:
    """The packs the URL names (those the library holds, in its order), or every active pack."""
    active = [p.id for p in library().packs if p.status == "active"]
    wanted = st.query_params.get(COMPARE_PARAM)
    if not wanted:
        return active
    named = [w.strip() for w in wanted.split(",")]
    return [p for p in active if p in named] or active


def _row(r: PathwayResult, here: PathwayResult) -> dict[str, str]:
    statement = "" if r.statement is None else f"{r.statement.text} [{', '.join(map(str, r.statement.citations))}]"
    if r.pathway == here.pathway:
        differs = "this pathway"
    elif r.disposition_class == here.disposition_class:
        differs = "same kind of answer"
    else:
        differs = (
            f"differs: {r.disposition_class.replace('_', ' ')} here, not {here.disposition_class.replace('_', ' ')}"
        )
    return {
        "pathway": f"{r.title} (v{r.version})",
        "about this patient": SCOPE_WORDS[r.in_scope],
        "decision": f"{r.disposition_label}{' (urgent)' if r.urgent else ''}",
        "kind": r.disposition_class.replace("_", " "),
        "compared with this pathway": differs,
        "deciding rule": r.deciding_rule,
        "what to do": statement,
        "still needs": ", ".join(r.missing) or "nothing",
    }


def other_pathways_section() -> None:
    """The session's case (every field entered, under whichever pathway) under each compared pathway."""
    ids = compared_pathways()
    if len(ids) < 2:
        return
    st.subheader("Under other pathways")
    guidelines = [load_guideline(PACKS_DIR / i) for i in ids]
    comparison = compare_pathways(case_text(), guidelines)
    st.markdown(inert(comparison.summary))
    here = next((r for r in comparison.results if r.pathway == chosen_pathway()), comparison.results[0])
    st.caption(
        "Each pathway reads its own fields of the case; a field it does not read is set aside for it. "
        "Different articles, different answers: none of them is the patient's plan."
    )
    # One block per pathway, its facts as lines: eight columns side by side do not fit a phone.
    for r in comparison.results:
        row = _row(r, here)
        with st.container(border=True):
            st.markdown(
                f"**{inert(row.pop('pathway'))}**  \n" + "  \n".join(f"{k}: {inert(v)}" for k, v in row.items())
            )
