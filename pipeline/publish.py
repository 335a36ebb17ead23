"""Publishing: the rejects of every stage as one table, the tables consolidated across articles, and the
validation report. The per-stage commands (``stages``) and the one-pass engine (``engine``) both publish
through here, so neither imports the other."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .config import REPORT_FILE
from .schema import (AID_EVENTS_CONSOLIDATED, EXTRACT_TABLES, OFFICIALS_CONSOLIDATED, REJECTS, to_arrow, write_json,
                     write_table)

STAGE_REJECTS_DIR = ".stage_rejects"
STAGE_ORDER = ("ingest", "tokenize", "extract", "validate", "export")


def sorted_rejects(rows: list[dict]) -> list[dict]:
    """Rejects in one canonical order (stage, file, record, table, row), however they were produced."""
    def key(r):
        return (STAGE_ORDER.index(r["stage"]), r.get("source_file") or "", r.get("record") or 0,
                r.get("table") or "", r.get("check") or "", r.get("row") or "", r.get("detail") or "")
    return sorted(rows, key=key)


def write_stage_rejects(stage: str, rows: list[dict], out_dir: Path, meta: dict[str, str]) -> None:
    """Record one stage's rejects, then republish rejects.parquet as the union of all stages'."""
    stage_dir = Path(out_dir) / STAGE_REJECTS_DIR
    write_table(REJECTS, sorted_rejects(rows), stage_dir / stage)
    parts = []
    for name in STAGE_ORDER:
        path = stage_dir / name / REJECTS.filename
        if path.exists():
            parts.append(pq.read_table(path))
    combined = pa.concat_tables(parts) if parts else to_arrow(REJECTS, [])
    write_table(REJECTS, combined, out_dir, meta)


def merge_reports(total: dict, report: dict) -> None:
    """Add the counts of one validation report (per table) to a running total."""
    for name, counts in report.items():
        into = total.setdefault(name, {"checked": 0, "passed": 0, "rejected": 0, "by_check": {}})
        for k in ("checked", "passed", "rejected"):
            into[k] += counts[k]
        for check, n in counts["by_check"].items():
            into["by_check"][check] = into["by_check"].get(check, 0) + n


def consolidate_and_report(out_dir: Path, table_report: dict, aid_events: list[dict], officials: list[dict],
                           articles_by_id: dict[str, dict], meta: dict[str, str] | None = None) -> dict:
    """Write the tables consolidated across articles and validation_report.json."""
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
