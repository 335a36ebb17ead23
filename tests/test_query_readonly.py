"""`vnfacts query` only reads: one SELECT, no write hidden in EXPLAIN ANALYZE or a WITH, nothing run from a table's
file name, a broken table left out, Ctrl-C and --timeout stop a query, and big text results stream."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vnfacts.cli import main

from test_cli import run_output  # noqa: F401  (the published tables of a run on the fixtures)

SLOW_SQL = "SELECT sum(a.range) FROM range(1000000000000) a"  # a sum reads every row (count(*) of a range does not)
HOSTILE_NAMES = [
    """x" AS SELECT 1; COPY (SELECT 1) TO 'pwned.csv'; --.parquet""",
    """y') ; COPY (SELECT 1) TO 'pwned.csv'; --.parquet""",
    "1starts_with_a_digit.parquet",
]


@pytest.fixture
def out(run_output, tmp_path):  # noqa: F811
    """A copy of the run's published tables, for a test to spoil."""
    _, published, result = run_output
    assert result.exit_code == 0, result.output
    copy = tmp_path / "out"
    copy.mkdir()
    for table in published.glob("*.parquet"):
        shutil.copy(table, copy / table.name)
    return copy


def query(out, sql, *options):
    return CliRunner().invoke(main, ["query", sql, "--out", str(out), *options])


def snapshot(directory) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


# ---------------------------------------------------------------- only one read runs

@pytest.mark.parametrize("allow_external", [False, True])
@pytest.mark.parametrize("sql", [
    "EXPLAIN ANALYZE COPY (SELECT 1 AS x) TO '{target}' (FORMAT parquet)",
    "EXPLAIN ANALYZE COPY (SELECT 1 AS x) TO '{target}' (FORMAT parquet, USE_TMP_FILE false)",
    "explain analyse copy (select 1 as x) to '{target}' (format parquet)",
    "/* plan */ EXPLAIN (ANALYZE) COPY (SELECT 1 AS x) TO '{target}' (FORMAT parquet)",
    "EXPLAIN (FORMAT json, ANALYZE false) COPY (SELECT 1 AS x) TO '{target}' (FORMAT parquet)",
    "EXPLAIN /* ANALYZE comes next */ ANALYZE SELECT * FROM articles",
    "WITH w AS (COPY (SELECT 1 AS x) TO '{target}' (FORMAT parquet)) SELECT 1",
    "WITH d AS (DELETE FROM articles RETURNING *) SELECT count(*) FROM d",
])
def test_a_write_inside_explain_analyze_or_a_with_is_refused(out, sql, allow_external):
    target = (out / "articles.parquet").as_posix()
    before = snapshot(out)
    result = query(out, sql.format(target=target), *(["--allow-external"] if allow_external else []))
    assert result.exit_code == 1 and "[Q001] only SELECT queries run here" in result.output, result.output
    assert snapshot(out) == before


