"""Named patterns: the sentence-level rules of the rule files, and the small interpreter that runs them.

A pattern is a list of elements over the units of one sentence (``rules/aid/vi/aid.yaml``, ``patterns:``):

- ``{party: <role>, kinds: [...]?}``: a party (a named place, organisation or person) starts here, of one of
  ``kinds`` if given (country, province, fund, company …, as the entity rules name them);
- ``{phrase: <role>}``: a party, or else a noun phrase no list names ("các hộ nghèo"), starts here: the
  sentence's phrase finder decides where the phrase ends; with ``up_to: [LABEL…]`` the phrase is every word
  from here to where a phrase of those labels starts (the agent before its verb: "do cộng đồng người Việt tại
  Nhật Bản gửi tặng"), when they hold no punctuation, number or verb; ``opens_with: [LABEL…]``: it opens with
  a phrase of those labels; ``without: [LABEL…]``: none of those starts inside it;
- ``{amount: <role>}``: an amount of money or a counted item starts here;
- ``{label: <LABEL>, role: <role>?}``: a phrase of a word list (its label is declared in the rule file);
- ``{aside: n}``: a bracketed aside of at most n tokens ("(trái)", "(gần 341 tỷ đồng)");
- ``{skip: n, not: [LABEL…]?}``: up to n tokens that are no punctuation, no party, no amount and start none of
  the labels in ``not``;
- ``{any: n, not: [LABEL…]?}``: up to n tokens of any kind (punctuation, parties and amounts too) that start
  none of the labels in ``not``: what stands between a giver's verb and the list it announces;
- ``{title: <role>}``: a person's titles start here (a chain of titles, each with what completes it: "Ủy viên Bộ
  Chính trị, Bí thư Thành ủy Hà Nội"); with ``alone: true``, only when no name follows them; with
  ``needs_complement: [LABEL…]``, not when every title is a head of those labels with nothing completing it
  ("ông X, đại diện, cho biết": a representative of no office named);
- ``{name: <role>}``: a person's name starts here; ``addressed: true``: a name after a form of address (which may
  be any capitalised syllables spelt as Vietnamese); ``min_tokens: n``: of n syllables or more, or fewer right
  after a title whose head starts a phrase of ``fewer_after: [LABEL…]`` ("Tổng thống Trump");
- ``{group: [element…]}``: elements matched together;

each with ``op: "?"`` (optional), ``"*"`` (any number) or ``"+"`` (one or more), and ``not: [LABEL…]``: a
party, phrase or amount that starts where a phrase of one of these starts is not it, nor a label's phrase where
one of these as long or longer starts ("gửi" is weak, "gửi tặng" is not). A match binds roles
to the units it passed (a repeated group may bind an amount at each repetition: ``PatternMatch.rows``); ``unless`` lists labels that, anywhere in the sentence, block the pattern, ``unless_near``
labels that block a match they stand in up to a few tokens after its amount (or a few tokens before it),
``unless_in_clause`` labels that block a match they stand before in its clause, and ``when`` labels one of which
the sentence must hold.
Elements several patterns share (the giver's apposition) are written once under ``pattern_parts:`` and named in
each pattern by a YAML alias; the loader expands them, so the interpreter sees plain elements.
The interpreter knows nothing of Vietnamese: every word it looks for is in a word list of the rule files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Iterator

from ..numbers import whole_number
from .entities import VERB_TAGS, Party
from .sentence import SENTENCE_PUNCT, char_span

log = logging.getLogger("vnfacts")

OPS = ("?", "*", "+")
MAX_PHRASE = 14  # tokens of a noun phrase no list names (a receiver, an agent before its verb)
ADVERB_TAGS = ("R",)  # the tagger's adverbs: "đã", "cũng", "vừa" before a verb


@dataclass(frozen=True)
class Element:
    kind: str  # one of ELEMENT_KINDS
    value: object  # the role (party, phrase, amount), label, tokens (skip, aside) or elements (group)
    role: str | None = None
    op: str | None = None
    # skip, any: tokens that start one are not passed; a label: not where one as long or longer starts; else: a
    # unit that starts where one starts is not it
    not_labels: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()  # a unit right after a phrase of one of these is not it ("tại Hà Nội")
    kinds: tuple[str, ...] = ()  # party: the entity kinds it may be
    up_to: tuple[str, ...] = ()  # phrase: it runs to where a phrase of these labels starts
    opens_with: tuple[str, ...] = ()  # phrase with up_to: it opens with a phrase of one of these labels
    without: tuple[str, ...] = ()  # phrase with up_to: no phrase of these labels starts inside it
    options: tuple[tuple[str, object], ...] = ()  # title, name: what the sentence's finder of that unit reads

    def option(self, key: str, default=None):
        return next((v for k, v in self.options if k == key), default)


@dataclass(frozen=True)
class Pattern:
    id: str
    elements: tuple[Element, ...]
    unless: tuple[str, ...] = ()  # a label anywhere in the sentence blocks the pattern
    unless_near: tuple[str, ...] = ()  # a label inside the match, or just before or after it, blocks the match
    when: tuple[str, ...] = ()  # one of these labels must stand in the sentence
    sets: tuple[tuple[str, object], ...] = ()  # fixed values the rows of the pattern carry (flow: loan)
    unless_in_clause: tuple[str, ...] = ()  # a label before the match in its clause blocks the match

    def get(self, key: str, default=None):
        fixed = self.__dict__.get("_sets")
        if fixed is None:  # asked of every pattern in every sentence: made once (the pattern is frozen)
            fixed = dict(self.sets)
            object.__setattr__(self, "_sets", fixed)
        return fixed.get(key, default)

    def all_elements(self) -> Iterator[Element]:
        """Every element, those inside groups too."""
        stack = list(reversed(self.elements))
        while stack:
            el = stack.pop()
            yield el
            if el.kind == "group":
                stack.extend(reversed(el.value))

    def required_labels(self) -> tuple[str, ...]:
        """The labels a sentence must hold for the pattern to match it: those of its elements that are not
        optional (a cheap test before any token is looked at)."""
        found = self.__dict__.get("_required_labels")
        if found is None:  # asked of every sentence: worked out once (the pattern is frozen, the answer too)
            found = tuple(sorted({str(el.value) for el in self.elements if el.kind == "label" and el.op in (None, "+")}))
            object.__setattr__(self, "_required_labels", found)
        return found

    def role_labels(self, role: str) -> set[str]:
        """The labels of the elements that bind ``role`` (the verbs of a pattern)."""
        return {str(el.value) for el in self.all_elements() if el.kind == "label" and el.role == role}

    def labels(self) -> set[str]:
        """Every label the pattern names: what the rule set must define."""
        found = set(self.unless) | set(self.unless_near) | set(self.when) | set(self.unless_in_clause)
        for el in self.all_elements():
            if el.kind == "label":
                found.add(str(el.value))
            found.update(el.not_labels)
            found.update(el.not_after)
            found.update(el.up_to)
            found.update(el.opens_with)
            found.update(el.without)
            found.update(el.option("fewer_after") or ())
            found.update(el.option("needs_complement") or ())
        return found


class PatternError(ValueError):
    pass


ELEMENT_KINDS = ("party", "phrase", "amount", "title", "name", "label", "skip", "any", "aside", "group")
UNIT_KINDS = ("party", "phrase", "amount", "title", "name")  # elements that bind a unit to their role
UNIT_OPTIONS = {"title": ("alone", "needs_complement"), "name": ("addressed", "min_tokens", "fewer_after")}
BRACKETS = {"(": ")", "[": "]"}


def compile_element(spec: dict, where: str) -> Element:
    kinds = [k for k in ELEMENT_KINDS if k in spec]
    if len(kinds) != 1:
        raise PatternError(f"{where}: an element has exactly one of {', '.join(ELEMENT_KINDS)} ({spec!r})")
    kind = kinds[0]
    op = spec.get("op")
    if op is not None and op not in OPS:
        raise PatternError(f"{where}: op {op!r} is none of {OPS}")
    if kind in ("skip", "any", "aside") and op in ("*", "+"):
        raise PatternError(f"{where}: a {kind} repeats no better than a longer one (op {op!r})")
    if kind == "group" and op in ("*", "+") and not any(
            k in e and e.get("op") in (None, "+") for e in spec["group"] for k in (*UNIT_KINDS, "label")):
        raise PatternError(f"{where}: a repeated group needs a party, phrase, amount or label it cannot skip")
    value = spec[kind]
    if kind == "group":
        value = tuple(compile_element(e, where) for e in value)
    elif kind in ("skip", "any", "aside") and not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        raise PatternError(f"{where}: {kind} takes a number of tokens >= 1 ({value!r})")
    options = tuple((key, tuple(spec[key]) if isinstance(spec[key], list) else spec[key])
                    for key in UNIT_OPTIONS.get(kind, ()) if key in spec)
    return Element(kind, value, spec.get("role"), op, tuple(spec.get("not") or ()),
                   tuple(spec.get("not_after") or ()), tuple(spec.get("kinds") or ()), tuple(spec.get("up_to") or ()),
                   tuple(spec.get("opens_with") or ()), tuple(spec.get("without") or ()), options)


def compile_pattern(spec: dict, where: str) -> Pattern:
    elements = tuple(compile_element(e, f"{where}: {spec.get('id')}") for e in spec["pattern"])
    sets = tuple(sorted((str(k), v) for k, v in (spec.get("sets") or {}).items()))
    return Pattern(str(spec["id"]), elements, tuple(spec.get("unless") or ()), tuple(spec.get("unless_near") or ()),
                   tuple(spec.get("when") or ()), sets, tuple(spec.get("unless_in_clause") or ()))


def patterns_of(files: list[dict]) -> tuple[Pattern, ...]:
    """The patterns of every rule file of a kind, in file order (the first that fits an amount wins)."""
    return tuple(compile_pattern(spec, str(data.get("id"))) for data in files for spec in data.get("patterns") or ())


@lru_cache(maxsize=32)
def compiled_patterns(rules, kind: str) -> tuple[Pattern, ...]:
    """The patterns of a compiled rule set (cached on that set: a changed rule file compiles a new one)."""
    return patterns_of(rules.files.get(kind, []))


# ---------------------------------------------------------------- matching

@dataclass(frozen=True)
class Bound:
    """A unit a match passed, bound to a role: a party, an amount or a phrase (lexicon.Match)."""

    role: str
    unit: object
    start: int
    end: int


@dataclass(frozen=True)
class PatternMatch:
    pattern: Pattern
    start: int
    end: int
    bound: tuple[Bound, ...]

    def one(self, role: str):
        return next((b.unit for b in self.bound if b.role == role), None)

    def all(self, role: str) -> list:
        return [b.unit for b in self.bound if b.role == role]

    def rows(self) -> list[tuple[object, list]]:
        """(amount, recipients) of each amount the match bound: one amount takes every recipient; when a repeated
        group bound several ("Israel (3,1 tỷ USD), Ai Cập (1,3 tỷ USD)"), each takes the recipients bound between
        the amount before it and itself, else those between itself and the next amount, else every recipient the
        match bound ("bàn giao 50 máy thở và 20.000 bộ đồ bảo hộ cho Bộ Y tế Lào"); for a pattern that
        ``sets: {receivers_follow: true}``, those after it first ("2 triệu USD cho Lào và 3 triệu USD cho
        Campuchia")."""
        values = [b for b in self.bound if b.role == "value"]
        if len(values) < 2:
            return [(values[0].unit if values else None, self.all("recipient"))]
        recipients = [b for b in self.bound if b.role == "recipient"]
        edges = [-1] + [v.start for v in values] + [self.end + 1]
        rows = []
        for k, v in enumerate(values):
            before = [r.unit for r in recipients if edges[k] < r.start < v.start]
            after = [r.unit for r in recipients if v.start < r.start < edges[k + 2]]
            first, then = (after, before) if self.pattern.get("receivers_follow") else (before, after)
            rows.append((v.unit, first or then or [r.unit for r in recipients]))
        return rows


class SentenceUnits:
    """What the elements of a pattern match in one sentence (or clause), indexed by token."""

    def __init__(self, sdoc, sent, parties: list, anchors: list, phrase_at=None, finders=None):
        self.sdoc, self.sent = sdoc, sent
        self.phrase_at = phrase_at  # token -> the noun phrase that starts there, or None
        # unit kind (title, name) -> (token, element, bound so far) -> the units of that kind that start there
        self.finders = finders or {}
        self.steps = 0  # element tries of the pattern being matched (see MAX_STEPS)
        self.parties: dict[int, list] = {}
        for p in parties:
            if sent.start <= p.start and p.end <= sent.end:
                self.parties.setdefault(p.start, []).append(p)
        self.anchors: dict[int, list] = {}
        for a in anchors:
            self.anchors.setdefault(a.start, []).append(a)
        self.blocked = {t for p in parties for t in range(p.start, p.end)} | \
                       {t for a in anchors for t in range(a.start, a.end)}
        self._matches: dict[str, list] = {}
        self._starts: dict[str, dict[int, list]] = {}
        self._ends: dict[str, set[int]] = {}

    def of(self, label: str) -> list:
        """The sentence's phrases of a label (read once per sentence)."""
        if label not in self._matches:
            self._matches[label] = self.sent.of(label)
        return self._matches[label]

    def label_at(self, label: str, i: int) -> list:
        if label not in self._starts:
            index: dict[int, list] = {}
            for m in self.of(label):
                index.setdefault(m.start, []).append(m)
            self._starts[label] = index
        return self._starts[label].get(i, [])

    def after_any(self, i: int, labels: tuple[str, ...]) -> bool:
        for label in labels:
            if label not in self._ends:
                self._ends[label] = {m.end for m in self.of(label)}
            if i in self._ends[label]:
                return True
        return False

    def starts_any(self, i: int, labels: tuple[str, ...]) -> bool:
        return any(self.label_at(label, i) for label in labels)

    def phrase_up_to(self, i: int, labels: tuple[str, ...], opens_with: tuple[str, ...] = (),
                     without: tuple[str, ...] = ()):
        """The words from ``i`` to the nearest phrase of ``labels`` within MAX_PHRASE tokens, as a party, when
        they hold no punctuation, number or verb (a capitalised word is a name, whatever its tag), open with a
        phrase of ``opens_with`` (when given; or a number, then one: a counted group, "10 hộ nghèo") and hold none
        of ``without``: (the party, without the adverbs that end the words; where that phrase of ``labels``
        starts), or None."""
        counted = bool(opens_with) and self.sdoc.like_num(i) and self.starts_any(i + 1, opens_with)
        if opens_with and not counted and not self.starts_any(i, opens_with):
            return None
        end = min((m.start for label in labels for m in self.of(label) if i < m.start <= i + MAX_PHRASE),
                  default=None)
        texts, tags = self.sdoc.texts, self.sdoc.tags
        if end is None or any(texts[k] in SENTENCE_PUNCT or (self.sdoc.like_num(k) and not (counted and k == i)) or
                              (tags[k] in VERB_TAGS and texts[k][:1].islower()) or
                              (without and self.starts_any(k, without)) for k in range(i, end)):
            return None
        resume = end
        while end > i and tags[end - 1] in ADVERB_TAGS:
            end -= 1  # "Bạn đọc Báo VietNamNet đã ủng hộ": the adverbs before the verb are the verb's
        if end <= i + counted:
            return None
        party = self._phrase_party(i, end)
        return (replace(party, count=whole_number(texts[i])) if counted else party), resume

    def _phrase_party(self, i: int, end: int) -> Party:
        named = next((p for p in self.parties.get(i, []) if p.end == end), None)
        if named is not None:
            return named  # the words are one party ("do Mỹ tài trợ"): its canonical name and country
        c0, c1 = char_span(self.sdoc, i, end)
        country = next((p.country for k in range(i, end) for p in self.parties.get(k, []) if p.end <= end), None)
        return Party(i, end, self.sdoc.text[c0:c1], self.sdoc.text[c0:c1], None, country, "phrase")

    def skippable(self, i: int, not_labels: tuple[str, ...]) -> bool:
        return not (self.sdoc.texts[i] in SENTENCE_PUNCT or i in self.blocked
                    or any(self.label_at(label, i) for label in not_labels))


def _match_elements(units: SentenceUnits, elements: tuple[Element, ...], i: int,
                    bound: tuple[Bound, ...]) -> Iterator[tuple[int, tuple[Bound, ...]]]:
    if not elements:
        yield i, bound
        return
    el, rest = elements[0], elements[1:]
    for j, b in _match_once(units, el, i, bound):  # as many times as it fits first, then fewer
        if el.op in ("*", "+") and j > i:
            yield from _match_elements(units, (replace(el, op="*"),) + rest, j, b)
        else:
            yield from _match_elements(units, rest, j, b)
    if el.op in ("?", "*"):
        yield from _match_elements(units, rest, i, bound)


class TooManySteps(Exception):
    """A pattern tried more ways of reading a sentence than any reading needs: it gives up on the sentence."""


MAX_STEPS = 20_000  # element tries per pattern and sentence; a rule written as the docs show takes a few hundred


def _match_once(units: SentenceUnits, el: Element, i: int,
                bound: tuple[Bound, ...]) -> Iterator[tuple[int, tuple[Bound, ...]]]:
    units.steps += 1
    if units.steps > MAX_STEPS:
        raise TooManySteps
    end = units.sent.end
    if i >= end and el.kind not in ("skip", "any"):
        return
    if el.not_after and units.after_any(i, el.not_after):
        return
    if el.kind in UNIT_KINDS and el.not_labels and units.starts_any(i, el.not_labels):
        return  # "not": no unit that starts where a phrase of those labels starts ("hỗ trợ kinh phí …")
    if el.kind == "party":
        for p in units.parties.get(i, []):
            if not el.kinds or p.kind in el.kinds:
                yield p.end, bound + (Bound(str(el.value), p, p.start, p.end),)
    elif el.kind == "phrase" and el.up_to:
        found = units.phrase_up_to(i, el.up_to, el.opens_with, el.without)
        if found is not None:
            phrase, resume = found
            yield resume, bound + (Bound(str(el.value), phrase, phrase.start, phrase.end),)
    elif el.kind == "phrase":  # a party, else the noun phrase that starts here
        if el.opens_with and not units.starts_any(i, el.opens_with):
            return
        named = units.parties.get(i, [])
        phrase = units.phrase_at(i) if not named and units.phrase_at is not None else None
        for p in named or ([phrase] if phrase is not None else []):
            yield p.end, bound + (Bound(str(el.value), p, p.start, p.end),)
    elif el.kind == "amount":
        for a in units.anchors.get(i, []):
            yield a.end, bound + (Bound(str(el.value), a, a.start, a.end),)
            worth = a.worth
            if worth is not None and worth.end > a.end:  # "1.000 suất quà, mỗi suất 1 triệu đồng, cho …": with
                # its worth, and the comma that closes the worth's clause when a comma opened it
                closed = worth.end < end and units.sdoc.texts[worth.end] == "," == units.sdoc.texts[a.end]
                yield worth.end + closed, bound + (Bound(str(el.value), a, a.start, a.end),)
    elif el.kind in ("title", "name"):
        finder = units.finders.get(el.kind)
        for unit in finder(i, el, bound) if finder is not None else ():
            yield unit.end, bound + (Bound(str(el.value), unit, unit.start, unit.end),)
    elif el.kind == "label":
        # "not": a phrase of those labels as long as this one or longer stands here ("gửi", not "gửi tặng")
        longest_not = max((n.end for label in el.not_labels for n in units.label_at(label, i)), default=-1)
        for m in units.label_at(str(el.value), i):
            if m.end > longest_not:
                yield m.end, bound + ((Bound(el.role, m, m.start, m.end),) if el.role else ())
    elif el.kind == "skip":
        j = i
        while j - i < int(el.value) and j < end and units.skippable(j, el.not_labels):
            j += 1
        for k in range(i, j + 1):  # the fewest tokens first
            yield k, bound
    elif el.kind == "any":
        j = i
        while j - i < int(el.value) and j < end and not units.starts_any(j, el.not_labels):
            j += 1
        for k in range(i, j + 1):
            yield k, bound
    elif el.kind == "aside":
        close = BRACKETS.get(units.sdoc.texts[i])
        if close is not None:
            j = next((k for k in range(i + 1, min(i + 2 + int(el.value), end)) if units.sdoc.texts[k] == close),
                     None)
            if j is not None:
                yield j + 1, bound
    elif el.kind == "group":
        yield from _match_elements(units, el.value, i, bound)


def match_sentence(units: SentenceUnits, patterns: tuple[Pattern, ...]) -> list[PatternMatch]:
    """Every pattern's first match at every start, in pattern order (``_may_match`` says which patterns are
    tried, ``_match_at`` which matches are kept)."""
    found = []
    for pattern in patterns:
        if not _may_match(units, pattern):
            continue
        units.steps = 0
        for i in _starts(units, pattern.elements[0]):
            try:
                match = _match_at(units, pattern, i)
            except TooManySteps:
                log.warning("pattern %s gave up on a sentence after %d tries", pattern.id, MAX_STEPS)
                break
            if match is not None:
                found.append(match)
    return found


def leftmost_matches(units: SentenceUnits, patterns: tuple[Pattern, ...]) -> list[PatternMatch]:
    """Matches that do not overlap, read from left to right: at each token the first pattern (in file order) that
    matches there wins and the reading goes on after its end (a person's titles and name are read once)."""
    patterns = tuple(p for p in patterns if _may_match(units, p))
    may_start = [_start_tokens(units, p.elements[0]) for p in patterns]
    found, i, spaces = [], units.sent.start, units.sdoc.spaces
    while i < units.sent.end:
        if spaces[i]:  # a reading starts at a word, not at the white space before it
            i += 1
            continue
        for pattern, starts in zip(patterns, may_start):
            if starts is not None and i not in starts:
                continue
            units.steps = 0
            try:
                match = _match_at(units, pattern, i)
            except TooManySteps:
                log.warning("pattern %s gave up on a sentence after %d tries", pattern.id, MAX_STEPS)
                continue
            if match is not None and match.end > i:
                found.append(match)
                i = match.end
                break
        else:
            i += 1
    return found


def _may_match(units: SentenceUnits, pattern: Pattern) -> bool:
    """A pattern is tried in a sentence that holds no label of its ``unless``, one of its ``when`` (when it names
    any) and every label its required elements name."""
    return not any(units.of(label) for label in pattern.unless) \
        and (not pattern.when or any(units.of(label) for label in pattern.when)) \
        and all(units.of(label) for label in pattern.required_labels())


def _match_at(units: SentenceUnits, pattern: Pattern, i: int) -> PatternMatch | None:
    """The pattern's first match from token ``i``, unless a label of its ``unless_near`` stands in it up to its
    amount, a few tokens before it or right after its amount, or one of its ``unless_in_clause`` before it in its
    clause. Raises TooManySteps past the step budget."""
    match = next(_match_elements(units, pattern.elements, i, ()), None)
    if match is None:
        return None
    end, bound = match
    # what governs an amount stands before it or right after it, not after the receiver
    governed_to = next((b.end for b in bound if b.role == "value"), end)
    if _blocked_near(units, pattern.unless_near, i, governed_to) or \
            _blocked_in_clause(units, pattern.unless_in_clause, i):
        return None
    return PatternMatch(pattern, i, end, bound)


def _starts(units: SentenceUnits, first: Element):
    """Where a match may start: where its first element can (anywhere, when that element is optional)."""
    starts = _start_tokens(units, first)
    return sorted(starts) if starts is not None else range(units.sent.start, units.sent.end)


def _start_tokens(units: SentenceUnits, first: Element) -> set[int] | None:
    """The tokens a unit of a pattern's first element starts at (a party, an amount, a label's phrase), or None
    when the element is optional or of another kind: the tokens a match of the pattern may start at."""
    if first.op not in ("?", "*"):
        if first.kind == "party":
            return set(units.parties)
        if first.kind == "amount":
            return set(units.anchors)
        if first.kind == "label":
            return {m.start for m in units.of(str(first.value))}
    return None


NEAR_BEFORE = 6  # tokens before a match where an ``unless_near`` label still governs it ("Thay vì cấp cho …")
NEAR_AFTER = 3  # tokens after its amount (or its end) ("… trị giá 15 triệu bảng Anh mua tiền vệ …")


CLAUSE_MARKS = (",", ";", ":")  # what ends the clause before a match, for ``unless_in_clause``


def _blocked_in_clause(units: SentenceUnits, labels: tuple[str, ...], start: int) -> bool:
    """A phrase of one of ``labels`` stands before ``start`` in its clause (after the last comma, semicolon or
    colon before it): "Số tiền này sẽ được giải ngân ngay sau khi đại diện hai Nhà nước ký thỏa thuận"."""
    if not labels:
        return False
    texts = units.sdoc.texts
    clause_start = next((k + 1 for k in range(start - 1, units.sent.start - 1, -1) if texts[k] in CLAUSE_MARKS),
                        units.sent.start)
    return any(clause_start <= m.start < start for label in labels for m in units.of(label))


def _blocked_near(units: SentenceUnits, labels: tuple[str, ...], start: int, end: int) -> bool:
    return any(start - NEAR_BEFORE <= m.start < end + NEAR_AFTER for label in labels for m in units.of(label))
