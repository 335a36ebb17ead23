"""The ``vnfacts`` command: one sub-command per stage, and ``run`` for all of them.

Only data goes to stdout; logs and progress bars go to stderr. This is the only
module that configures logging or exits.
"""

from __future__ import annotations

import errno
import functools
import json
import logging
import re
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

import click

from . import __version__
from .atomic import (OutputLocked, PublishInProgress, atomic_path, finish_interrupted_publish, output_lock,
                     remove_stale_staging, remove_stale_temporaries, write_text_atomic)
from .config import (CACHE_DIR, DEFAULT_OUT_DIR, DEFAULT_RAW_DIR, PAGE_TIMEOUT_SECONDS, REPORT_FILE, RULES_DIR,
                     RUN_STATE_FILE, tune_garbage_collector)
from .errors import SchemaError

# The stages, pandas, spaCy, underthesea and DuckDB are imported by the commands that use them, so that
# `vnfacts --help` and `vnfacts query` start at once.
QUERY_FORMATS = ("table", "csv", "tsv", "json", "ndjson", "parquet")
DEFAULT_TABLE_LIMIT = 50  # rows the table format prints unless told otherwise

log = logging.getLogger("vnfacts")


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")


@contextmanager
def _progress(label: str, total: int):
    """A rich progress bar (count, files per second, time left) on an interactive terminal; log lines with the
    same figures otherwise."""
    if not sys.stderr.isatty() or total == 0:
        done = [0]
        step = max(total // 10, 1)
        started = time.perf_counter()

        def advance():
            done[0] += 1
            if done[0] % step == 0 or done[0] == total:
                elapsed = max(time.perf_counter() - started, 1e-9)
                rate = done[0] / elapsed
                log.info("%s: %d/%d, %.1f files/s, %.0fs left", label, done[0], total, rate,
                         (total - done[0]) / rate)

        yield advance
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total, rate="")

        def advance():
            bar.advance(task)
            speed = bar.tasks[0].speed
            bar.update(task, rate=f"{speed:.1f} files/s" if speed else "")

        yield advance


def _one_line(exc: Exception) -> str:
    """What went wrong, in one line, with what to do (the traceback is behind --debug)."""
    if isinstance(exc, PermissionError):
        return f"cannot write {exc.filename or 'an output'}: permission denied (is --out read-only?)"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return f"no space left on the device while writing {exc.filename or 'the outputs'}; outputs were not replaced"
    if _is_arrow_error(exc):
        return f"a table could not be read or written ({str(exc).splitlines()[0]}); run the stage before this one " \
               "again, or `vnfacts run`, to rebuild it (--debug for the traceback)"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} (--debug for the traceback)"


def _is_arrow_error(exc: Exception) -> bool:
    return any(c.__module__.startswith("pyarrow") for c in type(exc).__mro__)


