from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = ROOT / "data" / "raw"
SPEC_PATH = ROOT / "tests" / "spec" / "seed_facts.yaml"


@pytest.fixture(scope="session")
def spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ingested() -> dict:
    from pipeline.ingest import ingest_files

    return ingest_files(RAW_DIR)


@pytest.fixture(scope="session")
def articles_by_file(ingested) -> dict[str, dict]:
    return {a["source_file"]: a for a in ingested["articles"]}


@pytest.fixture(scope="session")
def tokenized(ingested) -> dict:
    from pipeline.tokenize import tokenize_articles

    return tokenize_articles(ingested["articles"])
