"""Vietnamese calendar dates in news text: find them, read them, resolve them.

Every Vietnamese word and every pattern lives in ``rules/dates/vi/dates.yaml``. This
module composes the patterns from their templates, reads the numbers a match captures
and does the calendar work: validating dates, choosing the year of a date written
without one, and formatting ISO values.

A date without a year takes its year from the reference (publication) date; with no
reference it stays unresolved (``value`` None, ``year_unresolved`` True), never guessed
from the wall clock.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Iterator

from .config import RULES_DIR
from .regex_gates import line_spans, required_parts, stays_in_line
from .rulefiles import RuleFileError, RulesSource, rule_file_of_kind, rules_source


# A space in a template or a vocabulary word: any run of spaces, never a line break,
# so a date cannot straddle two paragraphs.
SPACE = r"[^\S\n]+"
OPTIONAL_SPACE = r"[^\S\n]*"
# No pattern may start inside a word or a number ("COVID-19", "DK1/9", "1,5/2") ...
START_GUARD = r"(?<![\w/.,])"
# ... or stop before more of one ("9/113", "374/2025/NĐ", "30.000").
END_GUARD = r"(?!\w|/\w|[.,]\d)"
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# Slots whose regex is calendar grammar, not vocabulary.
NUMBER_SLOTS = {
    "day": r"(?P<day>\d{1,2})",
    "day_end": r"(?P<day_end>\d{1,2})",
    "month": r"(?P<month>\d{1,2})",
    "month_end": r"(?P<month_end>\d{1,2})",
    "year": r"(?P<year>\d{4})",
    "year_end": r"(?P<year_end>\d{4})",
    "short_year": r"(?P<short_year>\d{2})",
    "slash": "/",
    "same_sep": "(?P=sep)",
}


# ---------------------------------------------------------------------------
# Public values


@dataclass(frozen=True)
class DateValue:
    value: str | None          # ISO: '2021-08-26', '2022-04', '1998', '2021-Q2', '2022/2025'; None when the year is unresolved
    grain: str                 # 'day' | 'month' | 'year' | 'period' | 'quarter'
    year_unresolved: bool      # True when no year in text and no reference date
    month: int | None = None
    day: int | None = None
    part_of_day: str | None = None
    qualifier: str | None = None   # early | mid | late
    start: str | None = None   # periods: ISO value of the first end ('2022', '2021-03-13')
    end: str | None = None


@dataclass(frozen=True)
class DateMatch:
    start: int                 # char offsets in the scanned text
    end: int
    text: str                  # == scanned_text[start:end]
    value: DateValue
    rule_id: str               # id of the pattern that matched, e.g. 'dates.vi.day_month'


# ---------------------------------------------------------------------------
# What a match says, before resolution


@dataclass(frozen=True)
class _Parts:
    """The calendar fields one date expression states; any of them may be missing."""

    year: int | None = None
    short_year: int | None = None   # two digits as written ("91"); the century comes from the reference
    month: int | None = None
    day: int | None = None
    quarter: int | None = None

    @property
    def unit(self) -> str:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        if self.quarter is not None:
            return "quarter"
        return "year"

    @property
    def has_year(self) -> bool:
        return self.year is not None or self.short_year is not None


@dataclass(frozen=True)
class _Reading:
    grain: str
    first: _Parts
    last: _Parts | None = None      # the other end of a period
    part_of_day: str | None = None
    qualifier: str | None = None


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    reading: _Reading
    rule_id: str
    priority: int                   # order of the pattern in the rule file; breaks ties


# ---------------------------------------------------------------------------
# The grammar, composed from the rule file


@dataclass(frozen=True)
class _Pattern:
    rule_id: str
    grain: str
    regex: re.Pattern
    gated: bool = True  # searched only in the lines (or text) holding every part a match requires

    # what every match holds, and whether a match stays inside one line (worked out when first searched)
    @cached_property
    def required(self) -> tuple[re.Pattern, ...]:
        return required_parts(self.regex) if self.gated else ()

    @cached_property
    def in_line(self) -> bool:
        return self.gated and stays_in_line(self.regex)


@dataclass(frozen=True)
class _Resolution:
    year_rollover_days: int
    two_digit_year_future_years: int
    two_digit_year_pivot: int
    year_min: int
    year_max: int


@dataclass(frozen=True)
class _Grammar:
    rule_id: str
    scan_patterns: tuple[_Pattern, ...]     # running text: month names must be capitalised
    phrase_patterns: tuple[_Pattern, ...]   # a whole phrase: any case
    lookups: dict[str, dict[str, Any]]      # captured group -> folded word -> value
    range_lead: re.Pattern
    range_gap: re.Pattern
    range_dash_gap: re.Pattern
    leading_words: re.Pattern
    resolution: _Resolution

    def lookup(self, group: str, surface: str | None) -> Any:
        if surface is None:
            return None
        return self.lookups[group].get(_fold(surface))


def _fold(word: str) -> str:
    return " ".join(word.casefold().split())


def _word_regex(word: str) -> str:
    return SPACE.join(re.escape(part) for part in str(word).split())


def _alternation(words) -> str:
    # Longest first, so "mười hai" is tried before "mười".
    words = sorted({str(w) for w in words}, key=len, reverse=True)
    return _prefix_tree([_word_units(w) for w in words])


def _word_units(word: str) -> tuple[str, ...]:
    """``_word_regex(word)`` cut into the pieces that each match one character or one run of spaces."""
    units: list[str] = []
    for k, part in enumerate(str(word).split()):
        if k:
            units.append(SPACE)
        units.extend(re.escape(c) for c in part)
    return tuple(units)


def _prefix_tree(alternatives: list[tuple[str, ...]]) -> str:
    """The alternation of ``alternatives`` (in the order they are to be tried) with the alternatives that start
    alike sharing their start, ``a(?:b|c)`` for ``ab|ac``: the regex engine tries each alternative at every place a
    date may start, and these lists repeat their first syllables ("thứ hai", "thứ ba", …). It matches what the plain
    alternation matches: two alternatives whose first characters no character matches both of never match at the
    same place, so their groups may be tried in any order; within a group the order is kept, and the alternative
    that is the shared start itself (the shortest, tried last) stays last. Otherwise the plain alternation."""
    groups: dict[str, list[tuple[str, ...]]] = {}
    whole = False
    for units in alternatives:
        if units:
            groups.setdefault(units[0], []).append(units[1:])
        else:
            whole = True
    if whole and alternatives[-1] or _may_start_alike(list(groups)):
        return "|".join("".join(units) for units in alternatives)
    branches = []
    for first, rests in groups.items():
        inner = _prefix_tree(rests)
        branches.append(first + (f"(?:{inner})" if len(rests) > 1 else inner))
    return "|".join(branches + [""] * whole)


def _may_start_alike(firsts: list[str]) -> bool:
    """Whether two of these pieces (escaped characters, or the run of spaces) may match the same character,
    case-insensitively."""
    chars = [re.sub(r"\\(.)", r"\1", f) for f in firsts if f != SPACE]
    return any(a.lower() == b.lower() or a.upper() == b.upper() or a.casefold() == b.casefold()
               or re.fullmatch(re.escape(a), b, re.IGNORECASE) or re.fullmatch(re.escape(b), a, re.IGNORECASE)
               for k, a in enumerate(chars) for b in chars[k + 1:])


def _capitalised_regex(word: str) -> str:
    """Regex for ``word`` whose first letter must be upper-case, the rest in any case."""
    word = str(word)
    return f"(?-i:{re.escape(word[0].upper())})" + _word_regex(word[1:])


class _Composer:
    """Expands ``{name}`` placeholders of the rule file's templates into regex text."""

    def __init__(self, data: dict, scan_mode: bool):
        self.vocabulary: dict = data["vocabulary"]
        self.symbols: dict = data["symbols"]
        self.blocks: dict = data["grammar"]["blocks"]
        self.scan_mode = scan_mode
        self._expanding: set[str] = set()

    def expand(self, template: str) -> str:
        return PLACEHOLDER.sub(self._replace, template.replace(" ", SPACE))

    def _replace(self, m: re.Match) -> str:
        name = m.group(1)
        if name.isdigit():          # a regex repetition such as \d{4}
            return m.group(0)
        return self.fragment(name)

    def fragment(self, name: str) -> str:
        if name in NUMBER_SLOTS:
            return NUMBER_SLOTS[name]
        if name == "sep":
            return f"(?P<sep>{_alternation(self.symbols['date_separators'])})"
        if name == "dash":
            return f"{OPTIONAL_SPACE}(?:{_alternation(self.symbols['range_dashes'])}){OPTIONAL_SPACE}"
        if name == "month_name_title":
            return self._month_name_title()
        if name.startswith("not_after_"):
            # Python look-behinds need a fixed width: one per word, one space each.
            words = self._vocabulary_list(name.removeprefix("not_after_"))
            return "".join(f"(?<!(?<!\\w){_fixed_width(w)}\\s)" for w in words)
        if name.startswith("not_before_"):
            words = self._vocabulary_list(name.removeprefix("not_before_"))
            return f"(?!{SPACE}(?:{_alternation(words)})(?!\\w))"
        if name in self.blocks:
            if name in self._expanding:
                raise RuleFileError(f"[D002] dates rule file: block {name!r} refers to itself")
            self._expanding.add(name)
            try:
                return self.expand(self.blocks[name])
            finally:
                self._expanding.discard(name)
        if name in self.vocabulary:
            entry = self.vocabulary[name]
            if isinstance(entry, dict):     # value -> words: captured
                return f"(?P<{name}>{_alternation(w for words in entry.values() for w in words)})"
            return f"(?:{_alternation(entry)})"
        raise RuleFileError(f"[D001] dates rule file: unknown placeholder {{{name}}}")

    def _vocabulary_list(self, name: str) -> list:
        if not isinstance(self.vocabulary.get(name), list):
            raise RuleFileError(f"[D001] dates rule file: no word list {name!r} in vocabulary")
        return self.vocabulary[name]

    def _month_name_title(self) -> str:
        names = self.vocabulary["month_name"]
        if not self.scan_mode:
            return self.fragment("month_name")
        any_case = {_fold(w) for w in self.vocabulary["month_name_any_case"]}
        words = sorted({str(w) for ws in names.values() for w in ws}, key=len, reverse=True)
        alts = [_word_regex(w) if _fold(w) in any_case else _capitalised_regex(w) for w in words]
        return f"(?P<month_name>{'|'.join(alts)})"