def _rules_checked_before(rules_dir: Path, out_dir: Path | None) -> bool:
    """The last successful run into ``out_dir`` used rule files with these very bytes: they serve."""
    if out_dir is None:
        return False
    from .rulefiles import rules_digest

    try:
        state = json.loads((Path(out_dir) / RUN_STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return state.get("rules_sha256") == rules_digest(Path(rules_dir))


def _check_rules(rules_dir: Path | None, out_dir: Path | None = None) -> None:
    """A rules directory that cannot serve is refused at once, naming the file, not page by page."""
    if rules_dir is None or _rules_checked_before(rules_dir, out_dir):
        return
    from decimal import InvalidOperation

    from .dates import date_grammar
    from .lexicon import compile_rules
    from .normalize import load_canonical_rules
    from .numbers import _vocabularies
    from .rulefiles import RuleFileError, check_rules_dir
    from .zoning import load_zone_rules

    stage = "rule files"
    try:
        check_rules_dir(rules_dir)
        for stage, load in (("phrase lists", compile_rules), ("zone rules", load_zone_rules),
                            ("canonical text rules", load_canonical_rules), ("number and money words", _vocabularies),
                            ("date grammar", date_grammar)):
            load(Path(rules_dir))
    except RuleFileError as exc:
        raise click.ClickException(str(exc)) from exc
    except re.error as exc:
        raise click.ClickException(f"[R009] a pattern of a zone rule file under {rules_dir} is not a valid regular "
                                   f"expression: {exc} (pattern {exc.pattern!r})") from exc
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as exc:
        raise click.ClickException(f"[R008] the {stage} under {rules_dir} have a value of the wrong shape: "
                                   f"{type(exc).__name__}: {exc}") from exc


RULES_OPTION = click.option("--rules", "rules_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                            default=RULES_DIR, show_default="the rules installed with vnfacts",
                            help="Directory of rule files.")


def _require_pages(raw_dir: Path) -> None:
    """An input folder that is missing or holds nothing to read is an error, not an empty success."""
    from .ingest import list_raw_files

    if not raw_dir.is_dir():
        raise click.BadParameter(f"{raw_dir} is not a directory", param_hint="--raw")
    if not list_raw_files(raw_dir):
        raise click.ClickException(f"no page dumps in {raw_dir} (metadata sidecars alone are not pages): "
                                   "put the pages to read there, or point --raw at them")


def _refuse_overlap(raw_dir: Path, out_dir: Path) -> None:
    from .ingest import overlap_of_inputs_and_outputs

    problem = overlap_of_inputs_and_outputs(raw_dir, out_dir)
    if problem:
        raise click.BadParameter(problem, param_hint="--out")


def stage_options(func=None, *, reads_raw: bool = True, reads_rules: bool = True):
    """--out, --verbose and --debug for every stage command; --raw and --rules only for those that read them."""
    if func is None:
        return functools.partial(stage_options, reads_raw=reads_raw, reads_rules=reads_rules)

    @click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                  default=DEFAULT_OUT_DIR, show_default=True, help="Directory for the Parquet outputs.")
    @click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
    @click.option("--debug", is_flag=True, help="On an error, show the full traceback instead of one line.")
    @functools.wraps(func)
    def wrapper(*args, verbose, debug, **kwargs):
        _setup_logging(verbose or debug)
        _check_rules(kwargs.get("rules_dir"), kwargs.get("out_dir"))
        tune_garbage_collector()
        out = kwargs.get("out_dir")
        if kwargs.get("raw_dir") is not None and out is not None:
            if not kwargs["raw_dir"].is_dir():  # before the output is locked: a failed start leaves nothing
                raise click.BadParameter(f"{kwargs['raw_dir']} is not a directory", param_hint="--raw")
            _refuse_overlap(kwargs["raw_dir"], out)
        writes = out is not None and not kwargs.get("explain_file")
        started = time.perf_counter()
        try:
            with output_lock(out) if writes else nullcontext():
                if writes and finish_interrupted_publish(out):
                    log.info("finished publishing the tables of a run interrupted while publishing into %s", out)
                if writes and remove_stale_staging(out):
                    log.info("removed the unpublished tables of a failed or interrupted run in %s", out)
                if writes and remove_stale_temporaries(out):
                    log.info("removed temporary files of an interrupted run in %s", out)
                summary = func(*args, **kwargs)
        except (OutputLocked, PublishInProgress) as exc:
            raise click.ClickException(str(exc)) from exc
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from exc
        except Exception as exc:
            if debug or not isinstance(exc, (OSError, SchemaError)) and not _is_arrow_error(exc):
                raise
            raise click.ClickException(_one_line(exc)) from exc
        stage = func.__name__.removesuffix("_cmd")
        log.info("%s done in %.1fs", stage, time.perf_counter() - started)
        if writes:
            from .make_deps import write_make_deps

            write_make_deps(stage, out, kwargs.get("rules_dir"), workers_run_pages=stage == "run")
        if isinstance(summary, str):
            click.echo(summary)
        else:
            click.echo(json.dumps(summary, ensure_ascii=False))
    if reads_rules:
        wrapper = RULES_OPTION(wrapper)
    if reads_raw:
        wrapper = click.option("--raw", "raw_dir", type=click.Path(file_okay=False, path_type=Path),
                               default=DEFAULT_RAW_DIR, show_default=True, help="Directory of raw page dumps.")(wrapper)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vnfacts")
def main():
    """Extract traceable facts (aid, officials, dates, agreements) from Vietnamese news pages.

    Stages, in order: ingest -> tokenize -> extract -> validate -> export.
    `query` runs SQL over the results. Each reads from and writes to --out
    (Parquet tables); `run` runs them all.
    """


@main.command("ingest")
@stage_options
@click.option("--explain", "explain_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Print FILE's lines with their zone and the cue that decided it, and the metadata read; "
                   "writes nothing.")
def ingest_cmd(raw_dir: Path, out_dir: Path, rules_dir: Path, explain_file: Path | None):
    """Turn page dumps into canonical articles.

    Reads every file under --raw; writes articles.parquet, lines.parquet (every line with
    its zone and the reason for it) and rejects.parquet (files that could not be used,
    with a reason). Metadata sidecars (_metadata.csv, <file>.meta.json) are read, not
    ingested. A summary is printed as JSON on stdout.

    Example:

        vnfacts ingest --raw data/raw --out data/processed

        vnfacts ingest --explain data/raw/000_f22b6e4c1b01d16e.txt
    """
    from . import stages

    if explain_file is not None:
        return stages.explain_file(explain_file, rules_dir)
    _require_pages(raw_dir)
    return {"ingest": stages.run_ingest(raw_dir, out_dir, rules_dir, progress=_progress)}



@main.command("zones")
@click.option("--gold", "gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Score the zoner against the gold files of this directory (docs/ANNOTATION.md).")
@click.option("--pages", "page_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Where the gold's pages are (repeatable; default: the gold's articles/ and data/raw).")
@click.option("--raw", "raw_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Print how much of each page's prose reaches the body, over a directory of dumps.")
@RULES_OPTION
@click.option("--errors", is_flag=True, help="With --gold: list every gold entry the zoner got wrong.")
def zones_cmd(gold_dir: Path | None, page_dirs: tuple[Path, ...], raw_dir: Path | None, rules_dir: Path,
              errors: bool):
    """Measure the zoning: against hand-annotated pages, or as prose kept over a directory.

    Example:

        vnfacts zones --gold tests/gold/zones --errors

        vnfacts zones --raw data/raw
    """
    from . import zone_gold

    _setup_logging(False)
    _check_rules(rules_dir)
    if gold_dir is None and raw_dir is None:
        raise click.UsageError("give --gold DIR or --raw DIR")
    if gold_dir is not None:
        dirs = list(page_dirs) or [gold_dir / "articles", DEFAULT_RAW_DIR]
        score = zone_gold.score_gold(gold_dir, dirs, rules_dir)
        click.echo(f"{len(score.pages)} pages, {sum(p.entries for p in score.pages)} gold entries: "
                   f"line zone accuracy {score.accuracy:.4f}, body character recall {score.body_recall:.4f}, "
                   f"furniture leak {score.furniture_leak:.4f}")
        if errors:
            click.echo("\n".join(score.errors))
    if raw_dir is not None:
        click.echo(zone_gold.prose_kept_table(raw_dir, rules_dir))


@main.command("rules-trace")
@click.argument("text")
@click.option("--kind", type=click.Choice(["aid", "agreement", "official"]), default="aid", show_default=True,
              help="Whose named patterns to try.")
@RULES_OPTION
def rules_trace_cmd(text: str, kind: str, rules_dir: Path):
    """Show why TEXT gives the rows it gives: each token's labels, the parties and
    amounts found, and how far every named pattern got (docs/RULES.md).

    Example:

        vnfacts rules-trace "Quỹ ABC trao 500 triệu đồng cho tỉnh Quảng Nam."
    """
    from .rule_trace import trace

    _setup_logging(False)
    _check_rules(rules_dir)
    logging.getLogger("vnfacts").setLevel(logging.WARNING)
    click.echo(trace(text, kind, rules_dir))


@main.command("eval")
@click.option("--gold", "gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Directory of fact gold files (docs/ANNOTATION.md), e.g. tests/gold/dev.")
@click.option("--raw", "raw_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Where the gold's articles are (default: the gold's articles/).")
@RULES_OPTION
@click.option("--summary", is_flag=True, help="Print only the scores, not every miss and extra.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the scores to this JSON file.")
def eval_cmd(gold_dir: Path, raw_dir: Path | None, rules_dir: Path, summary: bool, json_out: Path | None):
    """Score the published facts against hand-annotated articles.

    Runs the whole pipeline on every gold article (nothing is written) and prints
    precision, recall and F1 per fact type, then every miss and extra with its
    evidence. A gold folder holding a file named BLIND prints only its summary:
    its errors are never read while the rules are written.

    Example:

        vnfacts eval --gold tests/gold/dev

        vnfacts eval --gold tests/gold/dev --raw ../corpus/dev --summary
    """
    from . import evaluate

    _setup_logging(False)
    _check_rules(rules_dir)
    logging.getLogger("vnfacts").setLevel(logging.WARNING)
    result = evaluate.evaluate(gold_dir, raw_dir, rules_dir)
    blind = evaluate.is_blind(gold_dir)
    if blind and not summary:
        click.echo(f"{gold_dir} is a blind set: only its summary is printed.", err=True)
    click.echo(evaluate.report(result, details=not (summary or blind)))
    if json_out is not None:
        from .atomic import atomic_path

        with atomic_path(json_out) as tmp:
            tmp.write_text(json.dumps(result.figures(), indent=2) + "\n", encoding="utf-8")


@main.command("tokenize")
@stage_options(reads_raw=False, reads_rules=False)
def tokenize_cmd(out_dir: Path):
    """Segment and POS-tag article bodies with underthesea.

    Reads articles.parquet from --out; writes tokens.parquet (one row per word, with
    exact character offsets into the article body).

    Example:

        vnfacts tokenize --out data/processed
    """
    from . import stages

    return {"tokenize": stages.run_tokenize(out_dir, progress=_progress)}


@main.command("extract")
@stage_options(reads_raw=False)
def extract_cmd(out_dir: Path, rules_dir: Path):
    """Extract aid events, officials, agreements, dates and mentions with the rules.

    Reads articles.parquet and tokens.parquet from --out and the rule files from --rules;
    writes aid_events, officials, agreements, dates and mentions (.parquet). Every row
    carries char_start/char_end into the article body, its evidence and its rule_id.

    Example:

        vnfacts extract --out data/processed --rules rules
    """
    from . import stages

    return {"extract": stages.run_extract(out_dir, rules_dir, progress=_progress)}


@main.command("validate")
@stage_options
@click.option("--strict", is_flag=True, help="Fail (exit 1) when any row is rejected.")
def validate_cmd(raw_dir: Path, out_dir: Path, rules_dir: Path, strict: bool):
    """Check every extracted row against the article text; publish only those that pass.

    Reads the candidate tables written by extract (--out/candidates/), the articles and
    their lines, and the raw files (--raw) to trace evidence back to bytes, with the
    checks run applies: a page that is now a link or not a regular file is a reject
    and is not read, and its rows fail raw_trace. Writes the
    analysts' tables (aid_events, officials, agreements, dates, mentions and the
    *_consolidated tables across articles) to --out, failed rows to rejects.parquet
    with the check they failed, and validation_report.json. Exits 1 when a table breaks
    its schema, or with --strict when any row is rejected.

    Example:

        vnfacts validate --raw data/raw --out data/processed --strict
    """
    from . import stages

    try:
        report = stages.run_validate(raw_dir, out_dir, rules_dir)
    except SchemaError as exc:
        raise click.ClickException(str(exc)) from exc
    _print_validation_summary(report)
    if strict and report["rows_rejected"]:
        raise click.ClickException(f"--strict: {report['rows_rejected']} rows rejected (see rejects.parquet)")
    return {"validate": report}


def _print_validation_summary(report: dict) -> None:
    click.echo("table                   checked  passed  rejected  by check", err=True)
    for name, r in report["tables"].items():
        checks = ", ".join(f"{k}: {v}" for k, v in r["by_check"].items()) or "-"
        click.echo(f"{name:<22}{r['checked']:>9}{r['passed']:>8}{r['rejected']:>10}  {checks}", err=True)
    click.echo(f"input rows {report['rows_checked']} = published {report['rows_passed']} + rejected "
               f"{report['rows_rejected']}", err=True)


@main.command("export")
@stage_options(reads_raw=False)
@click.option("--partitioned", is_flag=True,
              help="Also write <out>/dataset/<table>/YYYY/MM/ (a Parquet dataset; undated/ for undated articles).")
@click.option("--duckdb", "duckdb_file", is_flag=True,
              help="Also write facts.duckdb, a copy of every table that opens anywhere.")
def export_cmd(out_dir: Path, rules_dir: Path, partitioned: bool, duckdb_file: bool):
    """Publish the validated tables for pandas and DuckDB users.

    Checks that every table in --out carries its provenance (package version, schema
    version, SHA-256 of the rule files; the stages stamp what they write, so nothing is
    rewritten) and writes manifest.json. --partitioned adds a Parquet dataset
    partitioned by publication year and month; --duckdb a database file holding a copy
    of every table. Columns, reason codes and checks are documented in docs/tables.md.

    Example:

        vnfacts export --out data/processed --duckdb
    """
    from .export import run_export

    return {"export": run_export(out_dir, rules_dir, partitioned, duckdb_file)}


@main.command("query")
@click.argument("sql")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT_DIR,
              show_default=True, help="Directory of the Parquet tables.")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default="table", show_default=True,
              help="Output format. csv/tsv/json/ndjson write lists as JSON arrays and exact amounts, and stream "
                   "(rows are written as they come, in flat memory); times are in UTC+07:00.")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help=f"Rows to print, 0 for all (default: {DEFAULT_TABLE_LIMIT} for --format table, "
                   "all otherwise).")
