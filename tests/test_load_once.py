"""Data files are read once per process: however the directory is named, and however many sessions ask at once."""

import threading

import pytest

import core
import core.engine.guideline
import core.review.evidence
from core.engine.guideline import DATA_DIR, load_guideline
from core.review.evidence import load_evidence

SESSIONS = 8


def _at_once(call, *args) -> list:
    """`call(*args)` from SESSIONS threads released together (app sessions opening at the same moment)."""
    start, results = threading.Barrier(SESSIONS), []

    def one() -> None:
        start.wait()
        results.append(call(*args))

    threads = [threading.Thread(target=one) for _ in range(SESSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _counting(monkeypatch, module, name: str) -> list:
    calls, real = [], getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_the_default_data_directory_named_or_not_is_one_guideline_and_one_evidence_layer():
    assert load_guideline() is load_guideline(DATA_DIR) is load_guideline(str(DATA_DIR))
    assert load_evidence() is load_evidence(DATA_DIR)


def test_sessions_opening_together_read_the_guideline_files_once(data_copy, monkeypatch):
    reads = _counting(monkeypatch, core.engine.guideline, "read_raw")
    guidelines = _at_once(load_guideline, data_copy)
    assert len(reads) == 1
    assert all(g is guidelines[0] for g in guidelines)


def test_sessions_opening_together_read_the_evidence_file_once(data_copy, monkeypatch):
    reads = _counting(monkeypatch, core.review.evidence, "evidence_from_yaml")
    layers = _at_once(load_evidence, data_copy)
    assert len(reads) == 1
    assert all(layer is layers[0] for layer in layers)


def test_a_directory_that_fails_is_tried_again_not_remembered(data_copy):
    (data_copy / "pathway.yaml").rename(data_copy / "moved.yaml")
    with pytest.raises(core.DataError):
        load_guideline(data_copy)
    (data_copy / "moved.yaml").rename(data_copy / "pathway.yaml")
    assert load_guideline(data_copy).info.version
