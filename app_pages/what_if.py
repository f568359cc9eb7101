"""What if page: a variant of the pathway (shipped, edited here or uploaded), its verification, what it changes on
a cohort (a sankey from the article's disposition to the variant's, the changed cases), and threshold sweeps.

The variant lives in the session and in the URL (core.review.variant_params); uploads are read from memory and
never written to disk. Every decision and figure comes from core.
"""

import hashlib
import json

import pandas as pd
import streamlit as st

from app_pages.flow_view import text_table
from app_pages.inert import inert
from app_pages.session import evidence_layer, guarded, guideline
from app_pages.variant_view import NOT_THE_ARTICLE, patient_link, shipped_variants
from core import PathwayError
from core.analyses import cohort as cohort_files
from core.analyses.frame import frame_cases
from core.analyses.variant_effect import (
    changed_kinds,
    changes_table,
    evaluated_cases,
    sweep,
    sweep_values,
    transitions,
    variant_verification,
)
from core.analyses.verify import load_invariants
from core.engine.guideline import NEEDS_INFORMATION, Guideline
from core.outputs.variant_figures import sweep_figure, transition_sankey
from core.review.evidence import checks_for
from core.review.variant_params import CUSTOM, VARIANT_PARAMS, variant_from_params, variant_params
from core.review.variants import (
    MAX_UPLOAD_MB,
    Variant,
    apply_variant,
    default_sweep,
    droppable,
    thresholds,
    variant_problems,
    variants_from_yaml,
    variants_to_yaml,
)

VARIANT_KEY = "whatif_variant"
WIDGETS_OF_KEY = "whatif_widgets_of"  # JSON of the variant the edit widgets show
URL_KEY = "whatif_url_written"
UPLOADED_KEY = "whatif_uploaded"
UPLOAD_DIGEST_KEY = "whatif_upload_digest"
PICK_KEY = "whatif_pick"
DROP_KEY = "whatif_drop"
VERIFIED_KEY = "whatif_verified"
COHORT_KEY = "whatif_cohort"
UPLOAD, DEMO = "Upload a file", "Synthetic demo cohort"
ARTICLE = ""  # the picker's option for no variant: no variant id is empty
LINKED_ROWS = 500


def _known() -> dict[str, Variant]:
    return {**shipped_variants(), **{v.id: v for v in st.session_state.get(UPLOADED_KEY, [])}}


def _current(g: Guideline) -> Variant | None:
    """The URL's variant when the URL changed from outside (a link, history), else the session's; the article's
    pathway (None) when there is neither, so an edit starts from the article and nothing else."""
    raw = {k: st.query_params.get_all(k) for k in VARIANT_PARAMS if k in st.query_params}
    if raw and raw != st.session_state.get(URL_KEY):
        variant, problems = variant_from_params(raw, shipped_variants(), g)
        if problems:  # as on the Patient page: each bad parameter is named and ignored, the rest is used
            show_problems("Parts of the link's variant are ignored:", problems)
        st.session_state[VARIANT_KEY] = variant
    return st.session_state.setdefault(VARIANT_KEY, None)


def _write_url(variant: Variant | None) -> None:
    params = {} if variant is None else variant_params(variant, shipped_variants())
    raw = {k: st.query_params.get_all(k) for k in VARIANT_PARAMS if k in st.query_params}
    if params != raw:
        st.query_params.from_dict(params)
    st.session_state[URL_KEY] = params


def _load_widgets(variant: Variant | None, g: Guideline) -> None:
    """Show this variant in the edit widgets (only when the variant came from elsewhere than the widgets)."""
    marker = variant.model_dump_json() if variant is not None else ""
    if st.session_state.get(WIDGETS_OF_KEY) == marker:
        return
    values = variant.thresholds if variant is not None else {}
    rules_off = variant.rules_off if variant is not None else []
    dispositions = variant.dispositions if variant is not None else {}
    for t in thresholds(g):
        st.session_state[f"whatif_set_{t.address}"] = values.get(t.address, t.value)
    for rule in g.pathway.rules[:-1]:
        st.session_state[f"whatif_on_{rule.id}"] = rule.id not in rules_off
        st.session_state[f"whatif_send_{rule.id}"] = dispositions.get(rule.id, rule.disposition)
    st.session_state[DROP_KEY] = [a for a in (variant.drop if variant is not None else []) if a in droppable(g)]
    st.session_state[WIDGETS_OF_KEY] = marker


def show_problems(intro: str, problems: list) -> None:
    """Problems as inert text: they may quote a link or an uploaded file."""
    st.error(intro, icon=":material/error:")
    st.text("\n".join(str(p) for p in problems))


