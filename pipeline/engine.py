"""The whole pipeline in one pass, article by article: streaming, parallel, incremental.

Each raw file goes through ``page.process_page`` (every stage for one file) in a
loop, in a process pool (``--jobs``) or on a cluster (vnfacts.dask_engine). The
driver writes the rows in file order, a batch at a time (Parquet row groups), so
memory stays flat in the number of articles and the output does not depend on the
number of workers; ``publish`` writes the rejects, the consolidated tables and the
validation report at the end.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import stat
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from itertools import islice
from pathlib import Path


from .atomic import atomic_path, publish_staged, staging_dir
from .config import (CACHE_DIR, CANDIDATES_DIR, MANIFEST_FILE, PAGE_TIMEOUT_SECONDS, REPORT_FILE, RULES_DIR,
                     RUN_STATE_FILE, tune_garbage_collector)
from .errors import Reject
from .export import provenance
from .ingest import list_raw_files, load_sidecars, source_name
from .page import PageJob, code_version, process_page, reject_row
from .consolidate import AID_COLUMNS, OFFICIAL_COLUMNS
from .publish import (STAGE_ORDER, STAGE_REJECTS_DIR, StageRejects, consolidate_and_report, merge_reports,
                      publish_rejects)
from .rulefiles import rules_source
from .schema import (AID_EVENTS, ARTICLES, EXTRACT_TABLES, LINES, OFFICIALS, TOKENS, StreamingTable, Table,
                     TableRows, read_small, write_json)

log = logging.getLogger("vnfacts")

DEFAULT_BATCH = 200


# ---------------------------------------------------------------- writing as we go

def _flush(writers: dict, schemas: dict, source_of: dict[str, str], rejects: list[dict], report: dict) -> None:
    """Write the buffered rows; first, the published rows of a batch go through the table
    schemas (pandera) at once, and those that fail become rejects, as do rows no column can hold."""
    from .validate import schema_failures

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


def _flush_rejects(rejects_by_stage: dict[str, list[dict]], parts: dict) -> None:
    for stage, rejects in rejects_by_stage.items():
        parts[stage].add(rejects)
        rejects.clear()


def _count_reject(table: str, row: dict, check: str, source_of: dict[str, str], rejects: list[dict],
                  report: dict) -> None:
    from .validate import schema_reject

    rejects.append(schema_reject(table, row, check, source_of.get(row["article_id"])))
    counts = report[table]
    counts["passed"] -= 1
    counts["rejected"] += 1
    counts["by_check"][check] = counts["by_check"].get(check, 0) + 1


def page_jobs(raw_dir: Path, rules_dir: Path, cache_dir: Path | None,
              rules_digest: str = "", page_timeout: float | None = None) -> list[PageJob]:
    files = list_raw_files(raw_dir)
    sidecars = load_sidecars(raw_dir, files)
    jobs = []
    for p in files:
        source_file = source_name(p, raw_dir)
        jobs.append(PageJob(str(p), source_file, str(rules_dir), str(cache_dir) if cache_dir else None,
                            tuple(sorted(sidecars.get(source_file, {}).items())), rules_digest,
                            page_timeout or None))
    return jobs


def _start_worker(parent: int) -> None:
    tune_garbage_collector()
    _die_with_parent(parent)


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
    # Results are taken in file order, so the output is the same whatever the number of workers. One file per
    # task, so the progress bar moves from the first file on (a file costs far more than sending it), and at
    # most IN_FLIGHT_PER_WORKER files per worker ahead of the writer: when the workers outrun it, finished
    # results wait in a window of fixed size instead of piling up with the corpus.
    pending = iter(jobs)
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(os.getpid(),)) as pool:
        window = deque(pool.submit(process_page, job) for job in islice(pending, IN_FLIGHT_PER_WORKER * workers))
        try:
            while window:
                result = window.popleft().result()
                job = next(pending, None)
                if job is not None:
                    window.append(pool.submit(process_page, job))
                yield result
        finally:
            for future in window:
                future.cancel()


IN_FLIGHT_PER_WORKER = 4


def run_pipeline(raw_dir: Path, out_dir: Path, rules_dir: Path = RULES_DIR, jobs: int | None = None,
                 batch_size: int = DEFAULT_BATCH, use_cache: bool = True, progress=None,
                 results=None, page_timeout: float | None = PAGE_TIMEOUT_SECONDS,
                 tables_dir: Path | None = None) -> dict:
    """Every stage on every raw file, written as we go. ``results(jobs)`` lets another
    engine (Dask) compute the per-file results; it must yield them in the jobs' order. A page that takes more
    than ``page_timeout`` seconds (None or 0: no limit) is a too_slow reject, in the local engine."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # the tables go to ``tables_dir`` (a staging folder that ``run_and_export`` publishes all at once); the
    # caches and the record of the last run stay in ``out_dir``
    tables_dir = Path(tables_dir) if tables_dir is not None else out_dir
    cache_dir = out_dir / CACHE_DIR if use_cache else None
    # the rules are read once, here: every page, the run's key and the tables' provenance name the same ones
    source = rules_source(rules_dir)
    jobs_list = page_jobs(raw_dir, rules_dir, cache_dir, source.digest, page_timeout)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    # only a local run with its caches on can be skipped, and only one recorded then needs the key
    key = run_key(jobs_list, source) if use_cache and results is None else None
    if key is not None:
        previous = unchanged_run(out_dir, key)
        if previous is not None:
            log.info("nothing changed since the last run into %s: its tables stand", out_dir)
            return {**previous, "unchanged": True}
    from .validate import table_schemas

    meta = provenance(source)
    targets: dict[str, tuple[Table, Path]] = {
        "articles": (ARTICLES, tables_dir / ARTICLES.filename),
        "lines": (LINES, tables_dir / LINES.filename),
        "tokens": (TOKENS, tables_dir / TOKENS.filename),
        **{f"{CANDIDATES_DIR}/{t.name}": (t, tables_dir / CANDIDATES_DIR / t.filename) for t in EXTRACT_TABLES},
        **{t.name: (t, tables_dir / t.filename) for t in EXTRACT_TABLES},
    }
    # each stage's rejects since the last flush; a flush writes them to the stage's part (publish.StageRejects)
    rejects_by_stage: dict[str, list[dict]] = {s: [] for s in STAGE_ORDER}
    schemas = table_schemas(source)
    report: dict[str, dict] = {}
    seen: dict[str, str] = {}
    files_with_articles = 0
    with ExitStack() as stack:
        writers = {name: StreamingTable(table, path, meta, stack) for name, (table, path) in targets.items()}
        parts = {s: StageRejects(s, tables_dir, stack) for s in STAGE_ORDER}
        advance = stack.enter_context(progress("run", len(jobs_list))) if progress else (lambda: None)
        stream = results(jobs_list) if results is not None else _results(jobs_list, workers)
        for n, (job, result) in enumerate(zip(jobs_list, stream), start=1):
            result = _without_duplicates(result, job.source_file, seen, rejects_by_stage["ingest"])
            if result.get("articles"):
                files_with_articles += 1
            for name, rows in result.items():
                if name in writers:
                    writers[name].add(rows)
            for rej in result.get("rejects", []):
                rejects_by_stage[rej["stage"]].append(rej)
            for part in result.get("report", []):
                merge_reports(report, part)
            if n % batch_size == 0:
                _flush(writers, schemas, seen, rejects_by_stage["validate"], report)
                _flush_rejects(rejects_by_stage, parts)
            advance()
        _flush(writers, schemas, seen, rejects_by_stage["validate"], report)
        _flush_rejects(rejects_by_stage, parts)
    for part in parts.values():
        part.sort_if_needed()
    publish_rejects(tables_dir, meta)

    articles = {a["article_id"]: a for a in read_small(ARTICLES, tables_dir, (
        "article_id", "source_file", "published_at", "prose_kept", "prose_kept_low"))}
    validation = consolidate_and_report(tables_dir, report, TableRows(AID_EVENTS, tables_dir, AID_COLUMNS),
                                        TableRows(OFFICIALS, tables_dir, OFFICIAL_COLUMNS), articles, meta)
    if cache_dir is not None:
        _bound_cache(cache_dir, jobs_list)
    return {"run_key": key, "files": len(jobs_list), "articles": len(seen),
            "rejected_files": len(jobs_list) - files_with_articles,
            "workers": workers, "rows": {name: w.rows for name, w in writers.items() if "/" not in name},
            "prose_kept_low": len(validation["articles_prose_kept_low"]),
            "validation": {k: validation[k] for k in ("rows_checked", "rows_passed", "rows_rejected")}}


