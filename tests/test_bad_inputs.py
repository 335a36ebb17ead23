"""Hostile input: every case ingests with the right normalization or lands in rejects
with its reason code and a message naming the file; none stops the batch."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from vnfacts.cli import main
from vnfacts.ingest import ingest_page
from vnfacts.schema import ARTICLES, REJECTS, read_rows

from conftest import RAW_DIR

HERE = Path(__file__).parent / "bad_inputs"
sys.path.insert(0, str(HERE))
from make_bad_inputs import write  # noqa: E402

EXPECTED = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    raw = tmp_path_factory.mktemp("bad")
    write(raw)
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    articles = {a["source_file"]: a for a in read_rows(ARTICLES, out)}
    rejects = {r["source_file"]: r for r in read_rows(REJECTS, out) if r["stage"] == "ingest"}
    return raw, articles, rejects, out


def test_every_case_is_listed(outcome):
    raw, _, _, _ = outcome
    assert sorted(p.name for p in raw.iterdir()) == sorted(EXPECTED)


def test_input_files_equal_articles_plus_rejected_files(outcome):
    raw, articles, rejects, _ = outcome
    files = {p.name for p in raw.iterdir()}
    assert not set(articles) & set(rejects)
    assert set(articles) | set(rejects) == files
    assert len(articles) + len(rejects) == len(files)


@functools.cache
def _fixture_article(name: str) -> dict:
    """A fixture page ingested on its own, once per test process: several cases are variants of the same page."""
    return ingest_page((RAW_DIR / name).read_bytes(), name).article


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_case_outcome(name, outcome):
    _, articles, rejects, _ = outcome
    expected = EXPECTED[name]
    if "rejected" in expected:
        assert name in rejects, f"{name} should be rejected ({expected['rejected']})"
        assert rejects[name]["reason"] == expected["rejected"]
        assert name in rejects[name]["detail"], "the message must name the file"
        return
    assert name in articles, f"{name} should be an article; reject: {rejects.get(name)}"
    article = articles[name]
    assert article["encoding"] == expected["encoding"]
    assert article["raw_format"] == expected.get("raw_format", "text")
    if "same_body_as" in expected:
        reference = _fixture_article(expected["same_body_as"])
        assert article["body"] == reference["body"]
        assert article["title"] == reference["title"]
    if "published_at" in expected:
        assert article["published_at"] is None


def test_the_run_on_one_giant_line_is_cut_into_sentences(outcome):
    _, articles, _, out = outcome
    from vnfacts.schema import TOKENS

    article = articles["long line no punctuation.txt"]
    assert len(article["body"]) > 100_000
    tokens = [t for t in read_rows(TOKENS, out) if t["article_id"] == article["article_id"]]
    assert len({t["sentence"] for t in tokens}) > 60
    for t in tokens:
        assert article["body"][t["char_start"]:t["char_end"]] == t["text"]


def test_the_duplicate_names_its_twin(outcome):
    _, _, rejects, _ = outcome
    assert "same bytes as duplicate a.txt" in rejects["duplicate b.txt"]["detail"]


def test_windows_1258_offsets_trace_back_to_single_bytes(outcome):
    raw, articles, _, _ = outcome
    from vnfacts.ingest import raw_span_of

    article = articles["windows-1258.txt"]
    data = (raw / "windows-1258.txt").read_bytes()
    at = article["body"].index("Nguyễn Văn Nên")
    a, b = raw_span_of(article, at, at + len("Nguyễn Văn Nên"))
    import unicodedata

    assert unicodedata.normalize("NFC", data[a:b].decode("cp1258")) == "Nguyễn Văn Nên"