def _pick() -> None:
    picked = st.session_state[PICK_KEY]
    st.session_state[VARIANT_KEY] = None if picked == ARTICLE else _known()[picked]


def _from_widgets(current: Variant | None, g: Guideline) -> Variant | None:
    """The variant the edit widgets describe: the current one when they still show it, else an edited copy."""
    state = st.session_state
    rules_off = [r.id for r in g.pathway.rules[:-1] if not state[f"whatif_on_{r.id}"]]
    items_off = set(rules_off)
    changed = {
        "thresholds": {
            t.address: state[f"whatif_set_{t.address}"]
            for t in thresholds(g)
            if t.item not in items_off and state[f"whatif_set_{t.address}"] != t.value
        },
        "drop": [a for a in state[DROP_KEY] if a.split("/")[0] not in items_off],
        "rules_off": rules_off,
        "dispositions": {
            r.id: state[f"whatif_send_{r.id}"]
            for r in g.pathway.rules[:-1]
            if r.id not in items_off and state[f"whatif_send_{r.id}"] != r.disposition
        },
    }
    if not any(changed.values()):
        return None
    if current is not None and all(getattr(current, k) == v for k, v in changed.items()):
        return current
    base = current.title if current is not None else "the article's pathway"
    edited = Variant(
        id=CUSTOM,
        title=f"Edited from: {base}"[:140],
        **changed,
        rationale="Edited on the What if page; it is not the article's pathway.",
    )
    st.session_state[WIDGETS_OF_KEY] = edited.model_dump_json()
    return edited


def choose_section(g: Guideline) -> Variant | None:
    current = _current(g)
    known = _known()
    options = [ARTICLE, *known] + ([current.id] if current is not None and current.id not in known else [])
    st.session_state[PICK_KEY] = current.id if current is not None else ARTICLE
    titles = {ARTICLE: "The article's pathway (no change): start here", **{v.id: v.title for v in known.values()}}
    st.selectbox(
        "Starting point",
        options,
        key=PICK_KEY,
        on_change=_pick,
        format_func=lambda i: titles.get(i, current.title if current is not None else i),
        help="Edits below start from this: the article's pathway, or a shipped or uploaded variant.",
    )
    _load_widgets(current, g)
    with st.expander("Edit this variant: thresholds, criteria, rules", icon=":material/tune:"):
        st.caption(
            "Each number is a comparison in the pathway; the article's value is beside it. Switch a rule off "
            "or send its cases to another disposition. An edit makes a new variant (`custom`)."
        )
        columns = st.columns(3)
        for n, t in enumerate(thresholds(g)):
            with columns[n % 3]:
                st.number_input(
                    f"{t.item} · {t.field}",
                    min_value=t.low,
                    max_value=t.high,
                    step=1,
                    key=f"whatif_set_{t.address}",
                    help=f"{t.kind} {t.item}: {t.text} in the article",
                )
                moved = st.session_state[f"whatif_set_{t.address}"] != t.value
                st.caption(f"the article: {t.text}" + (" · **changed**" if moved else ""))
        st.multiselect("Criteria left out (a rule or phase no longer needs them)", droppable(g), key=DROP_KEY)
        choices = [d.id for d in g.pathway.dispositions if d.id != NEEDS_INFORMATION]
        for rule in g.pathway.rules[:-1]:
            left, right = st.columns([2, 3], vertical_alignment="center")
            left.toggle(rule.id, key=f"whatif_on_{rule.id}", help=rule.label)
            right.selectbox(
                f"{rule.id} sends its cases to", choices, key=f"whatif_send_{rule.id}", label_visibility="collapsed"
            )
    variant = _from_widgets(current, g)
    st.session_state[VARIANT_KEY] = variant
    _write_url(variant)
    return variant


def about_section(variant: Variant, g: Guideline) -> None:
    st.text(variant.rationale)
    if variant.evidence is not None:
        # The session's evidence layer, as the Patient and References pages use: a reviewer's edits count.
        statement = g.statement(variant.evidence.statement)
        check = next(
            (
                c
                for c in checks_for(evidence_layer(), statement.id)
                if c.source.casefold() == variant.evidence.source.casefold()
            ),
            None,
        )
        if check is not None:
            st.caption(
                f"Answers the evidence check of `{statement.id}` against {inert(check.source)} "
                f"(verdict: {check.verdict}; {inert(check.note)})"
            )
        else:
            st.caption(f"Answers a check of `{statement.id}` that this session's evidence layer no longer holds.")
    if variant.conflict is not None:
        st.caption(f"Answers the article's conflict `{variant.conflict}` (References page, conflicts).")


