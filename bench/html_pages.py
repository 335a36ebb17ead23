"""How HTML pages ingest: for each saved page of a folder, its headline, its time and where that came from, the
body's size, how many body characters trace back to the page's bytes, and (where trafilatura can be imported:
it is no dependency of vnfacts) how the body compares with trafilatura's main text.

    python bench/html_pages.py [FOLDER]        # default: ../shared/corpus/html

Prints a Markdown table (docs/ZONES.md keeps the last one).
"""

from __future__ import annotations

import sys
from pathlib import Path

from vnfacts.ingest import ingest_page, raw_span_of, raw_text
from vnfacts.normalize import canonical_text

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "html"


def traced_characters(article: dict, raw: bytes) -> tuple[int, int]:
    """(characters whose raw bytes read back as them, characters) over the body, line breaks left out. A letter
    whose tone mark canonicalization moved ("oá" -> "óa") shares its bytes with its neighbour: it is traced when
    those bytes read as text holding it."""
    body, good, total = article["body"], 0, 0
    for i, ch in enumerate(body):
        if ch == "\n":
            continue
        total += 1
        a, b = raw_span_of(article, i, i + 1)
        good += ch in canonical_text(raw_text(article, raw, a, b)) or (ch == " " and a < b)
    return good, total


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in canonical_text(text).split("\n") if line.strip()]


def against_trafilatura(raw: bytes, body: str) -> tuple[float, float] | None:
    """(share of trafilatura's main-text characters that are in the body, share of the body's characters that are
    in trafilatura's text), by lines; None without trafilatura."""
    try:
        import trafilatura
    except ImportError:
        return None
    theirs = _lines(trafilatura.extract(raw, include_comments=False, include_tables=True) or "")
    ours = _lines(body)
    ours_text, theirs_text = "\n".join(ours), "\n".join(theirs)
    found = sum(len(line) for line in theirs if line in ours_text)
    kept = sum(len(line) for line in ours if line in theirs_text)
    return (found / max(1, sum(map(len, theirs))), kept / max(1, sum(map(len, ours))))


def main(folder: Path) -> None:
    print("| page | title | published_at (source) | body chars | traced | trafilatura's text in the body | "
          "body in trafilatura's text |")
    print("|---|---|---|---|---|---|---|")
    for path in sorted(folder.glob("*.htm*")):
        raw = path.read_bytes()
        article = ingest_page(raw, path.name).article
        good, total = traced_characters(article, raw)
        compared = against_trafilatura(raw, article["body"])
        theirs, ours = (f"{compared[0]:.0%}", f"{compared[1]:.0%}") if compared else ("–", "–")
        title = (article["title"] or "–")[:48]
        when = f"{article['published_at']:%Y-%m-%d %H:%M} ({article['published_at_source']})" \
            if article["published_at"] else "–"
        print(f"| {path.name[:40]} | {title} | {when} | {article['body_chars']:,} | {good:,}/{total:,} | "
              f"{theirs} | {ours} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER)
