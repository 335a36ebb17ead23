"""Sentences of a syllable Doc, and small helpers every extractor shares."""

from __future__ import annotations

from dataclasses import dataclass

from ..lexicon import Match, SyllableDoc

MAX_NUMBER_TOKENS = 7
SENTENCE_PUNCT = {",", ";", ".", ":", "!", "?", ")", "(", "…"}


@dataclass
class Sentence:
    index: int
    start: int  # token range in the syllable Doc
    end: int
    matches: dict[str, list[Match]]

    def of(self, label: str) -> list[Match]:
        return [m for m in self.matches.get(label, []) if self.start <= m.start and m.end <= self.end]


def char_span(sdoc: SyllableDoc, start: int, end: int) -> tuple[int, int]:
    return sdoc.doc[start].idx, sdoc.doc[end - 1].idx + len(sdoc.doc[end - 1])


def sentences_of(sdoc: SyllableDoc, matches) -> list[Sentence]:
    sents, start = [], 0
    for i in range(1, len(sdoc.doc) + 1):
        if i == len(sdoc.doc) or sdoc.sentence_of[i] != sdoc.sentence_of[start]:
            sents.append(Sentence(sdoc.sentence_of[start], start, i, matches))
            start = i
    return sents


def tok_at(sdoc: SyllableDoc, char: int) -> int:
    for tok in sdoc.doc:
        if tok.idx >= char:
            return tok.i
    return len(sdoc.doc)
