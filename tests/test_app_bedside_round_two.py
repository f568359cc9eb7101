"""The Patient page, second bedside round (AppTest): urgency while an item is assessed, a provisional plan, the
conservative clock only where it applies, pitfalls that may apply, and a slip that costs only its own field."""

from collections.abc import Iterator

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from app_pages.first_view import REST_PENDING_KEY
from tests.app_helpers import APP, APP_TIMEOUT, dispositions_shown, html_blocks, start_app, texts

CORD_RED_FLAGS_BLANK = {
    "mri_finding": "cord_compression",
    "myelopathy_signs": "true",
    "weeks_conservative": "2",
    "pt_weeks": "1",
}
NO_MRI_MYELOPATHY = {"red_flags": "false", "mri_finding": "not_done", "myelopathy_signs": "true"}
RAD = {
    "red_flags": "false",
    "mri_finding": "nerve_root_compression",
    "myelopathy_signs": "false",
    "radicular_symptoms": "true",
    "motor_grade_mrc": "5",
    "motor_deficit_progressive": "false",
}


def page_text(at) -> str:
    parts = html_blocks(at) + texts(at.error) + texts(at.warning) + texts(at.info) + texts(at.markdown)
    return "\n".join(str(p) for p in parts)


def first_pass(query: dict[str, object]) -> AppTest:
    """A new visitor's first run only (the browser's timer would ask for the rest)."""
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    at.query_params.update(query)
    at.run()
    assert not at.exception and at.session_state[REST_PENDING_KEY]
    assert [*at.radio, *at.button_group, *at.number_input, *at.toggle, *at.button] == []
    return at


def keyed_block(at: AppTest, key: str) -> Block:
    """The container made with st.container(key=key)."""
    found = [b for b in _blocks(at.main) if getattr(b.proto, "id", "").endswith(f"-{key}")]
    assert len(found) == 1, f"no single container keyed {key!r}"
    return found[0]


def _blocks(block: Block) -> Iterator[Block]:
    for child in block.children.values():
        if isinstance(child, Block):
            yield child
            yield from _blocks(child)


def test_a_blocked_case_urgent_either_way_is_marked_urgent_and_says_to_act_now():
    for query in (CORD_RED_FLAGS_BLANK, NO_MRI_MYELOPATHY):
        at = start_app(query)
        assert not at.exception
        badge = next(b for b in html_blocks(at) if 'class="disposition"' in b)
        assert "URGENT" in badge
        assert any("Act urgently while" in e for e in texts(at.error))
        assert "more weeks of" not in page_text(at)


def test_an_urgent_referral_shows_no_conservative_clock():
    at = start_app({**RAD, "mri_finding": "cord_compression", "weeks_conservative": "1", "pt_weeks": "1"})
    assert dispositions_shown(at)[0] == "urgent_neurosurgical_referral"
    shown = page_text(at)
    assert "more weeks of" not in shown and "timeline no longer applies" in shown


def test_a_slip_in_one_field_still_shows_the_urgent_referral():
    at = start_app(
        {
            "red_flags": "false",
            "mri_finding": "cord_compression",
            "myelopathy_signs": "true",
            "weeks_conservative": "2",
            "pt_weeks": "5",
        }
    )
    assert not at.exception
    assert dispositions_shown(at)[0] == "urgent_neurosurgical_referral"
    assert any("weeks of formal physical therapy treated as not assessed" in w for w in texts(at.warning))
    assert not any("No evaluation" in w for w in texts(at.warning))


def test_a_blank_deformity_still_gives_a_provisional_plan():
    at = start_app(
        {
            **RAD,
            "instability": "false",
            "weeks_conservative": "10",
            "pt_weeks": "8",
            "conservative_failed": "true",
            "correlating_pathology": "false",
        }
    )
    assert dispositions_shown(at)[0] == "needs_information"
    assert any("Provisional, while progressive deformity" in i for i in texts(at.info))
    assert "First assess the items named above" not in page_text(at)


# Fusion proposed for radiculopathy with failed care: the fusion pitfall may apply, instability not assessed.
FUSION_ON_RADICULOPATHY = {
    **RAD,
    "deformity_progressive": "false",
    "weeks_conservative": "10",
    "pt_weeks": "8",
    "conservative_failed": "true",
    "correlating_pathology": "true",
    "proposed": ["fusion"],
}


def test_a_pitfall_that_may_apply_is_shown_beside_the_warnings():
    at = start_app(FUSION_ON_RADICULOPATHY)
    possible = [w for w in texts(at.warning) if "Possible pitfall" in w]
    assert possible and "fusion_not_indicated" in possible[0] and "instability" in possible[0]


def test_a_new_visitors_first_run_carries_the_urgent_plan_the_slip_and_the_possible_pitfall():
    """The answer's new parts are text, so the first pass (no widget) holds them, inside the result's container
    that the phone's rule moves above the form."""
    at = first_pass(CORD_RED_FLAGS_BLANK)
    assert "URGENT" in next(b for b in html_blocks(at) if 'class="disposition"' in b)
    assert any("Act urgently while" in e for e in texts(at.error))
    assert "timeline no longer applies" in page_text(at)
    in_result = html_blocks(keyed_block(at, "patient_result"))
    assert 'class="to-form"' in in_result[0] and any('class="disposition"' in b for b in in_result)

    at = first_pass({**CORD_RED_FLAGS_BLANK, "red_flags": "false", "pt_weeks": "5"})  # more PT than care
    assert dispositions_shown(at)[0] == "urgent_neurosurgical_referral"
    assert any("treated as not assessed" in w for w in texts(at.warning))

    at = first_pass(FUSION_ON_RADICULOPATHY)
    assert any("Possible pitfall" in w and "fusion_not_indicated" in w for w in texts(at.warning))
