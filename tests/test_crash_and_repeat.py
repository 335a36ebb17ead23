"""Killed runs, repeat runs, no network: nothing lost, nothing corrupted, same answer twice."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from vnfacts.golden import load_all, row_counts

from conftest import RAW_DIR, ROOT

TABLES = ["articles", "lines", "tokens", "aid_events", "dates", "officials", "agreements", "mentions",
          "aid_events_consolidated", "officials_consolidated", "rejects"]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "vnfacts.cli", *args]


def _raw(tmp_path: Path, copies: int = 4) -> Path:
    """The fixtures, each also in a few variants with other bytes, so a run lasts long enough to kill."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for src in sorted(RAW_DIR.glob("*.txt")):
        data = src.read_bytes()
        for i in range(copies):
            (raw / f"{src.stem}_{i}.txt").write_bytes(data + b"\n" * i)
    return raw


def _tables(out: Path) -> dict:
    return {t: pq.read_table(out / f"{t}.parquet").to_pylist() for t in TABLES}


def _kill_when_writing(args: list[str], out: Path, timeout: float = 120) -> bool:
    """Start the command; SIGKILL it as soon as it has a temporary output file open."""
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if any(out.rglob(".*.tmp")):
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.005)
    proc.wait()
    return False


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reference")
    raw = _raw(tmp)
    out = tmp / "out"
    subprocess.run(_cli("run", "--raw", str(raw), "--out", str(out), "--jobs", "1"), cwd=ROOT, check=True,
                   capture_output=True)
    return raw, _tables(out)


STAGES = {
    "run": lambda raw, out: _cli("run", "--raw", str(raw), "--out", str(out), "--jobs", "2"),
    "ingest": lambda raw, out: _cli("ingest", "--raw", str(raw), "--out", str(out)),
    "tokenize": lambda raw, out: _cli("tokenize", "--out", str(out)),
    "extract": lambda raw, out: _cli("extract", "--out", str(out)),
    "validate": lambda raw, out: _cli("validate", "--raw", str(raw), "--out", str(out)),
}
ORDER = ["ingest", "tokenize", "extract", "validate"]


@pytest.mark.slow
@pytest.mark.parametrize("stage", list(STAGES))
def test_a_run_killed_mid_stage_then_rerun_equals_an_uninterrupted_run(stage, reference, tmp_path):
    raw_ref, expected = reference
    raw = tmp_path / "raw"
    shutil.copytree(raw_ref, raw)
    out = tmp_path / "out"
    before = ORDER[:ORDER.index(stage)] if stage in ORDER else []
    for earlier in before:
        subprocess.run(STAGES[earlier](raw, out), cwd=ROOT, check=True, capture_output=True)
    if stage == "run":  # streaming: its outputs are open for the whole run
        assert _kill_when_writing(STAGES[stage](raw, out), out), "run finished before it could be killed"
    else:  # killed with its first output written to a temporary file, not yet renamed into place
        killed = subprocess.run(STAGES[stage](raw, out), cwd=ROOT, capture_output=True,
                                env={**os.environ, "VNFACTS_CRASH_AT_WRITE": "1"})
        assert killed.returncode == -signal.SIGKILL
        assert list(out.rglob(".*.tmp")), "the killed stage left its half-done output under a temporary name"
    for path in out.glob("*.parquet"):  # whatever is in place is whole
        pq.read_table(path)
    if stage == "run":
        subprocess.run(STAGES["run"](raw, out), cwd=ROOT, check=True, capture_output=True)
    else:
        for again in ORDER[ORDER.index(stage):]:
            subprocess.run(STAGES[again](raw, out), cwd=ROOT, check=True, capture_output=True)
    assert _tables(out) == expected
    assert not list(out.rglob(".*.tmp")), "the rerun removes what the killed run left half-written"


@pytest.mark.slow
def test_two_runs_give_identical_tables(reference, tmp_path):
    raw, expected = reference
    out = tmp_path / "out"
    subprocess.run(_cli("run", "--raw", str(raw), "--out", str(out), "--jobs", "2", "--no-cache"), cwd=ROOT,
                   check=True, capture_output=True)
    assert _tables(out) == expected


NO_NETWORK = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network access attempted during a vnfacts run")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from vnfacts.cli import main
sys.argv = ["vnfacts"] + sys.argv[1:]
main()
"""


@pytest.mark.slow
def test_the_pipeline_opens_no_network_connection(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-c", NO_NETWORK, "run", "--raw", str(RAW_DIR), "--out", str(out),
                             "--jobs", "1"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "network access attempted" not in result.stderr
    assert len(pq.read_table(out / "aid_events.parquet")) == row_counts(load_all())["aid_events"]
    report = subprocess.run([sys.executable, "-c", NO_NETWORK, "report", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True)
    assert report.returncode == 0, report.stderr[-2000:]


def test_under_the_lock_only_our_temporaries_are_removed(tmp_path):
    from vnfacts.atomic import output_lock, remove_stale_temporaries

    user = tmp_path / "notes"
    user.mkdir()
    (user / ".draft.tmp").write_text("mine", encoding="utf-8")
    (tmp_path / ".plan.tmp").write_text("mine too", encoding="utf-8")
    ours = [tmp_path / ".articles.parquet.vnfacts-4242-abc.tmp",
            tmp_path / "candidates" / ".dates.parquet.vnfacts-7-x.tmp"]
    ours[1].parent.mkdir()
    for path in ours:
        path.write_bytes(b"left by a killed command")
    with output_lock(tmp_path):
        assert remove_stale_temporaries(tmp_path) == 2
    assert not any(p.exists() for p in ours)
    assert (user / ".draft.tmp").exists() and (tmp_path / ".plan.tmp").exists()
