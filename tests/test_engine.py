"""`vnfacts run`: the same tables as the stages one by one, whatever the number of
workers or the batch size; caches that make repeat runs cheap."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vnfacts.cli import main
from vnfacts.config import RULES_DIR
from vnfacts.config import CACHE_DIR
from vnfacts.engine import run_pipeline
from vnfacts.golden import row_counts

from conftest import FUTURE_PAGE, RAW_DIR  # its dates are rejected: rejects are compared too
from conftest import golden_documents

TABLES = ["articles", "lines", "tokens", "aid_events", "dates", "officials", "agreements", "mentions",
          "aid_events_consolidated", "officials_consolidated", "rejects", "candidates/aid_events",
          "candidates/mentions"]

GOLDEN_DOCS = golden_documents()
FIXTURES = len(GOLDEN_DOCS)  # one golden document per fixture article


def _raw_copy(tmp_path, extra: dict[str, bytes] | None = None):
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw, ignore=shutil.ignore_patterns(".*"))
    for name, data in (extra or {}).items():
        (raw / name).write_bytes(data)
    return raw


def _tables(out):
    return {t: pq.read_table(out / f"{t}.parquet").to_pylist() for t in TABLES}


def _cache_files(out, kind):
    return sorted(p.name for p in (out / CACHE_DIR / kind).rglob("*.json"))


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("staged")
    raw = _raw_copy(tmp, {"empty.txt": b"", "copy.txt": (RAW_DIR / "003_7b0da2fc71653c30.txt").read_bytes(),
                          "future.txt": FUTURE_PAGE.encode()})
    out = tmp / "out"
    for command in (["ingest", "--raw", str(raw)], ["tokenize"], ["extract"], ["validate", "--raw", str(raw)]):
        result = CliRunner().invoke(main, command + ["--out", str(out)])
        assert result.exit_code == 0, result.output
    return raw, _tables(out)


@pytest.mark.slow
@pytest.mark.parametrize("jobs,batch", [(1, 200), (2, 1)])
def test_run_equals_the_stages_one_by_one(staged, tmp_path, jobs, batch):
    raw, expected = staged
    out = tmp_path / "out"
    summary = run_pipeline(raw, out, jobs=jobs, batch_size=batch)
    # the fixtures, plus empty.txt and copy.txt (both rejected) and future.txt (an article)
    assert summary["files"] == FIXTURES + 3 and summary["articles"] == FIXTURES + 1
    assert summary["rejected_files"] == 2
    got = _tables(out)
    assert {(r["table"], r["check"]) for r in got["rejects"] if r["stage"] == "validate"} == \
        {("aid_events", "date_plausible"), ("dates", "date_plausible")}
    for name in TABLES:
        assert got[name] == expected[name], f"{name} differs with jobs={jobs}, batch={batch}"


@pytest.mark.slow
def test_the_cli_run_reports_and_exports(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--raw", str(RAW_DIR), "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    rows = sum(row_counts(GOLDEN_DOCS).values())
    assert f"input rows {rows} = published {rows} + rejected 0" in result.stderr
    meta = pq.read_schema(out / "aid_events.parquet").metadata
    assert meta[b"rules_sha256"] and (out / "manifest.json").exists()


@pytest.mark.slow
def test_unchanged_files_come_from_the_cache_and_a_changed_one_is_redone(tmp_path):
    raw = _raw_copy(tmp_path)
    out = tmp_path / "out"
    run_pipeline(raw, out, jobs=1)
    results, tokens = _cache_files(out, "results"), _cache_files(out, "tokens")
    assert len(results) == FIXTURES and len(tokens) == FIXTURES
    first = _tables(out)
    run_pipeline(raw, out, jobs=1)
    assert _cache_files(out, "results") == results and _tables(out) == first
    page = raw / "004_aa49084023db9e52.txt"
    page.write_bytes(page.read_bytes() + b"\nTin khac\n")  # furniture only: the body does not change
    run_pipeline(raw, out, jobs=1)
    assert len(_cache_files(out, "results")) == FIXTURES + 1  # one new result: that file only
    assert _cache_files(out, "tokens") == tokens  # same body, same tokens


@pytest.mark.slow
def test_a_rule_change_reruns_extraction_but_not_tokenization(tmp_path):
    raw = _raw_copy(tmp_path)
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    out = tmp_path / "out"
    run_pipeline(raw, out, rules, jobs=1)
    tokens = _cache_files(out, "tokens")
    aid = rules / "aid" / "vi" / "aid.yaml"
    aid.write_text(aid.read_text(encoding="utf-8").replace("give_verbs: [", "give_verbs: [biếu, "), encoding="utf-8")
    run_pipeline(raw, out, rules, jobs=1)
    assert len(_cache_files(out, "results")) == 2 * FIXTURES  # every file extracted again
    assert _cache_files(out, "tokens") == tokens  # no body tokenized again


def test_no_cache_writes_no_cache(tmp_path):
    out = tmp_path / "out"
    run_pipeline(_raw_copy(tmp_path), out, jobs=1, use_cache=False)
    assert not (out / CACHE_DIR).exists()


def test_rows_that_break_a_table_schema_become_rejects_at_the_batch(extracted):
    from vnfacts.engine import _flush
    from vnfacts.schema import EXTRACT_TABLES
    from vnfacts.validate import table_schemas

    class Buffer:
        def __init__(self, rows):
            self.buffer, self.flushed = rows, []

        def flush(self, keep_going=False):
            if self.buffer:
                self.flushed, self.buffer = self.buffer, []
            return []

    rows = [dict(r) for r in extracted["000_f22b6e4c1b01d16e.txt"]["aid_events"]]
    rows[2]["flow"] = "gift"
    writers = {t.name: Buffer(rows if t.name == "aid_events" else []) for t in EXTRACT_TABLES}
    report = {t.name: {"checked": 0, "passed": len(rows) if t.name == "aid_events" else 0, "rejected": 0,
                       "by_check": {}} for t in EXTRACT_TABLES}
    rejects = []
    _flush(writers, table_schemas(), {rows[0]["article_id"]: "000.txt"}, rejects, report)
    assert [(r["table"], r["check"], r["source_file"]) for r in rejects] == [("aid_events", "schema.flow", "000.txt")]
    assert len(writers["aid_events"].flushed) == len(rows) - 1
    assert report["aid_events"]["rejected"] == 1 and report["aid_events"]["by_check"] == {"schema.flow": 1}


@pytest.mark.slow
def test_workers_end_when_the_run_is_terminated(tmp_path):
    """SIGTERM to `vnfacts run --jobs 2` leaves no worker behind."""
    import signal
    import subprocess
    import sys
    import time

    raw = tmp_path / "raw"
    raw.mkdir()
    body = "Hà Nội hỗ trợ Viêng Chăn 40.000 USD để phòng chống dịch bệnh trong năm nay tại các địa phương.\n"
    for n in range(400):
        (raw / f"{n:04d}.txt").write_text(f"Tin số {n}\n\n" + body * 30, encoding="utf-8")
    run = subprocess.Popen([sys.executable, "-m", "vnfacts.cli", "run", "--raw", str(raw), "--out",
                            str(tmp_path / "out"), "--jobs", "2"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    children: list[int] = []
    for _ in range(100):  # wait for the pool
        time.sleep(0.1)
        children = _children_of(run.pid)
        if len(children) >= 2:
            break
    assert len(children) >= 2, "the pool did not start"
    run.send_signal(signal.SIGTERM)
    run.wait(timeout=30)
    deadline = time.time() + 10
    alive = children
    while alive and time.time() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in children if _running(pid)]
    assert alive == [], f"workers {alive} outlived the run"


def _children_of(parent: int) -> list[int]:
    """Process ids whose parent is ``parent``, read from /proc (no pgrep needed)."""
    from pathlib import Path

    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[-1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return children


def _running(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie has exited
        return fh.read().split(") ")[-1][0] != "Z"


def test_a_row_the_schema_cannot_hold_is_rejected_alone_and_the_batch_is_written(tmp_path):
    from contextlib import ExitStack

    import pyarrow.parquet as pq

    from vnfacts.engine import StreamingTable, _flush
    from vnfacts.schema import EXTRACT_TABLES
    from vnfacts.validate import table_schemas

    good = {"article_id": "a1", "label": "PLACE", "text": "Hà Nội", "normalized": "Hà Nội", "char_start": 0,
            "char_end": 6, "rule_id": "entities.places.vi", "evidence": "Hà Nội"}
    bad = {**good, "char_start": "not a number"}  # a value no check foresaw
    report = {t.name: {"checked": 0, "passed": 2, "rejected": 0, "by_check": {}} for t in EXTRACT_TABLES}
    rejects: list[dict] = []
    with ExitStack() as stack:
        writers = {t.name: StreamingTable(t, tmp_path / t.filename, None, stack) for t in EXTRACT_TABLES}
        writers["mentions"].add([good, bad])
        _flush(writers, table_schemas(), {"a1": "page.txt"}, rejects, report)
    assert pq.read_table(tmp_path / "mentions.parquet").to_pylist() == [good]
    assert [r["check"] for r in rejects] and report["mentions"]["rejected"] == 1


def _outputs(out):
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*")
            if p.is_file() and ".cache" not in p.parts}


@pytest.mark.slow
def test_a_run_with_nothing_changed_does_nothing_and_says_so(tmp_path, caplog):
    raw = _raw_copy(tmp_path)
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(main, ["run", "--raw", str(raw), "--out", str(out), "--jobs", "1"])
    assert first.exit_code == 0, first.output
    written = _outputs(out)
    caplog.clear()
    with caplog.at_level("INFO", logger="vnfacts"):
        again = runner.invoke(main, ["run", "--raw", str(raw), "--out", str(out), "--jobs", "1"])
    assert again.exit_code == 0, again.output
    assert "nothing changed since the last run" in caplog.text
    assert _outputs(out) == written  # not a byte rewritten
    assert json.loads(again.stdout.splitlines()[-1]) == json.loads(first.stdout.splitlines()[-1])  # same summary


@pytest.mark.parametrize("change", ["input edited", "input added", "table deleted", "table edited",
                                    "rules changed", "no cache"])
@pytest.mark.slow
def test_a_run_after_any_change_runs_again(tmp_path, change, caplog):
    raw = _raw_copy(tmp_path)
    out = tmp_path / "out"
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    args = ["run", "--raw", str(raw), "--out", str(out), "--jobs", "1", "--rules", str(rules)]
    assert CliRunner().invoke(main, args).exit_code == 0
    expected = _tables(out)
    written = (out / "dates.parquet").stat().st_mtime_ns
    first = sorted(raw.glob("*.txt"))[0]
    if change == "input edited":
        first.write_bytes(first.read_bytes() + b"\n")
    elif change == "input added":
        (raw / "empty.txt").write_bytes(b"")
    elif change == "table deleted":
        (out / "aid_events.parquet").unlink()
    elif change == "table edited":
        (out / "officials.parquet").write_bytes((out / "officials.parquet").read_bytes())
    elif change == "rules changed":
        aid = rules / "aid" / "vi" / "aid.yaml"
        aid.write_text(aid.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    else:
        args.append("--no-cache")
    caplog.clear()
    with caplog.at_level("INFO", logger="vnfacts"):
        again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "nothing changed" not in caplog.text
    assert (out / "dates.parquet").stat().st_mtime_ns != written  # written again
    rerun = _tables(out)
    if change.startswith("input"):
        assert rerun != expected  # an edited page is another article; an empty file is a reject
    else:
        assert rerun == expected


def test_the_pool_keeps_a_fixed_window_of_files_ahead_of_the_writer(monkeypatch):
    """However far the workers get ahead, the files submitted but not yet written stay within a window of a few
    per worker (memory stays flat with the corpus), and results come back in file order."""
    from concurrent.futures import Future

    from vnfacts import engine

    outstanding, most = [0], [0]

    class Recording(Future):
        def result(self, timeout=None):
            outstanding[0] -= 1
            return super().result(timeout)

    class InstantPool:  # runs each task at once: the workers always outrun the writer
        def __init__(self, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def submit(self, fn, job):
            future = Recording()
            future.set_result(fn(job))
            outstanding[0] += 1
            most[0] = max(most[0], outstanding[0])
            return future

    monkeypatch.setattr(engine, "ProcessPoolExecutor", InstantPool)
    monkeypatch.setattr(engine, "process_page", lambda job: job)
    jobs = list(range(100))
    assert list(engine._results(jobs, workers=2)) == jobs
    assert most[0] == engine.IN_FLIGHT_PER_WORKER * 2
