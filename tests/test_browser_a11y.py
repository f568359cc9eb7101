"""WCAG 2.2 AA in a real browser: axe-core finds no violation on any page at desktop and phone size (with a case
in the URL and every section open), the form, tabs, evidence editor and downloads work from the keyboard alone
with a visible focus, every chart is named and described, and the palette is pictured under each colour-vision
deficiency for a person to look at.

axe-core comes bundled in the `axe-playwright-python` package: nothing is fetched at test time.
"""

import html
from pathlib import Path

import pytest

import app
from core import load_guideline
from core.outputs.palette import TONE_COLOURS
from core.outputs.presentation import field_groups
from tests.browser_support import SCREENSHOTS, VIEWPORTS, disposition, new_tab, open_page, settled
from tools.colour_vision import DEFICIENCIES, closest_pairs, contrast_ratio, simulate

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
URL_PATHS = [url_path for *_, url_path in app.PAGES]
FULL_CASE = (
    "red_flags=false&mri_finding=nerve_root_compression&radicular_symptoms=true&motor_grade_mrc=5"
    "&motor_deficit_progressive=false&instability=false&deformity_progressive=false&weeks_conservative=10"
    "&pt_weeks=8&conservative_failed=true&correlating_pathology=true&proposed=epidural_steroid_injection"
    "&proposed=long_term_opioids"
)
CORD_LINK = "/patient?red_flags=false&mri_finding=cord_compression&weeks_conservative=1&pt_weeks=0"
NOTICE = "Educational decision support, not a medical device"
FOCUSED = """() => {
  const e = document.activeElement;
  const holder = e && e.closest('[class*="st-key-"]');
  const style = e ? getComputedStyle(e) : null;
  return {tag: e ? e.tagName : '', role: e ? e.getAttribute('role') : null, text: e ? (e.innerText || '').trim() : '',
          label: e ? (e.getAttribute('aria-label') || '') : '',
          key: holder ? (holder.className.match(/st-key-(\\S+)/) || [])[1] : null,
          outline: style ? [style.outlineStyle, parseFloat(style.outlineWidth)] : null};
}"""


# The colour a reader sees on a white page: the element's colour faded by every ancestor's opacity (Streamlit
# fades captions with opacity, not with their colour).
SEEN_COLOUR = """e => {
  let alpha = 1;
  for (let n = e; n; n = n.parentElement) alpha *= parseFloat(getComputedStyle(n).opacity);
  const [r, g, b, a = 1] = getComputedStyle(e).color.match(/[\\d.]+/g).map(Number);
  const seen = [r, g, b].map(c => Math.round(c * a * alpha + 255 * (1 - a * alpha)));
  return '#' + seen.map(c => c.toString(16).padStart(2, '0')).join('');
}"""


def axe_violations(tab, within: str | None = None) -> list[dict]:
    """WCAG A/AA violations on the page, or only in the elements the CSS selector `within` picks."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(tab, context=within, options=options).response["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            lines.append(f"    {node['html'][:140]} | {checks[0]['message'] if checks else ''}")
    return "\n".join(lines)


def open_every_expander(tab) -> None:
    for _ in range(30):
        closed = [
            s for s in tab.locator('[data-testid="stExpander"] details:not([open]) > summary').all() if s.is_visible()
        ]
        if not closed:
            return
        closed[0].click()
        settled(tab)


def show_everything(tab, url_path: str) -> None:
    """Open what each page hides behind a click (demo cohort, verification, expanders), so axe sees it."""
    if url_path == "cohort":
        tab.get_by_text("Synthetic demo cohort").click()
        tab.locator(".js-plotly-plot").first.wait_for()
        settled(tab)
    if url_path == "references":
        tab.get_by_role("button", name="Run verification").click()
        tab.get_by_text("Verification passed").wait_for()
        settled(tab)
    if url_path == "pathway":
        tab.locator(".js-plotly-plot").nth(2).wait_for()
    open_every_expander(tab)


@pytest.fixture(params=list(VIEWPORTS))
def sized_tab(request, browser):
    width, height = VIEWPORTS[request.param]
    with new_tab(browser, width, height, accept_downloads=True) as tab:
        yield tab


@pytest.mark.parametrize("url_path", URL_PATHS)
def test_no_wcag_violation_on_any_page_at_desktop_and_phone_size_and_the_notice_reads_at_aa(
    server, sized_tab, url_path
):
    tab = sized_tab
    open_page(tab, f"{server}/{url_path}?{FULL_CASE}")
    notice = tab.locator('[data-testid="stCaptionContainer"]', has_text=NOTICE)
    rgb = notice.locator("strong").evaluate(SEEN_COLOUR)
    assert contrast_ratio(rgb, "#ffffff") >= 4.5, f"notice on {url_path} is {rgb}"
    if url_path == "patient":
        size = tab.viewport_size
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        notice.screenshot(path=SCREENSHOTS / f"notice_{size['width']}x{size['height']}.png")
    show_everything(tab, url_path)
    found = {"first view": axe_violations(tab)}
    if url_path == "scenarios":  # each tab's panel in turn, every section of it open
        for name in ("Compare", "Step through"):
            tab.get_by_role("tab", name=name).click()
            settled(tab)
            open_every_expander(tab)
            found[f"tab {name}"] = axe_violations(tab)
    report = "\n".join(f"[{view}]\n{describe(v)}" for view, v in found.items() if v)
    assert not report, f"{url_path} at {tab.viewport_size}: axe found\n{report}"


def tab_until(tab, wanted, limit: int = 80) -> dict:
    """Press Tab until `wanted(focused)` holds; every focus on the way must be visible."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        focused = tab.evaluate(FOCUSED)
        assert focused["outline"][0] != "none" and focused["outline"][1] >= 2, f"focus not visible on {focused}"
        if wanted(focused):
            return focused
    raise AssertionError(f"never reached after {limit} presses of Tab")