def file_section(variant: Variant | None, g: Guideline) -> None:
    left, right = st.columns(2)
    if variant is not None:
        left.download_button(
            "Download this variant (YAML)",
            variants_to_yaml([variant]),
            f"{variant.id}.yaml",
            "application/x-yaml",
            icon=":material/download:",
            on_click="ignore",
        )
    upload = right.file_uploader(
        "Upload a variants file", type=["yaml", "yml"], key="whatif_upload", max_upload_size=MAX_UPLOAD_MB
    )
    if upload is None:
        return
    digest = hashlib.sha256(upload.getvalue()).hexdigest()
    if st.session_state.get(UPLOAD_DIGEST_KEY) == digest:
        return
    try:
        uploaded = variants_from_yaml(upload.getvalue(), g, filename=upload.name)
    except PathwayError as exc:
        show_problems("The file cannot be used:", exc.problems)
        return
    st.session_state[UPLOAD_DIGEST_KEY] = digest
    st.session_state[UPLOADED_KEY] = uploaded
    st.session_state[VARIANT_KEY] = uploaded[0]
    st.rerun()


def verification_section(variant: Variant, patched: Guideline, g: Guideline) -> None:
    st.subheader("Verification of the variant")
    key = variant.model_dump_json()
    verified = st.session_state.setdefault(VERIFIED_KEY, {})
    if key not in verified:
        st.caption(
            "The whole-pathway checks of `python -m core verify` (every outcome any case can get, and the "
            "invariants of data/invariants.yaml) run on the variant's pathway; this takes a few seconds."
        )
        if not st.button("Verify this variant", icon=":material/fact_check:", key="whatif_verify"):
            return
        with st.spinner("Verifying every outcome of the variant's pathway"):
            verified[key] = variant_verification(patched, load_invariants(g))
    report = verified[key]
    if report.passed:
        st.success(f"All {report.checks} checks pass over {report.grid_cases:,} cases.", icon=":material/check:")
        return
    intended = [c for c in report.failed if c.id in variant.intended_failures]
    unexpected = [c for c in report.failed if c.id not in variant.intended_failures]
    if unexpected:
        st.error(
            f"{len(unexpected)} of {report.checks} checks fail over {report.grid_cases:,} cases that the variant "
            "does not set out to break.",
            icon=":material/error:",
        )
    if intended:
        st.info(
            f"{len(intended)} of {report.checks} checks fail as this variant intends: its change is what breaks "
            f"{'it' if len(intended) == 1 else 'them'} ({', '.join(f'`{c.id}`' for c in intended)}).",
            icon=":material/info:",
        )
    for check in unexpected + intended:
        mark = " (intended)" if check in intended else ""
        st.markdown(f"**{check.kind}: `{check.id}`{mark}**")
        st.text(f"{check.title}\n{check.detail}")
        if check.counterexample is not None:
            st.code(
                json.dumps({"case": check.counterexample, "variant gave": check.outcome}, indent=1), language="json"
            )


def _cohort(g: Guideline) -> cohort_files.CohortResult | None:
    sources = [DEMO, UPLOAD] if cohort_files.DEMO_COHORT.is_file() else [UPLOAD]
    source = st.radio("Cases", sources, horizontal=True, key="whatif_source")
    if source == DEMO:
        data, name = cohort_files.DEMO_COHORT.read_bytes(), cohort_files.DEMO_COHORT.name
    else:
        upload = st.file_uploader("CSV or Parquet file of cases", type=["csv", "parquet"], key="whatif_cases")
        if upload is None:
            return None
        data, name = upload.getvalue(), upload.name
    digest = hashlib.sha256(data).hexdigest()
    cached = st.session_state.get(COHORT_KEY)
    if cached is not None and cached[0] == digest:
        return cached[1]
    try:
        result = cohort_files.evaluate_cohort(cohort_files.read_cohort(data, name=name), g)
    except PathwayError as exc:
        for problem in exc.problems:
            st.error(str(problem), icon=":material/error:")
        return None
    st.session_state[COHORT_KEY] = (digest, result)
    return result


