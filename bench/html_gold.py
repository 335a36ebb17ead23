"""The HTML gold (tests/gold/html/): for each saved page, how much of the article text a reader sees reaches the
pipeline's body and how much of the body is not article text, beside the same figures for trafilatura's main text
(where trafilatura can be imported: it is no dependency of vnfacts).

    python bench/html_gold.py [GOLD_FOLDER]        # default: tests/gold/html

Prints a Markdown table (docs/ZONES.md keeps the last one).
"""

from __future__ import annotations

import sys
from pathlib import Path

from vnfacts.html_gold import BodyScore, load_html_gold, score_body, total
from vnfacts.ingest import ingest_page

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "tests" / "gold" / "html"


def table_cells_as_lines(text: str) -> str:
    """trafilatura prints a table row as "| cell | cell |": each cell becomes a line, so that its markup is not
    counted as text that is in no paragraph."""
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            lines.extend(cell.strip() for cell in stripped.strip("|").split(" | "))
        else:
            lines.append(line)
    return "\n".join(lines)


def trafilatura_text(raw: bytes) -> str | None:
    try:
        import trafilatura
    except ImportError:
        return None
    return table_cells_as_lines(trafilatura.extract(raw, include_comments=False, include_tables=True) or "")


def _cells(score: BodyScore | None) -> str:
    return f"{score.recall:.3f} | {score.leak:.3f}" if score else "– | –"


def main(folder: Path) -> None:
    print("| page | gold chars | pipeline recall | pipeline leak | trafilatura recall | trafilatura leak |")
    print("|---|---|---|---|---|---|")
    ours, theirs = [], []
    for path in sorted(folder.glob("*.yaml")):
        gold = load_html_gold(path)
        raw = (folder / "pages" / gold["page"]).read_bytes()
        mine = score_body(ingest_page(raw, gold["page"]).article["body"], gold)
        text = trafilatura_text(raw)
        other = score_body(text, gold) if text is not None else None
        ours.append(mine)
        if other:
            theirs.append(other)
        print(f"| {gold['page'][:44]} | {mine.gold_chars:,} | {_cells(mine)} | {_cells(other)} |")
    print(f"| **all {len(ours)} pages** | {total(ours).gold_chars:,} | {_cells(total(ours))} | "
          f"{_cells(total(theirs) if theirs else None)} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER)
