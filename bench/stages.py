"""Time each stage in one process on the same articles, as ratios to a baseline
(underthesea segmentation + POS tagging of the bodies) measured in the same run.

    python bench/stages.py [--raw DIR] [--repeat N] [--write docs/BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import date
from pathlib import Path

from pipeline.extract import extract_article
from pipeline.ingest import ingest_files
from pipeline.lexicon import compile_rules
from pipeline.tokenize import tokenize_articles, words_from_rows
from pipeline.validate import contexts, validate_tables


def _median_seconds(fn, repeat: int) -> float:
    fn()  # warm-up: model loading and rule compilation are not per-article costs
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(raw_dir: Path, repeat: int) -> dict:
    from underthesea import pos_tag

    ingested = ingest_files(raw_dir)
    articles = ingested["articles"]
    chars = sum(len(a["body"]) for a in articles)
    tokens = tokenize_articles(articles)["tokens"]
    by_article = {}
    for t in tokens:
        by_article.setdefault(t["article_id"], []).append(t)
    rules = compile_rules()

    def baseline():
        for a in articles:
            for line in a["body"].split("\n"):
                pos_tag(line)

    def extract():
        out = {}
        for a in articles:
            for name, rows in extract_article(a, words_from_rows(by_article[a["article_id"]]), rules).items():
                out.setdefault(name, []).extend(rows)
        return out

    candidates = extract()
    ctx = contexts(articles, ingested["lines"], raw_dir)
    timings = {
        "baseline: underthesea pos_tag per paragraph": _median_seconds(baseline, repeat),
        "ingest": _median_seconds(lambda: ingest_files(raw_dir), repeat),
        "tokenize": _median_seconds(lambda: tokenize_articles(articles), repeat),
        "extract": _median_seconds(extract, repeat),
        "validate": _median_seconds(lambda: validate_tables(candidates, ctx), repeat),
    }
    return {"articles": len(articles), "chars": chars, "timings": timings}


def report(result: dict, repeat: int) -> str:
    base = result["timings"]["baseline: underthesea pos_tag per paragraph"]
    lines = [
        "# Benchmarks",
        "",
        f"Measured {date.today().isoformat()} on {os.cpu_count()} cores ({platform.machine()}, Python "
        f"{platform.python_version()}), {result['articles']} articles, {result['chars']:,} body characters, "
        f"median of {repeat} runs after a warm-up, one process. Ratios are to the baseline measured in the "
        "same run; absolute times vary with the machine.",
        "",
        "| step | seconds | chars/s | × baseline time |",
        "|---|---:|---:|---:|",
    ]
    for name, seconds in result["timings"].items():
        lines.append(f"| {name} | {seconds:.3f} | {result['chars'] / seconds:,.0f} | {seconds / base:.2f} |")
    t = result["timings"]
    lines += ["", f"validate / extract = {t['validate'] / t['extract']:.2f}", "",
              "Reproduce: `make bench` (or `python bench/stages.py --repeat 5`).", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw", type=Path, default=Path("data/raw"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    text = report(measure(args.raw, args.repeat), args.repeat)
    print(text)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
