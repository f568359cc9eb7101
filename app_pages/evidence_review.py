"""References page sections on outside evidence: each statement's checks, verdict counts and filter, the editor,
and the layer as a file to download and upload again.

The working layer lives in the session only (app_pages.session.evidence_layer); the reviewer keeps it by
downloading `evidence.yaml`, which data/ accepts unchanged. Every decision (validation, merging, counting) is
core.review.evidence's; this module lays it out and routes the reviewer's input to it.
"""

from textwrap import shorten
from typing import get_args

import streamlit as st

from app_pages.inert import inert, problem_list
from app_pages.session import evidence_layer, guideline, set_evidence_layer
from core import Guideline
from core.engine.guideline import Region
from core.errors import DataError, PathwayError, Problem
from core.outputs.presentation import reference_anchor
from core.review.audit import NECK_AND_THORACIC
from core.review.evidence import (
    MAX_UPLOAD_BYTES,
    SOURCE_KINDS,
    VERDICTS,
    EvidenceCheck,
    EvidenceLayer,
    checks_for,
    evidence_from_yaml,
    evidence_to_yaml,
    load_evidence,
    parse_check,
    remove_check,
    statements_with_verdict,
    strongest_verdict,
    upsert_check,
    verdict_counts,
)

VERDICT_COLOURS = {"agrees": "green", "partly": "orange", "disagrees": "red", "not_found": "gray"}
VERDICT_WORDS = {"agrees": "agrees", "partly": "partly agrees", "disagrees": "disagrees", "not_found": "not found"}
KIND_WORDS = {
    "guideline": "guideline",
    "systematic_review": "systematic review",
    "rct": "randomised trial",
    "policy": "payer policy",
    "regulatory": "regulatory notice",
    "other": "other",
}
FILTER_KEY = "evidence_verdicts"
PICK_KEY = "evidence_pick"
NEW_CHECK = ""  # the editor's "start a new check" choice
FORM_FIELDS = ("statement", "source", "year", "kind", "verdict", "note", "confirmed", "region", "link")
FORM_PREFIX = "evidence_form_"
FORM_PROBLEMS_KEY = "evidence_form_problems"
UPLOAD_KEY = "evidence_upload"
UPLOAD_PROBLEMS_KEY = "evidence_upload_problems"
MESSAGE_KEY = "evidence_message"
SEPARATOR = "\x1f"  # between statement id and source in the editor's choice of check


def verdict_mark(verdict: str) -> str:
    """The verdict in words, coloured (the words carry it; colour only helps)."""
    return f":{VERDICT_COLOURS[verdict]}[**{VERDICT_WORDS[verdict]}**]"


def check_line(check: EvidenceCheck, claim_region: str) -> str:
    year = f"{check.year}, " if check.year else ""
    confirmed = "confirmed against the full text" if check.confirmed else "*unconfirmed: from a summary*"
    # The link is shown as text: the app makes no request to another host, and a reviewer copies it.
    link = f" · {inert(check.link)}" if check.link else " · *no DOI, PMID or URL recorded*"
    region = (
        f" · :orange[**region mismatch:**] the source is about the lumbar spine, the claim about the {claim_region}"
        if check.region == "lumbar" and claim_region in NECK_AND_THORACIC
        else ""
    )
    return (
        f"- {verdict_mark(check.verdict)} · {inert(check.source)} ({year}{KIND_WORDS[check.kind]}): "
        f"{inert(check.note)} "
        f"· {confirmed}{link}{region}"
    )


def _citations(numbers: list[int]) -> str:
    return " ".join(f"[[{n}]](#{reference_anchor(n)})" for n in numbers) if numbers else "no citation"


def verdict_label(layer: EvidenceLayer, statement_id: str) -> str:
    """For the statement list: the most critical outside verdict, or nothing when the statement is unchecked."""
    verdict = strongest_verdict(layer, statement_id)
    return f" · outside evidence: [{VERDICT_WORDS[verdict]}](#evidence)" if verdict else ""