@click.option("--allow-external", is_flag=True,
              help="Let the query read other files and the network (it still only reads: nothing is written).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Stop the query after this many seconds (exit 1). Ctrl-C stops it too.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (required for --format parquet); it appears only when the query succeeds.")
def query_cmd(sql: str, out_dir: Path, fmt: str, limit: int | None, output: Path | None, allow_external: bool,
              timeout: float | None):
    """Run SQL with DuckDB over the tables in --out; each table is a view named after its file.

    Only one SELECT runs (or an EXPLAIN of one, without ANALYZE), and it reads the published
    tables and nothing else (no other file, no network, no extension download); any statement
    that would write, attach, install, load or set is refused, --allow-external or not. A table
    file that cannot be read, or whose name is not a plain SQL identifier, is left out with a
    warning on stderr. Write a result with --output. The session's time zone is
    Asia/Ho_Chi_Minh, so hour(published_at) is the hour printed on the page.
    `vnfacts tables` lists the tables, `vnfacts schema TABLE` their columns.

    Example:

        vnfacts query "SELECT donor, recipient, SUM(amount) FROM aid_events_consolidated
        WHERE item = 'cash' AND NOT is_total GROUP BY ALL"
    """
    import duckdb

    from .query import TEXT_FORMATS, QueryInterrupted, QueryRefused, query_to_parquet

    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet needs --output FILE")
    if limit is None and fmt == "table" and output is None:
        limit = DEFAULT_TABLE_LIMIT
    options = {"allow_external": allow_external, "timeout": timeout, "warn": _warn}
    try:
        if fmt == "parquet":
            with atomic_path(output) as partial:
                query_to_parquet(sql, out_dir, partial, **options)
        elif fmt in TEXT_FORMATS and not limit:
            _stream_query(sql, out_dir, fmt, output, options)
        else:
            _print_query(sql, out_dir, fmt, limit or None, output, options)
    except (FileNotFoundError, QueryInterrupted) as exc:
        raise click.ClickException(str(exc)) from exc
    except (duckdb.Error, QueryRefused) as exc:
        raise click.ClickException(f"query failed: {exc}") from exc
    except BrokenPipeError:
        _leave_quietly_on_closed_stdout()


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def _stream_query(sql: str, out_dir: Path, fmt: str, output: Path | None, options: dict) -> None:
    from .query import write_query

    if output is None:
        write_query(sql, out_dir, fmt, sys.stdout, **options)
        return
    with atomic_path(output) as partial, partial.open("w", encoding="utf-8") as stream:
        write_query(sql, out_dir, fmt, stream, **options)


