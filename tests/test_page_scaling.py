"""A long page costs in proportion to its size; a page that takes too long is left as a reject; the stage commands
read the pages as `run` does."""

from __future__ import annotations

import random
import re
import shutil
import signal
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vnfacts import page as page_mod
from vnfacts.cli import main
from vnfacts.config import RULES_DIR
from vnfacts.dates import _Candidate, _longest_non_overlapping
from vnfacts.engine import run_pipeline
from vnfacts.extractors.article import extract_text
from vnfacts.extractors.officials import whole_word_counts
from vnfacts.extractors.sentence import Sentence
from vnfacts.schema import ARTICLES, REJECTS, read_rows
from vnfacts.validate import ArticleContext, _names_abbreviation

from conftest import RAW_DIR

ARTICLES_DIR = Path(__file__).parent / "gold" / "dev" / "articles"
SENTENCE_END = re.compile(r"(?<=[^\s.!?…])([.!?…])(?=\s|$)")


def prose(paragraphs: int) -> str:
    """Real paragraphs one after another, each repeat's sentences made new by its number."""
    lines = [line.strip() for path in sorted(ARTICLES_DIR.glob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("# ")]
    out = [SENTENCE_END.sub(lambda m: f" (bản {n // len(lines)}){m.group(1)}", lines[n % len(lines)])
           for n in range(paragraphs)]
    return "\n".join(out)


@pytest.mark.slow
def test_the_label_matches_a_page_examines_grow_with_the_page_not_with_its_square(monkeypatch):
    examined = [0]
    of = Sentence.of

    def counted(self, label):
        examined[0] += len(self.matches.get(label, []))
        return of(self, label)

    monkeypatch.setattr(Sentence, "of", counted)
    work = {}
    # pages of 50 and 200 paragraphs: the first 25 of the gold's paragraphs hold few of its names and titles, and
    # a sentence without a title is not parsed for officials, so a smaller page would understate the work per line
    for paragraphs in (50, 200):
        examined[0] = 0
        extract_text(prose(paragraphs))
        work[paragraphs] = examined[0]
    assert work[50] > 0
    assert work[200] <= 5 * work[50], work  # every sentence filtering every match of the page: about 16 times


def test_whole_word_counts_are_those_of_one_search_per_name():
    body = "An An An, Văn An và Nguyễn Văn An; AnAn (An) J. Smith, J. Smith's; -An- Ân An\nAn"
    names = ["An", "An An", "Văn An", "Nguyễn Văn An", "J. Smith", "J.", ".An", "Ân", "Smith's", "Bình"]
    assert whole_word_counts(names, body) == {
        n: len(re.findall(rf"(?<!\w){re.escape(n)}(?!\w)", body)) for n in names}


def test_an_abbreviation_is_found_as_a_search_of_the_body_finds_it():
    body = "Ngân hàng Xuất nhập khẩu Trung Quốc (China Eximbank) và (( Quỹ (A) (B (C) )D) Mỹ (Mỹ) ()"
    for name, text in [("Ngân hàng Xuất nhập khẩu Trung Quốc", "China Eximbank"), ("Trung Quốc", "China Eximbank"),
                       ("Quốc", "Eximbank"), ("Quỹ", "A"), ("Mỹ", "Mỹ"), ("", ""), ("(", "A"), ("B", "C"),
                       ("(B", "C"), ("x", "A) (B"), ("và", "( Quỹ (A"), ("Quỹ (A)", "B (C")]:
        assert _names_abbreviation(body, name, text) == (f"{name} ({text})" in body), (name, text)


def test_a_span_is_inside_one_line_exactly_when_a_scan_of_the_lines_says_so():
    rng = random.Random(7)
    lines = [(a, a + rng.randint(1, 30)) for a in (rng.randint(0, 400) for _ in range(40))]
    ctx = ArticleContext({"body": ""}, lines, None, None)
    for _ in range(2000):
        start = rng.randint(-5, 450)
        end = start + rng.randint(1, 40)
        assert ctx.in_one_line(start, end) == any(a <= start and end <= b for a, b in lines), (start, end)


def test_the_dates_kept_are_those_a_check_against_every_date_taken_keeps():
    def pairwise(candidates):
        taken = []
        for cand in sorted(candidates, key=lambda c: (c.start - c.end, c.start, c.priority)):
            if all(cand.end <= t.start or cand.start >= t.end for t in taken):
                taken.append(cand)
        return sorted(taken, key=lambda c: c.start)

    rng = random.Random(11)
    for _ in range(500):
        starts = [rng.randint(0, 60) for _ in range(rng.randint(0, 25))]
        candidates = [_Candidate(a, a + rng.randint(0, 12), None, "r", rng.randint(0, 3)) for a in starts]
        assert _longest_non_overlapping(candidates) == pairwise(candidates)


# ---------------------------------------------------------------- the time budget

def _two_pages(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW_DIR / "000_f22b6e4c1b01d16e.txt", raw / "fast.txt")
    shutil.copy(RAW_DIR / "001_dcb2878248db2b41.txt", raw / "slow.txt")
    return raw


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_page_over_its_time_budget_is_a_too_slow_reject_and_the_run_goes_on(tmp_path, monkeypatch, jobs):
    raw = _two_pages(tmp_path)
    page_mod.process_raw((raw / "fast.txt").read_bytes(), "fast.txt", str(RULES_DIR))  # models loaded before
    process = page_mod._process

    def stalls_on_slow(raw_bytes, source_file, *args, **kwargs):
        if source_file == "slow.txt":
            time.sleep(600)
        return process(raw_bytes, source_file, *args, **kwargs)

    monkeypatch.setattr(page_mod, "_process", stalls_on_slow)  # forked workers inherit it
    out = tmp_path / "out"
    handler = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    summary = run_pipeline(raw, out, jobs=jobs, use_cache=False, page_timeout=5)
    assert time.monotonic() - started < 120
    rejects = read_rows(REJECTS, out)
    assert [(r["source_file"], r["reason"]) for r in rejects] == [("slow.txt", "too_slow")]
    assert "slow.txt" in rejects[0]["detail"] and "5 s" in rejects[0]["detail"]
    assert [a["source_file"] for a in read_rows(ARTICLES, out)] == ["fast.txt"]
    assert summary["rejected_files"] == 1 and summary["validation"]["rows_passed"] > 0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no timer left behind
    assert signal.getsignal(signal.SIGALRM) is handler


@pytest.mark.parametrize("args, env, seconds", [([], None, 30.0), (["--page-timeout", "2.5"], None, 2.5),
                                                 ([], "7", 7.0), (["--page-timeout", "0"], None, 0.0)])
def test_the_time_budget_is_an_option_of_run_or_an_environment_variable(tmp_path, monkeypatch, args, env, seconds):
    help_text = CliRunner().invoke(main, ["run", "--help"]).output
    assert "--page-timeout" in help_text and "VNFACTS_PAGE_TIMEOUT" in help_text and "too_slow" in help_text
    given = {}

    def run_and_export(*args, page_timeout, **kwargs):
        given["page_timeout"] = page_timeout
        raise SystemExit(0)

    monkeypatch.setattr("vnfacts.engine.run_and_export", run_and_export)
    if env is not None:
        monkeypatch.setenv("VNFACTS_PAGE_TIMEOUT", env)
    else:
        monkeypatch.delenv("VNFACTS_PAGE_TIMEOUT", raising=False)
    raw = _two_pages(tmp_path)
    CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(tmp_path / "out"), *args])
    assert given == {"page_timeout": seconds}


# ---------------------------------------------------------------- the stage commands read as run does

def test_validate_follows_no_link_that_replaced_a_page(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    page = raw / "000_f22b6e4c1b01d16e.txt"
    shutil.copy(RAW_DIR / page.name, page)
    out = tmp_path / "out"
    runner = CliRunner()
    for command in (["ingest", "--raw", str(raw)], ["tokenize"], ["extract"]):
        assert runner.invoke(main, [*command, "--out", str(out)]).exit_code == 0
    outside = tmp_path / "secret.txt"
    outside.write_text("hunter2 " * 100_000, encoding="utf-8")  # larger than the page: any span of it is read
    page.unlink()
    page.symlink_to(outside)
    result = runner.invoke(main, ["validate", "--raw", str(raw), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    rejects = read_rows(REJECTS, out)
    assert {(r["source_file"], r["stage"], r["reason"]) for r in rejects if r["table"] is None} == \
        {(page.name, "validate", "symlink")}
    assert not any("hunter2" in str(value) for r in rejects for value in r.values())
    for path in out.rglob("*"):
        if path.is_file():
            assert b"hunter2" not in path.read_bytes(), path
            if path.suffix == ".parquet":
                assert "hunter2" not in str(pq.read_table(path).to_pylist()), path
