"""Scores the zoner against hand-annotated pages (the format is in docs/ANNOTATION.md).

Gold and pipeline are compared in the raw file's characters: a gold entry is a line, or the span at the end
of a line that its ``text`` gives; the pipeline's spans carry their raw byte offsets (lines.parquet's
raw_start/raw_end), which are turned into characters of the decoded file.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .config import RULES_DIR
from .zoning import BODY_ZONES


@dataclass(frozen=True)
class GoldSpan:
    line_no: int
    start: int  # characters of the decoded file
    end: int
    zone: str


@dataclass
class PageScore:
    file: str
    entries: int = 0
    correct: int = 0
    gold_body_chars: int = 0
    gold_body_kept: int = 0
    body_chars: int = 0
    body_leaked: int = 0
    errors: list[str] = field(default_factory=list)


def gold_spans(gold: dict, text: str) -> list[GoldSpan]:
    """The gold entries of one page as character spans of its text."""
    line_starts, pos = [], 0
    for chunk in text.split("\n"):
        line_starts.append((pos, chunk))
        pos += len(chunk) + 1
    by_line: dict[int, list[dict]] = {}
    for entry in gold["zones"]:
        by_line.setdefault(int(entry["line"]), []).append(entry)
    out = []
    for line_no, entries in sorted(by_line.items()):
        start, chunk = line_starts[line_no - 1]
        body = chunk.rstrip("\r").rstrip()
        head = len(chunk) - len(chunk.lstrip())
        cuts = []  # where each later entry starts, right to left
        end = len(body)
        for entry in reversed(entries[1:]):
            at = body.rfind(entry["text"], head, end)
            if at < 0:
                raise ValueError(f"{gold['file']} line {line_no}: {entry['text'][:40]!r} is not in the line")
            cuts.append((at, at + len(entry["text"]), entry["zone"]))
            end = at
        cuts.reverse()
        first_end = cuts[0][0] if cuts else len(body)
        out.append(GoldSpan(line_no, start + head, start + len(body[:first_end].rstrip()), entries[0]["zone"]))
        out.extend(GoldSpan(line_no, start + a, start + b, z) for a, b, z in cuts)
    return out


def score_page(gold: dict, raw: bytes, rules_dir: Path = RULES_DIR) -> PageScore:
    from .ingest import ingest_page

    text = raw.decode("utf-8")
    byte_starts = []  # byte offset of each character
    pos = 0
    for ch in text:
        byte_starts.append(pos)
        pos += len(ch.encode("utf-8"))

    def char_at(byte: int) -> int:
        return bisect_left(byte_starts, byte)

    page = ingest_page(raw, gold["file"], rules_dir)
    predicted = [(char_at(r["raw_start"]), char_at(r["raw_end"]), r["zone"]) for r in page.lines
                 if r["raw_end"] > r["raw_start"]]
    score = PageScore(gold["file"])
    body = [(a, b) for a, b, z in predicted if z in BODY_ZONES]
    score.body_chars = sum(b - a for a, b in body)
    for g in gold_spans(gold, text):
        overlap: dict[str, int] = {}
        for a, b, z in predicted:
            n = min(b, g.end) - max(a, g.start)
            if n > 0:
                overlap[z] = overlap.get(z, 0) + n
        got = max(overlap, key=overlap.get) if overlap else "none"
        score.entries += 1
        if got == g.zone:
            score.correct += 1
        else:
            score.errors.append(f"{gold['file']}:{g.line_no} gold {g.zone}, got {got}: "
                                f"{text[g.start:g.end][:70]!r}")
        in_body = sum(max(0, min(b, g.end) - max(a, g.start)) for a, b in body)
        if g.zone in BODY_ZONES:
            score.gold_body_chars += g.end - g.start
            score.gold_body_kept += in_body
        else:
            score.body_leaked += in_body
    return score


@dataclass(frozen=True)
class GoldScore:
    pages: list[PageScore]

    @property
    def accuracy(self) -> float:
        return sum(p.correct for p in self.pages) / max(1, sum(p.entries for p in self.pages))

    @property
    def body_recall(self) -> float:
        return sum(p.gold_body_kept for p in self.pages) / max(1, sum(p.gold_body_chars for p in self.pages))

    @property
    def furniture_leak(self) -> float:
        return sum(p.body_leaked for p in self.pages) / max(1, sum(p.body_chars for p in self.pages))

    @property
    def errors(self) -> list[str]:
        return [e for p in self.pages for e in p.errors]


def score_gold(gold_dir: Path, article_dirs: list[Path], rules_dir: Path = RULES_DIR) -> GoldScore:
    """Score every gold file of ``gold_dir``; its page is looked up in ``article_dirs`` in order."""
    pages = []
    for path in sorted(Path(gold_dir).glob("*.yaml")):
        gold = yaml.safe_load(path.read_text(encoding="utf-8"))
        source = next((d / gold["file"] for d in article_dirs if (d / gold["file"]).is_file()), None)
        if source is None:
            raise FileNotFoundError(f"{path.name}: page {gold['file']} not found in {article_dirs}")
        pages.append(score_page(gold, source.read_bytes(), rules_dir))
    return GoldScore(pages)


def prose_kept_table(raw_dir: Path, rules_dir: Path = RULES_DIR) -> str:
    """The distribution of the share of prose kept over a directory of dumps, and the pages below 90 %."""
    from .ingest import ingest_files

    out = ingest_files(Path(raw_dir), rules_dir)
    shares = sorted((a["prose_kept"], a["source_file"]) for a in out["articles"])
    bins = [(1.0, 1.0, "100 %"), (0.9, 1.0, "90-99 %"), (0.5, 0.9, "50-89 %"), (0.0, 0.5, "under 50 %")]
    lines = [f"{len(shares)} articles, {len(out['rejects'])} rejected files", "", "| prose kept | articles |",
             "|---|---|"]
    for lo, hi, label in bins:
        n = sum(1 for s, _ in shares if (s == 1.0 if lo == hi else lo <= s < hi))
        lines.append(f"| {label} | {n} |")
    low = [(s, f) for s, f in shares if s < 0.9]
    lines.append("")
    lines.extend(f"- {f}: {s:.0%}" for s, f in low) if low else lines.append("No page keeps less than 90 %.")
    return "\n".join(lines)
