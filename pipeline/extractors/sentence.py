"""Sentences of a syllable Doc, and small helpers every extractor shares."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from ..lexicon import Match, SyllableDoc

MAX_NUMBER_TOKENS = 7
SENTENCE_PUNCT = {",", ";", ".", ":", "!", "?", ")", "(", "…"}


@dataclass
class Sentence:
    index: int
    start: int  # token range in the syllable Doc
    end: int
    # label -> matches, never an empty list: ``sentences_of`` gives each sentence only its own (those inside its
    # tokens), so neither ``of`` nor ``labels`` tests a match's place again
    matches: dict[str, list[Match]]

    def of(self, label: str) -> list[Match]:
        return list(self.matches.get(label, ()))

    def labels(self) -> frozenset[str]:
        """The labels the sentence has a match of (worked out once per sentence)."""
        present = self.__dict__.get("_labels")
        if present is None:
            present = self.__dict__["_labels"] = frozenset(self.matches)
        return present

    def holds(self, labels) -> bool:
        """Whether the sentence has a match of every label (a cheap test before any token is looked at)."""
        return self.labels().issuperset(labels)

    def holds_any(self, labels) -> bool:
        """Whether the sentence has a match of one of the labels."""
        return not self.labels().isdisjoint(labels)


def char_span(sdoc: SyllableDoc, start: int, end: int) -> tuple[int, int]:
    return sdoc.token_starts[start], sdoc.token_ends[end - 1]


def sentences_of(sdoc: SyllableDoc, matches: dict[str, list[Match]]) -> list[Sentence]:
    bounds, start = [], 0
    for i in range(1, len(sdoc.texts) + 1):
        if i == len(sdoc.texts) or sdoc.sentence_of[i] != sdoc.sentence_of[start]:
            bounds.append((start, i))
            start = i
    inside = matches_by_sentence(bounds, matches)
    return [Sentence(sdoc.sentence_of[a], a, b, own) for (a, b), own in zip(bounds, inside)]


def matches_by_sentence(bounds: list[tuple[int, int]], matches: dict[str, list[Match]]) \
        -> list[dict[str, list[Match]]]:
    """For each token range of ``bounds`` (in order, not overlapping), the matches that lie inside it, in their
    order: each match is placed once, so a page costs its matches, not its sentences times its matches."""
    inside: list[dict[str, list[Match]]] = [{} for _ in bounds]
    ends = [b for _, b in bounds]
    range_of = [-1] * (ends[-1] if ends else 0)  # token -> the range it is in (-1: none)
    for k, (a, b) in enumerate(bounds):
        range_of[a:b] = [k] * (b - a)
    for label, found in matches.items():
        for m in found:
            k = range_of[m.start] if m.start < len(range_of) else -1
            if k >= 0 and m.end <= ends[k]:
                inside[k].setdefault(label, []).append(m)
    return inside


def tok_at(sdoc: SyllableDoc, char: int) -> int:
    """The first token that starts at or after ``char`` (the Doc's length when none does)."""
    return bisect_left(sdoc.token_starts, char)


@lru_cache(maxsize=1024)
def whole_words(words: str) -> re.Pattern:
    """``words`` as a regex that matches them only where they are not inside longer words."""
    return re.compile(rf"(?<!\w){re.escape(words)}(?!\w)")
