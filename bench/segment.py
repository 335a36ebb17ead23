"""What word segmentation costs: underthesea's ``word_tokenize`` against ``vnfacts.tokenize.segment_words`` on the
same real sentences, then the whole ``tokenize_body`` with each, in one process, best of three, as ratios.

    python bench/segment.py [--raw DIR] [--every N]

By default the sentences are those of every 25th article of bench/corpus/bench.tar.xz (ingested, split as the
pipeline splits them). Models are loaded before timing; the first of the three runs of the new path also fills its
syllable caches, and is printed too. The words of the two are compared on every sentence.
"""

from __future__ import annotations

import argparse
import tarfile
import tempfile
import time
from pathlib import Path

from vnfacts import tokenize
from vnfacts.config import RULES_DIR
from vnfacts.ingest import ingest_files
from vnfacts.tokenize import analyse_sentence, segment_words, sentence_spans, tokenize_body

BENCH_TAR = Path(__file__).parent / "corpus" / "bench.tar.xz"


def word_tokenize(sentence: str) -> list[str]:
    from underthesea import word_tokenize as underthesea_word_tokenize

    return underthesea_word_tokenize(sentence, use_token_normalize=False)


def bench_bodies(every: int, out: Path) -> list[str]:
    """The bodies of every ``every``-th article of the bench corpus, as ingest writes them."""
    with tarfile.open(BENCH_TAR) as archive:
        members = sorted((m for m in archive.getmembers() if m.isfile() and m.name.endswith(".txt")),
                         key=lambda m: m.name)[::every]
        for member in members:
            (out / Path(member.name).name).write_bytes(archive.extractfile(member).read())
    return bodies_of(out)


def bodies_of(raw: Path) -> list[str]:
    return [a["body"] for a in ingest_files(raw, RULES_DIR)["articles"]]


def seconds(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def segment_all(segment, sentences: list[str]) -> list[list[str]]:
    return [segment(s) for s in sentences]


def tokenize_all(segment, bodies: list[str]) -> None:
    """Every body through ``tokenize_body`` with ``segment`` as its word segmentation, sentence cache emptied."""
    real = tokenize.segment_words
    tokenize.segment_words = segment
    analyse_sentence.cache_clear()
    try:
        for body in bodies:
            tokenize_body(body)
    finally:
        tokenize.segment_words = real


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, help="a directory of page dumps (default: the bench corpus)")
    parser.add_argument("--every", type=int, default=25, help="every N-th article of the bench corpus")
    args = parser.parse_args()
    if args.raw:
        bodies = bodies_of(args.raw)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            bodies = bench_bodies(args.every, Path(tmp))
    sentences = [body[a:b] for body in bodies for a, b in sentence_spans(body)]
    tokenize_body("Khởi động. Hà Nội.")  # load the models outside the timed runs
    word_tokenize("Khởi động.")

    timings: dict[str, list[float]] = {"word_tokenize": [], "segment_words": [], "before": [], "after": []}
    for _ in range(3):  # interleaved, so that a busy spell of the machine slows both
        timings["word_tokenize"].append(seconds(lambda: segment_all(word_tokenize, sentences)))
        timings["segment_words"].append(seconds(lambda: segment_all(segment_words, sentences)))
    for _ in range(3):
        timings["before"].append(seconds(lambda: tokenize_all(word_tokenize, bodies)))
        timings["after"].append(seconds(lambda: tokenize_all(segment_words, bodies)))
    differ = sum(a != b for a, b in zip(segment_all(word_tokenize, sentences), segment_all(segment_words, sentences)))

    best = {name: min(runs) for name, runs in timings.items()}
    print(f"{len(bodies)} articles, {len(sentences)} sentences; words differ in {differ}")
    print(f"segmentation: word_tokenize {best['word_tokenize']:.2f} s, segment_words {best['segment_words']:.2f} s "
          f"(first run {timings['segment_words'][0]:.2f} s), ratio {best['word_tokenize'] / best['segment_words']:.2f}")
    print(f"tokenize_body: with word_tokenize {best['before']:.2f} s, with segment_words {best['after']:.2f} s, "
          f"ratio {best['before'] / best['after']:.2f}")


if __name__ == "__main__":
    main()