def evidence_section(g: Guideline) -> None:
    st.header("Outside evidence", anchor="evidence")
    st.caption(
        "Each checked statement, its citations in the article, and what outside sources say about its claim. "
        "The checks come from summaries of those sources and stay *unconfirmed* until a reviewer reads the "
        "full text. Edit them below; the Patient page's reports flag what this layer disputes."
    )
    layer = evidence_layer()
    counts = verdict_counts(layer)
    with st.container(horizontal=True):
        st.metric("Statements checked", f"{len(layer.checks)} of {len(g.statements)}")
        for verdict in VERDICTS:
            st.metric(f"Checks: {VERDICT_WORDS[verdict]}", counts[verdict])
    chosen = st.multiselect(
        "Show statements where outside evidence",
        list(VERDICTS),
        key=FILTER_KEY,
        format_func=VERDICT_WORDS.get,
        placeholder="any verdict (every checked statement)",
    )
    wanted = set(statements_with_verdict(layer, chosen) if chosen else layer.checks)
    shown = [s for s in g.statements if s.id in wanted]
    if not shown:
        st.write("No statement has a check with that verdict.")
    for s in shown:
        lines = [f"**`{s.id}`** · {s.section} · cites {_citations(s.citations)}", "", s.text, ""] + [
            check_line(c, s.region) for c in checks_for(layer, s.id)
        ]
        st.markdown("\n".join(lines))


def _problems(key: str) -> list[Problem]:
    return st.session_state.get(key, [])


def _field_key(field: str) -> str:
    return FORM_PREFIX + field


def _pick_key(statement_id: str, source: str) -> str:
    return statement_id + SEPARATOR + source


def _load_pick() -> None:
    """Fill the form from the check picked for editing (or clear it for a new one)."""
    st.session_state.pop(FORM_PROBLEMS_KEY, None)
    picked = st.session_state.get(PICK_KEY, NEW_CHECK)
    if picked == NEW_CHECK:
        for field in ("source", "year", "note", "confirmed", "region", "link"):
            st.session_state.pop(_field_key(field), None)
        return
    statement_id, source = picked.split(SEPARATOR, 1)
    check = next((c for c in checks_for(evidence_layer(), statement_id) if c.source == source), None)
    if check is None:  # gone meanwhile (removed or replaced by an upload): nothing to load
        return
    st.session_state[_field_key("statement")] = statement_id
    for field in ("source", "year", "kind", "verdict", "note", "confirmed", "region", "link"):
        st.session_state[_field_key(field)] = getattr(check, field)


def _save_check(g: Guideline) -> None:
    values = {f: st.session_state.get(_field_key(f)) for f in FORM_FIELDS}
    statement_id = values.pop("statement")
    try:
        check = parse_check(
            {**values, "source": values["source"] or "", "note": values["note"] or "", "link": values["link"] or None}
        )
        layer = upsert_check(evidence_layer(), statement_id, check, g)
    except PathwayError as exc:
        st.session_state[FORM_PROBLEMS_KEY] = exc.problems
        return
    set_evidence_layer(layer)
    st.session_state.pop(FORM_PROBLEMS_KEY, None)
    st.session_state[PICK_KEY] = _pick_key(statement_id, check.source)
    st.session_state[MESSAGE_KEY] = f"Saved the check of `{statement_id}` against {inert(check.source)}."


def _remove_picked() -> None:
    statement_id, source = st.session_state[PICK_KEY].split(SEPARATOR, 1)
    try:
        set_evidence_layer(remove_check(evidence_layer(), statement_id, source))
    except PathwayError as exc:
        st.session_state[FORM_PROBLEMS_KEY] = exc.problems
        return
    st.session_state[PICK_KEY] = NEW_CHECK
    _load_pick()
    st.session_state[MESSAGE_KEY] = f"Removed the check of `{statement_id}` against {inert(source)}."


def _restore_upload(g: Guideline) -> None:
    """Replace the session's layer with an uploaded file, once per upload; a bad file changes nothing."""
    upload = st.session_state.get(UPLOAD_KEY)
    st.session_state.pop(UPLOAD_PROBLEMS_KEY, None)
    if upload is None:
        return
    try:
        layer = evidence_from_yaml(upload.getvalue(), g, filename=upload.name)
    except DataError as exc:
        st.session_state[UPLOAD_PROBLEMS_KEY] = exc.problems
        return
    set_evidence_layer(layer)
    st.session_state[PICK_KEY] = NEW_CHECK
    _load_pick()
    st.session_state[MESSAGE_KEY] = (
        f"Restored {sum(len(c) for c in layer.checks.values())} checks of "
        f"{len(layer.checks)} statements from {inert(upload.name)}."
    )


def _reset() -> None:
    set_evidence_layer(load_evidence(guideline().source_dir))
    st.session_state[PICK_KEY] = NEW_CHECK
    _load_pick()
    st.session_state[MESSAGE_KEY] = "Back to the checks shipped in data/evidence.yaml."


