"""Golden regression: a fresh run on the fixtures equals tests/golden/ (rewrite them
on purpose with `make golden`)."""

from __future__ import annotations

import pytest

from vnfacts.golden import GOLDEN_DIR, differences, dump, fresh_documents, golden_path

from conftest import golden_document


@pytest.fixture(scope="module")
def fresh():
    return {doc["source_file"]: doc for doc in fresh_documents()}


def test_there_is_a_golden_file_per_fixture(fresh):
    assert sorted(p.name for p in GOLDEN_DIR.glob("*.yaml")) == sorted(golden_path(n).name for n in fresh)


@pytest.mark.parametrize("path", sorted(GOLDEN_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_fresh_run_equals_golden(path, fresh):
    golden = golden_document(path)
    new = fresh[golden["source_file"]]
    diff = differences(golden, new)
    assert not diff, "output changed (run `make golden` if this is intended):\n" + "\n".join(diff[:40])


@pytest.mark.parametrize("path", sorted(GOLDEN_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_golden_files_are_stable_text(path):
    assert path.read_text(encoding="utf-8") == dump(golden_document(path)), "golden file is not in canonical form"


def test_differences_name_article_table_field_and_evidence():
    old = {"source_file": "a.txt", "tables": {"aid_events": [
        {"char_start": 1, "char_end": 11, "amount": 40000, "evidence": "40.000 USD"}]}}
    new = {"source_file": "a.txt", "tables": {"aid_events": [
        {"char_start": 1, "char_end": 11, "amount": 45000, "evidence": "40.000 USD"}]}}
    [line] = differences(old, new)
    assert line == "a.txt aid_events.amount: 40000 -> 45000 (evidence '40.000 USD')"


ROW = {"char_start": 1, "char_end": 11, "amount": 40000, "evidence": "40.000 USD"}


def _doc(*rows):
    return {"source_file": "a.txt", "tables": {"aid_events": [dict(r) for r in rows]}}


def test_a_duplicated_row_is_a_difference():
    assert differences(_doc(ROW), _doc(ROW, ROW)) == [f"a.txt aid_events: new row '40.000 USD': {ROW}"]


def test_a_missing_duplicate_is_a_difference():
    assert differences(_doc(ROW, ROW), _doc(ROW)) == [f"a.txt aid_events: row gone '40.000 USD': {ROW}"]


def test_rows_sharing_a_span_are_matched_whatever_their_order():
    other = {**ROW, "amount": 45000}
    assert differences(_doc(ROW, other), _doc(other, ROW)) == []
    assert differences(_doc(ROW, other), _doc(ROW, ROW)) == [
        f"a.txt aid_events: row gone '40.000 USD': {other}", f"a.txt aid_events: new row '40.000 USD': {ROW}"]
