"""Publishing: the rejects of every stage as one table, the tables consolidated across articles, and the
validation report. The per-stage commands (``stages``) and the one-pass engine (``engine``) both publish
through here, so neither imports the other."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from .atomic import atomic_path
from .config import REPORT_FILE
from .schema import (AID_EVENTS_CONSOLIDATED, EXTRACT_TABLES, OFFICIALS_CONSOLIDATED, REJECTS, StreamingTable,
                     check_schema, parquet_options, to_arrow, with_provenance, write_json, write_table)

STAGE_REJECTS_DIR = ".stage_rejects"
STAGE_ORDER = ("ingest", "tokenize", "extract", "validate", "export")


def reject_order(r: dict) -> tuple:
    """Where a reject goes in the one canonical order (stage, file, record, table, row), however produced."""
    return (STAGE_ORDER.index(r["stage"]), r.get("source_file") or "", r.get("record") or 0,
            r.get("table") or "", r.get("check") or "", r.get("row") or "", r.get("detail") or "")


def sorted_rejects(rows: list[dict]) -> list[dict]:
    """Rejects in the canonical order (reject_order), however they were produced."""
    return sorted(rows, key=reject_order)


def write_stage_rejects(stage: str, rows: list[dict], out_dir: Path, meta: dict[str, str]) -> None:
    """Record one stage's rejects, then republish rejects.parquet as the union of all stages'."""
    write_table(REJECTS, sorted_rejects(rows), Path(out_dir) / STAGE_REJECTS_DIR / stage)
    publish_rejects(out_dir, meta)


class StageRejects:
    """One stage's rejects, written to its part of rejects.parquet a batch at a time as they come, so memory
    holds a batch of them, never the stage's. Each batch is sorted; batches that come in the canonical order
    (a batch of articles after another, by file and record) make the part sorted as it is written, and
    otherwise ``sort_if_needed`` sorts the part once, read back whole."""

    def __init__(self, stage: str, out_dir: Path, stack: ExitStack):
        self.path = Path(out_dir) / STAGE_REJECTS_DIR / stage
        self.part = StreamingTable(REJECTS, self.path / REJECTS.filename, None, stack)
        self.last: tuple | None = None
        self.in_order = True

    def add(self, rows: list[dict]) -> None:
        rows = sorted_rejects(rows)
        if rows:
            if self.last is not None and reject_order(rows[0]) < self.last:
                self.in_order = False
            self.last = reject_order(rows[-1])
        self.part.add(rows)
        self.part.flush()

    def sort_if_needed(self) -> None:
        """Once the part is written (its ExitStack closed): sort it if its batches came out of order."""
        if not self.in_order:
            write_table(REJECTS, sorted_rejects(pq.read_table(self.path / REJECTS.filename).to_pylist()), self.path)


def publish_rejects(out_dir: Path, meta: dict[str, str]) -> None:
    """Publish rejects.parquet as the union of the stages' parts, in stage order, a row group at a time."""
    stage_dir = Path(out_dir) / STAGE_REJECTS_DIR
    schema = with_provenance(to_arrow(REJECTS, []), REJECTS, meta).schema if meta else REJECTS.arrow_schema
    with atomic_path(Path(out_dir) / REJECTS.filename) as tmp, \
            pq.ParquetWriter(tmp, schema, **parquet_options(REJECTS)) as writer:
        for name in STAGE_ORDER:
            path = stage_dir / name / REJECTS.filename
            if path.exists():
                with pq.ParquetFile(path) as part:
                    check_schema(REJECTS, part.schema_arrow)
                    for batch in part.iter_batches():
                        writer.write_table(pa.Table.from_batches([batch]))


def merge_reports(total: dict, report: dict) -> None:
    """Add the counts of one validation report (per table) to a running total."""
    for name, counts in report.items():
        into = total.setdefault(name, {"checked": 0, "passed": 0, "rejected": 0, "by_check": {}})
        for k in ("checked", "passed", "rejected"):
            into[k] += counts[k]
        for check, n in counts["by_check"].items():
            into["by_check"][check] = into["by_check"].get(check, 0) + n


def consolidate_and_report(out_dir: Path, table_report: dict, aid_events: Iterable[dict], officials: Iterable[dict],
                           articles_by_id: dict[str, dict], meta: dict[str, str] | None = None) -> dict:
    """Write the tables consolidated across articles and validation_report.json. The published aid events are
    read once and the officials twice (lists, or schema.TableRows reading their tables a batch at a time)."""
    from . import consolidate as consolidate_mod

    events = consolidate_mod.consolidate_aid_events(aid_events, articles_by_id)
    people = consolidate_mod.consolidate_officials(officials)
    for table, rows in ((AID_EVENTS_CONSOLIDATED, events), (OFFICIALS_CONSOLIDATED, people)):
        write_table(table, rows, out_dir, meta)
    tables = {}
    for table in EXTRACT_TABLES:
        counts = dict(table_report.get(table.name) or {"checked": 0, "passed": 0, "rejected": 0, "by_check": {}})
        counts["by_check"] = dict(sorted(counts["by_check"].items()))
        counts["balanced"] = counts["checked"] == counts["passed"] + counts["rejected"]
        tables[table.name] = counts
    report = {"tables": tables,
              "rows_checked": sum(r["checked"] for r in tables.values()),
              "rows_passed": sum(r["passed"] for r in tables.values()),
              "rows_rejected": sum(r["rejected"] for r in tables.values()),
              "consolidated": {AID_EVENTS_CONSOLIDATED.name: len(events), OFFICIALS_CONSOLIDATED.name: len(people)},
              # articles whose body keeps less of the page's prose than the zone rules' threshold
              "articles_prose_kept_low": sorted(a["source_file"] for a in articles_by_id.values()
                                                if a.get("prose_kept_low"))}
    write_json(report, Path(out_dir) / REPORT_FILE)
    return report