def _field_errors(field: str) -> None:
    for problem in _problems(FORM_PROBLEMS_KEY):
        if problem.field == field:
            st.error(inert(f"{field.capitalize()}: {problem.message}"), icon=":material/error:")


def _check_form(g: Guideline) -> None:
    statements = {s.id: s for s in g.statements}
    st.session_state.setdefault(_field_key("statement"), g.statements[0].id)
    with st.form("evidence_form"):
        st.selectbox(
            "Statement",
            list(statements),
            key=_field_key("statement"),
            format_func=lambda sid: f"{sid}: {shorten(statements[sid].text, 80, placeholder='…')}",
        )
        _field_errors("statement")
        st.text_input(
            "Outside source",
            max_chars=200,
            key=_field_key("source"),
            placeholder="e.g. NICE Clinical Knowledge Summary: neck pain",
            help="Saving with the source of an existing check of this statement replaces that check.",
        )
        _field_errors("source")
        year, kind, verdict = st.columns(3)
        with year:
            st.number_input(
                "Year",
                min_value=1900,
                max_value=2100,
                step=1,
                value=None,
                key=_field_key("year"),
                placeholder="none (living document)",
            )
            _field_errors("year")
        with kind:
            st.selectbox("Kind", list(SOURCE_KINDS), format_func=KIND_WORDS.get, key=_field_key("kind"))
            _field_errors("kind")
        with verdict:
            st.selectbox("Verdict", list(VERDICTS), format_func=VERDICT_WORDS.get, key=_field_key("verdict"))
            _field_errors("verdict")
        st.text_input("Note (one line, in your own words)", max_chars=300, key=_field_key("note"))
        _field_errors("note")
        region, link = st.columns([1, 2])
        with region:
            st.selectbox(
                "Part of the spine the source is about",
                [None, *get_args(Region)],
                format_func=lambda r: "not one region" if r is None else r,
                key=_field_key("region"),
                help="A low-back source checking a neck claim is flagged, as the audit does for the article.",
            )
            _field_errors("region")
        with link:
            st.text_input(
                "DOI, PMID or URL",
                max_chars=300,
                key=_field_key("link"),
                placeholder="doi:10... · pmid:... · https://...",
            )
            _field_errors("link")
        st.checkbox("Confirmed against the source's full text", key=_field_key("confirmed"))
        st.form_submit_button(
            "Save check", icon=":material/save:", key="evidence_save", on_click=_save_check, args=(g,)
        )


def evidence_editing_section(g: Guideline) -> None:
    st.header("Review the evidence", anchor="review-evidence")
    st.caption(
        "Your changes live in this browser session only; nothing is stored on the server. Download the "
        "layer to keep it, and upload it later to carry on."
    )
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")
    layer = evidence_layer()
    st.subheader("Add or change a check")
    choices = [NEW_CHECK] + [_pick_key(sid, c.source) for sid, checks in layer.checks.items() for c in checks]
    if st.session_state.get(PICK_KEY, NEW_CHECK) not in choices:
        st.session_state[PICK_KEY] = NEW_CHECK
    picked = st.selectbox(
        "Start from",
        choices,
        key=PICK_KEY,
        on_change=_load_pick,
        format_func=lambda c: "a new check" if c == NEW_CHECK else " · ".join(c.split(SEPARATOR)),
    )
    _check_form(g)
    if picked != NEW_CHECK:
        st.button("Remove this check", icon=":material/delete:", on_click=_remove_picked, key="evidence_remove")

    st.subheader("Keep your review as a file")
    if layer != load_evidence(guideline().source_dir):
        st.info(
            "This session's checks differ from data/evidence.yaml. Download them to keep them.",
            icon=":material/edit_note:",
        )
    with st.container(horizontal=True):
        st.download_button(
            "Evidence layer (evidence.yaml)",
            evidence_to_yaml(layer),
            "evidence.yaml",
            "application/x-yaml",
            icon=":material/download:",
            on_click="ignore",
        )
        st.button("Back to the shipped checks", icon=":material/restart_alt:", on_click=_reset, key="evidence_reset")
    st.file_uploader(
        "Restore a downloaded layer (evidence.yaml)",
        type=["yaml", "yml"],
        key=UPLOAD_KEY,
        on_change=_restore_upload,
        args=(g,),
        max_upload_size=max(1, MAX_UPLOAD_BYTES // 1_000_000),
        help="The file replaces this session's checks; a file with problems changes nothing.",
    )
    problems = _problems(UPLOAD_PROBLEMS_KEY)
    if problems:
        st.error("The file was not loaded:\n\n" + problem_list(problems), icon=":material/error:")
