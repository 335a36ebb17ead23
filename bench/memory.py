"""Peak memory of `vnfacts run` on two corpus sizes, to show it does not grow with the corpus.

    python bench/memory.py [--small 2000] [--large 20000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from bench import build_corpus, timed, vnfacts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory(prefix="vnfacts-memory-") as tmp:
        for n in (args.small, args.large):
            raw = build_corpus(n, Path(tmp) / f"raw{n}")
            rows[n] = timed(vnfacts("run", "--raw", str(raw), "--out", str(Path(tmp) / f"out{n}"),
                                    "--jobs", str(args.jobs), "--no-cache"))
            shutil.rmtree(raw)
    small, large = rows[args.small], rows[args.large]
    print("| articles | seconds | articles/s | peak RSS MB |\n|---:|---:|---:|---:|")
    for n, r in rows.items():
        print(f"| {n} | {r['seconds']:.0f} | {n / r['seconds']:.1f} | {r['rss_mb']:.0f} |")
    print(f"\npeak RSS at {args.large} / at {args.small} = {large['rss_mb'] / small['rss_mb']:.2f}")


if __name__ == "__main__":
    main()