@pytest.mark.parametrize("allow_external", [False, True])
@pytest.mark.parametrize("sql", [
    "SELECT 1; COPY articles TO '{cwd}/stolen.csv'",
    "SELECT 1; SELECT 2",
    "/* nothing but a comment */",
    "EXPLAIN COPY articles TO '{cwd}/stolen.csv'",
    "COPY articles TO '{cwd}/stolen.csv'",
    "EXPORT DATABASE '{cwd}/exported'",
    "ATTACH '{cwd}/other.db'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET threads = 1",
    "CREATE TABLE x AS SELECT 1",
    "PRAGMA enable_profiling",
])
def test_anything_but_one_read_is_refused_with_or_without_allow_external(out, sql, allow_external, tmp_path,
                                                                          monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    before = snapshot(out)
    result = query(out, sql.format(cwd=cwd.as_posix()), *(["--allow-external"] if allow_external else []))
    assert result.exit_code == 1 and "[Q001]" in result.output, result.output
    assert snapshot(out) == before and not list(cwd.iterdir())


@pytest.mark.parametrize("sql", [
    "EXPLAIN SELECT count(*) FROM articles",
    "EXPLAIN (FORMAT json) SELECT * FROM aid_events",
    "SELECT 'analyze' AS word, count(*) FROM articles",
    "WITH n AS (SELECT count(*) AS c FROM articles) SELECT c FROM n",
    "DESCRIBE articles",
])
def test_reads_still_run(out, sql):
    result = query(out, sql, "--format", "csv")
    assert result.exit_code == 0, result.output


def test_allow_external_reads_another_file_but_writes_nothing(out, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a\n1\n2\n", encoding="utf-8")
    read = query(out, f"SELECT sum(a) AS s FROM read_csv('{other.as_posix()}')", "--allow-external", "--format", "csv")
    assert read.exit_code == 0 and read.stdout == "s\n3\n"
    copy = query(out, f"EXPLAIN ANALYZE COPY (SELECT 1) TO '{tmp_path.as_posix()}/written.csv'", "--allow-external")
    assert copy.exit_code == 1 and not (tmp_path / "written.csv").exists()


# ---------------------------------------------------------------- the tables offered

@pytest.mark.parametrize("allow_external", [False, True])
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_file_name_holding_sql_runs_nothing_and_the_other_tables_query(out, name, allow_external, tmp_path,
                                                                         monkeypatch):
    (out / name).write_bytes((out / "articles.parquet").read_bytes())
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    temp_before = set(os.listdir(tempfile.gettempdir()))
    articles = pq.read_metadata(out / "articles.parquet").num_rows
    result = query(out, "SELECT count(*) AS n FROM articles", "--format", "csv",
                   *(["--allow-external"] if allow_external else []))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"n\n{articles}\n"
    [warning] = result.stderr.splitlines()
    assert warning.startswith("warning: [Q002]") and repr(name) in warning
    listed = CliRunner().invoke(main, ["tables", "--out", str(out)])
    assert listed.exit_code == 0 and repr(name) in listed.stderr
    assert {line.split()[0] for line in listed.stdout.splitlines()} == {p.stem for p in out.glob("*.parquet")} - {
        name.removesuffix(".parquet")}
    assert not list(cwd.iterdir()) and not list(tmp_path.rglob("pwned*")) and not list(out.parent.rglob("pwned*"))
    assert not {n for n in set(os.listdir(tempfile.gettempdir())) - temp_before if "pwned" in n}


@pytest.mark.parametrize("spoiled", ["broken.parquet", "articles.parquet"])
def test_a_truncated_table_is_left_out_with_one_warning_and_the_others_query(out, spoiled):
    whole = (out / "aid_events.parquet").read_bytes()
    (out / spoiled).write_bytes(whole[: len(whole) // 2])
    events = pq.read_metadata(out / "aid_events.parquet").num_rows
    result = query(out, "SELECT count(*) AS n FROM aid_events", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"n\n{events}\n"
    [warning] = result.stderr.splitlines()
    assert warning.startswith("warning: [Q003]") and repr(spoiled) in warning
    missing = query(out, f"SELECT * FROM {spoiled.removesuffix('.parquet')}")
    assert missing.exit_code == 1 and "query failed" in missing.output
    listed = CliRunner().invoke(main, ["tables", "--out", str(out)])
    assert listed.exit_code == 0
    [warning] = listed.stderr.splitlines()
    assert warning.startswith("warning: [Q003]") and repr(spoiled) in warning
    counts = {line.split()[0]: int(line.split()[1]) for line in listed.stdout.splitlines()}
    assert counts == {p.stem: pq.read_metadata(p).num_rows for p in out.glob("*.parquet") if p.name != spoiled}


# ---------------------------------------------------------------- stopping a query

@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["table", "csv", "parquet"])
def test_timeout_stops_a_slow_query(out, fmt, tmp_path):
    target = tmp_path / "result.out"
    started = time.monotonic()
    result = query(out, SLOW_SQL, "--timeout", "1", "--format", fmt, "--output", str(target))
    assert time.monotonic() - started < 10
    assert result.exit_code == 1 and "[Q005] query took longer than 1 s" in result.output, result.output
    assert not target.exists() and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_ctrl_c_stops_a_query_and_gives_the_handler_back(out):
    original = signal.getsignal(signal.SIGINT)
    finished = threading.Event()

    def press_ctrl_c_while_it_runs():
        deadline = time.monotonic() + 20
        while signal.getsignal(signal.SIGINT) is original and not finished.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        if not finished.is_set() and signal.getsignal(signal.SIGINT) is not original:
            os.kill(os.getpid(), signal.SIGINT)

    presser = threading.Thread(target=press_ctrl_c_while_it_runs)
    presser.start()
    started = time.monotonic()
    try:
        result = query(out, SLOW_SQL, "--format", "csv", "--timeout", "60")
    finally:
        finished.set()
        presser.join()
    assert time.monotonic() - started < 15
    assert result.exit_code == 1 and "[Q004] query interrupted" in result.output, result.output
    assert signal.getsignal(signal.SIGINT) is original


# ---------------------------------------------------------------- streaming

def peak_memory_mib(*arguments: str) -> tuple[int, int]:
    """The exit code and the peak resident memory (MiB) of `vnfacts ARGUMENTS`, run in a process of its own."""
    probe = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
             "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    run = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "vnfacts", *arguments],
                         capture_output=True, text=True, check=True)
    code, peak = run.stdout.split()
    return int(code), int(peak) // (1024 if sys.platform != "darwin" else 2**20)


@pytest.mark.slow
def test_a_large_csv_streams_in_flat_memory(out, tmp_path):
    target = tmp_path / "range.csv"
    small = peak_memory_mib("query", "SELECT 1", "--out", str(out), "--format", "csv", "--output", str(target))
    large = peak_memory_mib("query", "SELECT * FROM range(2000000)", "--out", str(out), "--format", "csv",
                            "--output", str(target))
    assert small[0] == large[0] == 0
    with target.open(encoding="utf-8") as lines:
        assert next(lines) == "range\n" and next(lines) == "0\n"
        assert 2 + sum(1 for _ in lines) == 1 + 2_000_000
    assert large[1] - small[1] < 100, f"{large[1]} MiB at most for 2 million rows, {small[1]} MiB for one"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "ndjson"])
def test_streamed_text_is_the_text_of_the_whole_result(out, fmt):
    from vnfacts.query import format_result, run_query

    sql = "SELECT * FROM officials ORDER BY ALL"
    whole = run_query(sql, out)
    streamed = query(out, sql, "--format", fmt)
    assert streamed.exit_code == 0, streamed.output
    assert streamed.stdout == format_result(whole.columns, whole.rows, fmt)
