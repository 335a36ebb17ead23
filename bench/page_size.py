"""Work per page: ``process_raw`` on one page of 0.25, 1 and 4 MB of real news text, in seconds per MB.

    python bench/page_size.py [--sizes 0.25 1 4] [--write docs/BENCHMARKS.md]

A page is the paragraphs of the fact gold's real articles (tests/gold/dev/articles) one after another, again and
again until it has the size; every sentence of a repeat carries the repeat's number, so no two sentences are the
same (the sentence cache saves nothing). Seconds per MB stay flat when the work per page is linear in its size.
--write replaces the "Work per page" section of the benchmark page.
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "gold" / "dev" / "articles"
MB = 1 << 20
SENTENCE_END = re.compile(r"(?<=[^\s.!?…])([.!?…])(?=\s|$)")


def real_paragraphs(articles: Path = ARTICLES) -> list[str]:
    """The text lines of the real articles, without their ``# key = value`` headers."""
    return [line.strip() for path in sorted(articles.glob("*.txt"))
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("# ")]


def numbered(paragraph: str, repeat: int) -> str:
    """The paragraph with the repeat's number before each full stop, so each sentence is new."""
    return SENTENCE_END.sub(lambda m: f" (bản {repeat}){m.group(1)}", paragraph)


def prose_page(n_bytes: int, paragraphs: list[str] | None = None) -> bytes:
    """A title, then real paragraphs, each repeat numbered, until the page holds ``n_bytes`` of UTF-8."""
    paragraphs = paragraphs or real_paragraphs()
    lines, size, repeat = ["Tin tổng hợp"], 0, 0
    while size < n_bytes:
        repeat += 1
        for paragraph in paragraphs:
            line = numbered(paragraph, repeat)
            lines.append(line)
            size += len(line.encode("utf-8")) + 1
            if size >= n_bytes:
                break
    return ("\n".join(lines) + "\n").encode("utf-8")


def seconds_for(raw: bytes) -> float:
    from vnfacts.config import RULES_DIR
    from vnfacts.page import process_raw

    started = time.perf_counter()
    result = process_raw(raw, "page.txt", str(RULES_DIR))
    seconds = time.perf_counter() - started
    if not result.get("articles"):
        raise RuntimeError(f"the page was rejected: {result.get('rejects')}")
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.25, 1, 4], help="page sizes in MB")
    parser.add_argument("--write", type=Path, help="replace the 'Work per page' section of this Markdown page")
    args = parser.parse_args(argv)
    seconds_for(prose_page(MB // 16))  # load the models and the rules outside the timed pages
    rows = [(mb, seconds_for(prose_page(int(mb * MB)))) for mb in args.sizes]
    text = "\n".join([
        "## Work per page",
        "",
        f"`python bench/page_size.py` on {date.today().isoformat()} ({platform.machine()}, Python "
        f"{platform.python_version()}): `process_raw` (every stage, no cache) on one page of real news text "
        "(the fact gold's articles repeated, each sentence made new by the repeat's number), in one process.",
        "",
        "| page MB | seconds | seconds per MB |",
        "|---:|---:|---:|",
        *[f"| {mb:g} | {s:.1f} | {s / mb:.1f} |" for mb, s in rows],
        "",
        "Seconds per MB stay flat when nothing of a page is scanned again for each of its sentences or rows: the "
        "label matches are put in their sentence once, dates found by bisection, a row's line by bisection, the "
        "officials' names counted in one pass over the words, the earlier parties a pronoun may stand for kept up "
        "to date as sentences are read. `tests/test_page_scaling.py` counts the matches examined instead of timing.",
        "",
    ])
    print(text)
    if args.write:
        page = args.write.read_text(encoding="utf-8")
        start = page.find("\n## Work per page")
        end = page.find("\n## ", start + 1) if start >= 0 else -1
        kept = page[:start] + (page[end:] if end >= 0 else "") if start >= 0 else page
        args.write.write_text(kept.rstrip() + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
