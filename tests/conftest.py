from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = ROOT / "data" / "raw"
SPEC_PATH = ROOT / "tests" / "spec" / "seed_facts.yaml"

# A page dated 2021 that reports an event of 2031: validation rejects its date rows.
FUTURE_PAGE = """Trang chủ Hữu nghị
10:00 | 01/03/2021 GMT+7

Hà Nội hỗ trợ Viêng Chăn

aa
Ngày 5/7/2031, Hà Nội hỗ trợ Viêng Chăn 40.000 USD để phòng, chống dịch.
Mai Anh
Nguồn:
"""


@pytest.fixture(scope="session")
def spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ingested() -> dict:
    from vnfacts.ingest import ingest_files

    return ingest_files(RAW_DIR)


@pytest.fixture(scope="session")
def articles_by_file(ingested) -> dict[str, dict]:
    return {a["source_file"]: a for a in ingested["articles"]}


@pytest.fixture(scope="session")
def tokenized(ingested) -> dict:
    from vnfacts.tokenize import tokenize_articles

    return tokenize_articles(ingested["articles"])


@pytest.fixture(scope="session")
def extracted(ingested, tokenized) -> dict[str, dict[str, list[dict]]]:
    """Extraction tables per fixture file name."""
    from vnfacts.extractors import extract_article
    from vnfacts.lexicon import compile_rules
    from vnfacts.tokenize import words_from_rows

    rules = compile_rules()
    out = {}
    for article in ingested["articles"]:
        rows = [t for t in tokenized["tokens"] if t["article_id"] == article["article_id"]]
        out[article["source_file"]] = extract_article(article, words_from_rows(rows), rules)
    return out


@functools.cache
def golden_document(path: Path) -> dict:
    """A golden file as ``vnfacts.golden.load`` reads it, read once per test process. Read only."""
    from vnfacts.golden import load

    return load(path)


def golden_documents() -> tuple[dict, ...]:
    """Every golden document, one per fixture article, in file-name order (``vnfacts.golden.load_all``): several
    modules count the rows a run on the fixtures publishes from them."""
    from vnfacts.golden import GOLDEN_DIR

    return tuple(golden_document(path) for path in sorted(GOLDEN_DIR.glob("*.yaml")))


@pytest.fixture
def rules_copy(tmp_path_factory):
    """A fresh copy of the rules directory, for a test to edit.

    Every test of a process gets its copy at the same path: the files a test leaves as they are keep their
    place in the rule-file cache (keyed on a file's path and bytes), so they are not parsed and checked against
    their schema again for each test; a file the test edits or adds is read anew, as any edit is."""
    import shutil

    from vnfacts.config import RULES_DIR

    copy = tmp_path_factory.getbasetemp() / "rules-copy" / "rules"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(RULES_DIR, copy)
    return copy


def edit_rule_file(path, old: str, new: str) -> None:
    """Replace the first ``old`` of a rule file by ``new`` (failing if the file has no ``old``)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
