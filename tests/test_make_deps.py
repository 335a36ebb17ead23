"""`make` re-runs a stage when code or rules it read change, and only then: each stage command writes what it read
(OUT/.make/<stage>.mk) and the Makefile includes it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vnfacts.make_deps import imported_modules, make_fragment, static_closure

from conftest import RAW_DIR

ROOT = Path(__file__).resolve().parent.parent


def listed(mk: Path) -> set[str]:
    return {w.strip("\\\t ") for w in mk.read_text(encoding="utf-8").split() if "/" in w}


def test_imports_in_functions_count_and_relative_forms_resolve():
    # page.py imports its stages inside functions, as ``from . import tokenize`` and ``from .extractors import …``
    page = imported_modules("vnfacts.page")
    assert {"vnfacts.cache", "vnfacts.tokenize", "vnfacts.ingest"} <= page
    closure = static_closure(["vnfacts.page"])
    assert {"vnfacts.extractors.aid", "vnfacts.validate", "vnfacts.numbers"} <= closure
    # what only other commands use is not code a page runs
    assert not {"vnfacts.query", "vnfacts.evaluate", "vnfacts.report", "vnfacts.cli"} & closure


def test_a_fragment_escapes_what_make_would_split():
    text = make_fragment("ingest", [Path("/data/my rules/aid #1.yaml")])
    assert "ingest_READS := \\" in text
    assert r"/data/my\ rules/aid\ \#1.yaml" in text


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """ingest and tokenize run as a user runs them, each in its own process, on two fixture pages."""
    base = tmp_path_factory.mktemp("make")
    raw, out = base / "raw", base / "out"
    raw.mkdir()
    for f in sorted(RAW_DIR.glob("*.txt"))[:2]:
        shutil.copy(f, raw / f.name)
    for args in (["ingest", "--raw", str(raw)], ["tokenize"]):
        subprocess.run([sys.executable, "-m", "vnfacts", *args, "--out", str(out)], check=True, cwd=ROOT,
                       capture_output=True)
    return raw, out


@pytest.mark.slow
def test_each_stage_lists_the_code_it_ran_and_the_rules_it_read(staged):
    _, out = staged
    ingest, tokenize = listed(out / ".make" / "ingest.mk"), listed(out / ".make" / "tokenize.mk")
    assert {"pipeline/ingest.py", "pipeline/zoning.py", "rules/zones/vi/page.yaml"} <= ingest
    assert "pipeline/tokenize.py" in tokenize
    assert not any(p.startswith("rules/") for p in tokenize), "tokenize reads no rule file"
    assert not {"pipeline/zoning.py", "pipeline/html_page.py"} & tokenize, "tokenize reads no page"
    for paths in (ingest, tokenize):
        assert not {"README.md", "pipeline/report.py", "pipeline/query.py"} & paths
        assert all((ROOT / p).exists() for p in paths)


def make_q(target: str, raw: Path, out: Path) -> int:
    """``make -q``: 0 when the target is up to date, 1 when its recipe would run."""
    installed = Path(sys.prefix) / "pyvenv.cfg"  # an existing file: the set-up step counts as done
    env = {**os.environ, "MAKEFLAGS": ""}
    return subprocess.run(["make", "-q", "-f", str(ROOT / "Makefile"), target, f"RAW={raw}", f"OUT={out}",
                           f"INSTALLED={installed}", f"VNFACTS={sys.executable} -m vnfacts"],
                          cwd=ROOT, env=env, capture_output=True).returncode


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_reruns_a_stage_when_a_file_it_read_changes_and_not_otherwise(staged, tmp_path):
    raw, out = staged
    tokens = out / "tokens.parquet"
    assert make_q(str(tokens), raw, out) == 0, "nothing changed since the stages ran"
    # a stand-in for a module tokenize reads: the list is the stage's, so make follows whatever it names
    module = tmp_path / "module.py"
    module.write_text("x = 1\n")
    earlier = tokens.stat().st_mtime - 60
    os.utime(module, (earlier, earlier))
    mk = out / ".make" / "tokenize.mk"
    saved = mk.read_text(encoding="utf-8")
    try:
        mk.write_text(re.sub(r"(tokenize_READS := \\\n)", rf"\1\t{module} \\\n", saved), encoding="utf-8")
        assert make_q(str(tokens), raw, out) == 0, "a file older than the stage's output changes nothing"
        later = time.time() + 5
        os.utime(module, (later, later))
        assert make_q(str(tokens), raw, out) == 1, "a file the stage read is newer than its output"
        assert make_q(str(out / "articles.parquet"), raw, out) == 0, "the stage before it is not re-run"
    finally:
        mk.write_text(saved, encoding="utf-8")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_a_stage_that_has_not_said_what_it_reads_always_runs(staged, tmp_path):
    raw, out = staged
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    shutil.rmtree(copy / ".make")
    assert make_q(str(copy / "tokens.parquet"), raw, copy) == 1
