"""The whole pipeline in one pass, article by article: streaming, parallel, incremental.

``process_page`` runs ingest -> tokenize -> extract -> validate for one raw file and
returns its rows for every table; it is a pure function of the file's bytes, the
rules and the code, so the same function runs in a loop, in a process pool
(``--jobs``) or on a cluster (vnfacts.dask_engine). The driver writes the rows
in file order, a batch at a time (Parquet row groups), so memory stays flat in the
number of articles and the output does not depend on the number of workers.

Two caches under ``<out>/.cache`` make repeat runs cheap: the tokens of a body
(keyed by its hash and the tokenizer's version: a rule change does not re-run
underthesea) and the whole result of a file (keyed by its bytes, the rules and the
code: an unchanged file is not processed again).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .atomic import atomic_path
from .cache import Cache
from .config import CANDIDATES_DIR, RULES_DIR
from .errors import Reject
from .extractors import extract_article
from .ingest import ingest_page, list_raw_files, load_sidecars, read_input
from .lexicon import compile_rules
from .schema import (AID_EVENTS, ARTICLES, EXTRACT_TABLES, LINES, OFFICIALS, REJECTS, TOKENS, SchemaError, Table,
                     read_rows, to_arrow, write_table)
from .tokenize import Word, token_rows, tokenize_body
from .validate import article_context, fits_columns, schema_failures, schema_reject, table_schemas, validate_tables

log = logging.getLogger("vnfacts")

CACHE_DIR = ".cache"
DEFAULT_BATCH = 200


def tokenizer_version() -> str:
    import underthesea

    return f"underthesea-{underthesea.__version__}-crf-pos"


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the package's source: a code change invalidates cached results."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.relative_to(Path(__file__).parent).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=8)
def _rules_key(rules_dir: str, stamp: tuple) -> str:
    from .export import rules_sha256

    return rules_sha256(Path(rules_dir))


def rules_key(rules_dir: Path) -> str:
    from .rulefiles import iter_rule_files

    paths = iter_rule_files(Path(rules_dir))
    return _rules_key(str(rules_dir), tuple((str(p), p.stat().st_mtime_ns) for p in paths))


# ---------------------------------------------------------------- caches

# ---------------------------------------------------------------- one page

@dataclass(frozen=True)
class PageJob:
    path: str
    source_file: str
    rules_dir: str
    cache_dir: str | None
    sidecar: tuple[tuple[str, str], ...] = ()  # metadata the user keeps beside the file


def reject_row(source_file: str, article_id: str | None, stage: str, rej: Reject) -> dict:
    """A rejects-table row for a whole file (no table, check or row)."""
    return {"source_file": source_file, "article_id": article_id, "stage": stage, "reason": rej.reason,
            "detail": rej.detail, "table": None, "check": None, "row": None}


def tokens_for(body: str, article_id: str, cache: Cache) -> list[Word]:
    key = hashlib.sha256(f"{tokenizer_version()}\0{body}".encode("utf-8")).hexdigest()
    cached = cache.get("tokens", key)
    if cached is not None:
        return [Word(*w) for w in cached]
    words = tokenize_body(body, article_id)
    cache.put("tokens", key, [(w.sentence, w.start, w.end, w.text, w.pos) for w in words])
    return words


def process_page(job: PageJob) -> dict[str, list[dict]]:
    """Rows of every table for one raw file (rejects included); never raises for bad input."""
    try:
        raw = read_input(Path(job.path), job.source_file)
    except Reject as rej:
        return {"rejects": [reject_row(job.source_file, None, "ingest", rej)]}
    return process_raw(raw, job.source_file, job.rules_dir, job.cache_dir, dict(job.sidecar))


def process_raw(raw: bytes, source_file: str, rules_dir: str, cache_dir: str | None = None,
                sidecar: dict[str, str] | None = None, as_text: bool = False) -> dict[str, list[dict]]:
    """``process_page`` for bytes already read (a cluster worker need not see the files); ``as_text``: they are
    an article's text, not a page dump (see ``ingest_page``)."""
    cache = Cache(cache_dir)
    key = None
    if cache.root is not None:
        meta = json.dumps(sorted((sidecar or {}).items()), ensure_ascii=False)
        key = hashlib.sha256(f"{code_version()}\0{rules_key(Path(rules_dir))}\0{source_file}\0{meta}\0{as_text}\0"
                             .encode()
                             + raw).hexdigest()
        cached = cache.get("results", key)
        if cached is not None:
            return cached
    try:
        result = _process(raw, source_file, Path(rules_dir), cache, sidecar, as_text)
    except Exception as exc:  # a bug must not stop the batch: the file is rejected, saying where
        log.exception("failed on %s", source_file)
        return {"rejects": [reject_row(source_file, None, "ingest", Reject(
            "internal_error", f"{source_file}: {type(exc).__name__}: {exc}"))]}
    if key is not None:
        cache.put("results", key, result)
    return result