def _fixed_width(word: str) -> str:
    return r"\s".join(re.escape(part) for part in str(word).split())


def _compile(composer: _Composer, template: str, guarded: bool = True) -> re.Pattern:
    body = composer.expand(template)
    if guarded:
        body = f"{START_GUARD}(?:{body}){END_GUARD}"
    return re.compile(body, re.IGNORECASE)


def _compile_patterns(data: dict, scan_mode: bool) -> tuple[_Pattern, ...]:
    composer = _Composer(data, scan_mode)
    patterns = []
    for spec in data["grammar"]["patterns"]:
        rule_id = f"{data['id']}.{spec['id']}"
        try:
            regex = _compile(composer, spec["template"])
        except re.error as exc:
            raise RuleFileError(f"[D003] dates rule file: pattern {rule_id} is not a valid regex: {exc}") from exc
        patterns.append(_Pattern(rule_id, spec["grain"], regex))
    return tuple(patterns)


def _build_lookups(vocabulary: dict) -> dict[str, dict[str, Any]]:
    return {
        group: {_fold(str(word)): value for value, words in entry.items() for word in words}
        for group, entry in vocabulary.items()
        if isinstance(entry, dict)
    }


@lru_cache(maxsize=8)
def _load_grammar(source: RulesSource) -> _Grammar:
    data = rule_file_of_kind(source, "date")
    composer = _Composer(data, scan_mode=True)
    grammar = data["grammar"]
    vocabulary = data["vocabulary"]
    return _Grammar(
        rule_id=data["id"],
        scan_patterns=_compile_patterns(data, scan_mode=True),
        phrase_patterns=_compile_patterns(data, scan_mode=False),
        lookups=_build_lookups(vocabulary),
        range_lead=re.compile(rf"(?<!\w)(?:{composer.expand(grammar['range_lead'])})\Z", re.IGNORECASE),
        range_gap=_compile(composer, grammar["range_gap"], guarded=False),
        range_dash_gap=_compile(composer, grammar["range_dash_gap"], guarded=False),
        leading_words=re.compile(rf"(?:{_alternation(vocabulary['leading_words'])}){SPACE}", re.IGNORECASE),
        resolution=_Resolution(**data["resolution"]),
    )


