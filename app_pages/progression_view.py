"""The progression of courses between milestone weeks: the sankey, a node picker listing the courses behind a
node, and the same counts as a table. Shared by the Pathway page (the illustrative demo visits) and the Cohort
page (an uploaded visits file, with small cells merged on request).
"""

import hashlib
import html

import streamlit as st

from app_pages.flow_view import text_table
from core import Guideline, PathwayError
from core.analyses.progression import (
    DEMO_VISITS,
    Progression,
    courses_at,
    evaluate_visits,
    progression_links,
    read_visits,
)
from core.outputs.chart_text import progression_chart_text
from core.outputs.course_figures import (
    courses_in_words,
    progression_legend,
    progression_nodes,
    progression_sankey,
    progression_table,
)
from core.outputs.course_text import state_labels

LISTED_COURSES = 5000
ILLUSTRATIVE = (
    "**Illustrative**: synthetic courses drawn from a small progression model kept as data "
    "(`data/progression_model.yaml`, sources named per figure); not real patients and not a prediction."
)


@st.cache_resource(show_spinner=False)
def demo_progression() -> Progression:
    """The shipped demo visits through the engine (once per process; read-only)."""
    return evaluate_visits(read_visits(DEMO_VISITS))


def progression_section(progression: Progression, g: Guideline, key: str, title: str, min_count: int = 1) -> None:
    """Sankey, node picker with its courses, and the table, for one set of courses."""
    links = progression_links(progression, min_count)
    labels = state_labels(g)
    merged = f"fewer than {min_count}"
    nodes = [n for n in progression_nodes(links, g) if n[1] != merged]
    picker = f"{key}_node"
    if st.session_state.get(picker) not in nodes:
        st.session_state.pop(picker, None)  # a node of another file: nothing picked
    picked = st.session_state.get(picker)
    st.plotly_chart(
        progression_sankey(links, g, title, picked),
        config={"displayModeBar": False},
        key=f"{key}_sankey",
        alt=progression_chart_text(links, title).alt,
    )
    st.html(
        '<div class="legend" style="display:flex;flex-wrap:wrap;gap:.2rem .9rem;font-size:.85rem">'
        + "".join(
            f'<span><span style="display:inline-block;width:.8rem;height:.8rem;background:{colour};'
            f'border-radius:.15rem;margin-right:.3rem;vertical-align:-.1rem"></span>{html.escape(label)}</span>'
            for colour, label in progression_legend(links, g)
        )
        + "</div>"
    )
    if min_count > 1:  # a list of the courses behind a node would name those in the merged small cells
        st.caption(f"Courses are not listed one by one while links of fewer than {min_count} are merged.")
    elif nodes:
        node = st.selectbox(
            "Pick a node: its links are highlighted and its courses listed",
            nodes,
            index=None,
            placeholder="week and state",
            key=picker,
            format_func=lambda n: f"week {n[0]}: {labels.get(n[1], n[1])}",
            help="Clicks on the diagram are not reported to the app; pick a node here instead.",
        )
        if node is not None:
            behind = courses_at(progression, *node)
            shown = f"; the first {LISTED_COURSES:,} are listed" if len(behind) > LISTED_COURSES else ""
            st.write(f"{len(behind):,} course{'s' if len(behind) != 1 else ''} at this node{shown}.")
            st.dataframe(
                courses_in_words(behind.head(LISTED_COURSES), g), hide_index=True, height=220, key=f"{key}_courses"
            )
    st.markdown("**Table: courses between neighbouring milestones (the sankey's counts)**")
    text_table(progression_table(links, g))


def demo_progression_section(g: Guideline) -> None:
    """The Pathway page's section: the illustrative demo courses (a pack that ships none has no section)."""
    if not (g.source_dir / DEMO_VISITS.name).is_file():
        return
    st.header("How courses progress over six months")
    st.caption(ILLUSTRATIVE)
    progression = demo_progression()
    st.caption(
        f"{progression.summary.courses} synthetic courses, {progression.summary.rows} visits; the state at "
        "each milestone is the last visit's at or before it; *no further visit* means the course stopped "
        "before that week without a referral (censored)."
    )
    progression_section(progression, g, "pathway_progression", "Courses from milestone to milestone (illustrative)")


def visits_upload_section(g: Guideline) -> None:
    """The Cohort page's section: an uploaded visits file (kept in memory only), with the small-cell option."""
    st.header("Courses over time (visits file)")
    st.caption(
        "One row per visit: `case_id`, `week` and case keys. A blank cell carries the last value forward; "
        "`unknown` makes a field unknown from that visit on. Uploads stay in this browser session."
    )
    if not st.toggle("Follow courses over time from a visits file", key="visits_open"):
        return
    choice = st.radio(
        "Visits", ["Upload a visits file", "Illustrative demo visits"], horizontal=True, key="visits_source"
    )
    if choice == "Illustrative demo visits":
        st.caption(ILLUSTRATIVE)
        data, name = DEMO_VISITS.read_bytes(), DEMO_VISITS.name
    else:
        upload = st.file_uploader("CSV or Parquet visits file", type=["csv", "parquet"], key="visits_upload")
        if upload is None:
            return
        data, name = upload.getvalue(), upload.name
    digest = hashlib.sha256(data).hexdigest()
    cached = st.session_state.get("visits_loaded")
    if cached is None or cached[0] != digest:
        try:
            cached = (digest, evaluate_visits(read_visits(data, name=name)))
        except PathwayError as exc:
            st.error(
                "The visits file cannot be read:\n\n" + "\n".join(f"- {p}" for p in exc.problems),
                icon=":material/error:",
            )
            return
        st.session_state["visits_loaded"] = cached
    progression: Progression = cached[1]
    s = progression.summary
    st.write(f"{s.rows:,} visit rows, {s.courses:,} courses, {s.bad_rows:,} bad rows (reported, not applied).")
    if s.bad:
        st.dataframe([b.model_dump() for b in s.bad], hide_index=True, height=180, key="visits_bad")
    if s.courses_without_visits:
        st.warning(
            "Courses with no good visit (not counted): " + ", ".join(s.courses_without_visits[:50]),
            icon=":material/warning:",
        )
    min_count = st.number_input(
        "Merge links of fewer than K courses (small-cell suppression)",
        min_value=1,
        max_value=1000,
        value=1,
        step=1,
        key="visits_min_count",
        help="Published cohort studies suppress small cells; totals stay true.",
    )
    progression_section(progression, g, "cohort_progression", "Courses from milestone to milestone", int(min_count))
