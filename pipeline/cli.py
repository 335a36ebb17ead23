"""The ``vnfacts`` command: one sub-command per stage, and ``run`` for all of them.

Only data goes to stdout; logs and progress bars go to stderr. This is the only
module that configures logging or exits.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__, stages
from .config import DEFAULT_OUT_DIR, DEFAULT_RAW_DIR, RULES_DIR

log = logging.getLogger("vnfacts")


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")


@contextmanager
def _progress(label: str, total: int):
    """A rich progress bar on an interactive terminal; plain log lines otherwise."""
    if not sys.stderr.isatty() or total == 0:
        done = [0]
        step = max(total // 10, 1)

        def advance():
            done[0] += 1
            if done[0] % step == 0 or done[0] == total:
                log.info("%s: %d/%d", label, done[0], total)

        yield advance
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.console import Console

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def stage_options(func):
    """--raw, --out, --rules and --verbose, shared by every stage command."""
    @click.option("--raw", "raw_dir", type=click.Path(file_okay=False, path_type=Path),
                  default=DEFAULT_RAW_DIR, show_default=True, help="Directory of raw page dumps.")
    @click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                  default=DEFAULT_OUT_DIR, show_default=True, help="Directory for the Parquet outputs.")
    @click.option("--rules", "rules_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                  default=RULES_DIR, show_default=True, help="Directory of rule files.")
    @click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
    @functools.wraps(func)
    def wrapper(*args, verbose, **kwargs):
        _setup_logging(verbose)
        started = time.perf_counter()
        try:
            summary = func(*args, **kwargs)
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from exc
        log.info("%s done in %.1fs", func.__name__.removesuffix("_cmd"), time.perf_counter() - started)
        click.echo(json.dumps(summary, ensure_ascii=False))
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vnfacts")
def main():
    """Extract traceable facts (aid, officials, dates, agreements) from Vietnamese news pages.

    Stages, in order: ingest -> tokenize -> extract. Each reads from and writes to --out
    (Parquet tables); `run` runs them all.
    """


@main.command("ingest")
@stage_options
def ingest_cmd(raw_dir: Path, out_dir: Path, rules_dir: Path):
    """Turn page dumps into canonical articles.

    Reads every file under --raw; writes articles.parquet, lines.parquet (every line with
    its zone) and rejects.parquet (files that could not be used, with a reason).
    A summary is printed as JSON on stdout.

    Example:

        vnfacts ingest --raw data/raw --out data/processed
    """
    if not raw_dir.is_dir():
        raise click.BadParameter(f"{raw_dir} is not a directory", param_hint="--raw")
    return {"ingest": stages.run_ingest(raw_dir, out_dir, rules_dir, progress=_progress)}


@main.command("tokenize")
@stage_options
def tokenize_cmd(raw_dir: Path, out_dir: Path, rules_dir: Path):
    """Segment and POS-tag article bodies with underthesea.

    Reads articles.parquet from --out; writes tokens.parquet (one row per word, with
    exact character offsets into the article body).

    Example:

        vnfacts tokenize --out data/processed
    """
    return {"tokenize": stages.run_tokenize(out_dir, progress=_progress)}


@main.command("extract")
@stage_options
def extract_cmd(raw_dir: Path, out_dir: Path, rules_dir: Path):
    """Extract aid events, officials, agreements, dates and mentions with the rules.

    Reads articles.parquet and tokens.parquet from --out and the rule files from --rules;
    writes aid_events, officials, agreements, dates and mentions (.parquet). Every row
    carries char_start/char_end into the article body, its evidence and its rule_id.

    Example:

        vnfacts extract --out data/processed --rules rules
    """
    return {"extract": stages.run_extract(out_dir, rules_dir, progress=_progress)}


@main.command("run")
@stage_options
def run_cmd(raw_dir: Path, out_dir: Path, rules_dir: Path):
    """Run every stage on --raw, writing all tables to --out.

    Example:

        vnfacts run --raw data/raw --out data/processed
    """
    if not raw_dir.is_dir():
        raise click.BadParameter(f"{raw_dir} is not a directory", param_hint="--raw")
    return {
        "ingest": stages.run_ingest(raw_dir, out_dir, rules_dir, progress=_progress),
        "tokenize": stages.run_tokenize(out_dir, progress=_progress),
        "extract": stages.run_extract(out_dir, rules_dir, progress=_progress),
    }


if __name__ == "__main__":
    main()
