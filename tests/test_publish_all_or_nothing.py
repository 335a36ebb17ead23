"""A run's tables are published all together: a run that fails, or is killed before or while publishing, never
leaves the tables of two runs side by side, and readers see one run's tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vnfacts import read_tables
from vnfacts.atomic import PUBLISH_JOURNAL, STAGING_PREFIX
from vnfacts.cli import main

from conftest import RAW_DIR

TABLES = ["articles", "aid_events", "officials", "agreements", "dates", "rejects"]


def _counts(out: Path) -> dict[str, int]:
    return {t: pq.read_metadata(out / f"{t}.parquet").num_rows for t in TABLES}


def _manifest_counts(out: Path) -> dict[str, int]:
    tables = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["tables"]
    return {t: tables[t] for t in TABLES}


@pytest.fixture
def two_runs(tmp_path):
    """An output folder holding a published run of two fixture pages, and a folder of all five to run next."""
    small, large, out = tmp_path / "small", tmp_path / "large", tmp_path / "out"
    small.mkdir()
    large.mkdir()
    for i, page in enumerate(sorted(RAW_DIR.glob("*.txt"))):
        (large / page.name).write_bytes(page.read_bytes())
        if i < 2:
            (small / page.name).write_bytes(page.read_bytes())
    result = CliRunner().invoke(main, ["run", "--raw", str(small), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert _counts(out)["articles"] == 2 == _manifest_counts(out)["articles"]
    return small, large, out


def _cli_run(raw: Path, out: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vnfacts.cli", "run", "--raw", str(raw), "--out", str(out),
                           "--jobs", "1", "--no-cache"], env={**os.environ, **env}, capture_output=True, text=True)


@pytest.mark.slow
def test_a_run_that_fails_before_publishing_leaves_the_last_run_as_it_was(two_runs, monkeypatch):
    _, large, out = two_runs
    before = {p.name: p.read_bytes() for p in out.glob("*.parquet")}
    from vnfacts import engine

    def broken(*args, **kwargs):
        raise OSError("disk full while consolidating")
    monkeypatch.setattr(engine, "consolidate_and_report", broken)
    result = CliRunner().invoke(main, ["run", "--raw", str(large), "--out", str(out), "--jobs", "1", "--no-cache"])
    assert result.exit_code == 1 and "disk full" in result.output
    assert {p.name: p.read_bytes() for p in out.glob("*.parquet")} == before
    assert _manifest_counts(out)["articles"] == 2
    assert not list(out.glob(STAGING_PREFIX + "*"))


@pytest.mark.slow
def test_a_run_killed_while_computing_leaves_the_last_run_and_the_next_command_cleans_up(two_runs):
    _, large, out = two_runs
    killed = _cli_run(large, out, VNFACTS_CRASH_AT_WRITE="3")
    assert killed.returncode != 0
    assert _counts(out) == _manifest_counts(out) and _counts(out)["articles"] == 2
    assert list(out.glob(STAGING_PREFIX + "*")), "the killed run's unpublished tables are still staged"
    assert CliRunner().invoke(main, ["tables", "--out", str(out)]).exit_code == 0
    assert _cli_run(large, out).returncode == 0
    assert not list(out.glob(STAGING_PREFIX + "*"))
    assert _counts(out) == _manifest_counts(out) and _counts(out)["articles"] == 5


@pytest.mark.slow
def test_a_publish_cut_short_is_finished_before_anyone_reads_the_tables(two_runs):
    _, large, out = two_runs
    killed = _cli_run(large, out, VNFACTS_CRASH_AT_PUBLISH="4")
    assert killed.returncode != 0
    journal = json.loads((out / PUBLISH_JOURNAL).read_text(encoding="utf-8"))
    assert (out / journal["staging"]).is_dir()  # some files published, the rest still staged
    tables = read_tables(out, ["articles", "aid_events"])  # the reader finishes the publish first
    assert not (out / PUBLISH_JOURNAL).exists() and not list(out.glob(STAGING_PREFIX + "*"))
    assert len(tables["articles"]) == 5
    assert _counts(out) == _manifest_counts(out)


@pytest.mark.slow
def test_query_also_reads_only_a_finished_publish(two_runs):
    _, large, out = two_runs
    assert _cli_run(large, out, VNFACTS_CRASH_AT_PUBLISH="2").returncode != 0
    result = CliRunner().invoke(main, ["query", "SELECT count(*) AS n FROM articles", "--out", str(out),
                                       "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "5"
    assert _counts(out) == _manifest_counts(out)


def test_a_journal_this_program_did_not_write_moves_nothing(tmp_path):
    from vnfacts.atomic import finish_interrupted_publish

    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (outside / "secret.parquet").write_bytes(b"not yours")
    (out / PUBLISH_JOURNAL).write_text(json.dumps({"staging": "../outside", "files": ["secret.parquet"]}))
    assert finish_interrupted_publish(out) is False
    assert (outside / "secret.parquet").exists() and not (out / "secret.parquet").exists()
    assert not (out / PUBLISH_JOURNAL).exists()
