"""The guideline content cannot change without a version bump: a content hash is recorded with the version."""

import pytest

from core import DataError, PathwayError, load_guideline
from core.engine.guideline import DATA_DIR
from core.review.versioning import HASHED_FILES, content_hash, record_version, version_status
from tests.conftest import edit


def bump(data_dir, version):
    def change(info):
        info["version"] = version
        info["changelog"].insert(0, {"version": version, "date": info["date"], "changes": ["Test change."]})

    edit(data_dir / "manifest.yaml", change)


def test_shipped_data_matches_the_hash_recorded_for_its_version():
    status = version_status()
    assert status.matches, status.message
    assert status.version == load_guideline().info.version == status.recorded_version


def test_changed_content_under_the_same_version_fails_and_cannot_be_recorded(data_copy):
    edit(data_copy / "pathway.yaml", lambda d: d["rules"][5]["when"]["all"][0].update(value=20))
    status = version_status(data_copy)
    assert not status.matches and "bump `version`" in status.message
    with pytest.raises(PathwayError) as info:
        record_version(data_copy)
    assert "raise the version above" in str(info.value)


def next_minor() -> str:
    major, minor, _ = load_guideline().info.version.split(".")
    return f"{major}.{int(minor) + 1}.0"


def test_bumped_version_with_recorded_hash_passes(data_copy):
    edit(data_copy / "evidence.yaml", lambda d: d["checks"]["mri_first"].pop())
    bump(data_copy, next_minor())
    assert not version_status(data_copy).matches  # bumped but not yet recorded
    assert record_version(data_copy).matches
    assert version_status(data_copy).matches and version_status(data_copy).recorded_version == next_minor()
    assert version_status().current_hash != version_status(data_copy).current_hash


def test_a_lower_version_is_not_a_bump(data_copy):
    bump(data_copy, "0.9.0")
    with pytest.raises(PathwayError):
        record_version(data_copy)


def test_comments_and_layout_do_not_change_the_hash(data_copy):
    path = data_copy / "statements.yaml"
    path.write_text("# a reviewer's comment\n" + path.read_text().replace("statements:\n", "statements:  \n", 1))
    assert content_hash(data_copy) == content_hash(DATA_DIR)


def test_only_the_content_files_are_hashed(data_copy):
    # Other branches add these files to data/; they must not break the recorded hash.
    (data_copy / "demo_cohort.csv").write_text("red_flags\ntrue\n")
    (data_copy / "invariants.yaml").write_text("invariants: []\n")
    assert content_hash(data_copy) == content_hash(DATA_DIR)
    assert {"manifest.yaml", "evidence.yaml", "conflicts.yaml", "scenarios.yaml"} <= set(HASHED_FILES)


def test_changelog_must_start_with_the_current_version(data_copy):
    edit(data_copy / "manifest.yaml", lambda d: d.update(version="1.9.0"))
    with pytest.raises(DataError) as info:
        load_guideline(data_copy)
    assert "manifest.yaml" in str(info.value) and "newest changelog entry must be version 1.9.0" in str(info.value)


def test_changelog_is_dated_and_newest_first(guideline):
    log = guideline.info.changelog
    assert log[0].version == guideline.info.version and log[-1].version == "1.0.0"
    assert all(entry.changes and entry.date for entry in log)
