"""Under other pathways: a case under every pathway of the library, side by side, differences in words.

Shown for the patient (Patient page) and for the case chosen in the Scenarios page's compare view. Which pathways
are compared is in the URL as a comma-separated list of pack ids (absent: every active pack; empty: none), so a
link reproduces it. The Patient page calls the parameter `compare`; the Scenarios page, whose `compare` already
names the scenario compared, calls it `across`.
"""

from collections.abc import Mapping

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages.inert import inert
from app_pages.session import case_text, chosen_pathway, guideline, show_problems
from core.analyses.across_pathways import PathwayResult, compare_pathways
from core.engine.guideline import Guideline, load_guideline
from core.engine.packs import PACKS_DIR
from core.errors import Problem
from core.review.pack_check import library

COMPARE_PARAM = "compare"
ACROSS_PARAM = "across"
PER_ROW = 2
SCOPE_WORDS = {True: "yes", False: "no", None: "not confirmed (a field it needs to tell is not assessed)"}


def _active() -> dict[str, str]:
    """The active packs of the library, in its order: id -> title."""
    return {p.id: p.title for p in library().packs if p.status == "active"}


def compared_pathways(param: str = COMPARE_PARAM) -> tuple[list[str], list[str]]:
    """The packs the URL names (those the library holds, in its order); every active pack without the parameter,
    none when it is empty (the person removed them all). Second: the names given that are no active pack (ignored;
    when nothing named is one, every active pack is compared)."""
    active = list(_active())
    wanted = st.query_params.get(param)
    if wanted is None:
        return active, []
    if not wanted.strip():
        return [], []
    named = [w.strip() for w in wanted.split(",")]
    ignored = [w for w in dict.fromkeys(named) if w not in active]
    return [p for p in active if p in named] or active, ignored


def _ignored_problem(param: str, ignored: list[str]) -> Problem:
    names = ", ".join(repr(w) for w in ignored)
    known = ", ".join(_active())
    return Problem(field=param, message=f"{names}: not a pathway the library can compare ({known}); ignored")


def _write_choice(key: str, param: str) -> None:
    chosen = [p for p in _active() if p in st.session_state[key]]  # the library's order, whatever the tapping order
    if chosen == list(_active()):
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = ",".join(chosen)


def _row(r: PathwayResult, here: PathwayResult, g: Guideline) -> dict[str, str]:
    """One pathway's answer as labelled lines in its own words; `here` is the pathway the others are measured
    against."""
    statement = (
        "no statement of this pathway applies"
        if r.statement is None
        else f"{r.statement.text} [{', '.join(map(str, r.statement.citations))}]"
    )
    if r.pathway == here.pathway:
        differs = "this is that pathway"
    elif r.disposition_class == here.disposition_class:
        differs = "same kind of answer"
    else:
        differs = (
            f"differs: {r.disposition_class.replace('_', ' ')} here, {here.disposition_class.replace('_', ' ')} there"
        )
    rules = {rule.id: rule.label for rule in g.decision_rules}
    rule = r.deciding_rule
    return {
        "pathway": f"{r.title} (v{r.version})",
        "about this patient": SCOPE_WORDS[r.in_scope],
        "decision": f"{r.disposition_label}{' (urgent)' if r.urgent else ''}",
        "kind": r.disposition_class.replace("_", " "),
        f"compared with {here.title}": differs,
        "deciding rule": f"{rules[rule]} ({rule})" if rule in rules else rule,
        "what to do": statement,
        "still needs": ", ".join(g.labels.get(f, f) for f in r.missing) or "nothing",
    }


def pathways_side_by_side(text: Mapping[str, str | list[str]], param: str, key: str) -> None:
    """The case `text` (every field entered, under whichever pathway) under each pathway the URL's `param` names,
    with a choice of those pathways (widget `key`) that writes the URL."""
    active = _active()
    if len(active) < 2:
        return
    with st.container(key=f"{key}_section"):
        _side_by_side(text, param, key, active)


def _side_by_side(text: Mapping[str, str | list[str]], param: str, key: str, active: dict[str, str]) -> None:
    st.subheader("Under other pathways")
    wanted, ignored = compared_pathways(param)
    if ignored:
        show_problems([_ignored_problem(param, ignored)], guideline(), "Some parameters of the link could not be used:")
    if set(st.session_state.get(key) or ()) != set(wanted):  # the URL wins: a link opened, or the browser's back button
        st.session_state[key] = wanted
    # One tap per pathway, every title whole (a dropdown's chips are cut short on a phone).
    ids = st.pills(
        "Pathways compared",
        list(active),
        selection_mode="multi",
        key=key,
        format_func=active.__getitem__,
        on_change=_write_choice,
        args=(key, param),
    )
    if len(ids) < 2:
        st.info("Choose two or more pathways to see this case under each.", icon=":material/compare_arrows:")
        return
    guidelines = [load_guideline(PACKS_DIR / i) for i in ids]
    comparison = compare_pathways(text, guidelines)
    st.markdown(inert(comparison.summary))
    here = next((r for r in comparison.results if r.pathway == chosen_pathway()), comparison.results[0])
    st.caption(
        "Each pathway reads its own fields of the case; a field it does not read is set aside for it. "
        "Different articles, different answers: none of them is the patient's plan."
    )
    # One block per pathway, its facts as lines (eight columns of facts do not fit a phone), two blocks side by side;
    # a phone stacks them.
    pairs = list(zip(comparison.results, guidelines, strict=True))
    for start in range(0, len(pairs), PER_ROW):
        for column, (r, g) in zip(st.columns(PER_ROW), pairs[start : start + PER_ROW], strict=False):
            _block(column, _row(r, here, g))


def _block(column: DeltaGenerator, row: dict[str, str]) -> None:
    with column.container(border=True, height="stretch"):
        title = row.pop("pathway")
        # A difference is said in words and set in bold, never in colour alone.
        lines = [
            f"**{inert(k)}: {inert(v)}**" if v.startswith("differs") else f"{inert(k)}: {inert(v)}"
            for k, v in row.items()
        ]
        st.markdown(f"**{inert(title)}**  \n" + "  \n".join(lines))


def other_pathways_section() -> None:
    """The Patient page's section: the session's case, the pathways in `compare`."""
    pathways_side_by_side(case_text(), COMPARE_PARAM, "patient_compared_pathways")