def _print_query(sql: str, out_dir: Path, fmt: str, limit: int | None, output: Path | None, options: dict) -> None:
    """At most ``limit`` rows, and on stderr how many more the result holds."""
    from .query import format_result, run_query

    result = run_query(sql, out_dir, limit=limit, **options)
    text = format_result(result.columns, result.rows, fmt)
    if output is not None:
        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False)
    if result.rows_left_out:
        click.echo(f"({result.rows_left_out} more rows of {result.total_rows} not shown: --limit 0 for all)",
                   err=True)


def _leave_quietly_on_closed_stdout() -> None:
    """The reader of stdout has gone (`vnfacts query … | head`): stop without a traceback, as other tools do."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # Python's flush at exit would fail on the closed pipe again
    sys.exit(1)


@main.command("tables")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT_DIR,
              show_default=True, help="Directory of the Parquet tables.")
def tables_cmd(out_dir: Path):
    """List the published tables in --out: their rows, and what one row is.

    A table file that cannot be read, or whose name is not a plain SQL identifier, is left
    out with a warning on stderr.

    Example:

        vnfacts tables --out data/processed
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .query import published_tables, unreadable_table
    from .schema import TABLES

    try:
        tables = published_tables(out_dir, _warn)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    for name, path in tables.items():
        try:
            rows = pq.read_metadata(path).num_rows
        except (OSError, pa.ArrowException) as exc:
            _warn(unreadable_table(path, exc))
            continue
        known = TABLES.get(name)
        click.echo(f"{name:<26}{rows:>9}  {known.description.split('. ')[0] if known else ''}")


