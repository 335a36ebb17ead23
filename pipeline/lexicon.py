"""Rule vocabularies compiled into a phrase trie over underthesea syllables.

Extraction works on the syllables of underthesea's words (the regex tokens its word
segmenter groups), kept as plain lists beside a spaCy Doc of them. A phrase from a rule file is
split by the same regex tokenizer, so a pattern and the text it should match are
cut the same way whatever the segmenter decides in context; the word boundaries
are kept beside the Doc, and a rule file can ask that its phrases start and end
on them (``require_word_boundary``), so "tặng" does not match inside a longer word.

Rule files are grouped by ``kind``: every file of a kind adds to the same
vocabulary, so a new file dropped into ``rules/`` takes effect without code.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import itemgetter, le
from pathlib import Path
from typing import TYPE_CHECKING

from .config import RULES_DIR
from .rulefiles import (RuleFileError, RulesSource, check_across_files, iter_rule_files, rule_files_by_kind,
                        rules_source)
from .errors import Reject
from .tokenize import Word, shared_vocab

if TYPE_CHECKING:
    from spacy.tokens import Doc

log = logging.getLogger("vnfacts")


@dataclass(frozen=True)
class Phrase:
    label: str
    normalized: str
    rule_id: str
    data: tuple = ()  # sorted (key, value) pairs, hashable

    def get(self, key, default=None):
        return dict(self.data).get(key, default)


# Not frozen, for speed: a lexicon makes about one per token, and a frozen dataclass's checked setattr made building
# them a third of matching. Treated as immutable all the same (hashed by value, as a frozen one is).
@dataclass(unsafe_hash=True, slots=True)
class Match:
    label: str
    start: int  # token indices in the syllable Doc
    end: int
    char_start: int
    char_end: int
    text: str
    phrase: Phrase


@dataclass
class Lexicon:
    """Phrases by label, matched as whole syllable sequences (case-insensitive, as spaCy's PhraseMatcher on
    LOWER matches them)."""

    # lower-cased syllable -> the level after it; under None, the keys of the phrases that end there
    trie: dict = field(default_factory=dict, repr=False)
    phrases: dict[str, list[Phrase]] = field(default_factory=dict)
    # how each phrase key matches (a label may gather word lists declared to match differently)
    boundary_keys: set[str] = field(default_factory=set)
    end_boundary_keys: set[str] = field(default_factory=set)
    head_keys: set[str] = field(default_factory=set)
    after_name_keys: set[str] = field(default_factory=set)
    # label -> its look-alikes: longer phrases that hold a word of the label but are not of it ("không hoàn lại" is
    # no negation); they win over the shorter phrases inside them, then are dropped
    exceptions: dict[str, set[Phrase]] = field(default_factory=dict)
    # key -> the capitalisation of each alias: a match must keep the capitals of one alias of the same length
    cased: dict[str, list[tuple[bool, ...]]] = field(default_factory=dict)
    # key -> how its phrases match (KeyRule), filled as keys are first matched; adding a phrase clears it
    key_rules: dict[str, "KeyRule"] = field(default_factory=dict, repr=False, compare=False)

    def add(self, label: str, texts, normalized: str, rule_id: str, data: dict | None = None,
            word_boundary: bool = False, word_end: bool = False, cased: bool = False, head: bool = False,
            after_name: bool = False, exception: bool = False) -> None:
        self.key_rules.clear()
        phrase = Phrase(label, normalized, rule_id, tuple(sorted((data or {}).items(), key=lambda kv: kv[0])))
        key = f"{label}\x1f{len(self.phrases)}"
        self.phrases[key] = [phrase]
        patterns = [_syllables(str(t)) for t in texts if str(t).strip()]
        for syllables in patterns:
            if syllables:
                node = self.trie
                for syllable in syllables:
                    node = node.setdefault(syllable.lower(), {})
                ends_here = node.setdefault(None, [])
                if key not in ends_here:
                    ends_here.append(key)
        if cased:
            self.cased[key] = [tuple(syl[:1].isupper() for syl in syllables) for syllables in patterns]
        if word_boundary:
            self.boundary_keys.add(key)
        if word_end:
            self.end_boundary_keys.add(key)
        if head:
            self.head_keys.add(key)
        if after_name:
            self.after_name_keys.add(key)
        if exception:
            self.exceptions.setdefault(label, set()).add(phrase)

    def key_rule(self, key: str) -> "KeyRule":
        return KeyRule(self.phrases[key][0], int(key.rsplit("\x1f", 1)[1]), key in self.head_keys,
                       key in self.boundary_keys, key in self.after_name_keys, key in self.end_boundary_keys,
                       tuple(self.cased[key]) if key in self.cased else None)

    def find(self, sdoc: "SyllableDoc") -> dict[str, list[Match]]:
        """Longest non-overlapping matches, per label, in text order."""
        by_label: dict[str, list] = defaultdict(list)
        starts, ends, body = sdoc.token_starts, sdoc.token_ends, sdoc.text
        word_starts, word_ends = sdoc.word_starts, sdoc.word_ends
        key_rules = self.key_rules
        for key, start, end in self._phrase_spans(sdoc.lowers):
            rule = key_rules.get(key)
            if rule is None:
                rule = key_rules[key] = self.key_rule(key)
            if rule.tested:  # most keys match anywhere: no test to run (the tests below, inlined: a match each)
                if rule.head and not sdoc.heads_a_name(start, end):
                    continue
                if rule.boundary and not (starts[start] in word_starts and ends[end - 1] in word_ends) \
                        and not (rule.after_name and sdoc.ends_a_name_word(start, end)):
                    continue
                if rule.end_boundary and ends[end - 1] not in word_ends:
                    continue
                if rule.cased is not None and not rule.keeps_capitals(tuple(sdoc.capitals[start:end])):
                    continue
            by_label[rule.label].append((start, end, body[starts[start]:ends[end - 1]], rule.phrase, rule.order))
        result = {}
        for label, items in by_label.items():  # labels in the order their first match was reported
            items.sort(key=itemgetter(0, 1))
            # most labels: no two matches share a token (each ends where or before the next starts)
            if all(map(le, [item[1] for item in items[:-1]], [item[0] for item in items[1:]])):
                result[label] = [Match(label, s, e, starts[s], ends[e - 1], text, p) for s, e, text, p, _ in items]
                continue
            # two phrases of a label on the same words ("Trưởng đại diện", "Trưởng Đại diện"): the one written
            # as the text is, else the one the rule files list first, whatever order the matcher reports them in
            phrase_of: dict[tuple[int, int], tuple[Phrase, str]] = {}
            for s, e, text, p, _ in sorted(items, key=lambda item: (item[3].normalized != item[2], item[4])):
                phrase_of.setdefault((s, e), (p, text))
            kept = longest_first([(s, e) for s, e, _, _, _ in items])
            result[label] = [Match(label, s, e, starts[s], ends[e - 1], phrase_of[(s, e)][1], phrase_of[(s, e)][0])
                             for s, e in kept]
        for label in self.exceptions.keys() & result.keys():
            result[label] = [m for m in result[label] if m.phrase not in self.exceptions[label]]
            if not result[label]:
                del result[label]
        return result


    def _phrase_spans(self, lowers: list[str]):
        """(key, start, end) of every phrase on the tokens, by start, then end (what spaCy's PhraseMatcher
        reports, the keys of one span in the order they were added)."""
        trie, n = self.trie, len(lowers)
        for start in range(n):
            node, end = trie.get(lowers[start]), start + 1
            while node is not None:
                keys = node.get(None)
                if keys is not None:
                    for key in keys:
                        yield key, start, end
                if end == n:
                    break
                node, end = node.get(lowers[end]), end + 1


@dataclass(frozen=True)
class KeyRule:
    """What a matcher key stands for: its phrase, its place in the rule files, and the tests a match of it must
    pass (worked out once per key, not per match)."""

    phrase: Phrase
    order: int
    head: bool
    boundary: bool
    after_name: bool
    end_boundary: bool
    cased: tuple[tuple[bool, ...], ...] | None  # the capitalisation of each alias, for a cased list
    # the capitalisation of a match's syllables -> whether it keeps an alias's capitals (one test per shape)
    kept_capitals: dict[tuple[bool, ...], bool] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @cached_property
    def tested(self) -> bool:
        """A match of the key must pass a test before it counts."""
        return self.head or self.boundary or self.end_boundary or self.cased is not None

    @cached_property
    def label(self) -> str:
        return self.phrase.label

    def keeps_capitals(self, capitals: tuple[bool, ...]) -> bool:
        """"Mỹ" the country, not "mỹ" in "thẩm mỹ": every syllable an alias capitalises is capitalised."""
        kept = self.kept_capitals.get(capitals)
        if kept is None:
            kept = self.kept_capitals[capitals] = any(
                len(p) == len(capitals) and all(c or not want for c, want in zip(capitals, p)) for p in self.cased)
        return kept


def longest_first(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token spans (start, end) without overlaps, in text order: of overlapping spans the longest, then the first
    (spaCy's ``filter_spans``, on plain pairs: a Span object per match cost more than the matching)."""
    kept, seen = [], set()
    for start, end in sorted(spans, key=lambda span: (span[1] - span[0], -span[0]), reverse=True):
        if start not in seen and end - 1 not in seen:
            kept.append((start, end))
            seen.update(range(start, end))
    return sorted(kept)


