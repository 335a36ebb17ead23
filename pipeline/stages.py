"""The stages as functions from directories to tables: the I/O edge around the pure
per-article functions of ingest, tokenize, ..."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from . import extract as extract_mod
from . import ingest as ingest_mod
from . import tokenize as tokenize_mod
from .config import RULES_DIR
from .lexicon import compile_rules
from .schema import ARTICLES, EXTRACT_TABLES, LINES, REJECTS, TOKENS, read_rows, to_arrow, write_table

log = logging.getLogger("vnfacts")

STAGE_REJECTS_DIR = ".stage_rejects"
STAGE_ORDER = ("ingest", "tokenize", "extract", "validate", "export")

ProgressFactory = Callable[[str, int], "contextmanager"]


@contextmanager
def no_progress(label: str, total: int):
    yield lambda: None


def write_stage_rejects(stage: str, rows: list[dict], out_dir: Path) -> None:
    """Record one stage's rejects, then republish rejects.parquet as the union of all stages'."""
    stage_dir = Path(out_dir) / STAGE_REJECTS_DIR
    write_table(REJECTS, rows, stage_dir / stage)
    parts = []
    for name in STAGE_ORDER:
        path = stage_dir / name / REJECTS.filename
        if path.exists():
            parts.append(pq.read_table(path))
    combined = pa.concat_tables(parts) if parts else to_arrow(REJECTS, [])
    write_table(REJECTS, combined, out_dir)


def run_ingest(raw_dir: Path, out_dir: Path, rules_dir: Path = RULES_DIR,
               progress: ProgressFactory = no_progress) -> dict[str, int]:
    files = ingest_mod.list_raw_files(raw_dir)
    log.info("ingest: %d files in %s", len(files), raw_dir)
    with progress("ingest", len(files)) as advance:
        tables = ingest_mod.ingest_files(raw_dir, rules_dir, progress=advance)
    write_table(ARTICLES, tables["articles"], out_dir)
    write_table(LINES, tables["lines"], out_dir)
    write_stage_rejects("ingest", tables["rejects"], out_dir)
    for rej in tables["rejects"]:
        log.warning("rejected %s: [%s] %s", rej["source_file"], rej["reason"], rej["detail"])
    return {"files": len(files), "articles": len(tables["articles"]), "rejected": len(tables["rejects"]),
            "lines": len(tables["lines"])}


def run_tokenize(out_dir: Path, progress: ProgressFactory = no_progress) -> dict[str, int]:
    articles = read_rows(ARTICLES, out_dir)
    with progress("tokenize", len(articles)) as advance:
        tables = tokenize_mod.tokenize_articles(articles, progress=advance)
    write_table(TOKENS, tables["tokens"], out_dir)
    write_stage_rejects("tokenize", tables["rejects"], out_dir)
    for rej in tables["rejects"]:
        log.warning("rejected %s: [%s] %s", rej["source_file"], rej["reason"], rej["detail"])
    return {"articles": len(articles), "tokens": len(tables["tokens"]), "rejected": len(tables["rejects"])}


def run_extract(out_dir: Path, rules_dir: Path = RULES_DIR, progress: ProgressFactory = no_progress) -> dict[str, int]:
    articles = read_rows(ARTICLES, out_dir)
    words_by_article: dict[str, list] = {}
    for row in read_rows(TOKENS, out_dir):
        words_by_article.setdefault(row["article_id"], []).append(row)
    rules = compile_rules(rules_dir)
    tables: dict[str, list[dict]] = {t.name: [] for t in EXTRACT_TABLES}
    rejects = []
    with progress("extract", len(articles)) as advance:
        for article in articles:
            rows = words_by_article.get(article["article_id"])
            if rows is None:  # tokenize rejected it; its reject row says why
                advance()
                continue
            try:
                found = extract_mod.extract_article(article, tokenize_mod.words_from_rows(rows), rules)
            except Exception as exc:  # one bad article never stops the batch
                log.exception("extract failed on %s", article["source_file"])
                rejects.append({"source_file": article["source_file"], "article_id": article["article_id"],
                                "stage": "extract", "reason": "extract_failed",
                                "detail": f"{article['source_file']}: {type(exc).__name__}: {exc}"})
            else:
                for name, found_rows in found.items():
                    tables[name].extend(found_rows)
            advance()
    for table in EXTRACT_TABLES:
        write_table(table, tables[table.name], out_dir)
    write_stage_rejects("extract", rejects, out_dir)
    return {"articles": len(articles), **{t.name: len(tables[t.name]) for t in EXTRACT_TABLES},
            "rejected": len(rejects)}
