"""Scores an article body against the text a reader sees on a saved HTML page (tests/gold/html/<page>.yaml).

The gold lists the page's paragraphs as printed (title, lead, body paragraphs, captions), copied from the markup by
hand; it knows nothing of how the pipeline reads a page. Both sides are compared as canonical text with white space
collapsed, so the measures hold for any extractor's text (the pipeline's body, trafilatura's main text):

- body character recall: of the characters of the gold's lead, body and caption paragraphs, the share found in the
  extracted body;
- furniture leak: of the characters of the extracted body, the share found in no gold paragraph (the title
  included: a title in the body is the article's, not the page's furniture).

A paragraph (or a body line) found whole counts whole; otherwise each of its sentences counts when found whole, so a
paragraph the extractor splits across lines, or a line that joins two paragraphs, is not lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .config import RULES_DIR
from .normalize import canonical_text
from .zoning import BODY_ZONES

SENTENCE_BREAK = re.compile(r"(?<=[.!?…:;])\s+")


@dataclass(frozen=True)
class BodyScore:
    gold_chars: int
    found_chars: int
    body_chars: int
    leaked_chars: int

    @property
    def recall(self) -> float:
        return self.found_chars / self.gold_chars if self.gold_chars else 1.0

    @property
    def leak(self) -> float:
        return self.leaked_chars / self.body_chars if self.body_chars else 0.0


def load_html_gold(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def flat(text: str, rules_dir: Path = RULES_DIR) -> str:
    """Canonical text with its white space collapsed to single spaces."""
    return " ".join(canonical_text(text, rules_dir).split())


def chars_found(piece: str, haystack: str) -> int:
    """Characters of ``piece`` found in ``haystack``: all when found whole, else those of its sentences found."""
    if piece in haystack:
        return len(piece)
    return sum(len(s) for s in SENTENCE_BREAK.split(piece) if s and s in haystack)


def score_body(body: str, gold: dict, rules_dir: Path = RULES_DIR) -> BodyScore:
    """Recall of the gold's article text in ``body``, and the share of ``body`` that is no gold paragraph."""
    paragraphs = [(p["zone"], flat(p["text"], rules_dir)) for p in gold["paragraphs"]]
    lines = [line for line in (flat(raw, rules_dir) for raw in body.split("\n")) if line]
    body_flat = " ".join(lines)
    gold_flat = "\n".join(text for _, text in paragraphs)
    article = [text for zone, text in paragraphs if zone in BODY_ZONES]
    return BodyScore(
        gold_chars=sum(map(len, article)),
        found_chars=sum(chars_found(text, body_flat) for text in article),
        body_chars=sum(map(len, lines)),
        leaked_chars=sum(len(line) - chars_found(line, gold_flat) for line in lines),
    )


def total(scores: list[BodyScore]) -> BodyScore:
    return BodyScore(*(sum(getattr(s, f) for s in scores)
                       for f in ("gold_chars", "found_chars", "body_chars", "leaked_chars")))