def date_grammar(rules=None) -> _Grammar:
    """The date grammar of ``rules``: a compiled rule set, or a rules directory as its files are now."""
    return _load_grammar(rules_source(rules))


# ---------------------------------------------------------------------------
# Reading a match


def _int(text: str | None) -> int | None:
    return int(text) if text is not None else None


def _read(match: re.Match, pattern: _Pattern, grammar: _Grammar) -> _Reading | None:
    groups = match.groupdict()
    month = _int(groups.get("month"))
    if month is None:
        month = grammar.lookup("month_name", groups.get("month_name"))
    first = _Parts(
        year=_int(groups.get("year")),
        short_year=_int(groups.get("short_year")),
        month=month,
        day=_int(groups.get("day")),
        quarter=grammar.lookup("quarter", groups.get("quarter")),
    )
    last = _period_end(first, groups) if pattern.grain == "period" else None
    reading = _Reading(
        grain=pattern.grain,
        first=first,
        last=last,
        part_of_day=grammar.lookup("part_of_day", groups.get("part_of_day")),
        qualifier=grammar.lookup("qualifier", groups.get("qualifier")),
    )
    return reading if _is_plausible(reading, grammar.resolution) else None


def _period_end(first: _Parts, groups: dict) -> _Parts:
    """The far end of a compact period: the same fields with the '_end' ones replaced."""
    if groups.get("day_end") is not None:
        return dataclasses.replace(first, day=int(groups["day_end"]))
    if groups.get("month_end") is not None:
        return dataclasses.replace(first, month=int(groups["month_end"]))
    return dataclasses.replace(first, year=_int(groups.get("year_end")))