def _bound_cache(cache_dir: Path, jobs_list: list[PageJob]) -> None:
    """Prune the caches to three times the bytes of the run's inputs: the entries this run used are the newest."""
    from .cache import limit_for_inputs, prune

    input_bytes = 0
    for job in jobs_list:
        try:
            input_bytes += os.stat(job.path).st_size
        except OSError:
            pass
    pruned = prune(cache_dir, limit_for_inputs(input_bytes))
    if pruned["removed"]:
        log.info("cache: removed %d entries used longest ago (%.1f MB), %.1f MB left (limit %.1f MB)",
                 pruned["removed"], pruned["removed_bytes"] / 1e6, pruned["left_bytes"] / 1e6,
                 pruned["limit_bytes"] / 1e6)


def _without_duplicates(result: dict[str, list[dict]], source_file: str, seen: dict[str, str],
                        rejects: list[dict]) -> dict[str, list[dict]]:
    """A file's result less its articles whose bytes an earlier file (or record) had: each of those, with all
    its rows, becomes a duplicate_content reject naming the first. The others join ``seen``."""
    duplicates = set()
    for article in result.get("articles") or []:
        aid, record = article["article_id"], article.get("record")
        here = source_file if record is None else f"{source_file} record {record}"
        if aid in seen:
            duplicates.add(aid)
            rejects.append(reject_row(source_file, None, "ingest", Reject(
                "duplicate_content", f"{here}: same bytes as {seen[aid]}", record)))
        else:
            seen[aid] = source_file
    if not duplicates:
        return result
    kept = {name: [r for r in rows if r.get("article_id") not in duplicates] for name, rows in result.items()}
    if not kept.get("articles"):
        kept.pop("report", None)  # a validation report counts the duplicates' rows only
    return kept


