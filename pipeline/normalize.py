"""Canonical text: the single string every later offset refers to.

Ingest decodes a page, then :func:`canonicalize` folds it to NFC, one tone-mark
placement and plain letters, keeping for every output character the raw byte span
it came from, so any canonical span can be traced back to the exact bytes of the
raw file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .config import RULES_DIR
from .rulefiles import RulesSource, rule_file_of_kind, rules_source

TONE_MARKS = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền, sắc, hỏi, ngã, nặng


@dataclass(frozen=True)
class Canonical:
    """Canonical text with, per character, the raw byte span [raw_start, raw_end) it comes from."""

    text: str
    raw_start: tuple[int, ...]
    raw_end: tuple[int, ...]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw byte span covering canonical characters [start, end)."""
        if not 0 <= start < end <= len(self.text):
            raise IndexError(f"span {start}:{end} outside text of length {len(self.text)}")
        return self.raw_start[start], self.raw_end[end - 1]


@dataclass(frozen=True)
class CanonicalRules:
    remove: frozenset[str]
    to_space: frozenset[str]
    lookalikes: dict[str, str]
    tone_pattern: re.Pattern
    tone_swap: dict[str, str]
    special: re.Pattern  # any character that folding could change


def load_canonical_rules(rules_dir: Path = RULES_DIR) -> CanonicalRules:
    """The canonical-text rules of a compiled rule set, or of a rules directory as its files are now."""
    return _load_canonical_rules(rules_source(rules_dir))


@lru_cache(maxsize=8)
def _load_canonical_rules(source: RulesSource) -> CanonicalRules:
    data = rule_file_of_kind(source, "canonical")
    swap = _tone_swaps(data["tone_first_vowel_nuclei"])
    skip = "".join(re.escape(c) for c in data["tone_skip_after"])
    letters = r"[^\W\d_]"
    pattern = re.compile(
        rf"(?<![{skip}{skip.upper()}])({'|'.join(sorted(swap, key=len, reverse=True))})(?!{letters})"
    )
    folded_chars = sorted(set(data["remove"]) | set(data["to_space"]) | set(data["lookalikes"]))
    special = re.compile(
        "[" + "".join(re.escape(c) for c in folded_chars) + "]"
        + r"|[^\S\n ]"  # whitespace other than a space or a line break (CR, tab, NBSP, …)
        + "|[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"  # combining marks
    )
    return CanonicalRules(
        special=special,
        remove=frozenset(data["remove"]),
        to_space=frozenset(data["to_space"]),
        lookalikes=dict(data["lookalikes"]),
        tone_pattern=pattern,
        tone_swap=swap,
    )


def _tone_swaps(nuclei: list[str]) -> dict[str, str]:
    """'oà' -> 'òa' for every nucleus, tone mark and letter case."""
    swaps = {}
    for nucleus in nuclei:
        first, second = nucleus[0], nucleus[1]
        for mark in TONE_MARKS:
            for f, s in ((first, second), (first.upper(), second.upper()), (first.upper(), second)):
                on_second = f + unicodedata.normalize("NFC", s + mark)
                on_first = unicodedata.normalize("NFC", f + mark) + s
                swaps[on_second] = on_first
    return swaps


def utf8_char_offsets(text: str, start: int = 0) -> list[int]:
    """Byte offset of every character of ``text`` encoded as UTF-8, plus the end offset."""
    offsets = [start]
    for ch in text:
        offsets.append(offsets[-1] + len(ch.encode("utf-8", "surrogatepass")))
    return offsets


def canonicalize(decoded: str, char_offsets: list[int] | None = None,
                 rules_dir: Path = RULES_DIR, char_ends: list[int] | None = None) -> Canonical:
    """Canonical form of ``decoded``; ``char_offsets[i]`` is the raw byte offset of
    ``decoded[i]`` (with one extra entry for the end). Defaults to UTF-8 offsets.

    ``char_ends[i]``, when given, is where ``decoded[i]`` ends in the raw bytes, for text whose characters do
    not tile them (an HTML page's, between its tags; a JSON string's escapes); ``char_offsets`` then holds
    one start per character."""
    rules = load_canonical_rules(rules_dir)
    if char_offsets is None:
        char_offsets = utf8_char_offsets(decoded)
    if char_ends is None:
        char_starts, char_ends = char_offsets[:-1], char_offsets[1:]
    else:
        char_starts = char_offsets
    if not rules.special.search(decoded) and unicodedata.is_normalized("NFC", decoded):
        # nothing to fold: every character maps to itself (most pages; much faster)
        out_chars, starts, ends = list(decoded), list(char_starts), list(char_ends)
    else:
        out_chars, starts, ends = _fold(decoded, char_starts, char_ends, rules)
    text = "".join(out_chars)
    for m in rules.tone_pattern.finditer(text):
        a, b = m.span()
        out_chars[a:b] = rules.tone_swap[m.group(1)]
        lo, hi = min(starts[a:b]), max(ends[a:b])
        starts[a:b] = [lo] * (b - a)
        ends[a:b] = [hi] * (b - a)
    return Canonical("".join(out_chars), tuple(starts), tuple(ends))


def _fold(decoded: str, char_starts, char_ends, rules: CanonicalRules):
    out_chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, j in _clusters(decoded):
        for ch in _fold_cluster(decoded[i:j], rules):
            out_chars.append(ch)
            starts.append(char_starts[i])
            ends.append(char_ends[j - 1])
    return out_chars, starts, ends


def canonical_text(text: str, rules_dir: Path = RULES_DIR) -> str:
    return canonicalize(text, rules_dir=rules_dir).text


def _clusters(text: str):
    """Yield (start, end) of each base character with its combining marks; CR LF is one cluster."""
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if text[i] == "\r" and j < n and text[j] == "\n":
            j += 1
        else:
            while j < n and unicodedata.combining(text[j]):
                j += 1
        yield i, j
        i = j


def _fold_cluster(cluster: str, rules: CanonicalRules) -> str:
    if cluster in ("\r\n", "\r"):
        return "\n"
    base = cluster[0]
    if base in rules.remove or unicodedata.combining(base):
        return ""  # a combining mark with no letter to sit on is dropped with it
    if base in rules.to_space or base.isspace():
        return base if base == "\n" else " "
    if base in rules.lookalikes:
        cluster = rules.lookalikes[base] + cluster[1:]
    cluster = "".join(ch for ch in cluster if ch not in rules.remove)
    return unicodedata.normalize("NFC", cluster)