# Whether the focused element can be seen where it is: on screen and not under the sticky top bar (2.4.11).
FOCUS_SEEN = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e.getAttribute('data-testid') === 'stMain') return true;
  const box = e.closest('label') || e;  // a radio input is drawn by its label
  const r = box.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 6));
  return !!hit && (box.contains(hit) || hit.contains(box));
}"""


def test_keyboard_focus_is_never_hidden_off_screen_or_under_the_top_bar(server, sized_tab):
    tab = sized_tab
    open_page(tab, f"{server}/patient?{FULL_CASE}")
    for key in ["Tab"] * 45 + ["Shift+Tab"] * 45:
        tab.keyboard.press(key)
        assert tab.evaluate(FOCUS_SEEN), f"{key}: focus hidden on {tab.evaluate(FOCUSED)}"


def test_the_patient_form_is_tabbed_in_reading_order_and_changes_the_case_without_a_mouse(server, page):
    open_page(page, server + CORD_LINK)
    disposition(page, "urgent_neurosurgical_referral").wait_for()
    fields = [f for _, group in field_groups(load_guideline()) for f in group]
    fields = fields[fields.index("red_flags") :]  # the walk starts at the red-flag screen (the region comes before)
    order: list[str] = []
    tab_until(page, lambda f: f["key"] == "patient_red_flags" and f["role"] == "radio")
    # The yes / no / not assessed control is a radio group: arrows move between its options, Space chooses.
    for _ in range(3):
        if page.evaluate(FOCUSED)["text"].endswith("yes"):
            break
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("Space")
    page.wait_for_url("**red_flags=true**")
    disposition(page, "outside_pathway").wait_for()
    settled(page)
    # On through the rest of the form: each field is reached once, in the order it is shown.
    page.locator(".st-key-patient_red_flags button[aria-checked='true']").focus()
    for _ in range(80):
        focused = page.evaluate(FOCUSED)
        key = (focused["key"] or "").removeprefix("patient_")
        if key in fields and (not order or order[-1] != key):
            order.append(key)
        if key == fields[-1]:
            break
        page.keyboard.press("Tab")
    assert order == fields


def test_a_choice_list_changes_from_the_keyboard_and_the_decision_follows(server, page):
    open_page(page, server + CORD_LINK)
    disposition(page, "urgent_neurosurgical_referral").wait_for()
    tab_until(page, lambda f: f["key"] == "patient_mri_finding" and f["tag"] == "INPUT")
    # The findings are a radio group: one tab stop, the arrow keys choose (cord compression -> not done is up one).
    page.keyboard.press("ArrowUp")
    page.wait_for_url("**mri_finding=not_done**")
    # Without cord compression, the unassessed progressive weakness (rule 3) now blocks the decision.
    disposition(page, "needs_information").wait_for()
    assert disposition(page, "urgent_neurosurgical_referral").count() == 0


TICK = "e => getComputedStyle(e.querySelector('p'), '::before').content"


def test_a_chosen_option_is_marked_by_a_tick_not_by_its_tint_alone(server, page):
    open_page(page, f"{server}/patient?{FULL_CASE}")
    chosen = {
        "red_flags": page.locator(".st-key-patient_red_flags button[aria-checked='true']"),
        "motor_grade_mrc": page.locator(".st-key-patient_motor_grade_mrc button[aria-checked='true']"),
        "proposed": page.locator(".st-key-patient_proposed button[aria-pressed='true']").first,
    }
    for field, button in chosen.items():
        assert "✓" in button.evaluate(TICK), field
    other = page.locator(".st-key-patient_proposed button[aria-pressed='false']").first
    assert "✓" not in other.evaluate(TICK)


def test_the_downloads_work_from_the_keyboard(server, page):
    open_page(page, server + CORD_LINK)
    tab_until(page, lambda f: f["text"].endswith("Evaluation (JSON)"), limit=200)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "evaluation.json"


def test_the_scenarios_tabs_follow_the_arrow_keys(server, page):
    open_page(page, f"{server}/scenarios")
    tab_until(page, lambda f: f["role"] == "tab")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.get_by_role("tab", name="Compare", selected=True).wait_for()
    page.wait_for_url("**tab=Compare**")
    # axe leaves the tab labels' contrast to a person (a pseudo element draws their underline): measured here.
    for label in page.get_by_role("tab").locator("p").all():
        assert contrast_ratio(label.evaluate(SEEN_COLOUR), "#ffffff") >= 4.5, label.inner_text()


def test_the_evidence_editor_saves_a_check_from_the_keyboard(server, page):
    open_page(page, f"{server}/references")
    page.get_by_role("combobox", name="Start from").focus()
    tab_until(page, lambda f: f["tag"] == "INPUT" and f["label"] == "Outside source")
    page.keyboard.type("Keyboard-only review source")
    tab_until(page, lambda f: f["tag"] == "INPUT" and f["label"].startswith("Note"))
    page.keyboard.type("checked without a mouse")
    tab_until(page, lambda f: f["text"].endswith("Save check"))
    page.keyboard.press("Enter")
    page.get_by_text("Saved the check of").wait_for()


def test_every_chart_is_named_by_its_title_and_described_with_a_table_under_it(server, page):
    open_page(page, f"{server}/pathway?{FULL_CASE}")
    page.locator(".js-plotly-plot").nth(3).wait_for()
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() == 4  # flowchart, case sankey, timeline, progression sankey
    for n in range(4):
        chart = charts.nth(n)
        title = chart.locator(".gtitle").text_content()
        name = chart.get_attribute("aria-label")
        assert chart.get_attribute("role") == "figure"
        assert name.startswith(title + ". ") and len(name) > len(title) + 40, name
        # The next table in the page (a static table, a data grid, or one inside an expander) is its equivalent.
        assert chart.evaluate(
            "c => { const all = [...document.querySelectorAll('table, [data-testid=\"stDataFrame\"]')];"
            " return all.some(t => c.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING); }"
        )
    assert "R8_conservative decides: Structured conservative care" in charts.nth(0).get_attribute("aria-label")
    assert "This patient: week 10 of conservative care" in charts.nth(2).get_attribute("aria-label")


def palette_html() -> str:
    """Each tone as a swatch with its name and words, as seen with typical vision and each deficiency."""
    g = load_guideline()
    words = {tone: ", ".join(d.label for d in g.pathway.dispositions if d.tone == tone) for tone in TONE_COLOURS}
    views = [None, *DEFICIENCIES]
    head = "".join(
        f"<th>{html.escape(v or 'typical vision')}<br><small>closest pair: "
        f"{closest_pairs(TONE_COLOURS, v)[0][2]:.1f} ΔE00</small></th>"
        for v in views
    )
    rows = "".join(
        f"<tr><th style='text-align:left'>{tone}<br><small>{html.escape(words[tone])}</small></th>"
        + "".join(
            f"<td class='swatch' data-view='{v or 'typical'}' style='background:"
            f"{simulate(colour, v) if v else colour}'>{tone}<br><small>{simulate(colour, v) if v else colour}"
            "</small></td>"
            for v in views
        )
        + "</tr>"
        for tone, colour in TONE_COLOURS.items()
    )
    return (
        "<html><body style='font:14px sans-serif;margin:16px'><h3>Tone palette under colour-vision deficiency "
        "(Machado et al. 2009, full severity; CIEDE2000)</h3><table style='border-spacing:6px'>"
        f"<tr><th></th>{head}</tr>{rows}</table><style>.swatch{{color:#fff;padding:14px 18px;width:150px;"
        "font-weight:600}} th{font-weight:600;vertical-align:bottom} small{font-weight:400}</style>"
        "</body></html>"
    )


def test_a_picture_of_the_palette_under_each_colour_vision_deficiency(browser):
    tab = browser.new_page(viewport={"width": 960, "height": 480})
    try:
        tab.set_content(palette_html())
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = Path(SCREENSHOTS / "palette_cvd.png")
        tab.screenshot(path=path, full_page=True)
        assert tab.locator(".swatch").count() == len(TONE_COLOURS) * (1 + len(DEFICIENCIES))
        assert path.stat().st_size > 5_000
    finally:
        tab.close()


def test_the_course_editor_records_a_visit_from_the_keyboard(server, page):
    open_page(page, f"{server}/patient?{FULL_CASE}")
    # The expander's summary opens with Enter; then Tab reaches the button that records the case as a visit.
    tab_until(page, lambda f: "Course of care:" in f["text"] and len(f["text"]) < 80, limit=120)
    page.keyboard.press("Enter")
    tab_until(page, lambda f: f["text"].endswith("Record this visit (week 10)"))
    page.keyboard.press("Enter")
    page.wait_for_url("**visit=**")
    page.get_by_text("Course of care: 1 recorded visit").wait_for()
