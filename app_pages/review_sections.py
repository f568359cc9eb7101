"""References page sections for the record: the article's own conflicts, the verification of the whole pathway,
and the changelog of the guideline data. Each is computed in core; these functions lay it out."""

import json

import streamlit as st

from app_pages.session import guideline
from core import Guideline
from core.analyses.verify import VerificationReport, report_text, verification_report
from core.outputs.presentation import html_table
from core.review.conflicts import Conflict, article_conflicts

RUN_VERIFICATION_KEY = "verification_requested"
EXAMPLE_COLUMNS = ["example", "disposition", "deciding rule"]
CHECK_COLUMNS = ["check", "outcome", "what it checks"]  # three columns so the text has room on a phone


def _ids(ids: list[str]) -> str:
    return ", ".join(f"`{i}`" for i in ids)


def _conflict(c: Conflict) -> None:
    basis = ":blue-badge[computed from the data]" if c.basis == "computed" else ":gray-badge[listed by hand]"
    st.subheader(c.title, anchor=f"conflict-{c.id}")
    st.markdown(
        f"{basis} · statements involved: {_ids(c.statements)}\n\n**In the article:** {c.what}\n\n"
        f"**How the engine resolves it:** {c.resolution}"
    )
    if c.findings:
        st.markdown("**Found in the data:**\n" + "\n".join(f"- {f}" for f in c.findings))
    if c.examples:
        rows = [
            {
                "example": x.label,
                "disposition": f"{x.disposition_label} ({x.disposition})",
                "deciding rule": x.deciding_rule,
            }
            for x in c.examples
        ]
        st.markdown(html_table(rows, EXAMPLE_COLUMNS), unsafe_allow_html=True)


def conflicts_section(g: Guideline) -> None:
    st.header("The article's own conflicts", anchor="conflicts")
    st.caption(
        "Where the article contradicts itself or cannot be traced. Conflicts marked *computed* are found by "
        "checks over the data (they disappear when the data no longer shows them); the examples are real "
        "evaluations by the engine."
    )
    for conflict in article_conflicts():
        _conflict(conflict)


@st.cache_resource(show_spinner="Evaluating every distinguishable case of the pathway…")
def cached_verification(version: str) -> VerificationReport:
    """Verification of the loaded guideline, once per process and version (about a second of work)."""
    return verification_report(guideline())


def _count_table(counts: dict[str, int], name: str) -> str:
    return html_table([{name: key, "cases": f"{n:,}"} for key, n in counts.items()], [name, "cases"])


def _verification(report: VerificationReport) -> None:
    failed = [c for c in report.checks if not c.passed]
    summary = (
        f"{len(report.checks) - len(failed)} of {len(report.checks)} checks passed over {report.cases:,} "
        f"cases (guideline version {report.guideline_version})."
    )
    if failed:
        st.error(f"Verification failed: {summary}", icon=":material/error:")
    else:
        st.success(f"Verification passed: {summary}", icon=":material/verified:")
    st.markdown(f"**Method.** {report.method}")
    rows = [
        {
            "check": f"{c.id} ({c.kind})",
            "outcome": "passed" if c.passed else "FAILED",
            "what it checks": f"{c.title}: {c.detail}",
        }
        for c in report.checks
    ]
    st.markdown(
        html_table(
            rows,
            CHECK_COLUMNS,
            [n for n, c in enumerate(report.checks) if not c.passed],
            "background-color:#fde8e8;font-weight:600",
        ),
        unsafe_allow_html=True,
    )
    for c in failed:
        if c.counterexample is not None:
            st.markdown(f"**Counterexample to `{c.id}`** (the case, then what the pathway gave)")
            st.code(json.dumps(c.counterexample, indent=1) + "\n" + json.dumps(c.outcome, indent=1), language="json")
    st.markdown(
        "**How often each rule decides, each disposition occurs and each warning fires** (over the grid's "
        "cases, which stand for classes of cases, so the numbers show coverage, not prevalence)"
    )
    rules, dispositions, warnings = st.columns(3)
    rules.markdown(_count_table(report.rules, "rule"), unsafe_allow_html=True)
    dispositions.markdown(_count_table(report.dispositions, "disposition"), unsafe_allow_html=True)
    warnings.markdown(_count_table(report.warnings, "warning"), unsafe_allow_html=True)
    st.download_button(
        "Verification report (text)",
        report_text(report),
        "verification.txt",
        "text/plain",
        icon=":material/download:",
        on_click="ignore",
    )


def _request_verification() -> None:
    # Asked for once per session, then shown on every run: the cached report costs nothing after the first.
    st.session_state[RUN_VERIFICATION_KEY] = True


def verification_section(g: Guideline) -> None:
    st.header("Verification of the whole pathway", anchor="verification")
    st.caption(
        "Evaluates a grid of cases that covers every outcome any valid case can get, and checks that each "
        "case gets one disposition, that no rule, disposition or warning is dead, and the invariants of "
        "data/invariants.yaml. The same runs as `python -m core verify`."
    )
    if not st.session_state.get(RUN_VERIFICATION_KEY):
        st.button(
            "Run verification", icon=":material/fact_check:", key="verification_run", on_click=_request_verification
        )
        return
    _verification(cached_verification(g.info.version))


def changelog_section(g: Guideline) -> None:
    st.header("Changelog", anchor="changelog")
    st.caption("Every change to the guideline data gets a new version; a test fails if the data changes without one.")
    for entry in g.info.changelog:
        current = " (this version)" if entry.version == g.info.version else ""
        st.markdown(
            f"**{entry.version}** · {entry.date.isoformat()}{current}\n\n"
            + "\n".join(f"- {change}" for change in entry.changes)
        )
