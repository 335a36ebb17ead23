"""What extraction costs: ``extract_article`` over tokenized real articles, alone, in one process, best of three;
beside it the time the same articles took to tokenize (once), and with --profile where extraction's time goes.

    python bench/extract.py [--raw DIR] [--every N] [--profile K]

By default the articles are every 10th of the 2,500 real ones of bench/corpus/bench.tar.xz. Tokenizing happens
before timing: only extraction is measured. Run it on two versions of the code to compare them.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from bench import real_corpus  # bench/bench.py: the real corpus, unpacked
from vnfacts.config import RULES_DIR
from vnfacts.extractors import extract_article
from vnfacts.ingest import ingest_files
from vnfacts.lexicon import compile_rules
from vnfacts.tokenize import tokenize_body



def every_nth_article(raw_dir: Path, every: int) -> list[dict]:
    return ingest_files(raw_dir, RULES_DIR)["articles"][::every]


def tokenized(articles: list[dict]) -> tuple[list[tuple[dict, list]], float]:
    start = time.perf_counter()
    docs = [(article, tokenize_body(article["body"])) for article in articles]
    return docs, time.perf_counter() - start


def extract_seconds(docs, rules) -> float:
    start = time.perf_counter()
    for article, words in docs:
        extract_article(article, words, rules)
    return time.perf_counter() - start


def profile_summary(docs, rules, top: int) -> str:
    profile = cProfile.Profile()
    profile.runcall(lambda: [extract_article(article, words, rules) for article, words in docs])
    out = []
    for order, name in (("cumulative", "cumulative"), ("tottime", "own")):
        stats = pstats.Stats(profile).sort_stats(order)
        out.append(f"the {top} costliest by {name} time (cProfile):")
        for func in stats.fcn_list[:top]:
            _calls, ncalls, own, cumulative, _ = stats.stats[func]
            out.append(f"  {cumulative:7.2f} s cumulative {own:7.2f} s own {ncalls:9d} calls  {pstats.func_std_string(func)}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, help="a directory of page dumps (default: the bench corpus)")
    parser.add_argument("--every", type=int, default=10, help="every Nth article (default 10)")
    parser.add_argument("--profile", type=int, metavar="K", help="also profile one pass: its K costliest functions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw = args.raw or real_corpus(Path(tmp) / "raw")
        articles = every_nth_article(raw, args.every)
    docs, tokenize_time = tokenized(articles)
    rules = compile_rules(RULES_DIR)
    extract_seconds(docs[:5], rules)  # the rules' lazily built tables, the first syllables' caches
    runs = [extract_seconds(docs, rules) for _ in range(3)]
    print(f"{len(docs)} articles, {sum(len(a['body']) for a in articles):,} characters: extract "
          f"{min(runs):.2f} s (best of {', '.join(f'{r:.2f}' for r in runs)}), {1000 * min(runs) / len(docs):.1f} ms "
          f"an article; tokenizing them took {tokenize_time:.2f} s")
    if args.profile:
        print(profile_summary(docs, rules, args.profile))


if __name__ == "__main__":
    main()