@main.command("schema")
@click.argument("table")
def schema_cmd(table: str):
    """Columns of a published table: name, type, whether it may be null, and what it holds (for the item, flow
    and kind columns, the values the installed rules name).

    Example:

        vnfacts schema aid_events
    """
    from .rulefiles import rule_files_by_kind
    from .schema import TABLES, column_meaning, rule_vocabularies, type_name

    if table not in TABLES:
        raise click.BadParameter(f"{table!r} is not a table; one of: {', '.join(TABLES)}", param_hint="TABLE")
    spec = TABLES[table]
    vocabularies = rule_vocabularies(rule_files_by_kind(RULES_DIR))
    rows = [(column.name, type_name(column.type), "nullable" if column.nullable else "required",
             column_meaning(column, vocabularies)) for column in spec.columns]
    widths = [max(len(row[i]) for row in rows) + 2 for i in range(3)]
    click.echo(f"{spec.name}: {spec.description}\n")
    for *cells, meaning in rows:
        click.echo("".join(cell.ljust(width) for cell, width in zip(cells, widths)) + meaning)


@main.command("report")
@stage_options(reads_raw=False, reads_rules=False)
@click.option("--to", "report_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for the HTML pages (default: OUT/report).")
def report_cmd(out_dir: Path, report_dir: Path | None):
    """Write static HTML review pages: every article with its facts highlighted.

    Reads the published tables from --out; writes OUT/report/index.html and one page per
    article: the body with each extracted span highlighted by type, a table of the
    article's rows with their rule ids and validation status, and its rejected rows.
    The pages open from disk, with no server and no network.

    Example:

        vnfacts report --out data/processed
    """
    from .report import write_report

    return {"report": {"index": str(write_report(out_dir, report_dir))}}


