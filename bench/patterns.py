"""What the named patterns cost: extraction over the same tokenized articles with the rule files' patterns (aid,
agreements, officials) and with none (no row from them: what is left is the lexicon, parties, amounts, dates and
the article steps), in one process, best of three, as a ratio.

    python bench/patterns.py [--raw DIR] [--limit N]

By default the articles are the 2,500 real ones of bench/corpus/bench.tar.xz. Tokenizing happens before timing:
only extraction is measured.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import vnfacts.extractors.agreements as agreements
import vnfacts.extractors.aid as aid
import vnfacts.extractors.officials as officials
from bench import real_corpus  # bench/bench.py: the real corpus, unpacked
from vnfacts.config import RULES_DIR
from vnfacts.extractors import extract_article
from vnfacts.ingest import ingest_files
from vnfacts.lexicon import compile_rules
from vnfacts.tokenize import tokenize_body



def articles(raw_dir: Path, limit: int | None) -> list[tuple[dict, list]]:
    rows = ingest_files(raw_dir, RULES_DIR)["articles"][:limit]
    return [(row, tokenize_body(row["body"])) for row in rows]


def extract_seconds(docs, rules) -> float:
    start = time.perf_counter()
    for article, words in docs:
        extract_article(article, words, rules)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, help="a directory of page dumps (default: the bench corpus)")
    parser.add_argument("--limit", type=int, help="only the first N articles")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw = args.raw or real_corpus(Path(tmp) / "raw")
        docs = articles(raw, args.limit)
    rules = compile_rules(RULES_DIR)
    modules = (aid, agreements, officials)
    with_patterns = [m.compiled_patterns for m in modules]
    # the aid patterns that make rows and those that open a frame, read once per rule set
    row_patterns, frame_patterns = aid._row_patterns, aid._frame_patterns
    timings: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(3):
        for m, compiled in zip(modules, with_patterns):
            m.compiled_patterns = compiled
        aid._row_patterns, aid._frame_patterns = row_patterns, frame_patterns
        timings["with"].append(extract_seconds(docs, rules))
        for m in modules:
            m.compiled_patterns = lambda _rules, _kind: ()
        aid._row_patterns = aid._frame_patterns = lambda _rules: ()
        timings["without"].append(extract_seconds(docs, rules))
    for m, compiled in zip(modules, with_patterns):
        m.compiled_patterns = compiled
    aid._row_patterns, aid._frame_patterns = row_patterns, frame_patterns
    best_with, best_without = min(timings["with"]), min(timings["without"])
    print(f"{len(docs)} articles: extract with patterns {best_with:.2f} s, without {best_without:.2f} s, "
          f"ratio {best_with / best_without:.2f}")


if __name__ == "__main__":
    main()