# spaCy's lexeme attributes of the multi-language vocabulary (spacy.lang.lex_attrs, a test compares them), here
# so that extraction does not import spaCy
def like_num(text: str) -> bool:
    if text.startswith(("+", "-", "±", "~")):
        text = text[1:]
    text = text.replace(",", "").replace(".", "")
    if text.isdigit():
        return True
    if text.count("/") == 1:
        num, denom = text.split("/")
        if num.isdigit() and denom.isdigit():
            return True
    return False


def is_punct(text: str) -> bool:
    return all(unicodedata.category(char).startswith("P") for char in text)


@lru_cache(maxsize=65536)
def _syllables(text: str) -> tuple[str, ...]:
    from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize

    return tuple(tokenize(text))


def pattern_doc(text: str) -> Doc:
    from spacy.tokens import Doc

    return Doc(shared_vocab(), words=list(_syllables(str(text))))


WORD_BREAKING_MARKS = (".", ",", ";", ":", "!", "?", "(", ")")  # punctuation that ends a word glued to it


@dataclass
class SyllableDoc:
    """The syllables of a text, with underthesea's word boundaries, as plain lists (looking an attribute up
    costs a list index, where ``doc[k]`` makes a Token object); the spaCy Doc of them is made only if asked
    for (extraction itself does not)."""

    word_starts: set[int]
    word_ends: set[int]
    sentence_of: list[int]  # sentence index of each token (whitespace tokens: the previous one's)
    text: str
    token_starts: list[int]  # each token's character offset, in order: a token is found by its offset in log time
    token_ends: list[int]
    texts: list[str]
    spaces: list[bool]  # the token is whitespace
    tags: list[str]
    follows_space: list[bool]  # a space follows the token (the Doc's ``spaces``)

    @classmethod
    def of_doc(cls, doc: Doc, word_starts: set[int], word_ends: set[int], sentence_of: list[int]) -> "SyllableDoc":
        """The lists read from the Doc's arrays in one go."""
        if len(doc):
            idx, length, space, tag = doc.to_array(["IDX", "LENGTH", "IS_SPACE", "TAG"]).T.tolist()
        else:
            idx, length, space, tag = [], [], [], []
        text, strings = doc.text, doc.vocab.strings
        ends = [start + n for start, n in zip(idx, length)]
        sdoc = cls(word_starts, word_ends, sentence_of, text, idx, ends,
                   [text[start:end] for start, end in zip(idx, ends)], [bool(x) for x in space],
                   [strings[t] if t else "" for t in tag], [bool(t.whitespace_) for t in doc])
        sdoc.__dict__["doc"] = doc
        return sdoc

    @cached_property
    def doc(self) -> Doc:
        """The tokens as a spaCy Doc (its text is ``text``; no tags)."""
        from spacy.tokens import Doc

        return Doc(shared_vocab(), words=self.texts, spaces=self.follows_space)

    @cached_property
    def capitals(self) -> list[bool]:
        """Each token's first letter is a capital."""
        return [t[:1].isupper() for t in self.texts]

    @cached_property
    def lowers(self) -> list[str]:
        """Each token lower-cased, as spaCy's LOWER: what phrases match on."""
        return [t.lower() for t in self.texts]

    def like_num(self, k: int) -> bool:
        """spaCy's ``Token.like_num`` of token k."""
        return like_num(self.texts[k])

    def is_punct(self, k: int) -> bool:
        """spaCy's ``Token.is_punct`` of token k."""
        return is_punct(self.texts[k])

    def span_text(self, start: int, end: int) -> str:
        """The body text of tokens start..end (``doc[start:end].text`` without a Span or Token object)."""
        return self.text[self.token_starts[start]:self.token_ends[end - 1]] if end > start else ""

    def ends_a_word(self, end: int) -> bool:
        return self.token_ends[end - 1] in self.word_ends

    def on_word_boundaries(self, start: int, end: int) -> bool:
        return self.token_starts[start] in self.word_starts and self.token_ends[end - 1] in self.word_ends

    def word_end(self, i: int, limit: int) -> int:
        """The token after the underthesea word that starts at token i (a full stop glued to it ends it)."""
        j = i + 1
        while j < limit and not self.spaces[j] and self.token_starts[j] not in self.word_starts \
                and self.texts[j] not in WORD_BREAKING_MARKS:
            j += 1
        return j

    def ends_a_name_word(self, start: int, end: int) -> bool:
        """The phrase ends a word that a capitalised syllable opens, each syllable before it capitalised:
        underthesea glues a verb to the name before it ("Đông trao" in "CAP Hòa Thọ Đông trao cho anh …")."""
        if start == 0 or self.token_starts[start] in self.word_starts or not self.ends_a_word(end):
            return False
        k = start - 1
        while True:
            if self.spaces[k] or not self.texts[k][:1].isupper():
                return False
            if self.token_starts[k] in self.word_starts:
                return True
            if k == 0:
                return False
            k -= 1

    def heads_a_name(self, start: int, end: int) -> bool:
        """The phrase is a word of its own, or opens a common-noun word that goes on into a capitalised
        syllable: underthesea glues a head noun to the name it heads ("Hội Cha mẹ" in "Hội Cha mẹ học sinh"),
        but tags a person's name Np ("Đoàn Văn Hậu" is no delegation)."""
        if self.on_word_boundaries(start, end):
            return True
        if end >= len(self.texts):
            return False
        # a head the segmenter cut in two ("Ủy" | "ban Nhân dân") heads a name even where its first half is
        # tagged Np
        split_head = any(self.token_starts[k] in self.word_starts for k in range(start + 1, end))
        glued = self.token_starts[start] in self.word_starts and not self.spaces[end] \
            and self.token_starts[end] not in self.word_starts
        # a common noun glued to two or more lower-case syllables ("Hội chữ thập đỏ", not "Hội nghị", "Trường
        # hợp") heads them when a place follows: the party finder decides
        return glued and (self.texts[end][:1].isupper() and (self.tags[start] != "Np" or split_head)
                          or self.texts[end][:1].islower() and self.tags[start] == "N"
                          and self.word_end(start, len(self.texts)) - end >= 2)