def _is_plausible(reading: _Reading, res: _Resolution) -> bool:
    ends = [reading.first] if reading.last is None else [reading.first, reading.last]
    if not all(_is_valid(p, res) for p in ends):
        return False
    if reading.last is not None and (reading.first.year is None) == (reading.last.year is None):
        # Both ends have a year, or share the missing one: they can be ordered already.
        return _sort_key(reading.first) < _sort_key(reading.last)
    return True


def _is_valid(parts: _Parts, res: _Resolution) -> bool:
    if parts.year is not None and not res.year_min <= parts.year <= res.year_max:
        return False
    if parts.quarter is not None and not 1 <= parts.quarter <= 4:
        return False
    if parts.month is not None and not 1 <= parts.month <= 12:
        return False
    if parts.day is not None:
        if parts.month is None or parts.day < 1:
            return False
        leap_if_unknown = parts.year if parts.year is not None else 2000   # 29/2 may still get a leap year
        return parts.day <= calendar.monthrange(leap_if_unknown, parts.month)[1]
    if parts.unit == "year":
        return parts.year is not None
    return True


def _sort_key(parts: _Parts) -> tuple[int, int, int]:
    month = parts.month if parts.month is not None else ((parts.quarter or 1) - 1) * 3 + 1
    return (parts.year or 0, month, parts.day or 1)