def effect_section(result: cohort_files.CohortResult, variant: Variant, patched: Guideline, g: Guideline) -> None:
    changes = changes_table(result, patched, variant.id)
    pairs = transitions(changes)
    changed = int(changes["changed"].sum())
    rerouted, undecided = changed_kinds(changes)
    columns = st.columns(5)
    columns[0].metric("Cases evaluated", f"{result.summary.evaluated:,}")
    columns[1].metric("Decisions changed", f"{changed:,}")
    columns[2].metric("Re-routed to another decision", f"{rerouted:,}")
    columns[3].metric("Now need more information", f"{undecided:,}", help="Changed only to “more information needed”")
    columns[4].metric("Bad rows (not evaluated)", f"{result.summary.bad_rows:,}")
    st.plotly_chart(
        transition_sankey(pairs, g, "The article's disposition → the variant's"),
        config={"displayModeBar": False},
        key="whatif_sankey",
        alt="Sankey diagram from each case's disposition under the article's pathway to its disposition "
        "under the variant",
    )
    with st.expander("Table: cases per pair of dispositions (article's → variant's)"):
        st.caption("The pairs that change come first.")
        ordered = [p for p in pairs if p.from_ != p.to] + [p for p in pairs if p.from_ == p.to]
        text_table(
            pd.DataFrame(
                [{"article": p.from_, "variant": p.to, "cases": p.cases} for p in ordered],
                columns=["article", "variant", "cases"],
            )
        )
    st.subheader(f"Cases the variant decides differently ({changed:,})")
    if not changed:
        st.write("None: on these cases the variant decides exactly as the article's pathway.")
        return
    mask = changes["changed"].fillna(False).to_numpy(dtype=bool)
    rows = changes[mask].head(LINKED_ROWS)
    cases = frame_cases(result.cases.loc[rows.index])
    table = rows[["row", "case_id", "baseline", "variant", "baseline_rule", "variant_rule"]].copy()
    table["open"] = [patient_link(guideline().parse_case(c), variant) for c in cases]
    st.dataframe(
        table,
        hide_index=True,
        key="whatif_changed",
        column_config={
            "open": st.column_config.LinkColumn(
                "Patient page",
                display_text="open side by side",
                help="This case on the Patient page, under the variant and the article's pathway",
            ),
        },
    )
    more = f" The first {LINKED_ROWS:,} are listed." if changed > LINKED_ROWS else ""
    st.caption(f"Each link opens the case on the Patient page with both decisions side by side.{more}")
    st.download_button(
        "Download every row with both dispositions (CSV)",
        cohort_files.results_csv(changes),
        "variant_changes.csv",
        "text/csv",
        on_click="ignore",
        key="whatif_changes_download",
    )


def sweep_section(result: cohort_files.CohortResult, variant: Variant, patched: Guideline, g: Guideline) -> None:
    st.subheader("Sweep a threshold")
    article = {t.address: t for t in thresholds(g)}
    options = {t.address: t for t in thresholds(patched)}
    default = next((a for a in variant.thresholds if a in options), default_sweep(g))
    chosen = st.selectbox(
        "Threshold",
        list(options),
        index=list(options).index(default) if default in options else 0,
        key="whatif_sweep_threshold",
        format_func=lambda a: f"{a} (the article: {article[a].text})" if a in article else a,
    )
    t = options[chosen]
    left, middle, right = st.columns(3)
    start = left.number_input("From", t.low, t.high, t.low, key=f"whatif_sweep_from_{chosen}")
    stop = middle.number_input(
        "To", t.low, t.high, min(t.high, max(2 * article[chosen].value, 12)), key=f"whatif_sweep_to_{chosen}"
    )
    step = right.number_input("Step", 1, t.high, 1, key=f"whatif_sweep_step_{chosen}")
    try:
        counts = sweep(evaluated_cases(result), patched, chosen, sweep_values(t, int(start), int(stop), int(step)))
    except PathwayError as exc:
        for problem in exc.problems:
            st.error(str(problem), icon=":material/error:")
        return
    st.caption("Every other change of the variant stays in place while this threshold moves.")
    st.plotly_chart(
        sweep_figure(counts, g, t.field, article[chosen].value, t.value),
        config={"displayModeBar": False},
        key="whatif_sweep_chart",
        alt=f"Line chart of cases per disposition as {chosen} runs from {start} to {stop}",
    )
    with st.expander("Table: cases per disposition at each value"):
        pivot = counts.pivot(index="value", columns="disposition", values="cases")
        st.dataframe(pivot[[c for c in pivot.columns if pivot[c].any()]], key="whatif_sweep_table")


def what_if_page() -> None:
    g = guideline()
    st.title("What if the guideline said otherwise?")
    st.warning(NOT_THE_ARTICLE, icon=":material/alt_route:")
    variant = choose_section(g)
    if variant is None:
        st.info(
            "No change from the article's pathway: switch a rule, move a threshold, pick a variant or upload one.",
            icon=":material/info:",
        )
        file_section(None, g)
        return
    problems = variant_problems(variant, g)
    if problems:
        show_problems("This variant cannot be applied:", problems)
        return
    about_section(variant, g)
    file_section(variant, g)
    patched = apply_variant(variant, g)
    verification_section(variant, patched, g)
    st.subheader("What it changes on a cohort")
    result = _cohort(g)
    if result is None or not result.summary.evaluated:
        return
    effect_section(result, variant, patched, g)
    sweep_section(result, variant, patched, g)


guarded(what_if_page)