# What a Vietnamese syllable may be made of: an onset, one to three vowels, a final (tone marks on the vowels).
# No Vietnamese syllable doubles a vowel letter other than "o" ("xoong"): "Gee", "Lee", "Saa" are foreign.
SYLLABLE_ONSET_LETTERS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcd\u0111ghklmnpqrstvx]"
SYLLABLE_VOWEL_LETTERS = "aăâeêioôơuưyàằầèềìòồờùừỳáắấéếíóốớúứýảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹạặậẹệịọộợụựỵ"
SYLLABLE_FINAL_LETTERS = "ch|ng|nh|[cmnpt]"
VIETNAMESE_SYLLABLE = re.compile(
    f"^(?!.*(?:aa|ee|ii|uu|yy))({SYLLABLE_ONSET_LETTERS})?[{SYLLABLE_VOWEL_LETTERS}]{{1,3}}"
    f"({SYLLABLE_FINAL_LETTERS})?$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _word_breaks_between(prev: str, syl: str) -> bool:
    """underthesea sometimes glues a foreign name to a word beside it ("Phenikaa trao", "viện trợ ODA"), an
    acronym to the name after it ("Chủ tịch EVN Dương Quang Thành", "TGĐ Cty"), or a number to the word before or
    after it ("viện trợ 1,2", "1.315 bộ"): a word breaks between a capitalised syllable that cannot be Vietnamese and
    a lower-case Vietnamese one, after an acronym before a capitalised word, and around a number."""
    def foreign(x: str) -> bool:
        return x[:1].isupper() and VIETNAMESE_SYLLABLE.match(x) is None

    def vietnamese(x: str) -> bool:
        return x[:1].islower() and VIETNAMESE_SYLLABLE.match(x) is not None

    def acronym(x: str) -> bool:  # "EVN", "TGĐ", "TP.HCM"
        return len(x) >= 2 and x.isupper()

    return (foreign(prev) and vietnamese(syl)) or (vietnamese(prev) and foreign(syl)) or \
        (acronym(prev) and syl[:1].isupper() and not acronym(syl)) or \
        (prev[-1:].isalpha() and syl[:1].isdigit()) or \
        (prev[-1:].isdigit() and syl[:1].isalpha())  # "viện trợ 1,2", "1.315 bộ": a number is never inside a word


def _pattern_pieces(chunk: str) -> tuple[str, ...]:
    """A word's syllable cut as rule phrases are cut ("TS." is "TS" and ".", "TP.HCM." is "TP.HCM" and "."),
    so a phrase matches whatever the word segmenter glued to it."""
    pieces = _syllables(chunk)
    return pieces if "".join(pieces) == chunk and pieces else (chunk,)


@lru_cache(maxsize=65536)
def _word_pieces(text: str) -> tuple[str, ...] | None:
    """The syllables a word is cut into, or None for a word that is one syllable as written (most are)."""
    if len(text.split()) == 1 and len(_pattern_pieces(text)) == 1:
        return None
    return tuple(piece for chunk in text.split() for piece in _pattern_pieces(chunk))


def syllable_doc(body: str, words: list[Word]) -> SyllableDoc:
    """The words cut into syllables, as one Doc over ``body``: gaps between words other than one space become
    whitespace tokens (tagged ``_SP``), as ``tokenize.doc_from_words`` makes them. Its lists are made in the
    same pass, not read back from the Doc."""
    word_starts, word_ends = {w.start for w in words}, {w.end for w in words}
    texts: list[str] = []
    starts: list[int] = []
    follows_space: list[bool] = []  # a space after the token (the Doc's ``spaces``)
    tags: list[str] = []
    sentence_of: list[int] = []
    cursor, current = 0, 0
    for n, w in enumerate(words):
        pieces, full_stop = _word_pieces(w.text), -1
        last_of_sentence = n + 1 == len(words) or words[n + 1].sentence != w.sentence
        if pieces is None and last_of_sentence and _ends_on_a_full_stop(w.text):
            # "… Trẻ mồ côi TP.HCM.": the sentence's full stop, glued to an abbreviation, is a word of its own
            pieces, full_stop = (w.text[:-1], "."), w.end - 1
            word_ends.add(w.end - 1)
            word_starts.add(w.end - 1)
        for start, text in ((w.start, w.text),) if pieces is None else \
                _syllable_cuts(body, w, pieces, word_starts, word_ends):
            if start > cursor:
                if start == cursor + 1 and body[cursor] == " " and texts and not follows_space[-1]:
                    follows_space[-1] = True  # most gaps: the one space after the word before
                elif _add_gap(body, cursor, start, texts, starts, follows_space, tags):
                    sentence_of.append(current)
            texts.append(text)
            starts.append(start)
            follows_space.append(False)
            tags.append(PUNCTUATION_TAG if start == full_stop else w.pos)
            if not text.isspace():
                current = w.sentence
            sentence_of.append(current)
            cursor = start + len(text)
    if cursor < len(body) and _add_gap(body, cursor, len(body), texts, starts, follows_space, tags):
        sentence_of.append(current)
    # the text a Doc of the tokens would hold
    if "".join(t + " " if space else t for t, space in zip(texts, follows_space)) != body:
        raise Reject("token_misaligned", "spaCy Doc text differs from the body")
    ends = [start + len(text) for start, text in zip(starts, texts)]
    return SyllableDoc(word_starts, word_ends, sentence_of, body, starts, ends, texts, [t.isspace() for t in texts],
                       tags, follows_space)


PUNCTUATION_TAG = "CH"  # underthesea's tag of punctuation


def _ends_on_a_full_stop(text: str) -> bool:
    """An abbreviation with dots inside that the segmenter kept with the full stop after it ("TP.HCM.")."""
    return len(text) > 3 and text.endswith(".") and "." in text[1:-1] and text[-2].isalnum()


def _syllable_cuts(body: str, w: Word, pieces: tuple[str, ...], word_starts: set[int],
                   word_ends: set[int]) -> list[tuple[int, str]]:
    """(start, text) of each syllable of a word of several; a word breaks inside it where underthesea glued
    two words (``_word_breaks_between``)."""
    cuts, cursor, prev = [], w.start, None
    for syl in pieces:
        at = body.index(syl, cursor, w.end)
        cuts.append((at, syl))
        if prev is not None and _word_breaks_between(prev[1], syl):
            word_starts.add(at)
            word_ends.add(prev[0] + len(prev[1]))
        prev = (at, syl)
        cursor = at + len(syl)
    return cuts


def _add_gap(body: str, start: int, end: int, texts: list[str], starts: list[int], follows_space: list[bool],
             tags: list[str]) -> bool:
    """A gap other than one space between words: a leading space goes after the word before, the rest is a
    whitespace token of its own (whether there is one)."""
    if texts and body[start] == " " and not follows_space[-1]:
        follows_space[-1] = True
        start += 1
    if start < end:
        texts.append(body[start:end])
        starts.append(start)
        follows_space.append(False)
        tags.append("_SP")
        return True
    return False


def phrase_doc(text: str) -> SyllableDoc:
    """A standalone phrase as a SyllableDoc whose every syllable is a word."""
    doc = pattern_doc(text)
    return SyllableDoc.of_doc(doc, {t.idx for t in doc}, {t.idx + len(t) for t in doc}, [0] * len(doc))


# ---------------------------------------------------------------- the compiled rules

@dataclass(eq=False)  # hashed by identity: one compiled set of rules per rules directory content
class CompiledRules:
    rules_dir: Path
    lexicon: Lexicon
    files: dict[str, list[dict]]  # kind -> rule file data
    source: RulesSource  # the directory and the digest of the content compiled

    def first(self, kind: str) -> dict:
        return self.files[kind][0]

    def merged_list(self, kind: str, key: str) -> list:
        out = []
        for data in self.files.get(kind, []):
            out.extend(data.get(key) or [])
        return out

    def merged_map(self, kind: str, key: str) -> list[tuple[str, object]]:
        """(key of the map, each of its words) for a map of word lists, over every rule file of the kind:
        "organisation_heads" gives ("fund", "Quỹ"), …"""
        return [(name, word) for data in self.files.get(kind, []) for name, words in (data.get(key) or {}).items()
                for word in words]


@dataclass(frozen=True)
class LabelDeclaration:
    """What a rule file's ``labels:`` says of one of its word lists: the label its phrases carry, and how they
    match."""

    key: str
    label: str
    anywhere: bool = False  # also inside a longer underthesea word, not only on word boundaries
    cased: bool = False  # only as capitalised as written ("Mỹ" the country, not "mỹ" in "thẩm mỹ")
    heads_a_name: bool = False  # a head noun: also where the segmenter glues it to the name it heads
    after_a_name: bool = False  # a verb: also where the segmenter glues it to the name before it
    exception: bool = False  # look-alikes: phrases that hold a word of the label but are not of it

    @classmethod
    def parse(cls, key: str, value) -> "LabelDeclaration":
        if isinstance(value, str):
            return cls(key, value)
        return cls(key, str(value["label"]), bool(value.get("anywhere", False)), bool(value.get("cased", False)),
                   bool(value.get("heads_a_name", False)), bool(value.get("after_a_name", False)),
                   bool(value.get("exception", False)))


def label_declarations(data: dict) -> list[LabelDeclaration]:
    return [LabelDeclaration.parse(str(k), v) for k, v in (data.get("labels") or {}).items()]


# Labels the structured vocabularies give (entity lists, currencies), beside those the rule files declare.
STRUCTURED_LABELS = ("PLACE", "CURRENCY")


def defined_labels(files: dict[str, list[dict]]) -> set[str]:
    """Every label a set of rule files defines: what a pattern may name."""
    declared = {d.label for datas in files.values() for data in datas for d in label_declarations(data)}
    return declared | set(STRUCTURED_LABELS) | {str(data.get("label")) for data in files.get("entity", [])
                                                 if data.get("label")}


@lru_cache(maxsize=8)
def _compile_cached(source: RulesSource) -> CompiledRules:
    rules_dir = source.path
    files = rule_files_by_kind(source)  # the files the digest was made from
    check_across_files(source)
    lexicon = Lexicon()
    listed_forms: set[str] = set()  # every form the entity lists name
    for data in files.get("entity", []):
        label = data.get("label", "PLACE")
        for entry in data["entries"]:
            ambiguous = [str(a) for a in entry.get("ambiguous") or []]
            listed_forms.update(str(a) for a in list(entry.get("aliases") or []) + [entry["canonical"]])
            aliases = [a for a in list(entry.get("aliases") or []) + [entry["canonical"]] if str(a) not in ambiguous]
            extra = {k: v for k, v in entry.items() if k not in ("aliases", "ambiguous")}
            lexicon.add(label, aliases, entry["canonical"], data["id"], extra,
                        word_boundary=bool(data.get("require_word_boundary", False)), cased=True)
            if ambiguous:  # also a given name or a common word: flagged, so a name may hold it
                lexicon.add(label, ambiguous, entry["canonical"], data["id"], {**extra, "ambiguous": True},
                            word_boundary=bool(data.get("require_word_boundary", False)), cased=True)
    known = {dict(p[0].data).get("country"): p[0] for p in lexicon.phrases.values()
             if p[0].label == "PLACE" and dict(p[0].data).get("kind") == "country" and not dict(p[0].data).get("ambiguous")}
    for data in files.get("entity_countries", []):
        for entry in country_entries(data):
            place = known.get(entry["country"])
            if place is not None:  # the places list names the country; CLDR's other forms ("Trung Hoa") name it too
                forms = [f for f in entry["aliases"] if f not in listed_forms]
                if forms:
                    lexicon.add("PLACE", forms, place.normalized, data["id"],
                                {**dict(place.data), **({"ambiguous": True} if entry.get("ambiguous") else {})},
                                cased=True)
                continue
            lexicon.add("PLACE", entry["aliases"], entry["canonical"], data["id"],
                        {k: v for k, v in entry.items() if k != "aliases"}, cased=True)
    for datas in files.values():
        for data in datas:
            for declared in label_declarations(data):
                _add_declared(lexicon, data, declared)
    for data in files.get("money", []):
        # currency names and symbols, so amounts are only tried where a currency is named;
        # ending a word: "đồng" in "đồng chí" is no currency, "kíp" in the word "tỷ kíp" is
        for code, names in (data.get("currencies") or {}).items():
            texts = list(names.get("symbols") or []) + list(names.get("words") or [])
            lexicon.add("CURRENCY", texts, code, data["id"], word_end=True)
        for entry in data.get("scaled_currency_words") or []:
            lexicon.add("CURRENCY", [entry["text"]], entry["currency"], data["id"], word_end=True)
        cents = (data.get("cents") or {}).get("words") or []
        if cents:
            lexicon.add("CURRENCY", cents, "cents", data["id"], word_end=True)
    if not lexicon.phrases:
        log.warning("no phrase rules found under %s: extraction will find nothing", rules_dir)
    return CompiledRules(Path(rules_dir), lexicon, dict(files), source)


def _add_declared(lexicon: Lexicon, data: dict, declared: LabelDeclaration) -> None:
    """The phrases of one declared word list (or of each value of a map of lists) under their label."""
    value = data.get(declared.key)
    flags = dict(word_boundary=not declared.anywhere, cased=declared.cased, head=declared.heads_a_name,
                 after_name=declared.after_a_name, exception=declared.exception)
    if isinstance(value, dict):
        for normalized in value:
            lexicon.add(declared.label, _phrases(value, normalized, data["id"]), str(normalized), data["id"], **flags)
    else:
        for text in _phrases(data, declared.key):
            lexicon.add(declared.label, [text], str(text), data["id"], **flags)


def _phrases(data: dict, key: str, file_id: str | None = None) -> list:
    """The phrase list under ``key``, or RuleFileError naming the file and the key."""
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise RuleFileError(f"[R008] rule file {file_id or data.get('id')}: {key} must be a list of phrases, "
                            f"not {type(value).__name__}")
    return value


def country_entries(data: dict) -> list[dict]:
    """Country names in Vietnamese from the CLDR data that Babel ships (its version is pinned, so the names do
    not change under a run), with the rule file's aliases for common forms CLDR lacks ("Ý", "Mỹ")."""
    from babel import Locale

    locale = Locale.parse(str(data.get("cldr_locale", "vi")))
    names = {code: name for code, name in locale.territories.items() if len(code) == 2 and code.isalpha()}
    aliases = {str(k): [str(a) for a in v] for k, v in (data.get("aliases") or {}).items()}
    canonical = {str(k): str(v) for k, v in (data.get("canonical") or {}).items()}
    excluded = {str(c) for c in data.get("exclude") or []}
    ambiguous = {str(a) for a in data.get("ambiguous") or []}
    entries = []
    for code in sorted(set(names) | set(aliases) | set(canonical)):
        if code in excluded:
            continue
        cldr = names.get(code)
        name = canonical.get(code) or cldr
        if name is None:
            continue
        forms = list(dict.fromkeys(f for f in [name, cldr, *aliases.get(code, [])] if f))
        clear = [f for f in forms if f not in ambiguous]
        if clear:
            entries.append({"canonical": name, "kind": "country", "country": code, "aliases": clear})
        if len(clear) < len(forms):
            entries.append({"canonical": name, "kind": "country", "country": code, "ambiguous": True,
                            "aliases": [f for f in forms if f in ambiguous]})
    return entries


def compile_rules(rules_dir: Path = RULES_DIR) -> CompiledRules:
    """All rule files under rules_dir, compiled once per content: an edit to any file (or a file added or
    removed) compiles a new set at the next call, in this process too. A compiled set is returned as is."""
    if isinstance(rules_dir, CompiledRules):
        return rules_dir
    return _compile_cached(rules_source(rules_dir))