# ---------------------------------------------------------------------------
# Resolving years against the reference date


def _span(parts: _Parts) -> tuple[date, date]:
    """First and last day the (year-complete) parts cover."""
    y = parts.year
    if parts.unit == "day":
        d = date(y, parts.month, parts.day)
        return d, d
    if parts.unit == "month":
        return date(y, parts.month, 1), date(y, parts.month, calendar.monthrange(y, parts.month)[1])
    if parts.unit == "quarter":
        first_month = (parts.quarter - 1) * 3 + 1
        return date(y, first_month, 1), date(y, first_month + 2, calendar.monthrange(y, first_month + 2)[1])
    return date(y, 1, 1), date(y, 12, 31)


def _distance_days(parts: _Parts, reference: date) -> int:
    first, last = _span(parts)
    if reference < first:
        return (first - reference).days
    if reference > last:
        return (reference - last).days
    return 0


def _expand_short_year(parts: _Parts, reference: date | None, res: _Resolution) -> _Parts:
    if parts.short_year is None:
        return parts
    yy = parts.short_year
    if reference is not None:
        year = 2000 + yy if 2000 + yy <= reference.year + res.two_digit_year_future_years else 1900 + yy
    else:
        year = 2000 + yy if yy < res.two_digit_year_pivot else 1900 + yy
    return dataclasses.replace(parts, year=year, short_year=None)


def _year_near(parts: _Parts, reference: date, res: _Resolution) -> _Parts | None:
    """The parts in the reference year, or in the year before/after when that lies
    within the rollover window and nearer (New Year in the middle)."""
    options = []
    for year in (reference.year, reference.year - 1, reference.year + 1):
        candidate = dataclasses.replace(parts, year=year)
        if _is_valid(candidate, res):
            options.append((candidate, _distance_days(candidate, reference)))
    if not options:
        return None
    best, best_distance = options[0]
    if best.year != reference.year:        # the reference year itself was impossible (29/2)
        return min(options, key=lambda o: o[1])[0]
    for candidate, distance in options[1:]:
        if distance <= res.year_rollover_days and distance < best_distance:
            best, best_distance = candidate, distance
    return best


def _with_year(parts: _Parts, reference: date | None, res: _Resolution) -> _Parts | None:
    """Parts with a year, or unchanged (year None) when there is nothing to take it from;
    None when the date cannot exist."""
    parts = _expand_short_year(parts, reference, res)
    if parts.year is not None:
        return parts if _is_valid(parts, res) else None
    if reference is None:
        return parts
    return _year_near(parts, reference, res)


def _shift_year(parts: _Parts, year: int, res: _Resolution) -> _Parts | None:
    moved = dataclasses.replace(parts, year=year)
    return moved if _is_valid(moved, res) else None


def _period_with_years(first: _Parts, last: _Parts, reference: date | None,
                       res: _Resolution) -> tuple[_Parts, _Parts] | None:
    """Both ends with years: an end without one borrows the other's, moved a year
    when needed to keep the ends in order ("từ 20/12 đến 5/1/2022")."""
    first = _expand_short_year(first, reference, res)
    last = _expand_short_year(last, reference, res)
    if first.year is None and last.year is None:
        if reference is None:
            return first, last
        last = _year_near(last, reference, res)
        if last is None:
            return None
    if first.year is None:
        first = _shift_year(first, last.year, res)
        if first is not None and _sort_key(first) >= _sort_key(last):
            first = _shift_year(first, last.year - 1, res)
    elif last.year is None:
        last = _shift_year(last, first.year, res)
        if last is not None and _sort_key(last) <= _sort_key(first):
            last = _shift_year(last, first.year + 1, res)
    if first is None or last is None or not (_is_valid(first, res) and _is_valid(last, res)):
        return None
    if _sort_key(first) >= _sort_key(last):
        return None
    return first, last