@main.command("cache")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT_DIR,
              show_default=True, help="The output directory whose caches (OUT/.cache) to show or prune.")
@click.option("--prune", is_flag=True, help="Remove the entries used longest ago until the cache holds at most "
                                            "the limit.")
@click.option("--limit-mb", type=click.FloatRange(min=0), default=None, metavar="MB",
              help="With --prune: the size to keep, in MB (default: three times the bytes of the files under "
                   "--raw, the bound `vnfacts run` keeps).")
@click.option("--raw", "raw_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_RAW_DIR,
              show_default=True, help="The inputs whose size sets the default limit.")
def cache_cmd(out_dir: Path, prune: bool, limit_mb: float | None, raw_dir: Path):
    """Show the size of the caches of --out, or prune them.

    `vnfacts run` keeps two caches in OUT/.cache (each file's whole result, and the tokens of each body),
    compressed, and after each run removes the entries used longest ago beyond three times the bytes of its
    inputs. Only entries this program wrote are ever removed. Prints JSON.

    Example:

        vnfacts cache --out data/processed

        vnfacts cache --out data/processed --prune --limit-mb 500
    """
    from .cache import cache_entries, limit_for_inputs
    from .cache import prune as prune_cache

    root = out_dir / CACHE_DIR
    if not prune:
        by_kind: dict[str, dict[str, int]] = {}
        for path, size, _ in cache_entries(root):
            kind = by_kind.setdefault(path.parent.parent.name, {"entries": 0, "bytes": 0})
            kind["entries"] += 1
            kind["bytes"] += size
        click.echo(json.dumps({"cache": str(root), "kinds": by_kind,
                               "bytes": sum(k["bytes"] for k in by_kind.values())}))
        return
    if limit_mb is not None:
        limit = int(limit_mb * 1e6)
    else:
        from .ingest import list_raw_files

        if not raw_dir.is_dir():
            raise click.UsageError(f"{raw_dir} is not a directory: give --raw or --limit-mb")
        limit = limit_for_inputs(sum(p.stat().st_size for p in list_raw_files(raw_dir) if p.is_file()))
    try:
        with output_lock(out_dir):
            click.echo(json.dumps({"cache": str(root), **prune_cache(root, limit)}))
    except OutputLocked as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("run")