def _process(raw: bytes, source_file: str, rules_dir: Path, cache: Cache,
             sidecar: dict[str, str] | None = None, as_text: bool = False) -> dict[str, list[dict]]:
    try:
        page = ingest_page(raw, source_file, rules_dir, sidecar, as_text)
    except Reject as rej:
        return {"rejects": [reject_row(source_file, None, "ingest", rej)]}
    article = page.article
    aid = article["article_id"]
    out: dict[str, list[dict]] = {"articles": [article], "lines": page.lines}
    try:
        words = tokens_for(article["body"], aid, cache)
    except Reject as rej:
        out["rejects"] = [reject_row(source_file, aid, "tokenize", rej)]
        return out
    out["tokens"] = token_rows(aid, words)
    try:
        candidates = extract_article(article, words, compile_rules(rules_dir))
    except Exception as exc:  # one bad article never stops the batch
        log.exception("extract failed on %s", source_file)
        out["rejects"] = [reject_row(source_file, aid, "extract",
                                  Reject("extract_failed", f"{source_file}: {type(exc).__name__}: {exc}"))]
        return out
    ctx = {aid: article_context(article, page.lines, raw)}
    result = validate_tables(candidates, ctx, rules_dir, check_schemas=False)  # the driver checks per batch
    for table in EXTRACT_TABLES:
        # a candidate no column can hold (a 40-digit amount) is only in rejects: it could not be written
        out[f"{CANDIDATES_DIR}/{table.name}"] = [r for r in candidates[table.name] if fits_columns(table.name, r)]
        out[table.name] = result.published[table.name]
    out["rejects"] = result.rejects
    out["report"] = [result.report]
    return out


# ---------------------------------------------------------------- writing as we go

class StreamingTable:
    """Rows appended in batches as Parquet row groups; the file appears (atomically) on close."""

    def __init__(self, table: Table, target: Path, metadata: dict[str, str] | None, stack: ExitStack):
        self.table = table
        schema = table.arrow_schema
        if metadata:
            schema = schema.with_metadata({**schema.metadata, **{k.encode(): v.encode() for k, v in metadata.items()}})
        self.schema = schema
        self.path = stack.enter_context(atomic_path(target))
        self.writer = pq.ParquetWriter(self.path, schema)
        stack.callback(self.writer.close)
        self.buffer: list[dict] = []
        self.rows = 0

    def add(self, rows: list[dict]) -> None:
        self.buffer.extend(rows)

    def flush(self, keep_going: bool = False) -> list[dict]:
        """Write the buffered rows as a row group. With ``keep_going``, rows the Arrow schema cannot hold (a
        value no check foresaw) are left out and returned, found row by row only when the batch fails."""
        if not self.buffer:
            return []
        rows, unwritable = self.buffer, []
        try:
            arrow = to_arrow(self.table, rows)
        except SchemaError:
            if not keep_going:
                raise
            fits = [_writable(self.table, row) for row in rows]
            unwritable = [row for row, ok in zip(rows, fits) if not ok]
            rows = [row for row, ok in zip(rows, fits) if ok]
            arrow = to_arrow(self.table, rows)
        self.writer.write_table(arrow.replace_schema_metadata(self.schema.metadata))
        self.rows += len(rows)
        self.buffer = []
        return unwritable


def _writable(table: Table, row: dict) -> bool:
    try:
        to_arrow(table, [row])
    except SchemaError:
        return False
    return True


def _flush(writers: dict, schemas: dict, source_of: dict[str, str], rejects: list[dict], report: dict) -> None:
    """Write the buffered rows; first, the published rows of a batch go through the table
    schemas (pandera) at once, and those that fail become rejects, as do rows no column can hold."""
    for table in EXTRACT_TABLES:
        writer = writers[table.name]
        failures = schema_failures(table.name, writer.buffer, schemas[table.name])
        for i, check in sorted(failures.items()):
            _count_reject(table.name, writer.buffer[i], check, source_of, rejects, report)
        writer.buffer = [row for i, row in enumerate(writer.buffer) if i not in failures]
        for row in writer.flush(keep_going=True):
            _count_reject(table.name, row, "schema_type", source_of, rejects, report)
    for writer in writers.values():
        writer.flush()


def _count_reject(table: str, row: dict, check: str, source_of: dict[str, str], rejects: list[dict],
                  report: dict) -> None:
    rejects.append(schema_reject(table, row, check, source_of.get(row["article_id"])))
    counts = report[table]
    counts["passed"] -= 1
    counts["rejected"] += 1
    counts["by_check"][check] = counts["by_check"].get(check, 0) + 1


def page_jobs(raw_dir: Path, rules_dir: Path, cache_dir: Path | None) -> list[PageJob]:
    files = list_raw_files(raw_dir)
    sidecars = load_sidecars(raw_dir, files)
    jobs = []
    for p in files:
        source_file = p.relative_to(raw_dir).as_posix()
        jobs.append(PageJob(str(p), source_file, str(rules_dir), str(cache_dir) if cache_dir else None,
                            tuple(sorted(sidecars.get(source_file, {}).items()))))
    return jobs