def _iso(parts: _Parts) -> str:
    unit = parts.unit
    if unit == "day":
        return f"{parts.year:04d}-{parts.month:02d}-{parts.day:02d}"
    if unit == "month":
        return f"{parts.year:04d}-{parts.month:02d}"
    if unit == "quarter":
        return f"{parts.year:04d}-Q{parts.quarter}"
    return f"{parts.year:04d}"


def _resolve(reading: _Reading, reference: date | None, res: _Resolution) -> DateValue | None:
    if reading.last is None:
        parts = _with_year(reading.first, reference, res)
        if parts is None:
            return None
        resolved = parts.year is not None
        return DateValue(
            value=_iso(parts) if resolved else None,
            grain=reading.grain,
            year_unresolved=not resolved,
            month=parts.month,
            day=parts.day,
            part_of_day=reading.part_of_day,
            qualifier=reading.qualifier,
        )
    ends = _period_with_years(reading.first, reading.last, reference, res)
    if ends is None:
        return None
    first, last = ends
    resolved = first.year is not None
    start, end = (_iso(first), _iso(last)) if resolved else (None, None)
    return DateValue(
        value=f"{start}/{end}" if resolved else None,
        grain="period",
        year_unresolved=not resolved,
        month=first.month,
        day=first.day,
        part_of_day=reading.part_of_day,
        qualifier=reading.qualifier,
        start=start,
        end=end,
    )


# ---------------------------------------------------------------------------
# Scanning


