"""A stage's rejects written a batch at a time end up in the one canonical order, whatever order the batches come in."""

from __future__ import annotations

from contextlib import ExitStack

import pyarrow.parquet as pq
import pytest

from vnfacts.publish import STAGE_REJECTS_DIR, StageRejects, publish_rejects, sorted_rejects, write_stage_rejects
from vnfacts.schema import REJECTS


def _reject(source_file, check, row="{}"):
    return {"source_file": source_file, "article_id": source_file, "stage": "validate", "reason": "validation_failed",
            "detail": f"{source_file}: {check}", "table": "dates", "check": check, "row": row}


BATCHES = [[_reject("b.txt", "value"), _reject("a.txt", "offsets")], [],
           [_reject("c.txt", "value", '{"x": 1}'), _reject("c.txt", "evidence"), _reject("c.txt", "value")]]


@pytest.mark.parametrize("batches,in_order", [(BATCHES, True), (BATCHES[::-1], False)], ids=["in order", "out of order"])
def test_rejects_written_by_batch_are_the_rejects_sorted(tmp_path, batches, in_order):
    with ExitStack() as stack:
        part = StageRejects("validate", tmp_path, stack)
        for batch in batches:
            part.add(batch)
    assert part.in_order is in_order
    part.sort_if_needed()
    publish_rejects(tmp_path, {"vnfacts_version": "test"})
    expected = sorted_rejects([r for batch in batches for r in batch])
    written = pq.read_table(tmp_path / STAGE_REJECTS_DIR / "validate" / REJECTS.filename).to_pylist()
    assert [{k: r[k] for k in expected[0]} for r in written] == expected
    published = pq.read_table(tmp_path / REJECTS.filename)
    assert published.to_pylist() == written
    assert published.schema.metadata[b"vnfacts_version"] == b"test"


def test_the_published_rejects_are_every_stage_in_stage_order(tmp_path):
    write_stage_rejects("validate", [_reject("a.txt", "value")], tmp_path, {})
    ingest = {**_reject("z.txt", None), "stage": "ingest", "reason": "empty", "table": None, "check": None}
    write_stage_rejects("ingest", [ingest], tmp_path, {})
    assert [r["stage"] for r in pq.read_table(tmp_path / REJECTS.filename).to_pylist()] == ["ingest", "validate"]