# ---------------------------------------------------------------- a run with nothing to do


def run_key(jobs: list[PageJob], rules_dir: Path) -> str:
    """What a run's tables depend on: the code, the rules, and every input's name, sidecar, time budget and bytes
    (an entry that is not a regular file by its kind only: it is a reject, and is never opened)."""
    digest = hashlib.sha256(f"{code_version()}\0{rules_source(rules_dir).digest}\0".encode())
    for job in jobs:
        digest.update(json.dumps([job.source_file, job.sidecar, job.timeout], ensure_ascii=False).encode())
        try:
            info = os.lstat(job.path)
            if not stat.S_ISREG(info.st_mode):
                digest.update(f"mode {stat.S_IFMT(info.st_mode)}".encode())
                continue
            file_digest = hashlib.sha256()
            with open(job.path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    file_digest.update(block)
            digest.update(file_digest.digest())
        except OSError as exc:  # unreadable: a reject of its own, which the run records
            digest.update(f"error {exc.errno}".encode())
    return digest.hexdigest()


def _written_files(out_dir: Path) -> dict[str, list[int]]:
    """Size and modification time of every file a run writes (tables, candidates, stage rejects, report,
    manifest): a table edited, replaced or deleted since means the run is not up to date."""
    out_dir = Path(out_dir)
    paths = [*out_dir.glob("*.parquet"), *(out_dir / CANDIDATES_DIR).glob("*.parquet"),
             *(out_dir / STAGE_REJECTS_DIR).glob("*/*.parquet"), out_dir / REPORT_FILE, out_dir / MANIFEST_FILE]
    return {p.relative_to(out_dir).as_posix(): [p.stat().st_size, p.stat().st_mtime_ns]
            for p in sorted(paths) if p.is_file()}


def run_and_export(raw_dir: Path, out_dir: Path, rules_dir: Path = RULES_DIR, jobs: int | None = None,
                   batch_size: int = DEFAULT_BATCH, use_cache: bool = True, progress=None,
                   page_timeout: float | None = PAGE_TIMEOUT_SECONDS) -> dict:
    """``vnfacts run``: every stage, then export; with the caches on, a run whose inputs, rules and code are those
    of the last run into ``out_dir`` (and whose outputs are as it left them) does nothing. The tables are
    published all together, at the end (``publish_run``)."""
    summary, exported = publish_run(out_dir, rules_dir, lambda tables_dir: run_pipeline(
        raw_dir, out_dir, rules_dir, jobs=jobs, batch_size=batch_size, use_cache=use_cache, progress=progress,
        page_timeout=page_timeout, tables_dir=tables_dir))
    if summary.pop("unchanged", False):
        return {"run": summary, "export": exported}
    if summary["run_key"] is not None:
        record_run(out_dir, summary, exported["rules_sha256"])
    return {"run": summary, "export": exported}


def publish_run(out_dir: Path, rules_dir: Path, compute) -> tuple[dict, dict]:
    """Run ``compute(tables_dir)`` (an engine writing every table into ``tables_dir``), export there, then publish
    all the tables at once (``atomic.publish_staged``): a run that fails or is killed before publishing leaves the
    last run's tables as they were. Returns the run's summary and the manifest."""
    from .export import run_export

    staging = staging_dir(out_dir)
    try:
        summary = compute(staging)
        if summary.get("unchanged"):
            shutil.rmtree(staging, ignore_errors=True)
            return summary, json.loads((Path(out_dir) / MANIFEST_FILE).read_text(encoding="utf-8"))
        exported = run_export(staging, Path(rules_dir))
        publish_staged(staging, Path(out_dir), last=(MANIFEST_FILE,))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary, exported


def record_run(out_dir: Path, summary: dict, rules_sha256: str) -> None:
    """Remember what the finished run read and wrote (and that its rules served), so that the same run again
    has nothing to do."""
    write_json({"summary": summary, "rules_sha256": rules_sha256, "outputs": _written_files(out_dir)},
               Path(out_dir) / RUN_STATE_FILE)


def unchanged_run(out_dir: Path, key: str) -> dict | None:
    """The summary of the last run into ``out_dir`` when it read exactly these inputs with this code and these
    rules, and its outputs are as it left them; else None."""
    try:
        state = json.loads((Path(out_dir) / RUN_STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    summary = state.get("summary") or {}
    if summary.get("run_key") != key or state.get("outputs") != _written_files(out_dir):
        return None
    return summary