@dataclass(frozen=True)
class _TextView:
    """The text the patterns run on (NFC, cluster by cluster) and the way back to the
    caller's offsets. Usually the caller's text is already NFC and the view is identity."""

    text: str
    starts: tuple[int, ...] | None = None   # per view character: first original index
    ends: tuple[int, ...] | None = None     # per view character: one past the last original index

    @classmethod
    def of(cls, original: str) -> "_TextView":
        if unicodedata.is_normalized("NFC", original):
            return cls(original)
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for i, j in _clusters(original):
            for ch in unicodedata.normalize("NFC", original[i:j]):
                chars.append(ch)
                starts.append(i)
                ends.append(j)
        return cls("".join(chars), tuple(starts), tuple(ends))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if self.starts is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def _clusters(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each base character with the combining marks after it."""
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        yield i, j
        i = j


def _candidates(text: str, patterns: tuple[_Pattern, ...], grammar: _Grammar) -> list[_Candidate]:
    found = []
    whole = [(0, len(text))]
    lines = line_spans(text)
    holds: dict[tuple[re.Pattern, int, int], bool] = {}  # (required part, line) -> found there

    def holding(pattern: _Pattern, spans):
        for span in spans:
            if all(holds[(part, *span)] if (part, *span) in holds else holds.setdefault(
                    (part, *span), part.search(text, *span) is not None) for part in pattern.required):
                yield span

    for priority, pattern in enumerate(patterns):
        for start, end in holding(pattern, lines if pattern.in_line else whole):
            pos = start
            while (m := pattern.regex.search(text, pos, end)) is not None:
                if m.start() == end < len(text):
                    break  # an empty match where the next line starts: that line's search finds it
                reading = _read(m, pattern, grammar)
                if reading is not None:
                    found.append(_Candidate(m.start(), m.end(), reading, pattern.rule_id, priority))
                # Resume one character later, not after the match: an implausible match
                # ("ngày 13-16" before "/3") must not hide one that starts inside it.
                pos = m.start() + 1
    return found


def _longest_non_overlapping(candidates: list[_Candidate]) -> list[_Candidate]:
    taken: list[_Candidate] = []
    # the spans taken, by start: disjoint, so the last one that starts before a candidate ends reaches furthest,
    # and one lookup tells whether the candidate overlaps any (an empty span overlaps none of those after it)
    starts: list[int] = []
    ends: list[int] = []
    for cand in sorted(candidates, key=lambda c: (c.start - c.end, c.start, c.priority)):
        before_end = bisect_left(starts, cand.end)
        if before_end and ends[before_end - 1] > cand.start:
            continue
        taken.append(cand)
        if cand.end > cand.start:
            at = bisect_left(starts, cand.start)
            starts.insert(at, cand.start)
            ends.insert(at, cand.end)
    return sorted(taken, key=lambda c: c.start)


def _joined_range(a: _Candidate, b: _Candidate, text: str, grammar: _Grammar) -> _Candidate | None:
    """``từ <a> đến <b>`` (or two dated days joined by a dash) as one period."""
    if a.reading.last is not None or b.reading.last is not None or a.reading.grain != b.reading.grain:
        return None
    gap = text[a.end:b.start]
    lead = grammar.range_lead.search(text, max(0, a.start - 40), a.start)
    if lead is not None and grammar.range_gap.fullmatch(gap):
        start = lead.start()
    elif a.reading.first.has_year and b.reading.first.has_year and grammar.range_dash_gap.fullmatch(gap):
        start = a.start
    else:
        return None
    reading = _Reading(grain="period", first=a.reading.first, last=b.reading.first)
    return _Candidate(start, b.end, reading, f"{grammar.rule_id}.range", a.priority)


def _join_ranges(chosen: list[_Candidate], text: str, grammar: _Grammar,
                 reference: date | None) -> list[_Candidate]:
    out: list[_Candidate] = []
    i = 0
    while i < len(chosen):
        if i + 1 < len(chosen):
            joined = _joined_range(chosen[i], chosen[i + 1], text, grammar)
            if joined is not None and _resolve(joined.reading, reference, grammar.resolution) is not None:
                out.append(joined)
                i += 2
                continue
        out.append(chosen[i])
        i += 1
    return out


def _scan(text: str, reference: date | None, grammar: _Grammar,
          patterns: tuple[_Pattern, ...]) -> list[DateMatch]:
    view = _TextView.of(text)
    chosen = _longest_non_overlapping(_candidates(view.text, patterns, grammar))
    matches = []
    for cand in _join_ranges(chosen, view.text, grammar, reference):
        value = _resolve(cand.reading, reference, grammar.resolution)
        if value is None:
            continue
        start, end = view.original_span(cand.start, cand.end)
        matches.append(DateMatch(start, end, text[start:end], value, cand.rule_id))
    return matches


# ---------------------------------------------------------------------------
# Public API


def _as_date(reference: date | str | None) -> date | None:
    if reference is None or isinstance(reference, date):
        return reference
    return date.fromisoformat(str(reference))


def find_dates(text: str, reference: date | None, rules_dir: Path | None = None) -> list[DateMatch]:
    """Scan running text; return non-overlapping, longest matches in text order."""
    grammar = date_grammar(rules_dir)
    return _scan(text, _as_date(reference), grammar, grammar.scan_patterns)


def parse_date(text: str, reference: date | None, rules_dir: Path | None = None) -> DateValue | None:
    """The whole phrase must be one date expression.

    Surrounding brackets, trailing punctuation and one leading preposition
    ("từ năm 1998", "vào ngày 5/7") are allowed around it.
    """
    grammar = date_grammar(rules_dir)
    reference = _as_date(reference)
    for phrase in _phrase_forms(text, grammar):
        matches = _scan(phrase, reference, grammar, grammar.phrase_patterns)
        if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(phrase):
            return matches[0].value
    return None


def _phrase_forms(text: str, grammar: _Grammar) -> Iterator[str]:
    phrase = text.strip().rstrip(".,;:").strip()
    if phrase.startswith("(") and phrase.endswith(")"):
        phrase = phrase[1:-1].strip()
    yield phrase
    lead = grammar.leading_words.match(phrase)
    if lead is not None:
        yield phrase[lead.end():]


def normalize_date_example(text: str, reference: date | None) -> dict | None:
    """Every field of the DateValue ``text`` reads as, or None; used by the example runner."""
    value = parse_date(text, reference)
    return dataclasses.asdict(value) if value is not None else None