def _merge_reports(total: dict, report: dict) -> None:
    for name, counts in report.items():
        into = total.setdefault(name, {"checked": 0, "passed": 0, "rejected": 0, "by_check": {}})
        for k in ("checked", "passed", "rejected"):
            into[k] += counts[k]
        for check, n in counts["by_check"].items():
            into["by_check"][check] = into["by_check"].get(check, 0) + n


def _die_with_parent(parent: int) -> None:
    """A worker ends when the run that started it ends, however it ends (SIGTERM, SIGKILL): on Linux the
    kernel signals it (PR_SET_PDEATHSIG); elsewhere it is left to the pool's own shutdown."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _results(jobs: list[PageJob], workers: int):
    if workers <= 1:
        yield from map(process_page, jobs)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
        # map keeps file order, so the output is the same whatever the number of workers
        yield from pool.map(process_page, jobs, chunksize=max(1, min(16, len(jobs) // (workers * 8) or 1)))


def run_pipeline(raw_dir: Path, out_dir: Path, rules_dir: Path = RULES_DIR, jobs: int | None = None,
                 batch_size: int = DEFAULT_BATCH, use_cache: bool = True, progress=None,
                 results=None) -> dict:
    """Every stage on every raw file, written as we go. ``results(jobs)`` lets another
    engine (Dask) compute the per-file results; it must yield them in the jobs' order."""
    from .export import provenance
    from .stages import STAGE_ORDER, STAGE_REJECTS_DIR, consolidate_and_report, sorted_rejects

    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cache_dir = out_dir / CACHE_DIR if use_cache else None
    jobs_list = page_jobs(raw_dir, rules_dir, cache_dir)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    meta = provenance(rules_dir)
    targets: dict[str, tuple[Table, Path]] = {
        "articles": (ARTICLES, out_dir / ARTICLES.filename),
        "lines": (LINES, out_dir / LINES.filename),
        "tokens": (TOKENS, out_dir / TOKENS.filename),
        **{f"{CANDIDATES_DIR}/{t.name}": (t, out_dir / CANDIDATES_DIR / t.filename) for t in EXTRACT_TABLES},
        **{t.name: (t, out_dir / t.filename) for t in EXTRACT_TABLES},
    }
    rejects_by_stage: dict[str, list[dict]] = {s: [] for s in STAGE_ORDER}
    schemas = table_schemas(rules_dir)
    report: dict[str, dict] = {}
    seen: dict[str, str] = {}
    with ExitStack() as stack:
        writers = {name: StreamingTable(table, path, meta, stack) for name, (table, path) in targets.items()}
        advance = stack.enter_context(progress("run", len(jobs_list))) if progress else (lambda: None)
        stream = results(jobs_list) if results is not None else _results(jobs_list, workers)
        for n, (job, result) in enumerate(zip(jobs_list, stream), start=1):
            article = (result.get("articles") or [None])[0]
            if article is not None and article["article_id"] in seen:
                rejects_by_stage["ingest"].append(reject_row(job.source_file, None, "ingest", Reject(
                    "duplicate_content", f"{job.source_file}: same bytes as {seen[article['article_id']]}")))
                advance()
                continue
            if article is not None:
                seen[article["article_id"]] = job.source_file
            for name, rows in result.items():
                if name in writers:
                    writers[name].add(rows)
            for rej in result.get("rejects", []):
                rejects_by_stage[rej["stage"]].append(rej)
            for part in result.get("report", []):
                _merge_reports(report, part)
            if n % batch_size == 0:
                _flush(writers, schemas, seen, rejects_by_stage["validate"], report)
            advance()
        _flush(writers, schemas, seen, rejects_by_stage["validate"], report)
    for stage in STAGE_ORDER:
        rejects_by_stage[stage] = sorted_rejects(rejects_by_stage[stage])
        write_table(REJECTS, rejects_by_stage[stage], out_dir / STAGE_REJECTS_DIR / stage)
    all_rejects = [r for s in STAGE_ORDER for r in rejects_by_stage[s]]
    write_table(REJECTS, all_rejects, out_dir, meta)

    articles = {a["article_id"]: a for a in _read_small(ARTICLES, out_dir, (
        "article_id", "source_file", "published_at", "prose_kept", "prose_kept_low"))}
    validation = consolidate_and_report(out_dir, report, read_rows(AID_EVENTS, out_dir), read_rows(OFFICIALS, out_dir),
                                        articles, meta)
    return {"files": len(jobs_list), "articles": len(seen), "rejected_files": len(jobs_list) - len(seen),
            "workers": workers, "rows": {name: w.rows for name, w in writers.items() if "/" not in name},
            "prose_kept_low": len(validation["articles_prose_kept_low"]),
            "validation": {k: validation[k] for k in ("rows_checked", "rows_passed", "rows_rejected")}}


def _read_small(table: Table, out_dir: Path, columns: tuple[str, ...]) -> list[dict]:
    return pq.read_table(Path(out_dir) / table.filename, columns=list(columns)).to_pylist()