@stage_options
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores). The output does not depend on it.")
@click.option("--batch-size", type=click.IntRange(min=1), default=200, show_default=True,
              help="Articles per Parquet row group; memory grows with it, not with the corpus.")
@click.option("--no-cache", is_flag=True, help="Ignore and do not write the caches in OUT/.cache.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: a process pool on this machine; dask: a Dask cluster (optional extra).")
@click.option("--scheduler", metavar="ADDRESS",
              help="With --engine dask: the scheduler to use (tcp://host:8786); default: a local cluster "
                   "of --jobs workers.")
@click.option("--page-timeout", type=click.FloatRange(min=0), default=PAGE_TIMEOUT_SECONDS, show_default=True,
              envvar="VNFACTS_PAGE_TIMEOUT", show_envvar=True, metavar="SECONDS",
              help="Time budget per file: a page still being processed after this many seconds is left as a "
                   "too_slow reject naming the file, and the run goes on (0: no budget). Applies to the local "
                   "engine, with any --jobs; not to --engine dask.")
def run_cmd(raw_dir: Path, out_dir: Path, rules_dir: Path, jobs: int | None, batch_size: int, no_cache: bool,
            engine: str, scheduler: str | None, page_timeout: float):
    """Run every stage on --raw, writing all tables to --out, article by article.

    Ingest, tokenize, extract and validate run per file in --jobs processes and stream
    their rows to Parquet in file order; then the consolidated tables, the validation
    report and the export metadata are written. The same tables as running the stage
    commands one by one. Unchanged files and unchanged bodies are served from caches
    in OUT/.cache (tokens are kept across rule changes); when nothing changed since the
    last run into OUT (inputs, rules, code, and the outputs as it left them), the run
    only hashes the inputs and says so.

    Example:

        vnfacts run --raw data/raw --out data/processed --jobs 2

        vnfacts run --engine dask --scheduler tcp://scheduler:8786
    """
    _require_pages(raw_dir)
    if engine == "dask":
        from .dask_engine import run_dask
        from .engine import publish_run

        try:
            summary, exported = publish_run(out_dir, rules_dir, lambda tables_dir: run_dask(
                raw_dir, out_dir, rules_dir, scheduler, jobs, batch_size, progress=_progress, tables_dir=tables_dir))
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from exc
        result = {"run": summary, "export": exported}
    else:
        if scheduler:
            raise click.UsageError("--scheduler goes with --engine dask")
        from .engine import run_and_export

        result = run_and_export(raw_dir, out_dir, rules_dir, jobs=jobs, batch_size=batch_size,
                                use_cache=not no_cache, progress=_progress, page_timeout=page_timeout)
    _print_validation_summary(json.loads((out_dir / REPORT_FILE).read_text(encoding="utf-8")))
    return result


if __name__ == "__main__":
    main()
