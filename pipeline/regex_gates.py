"""Cheap necessary conditions for a regular expression, worked out from its parsed form.

A pattern with a long alternation of words at its start is tried at every position of a text by the regex engine;
most lines hold nothing it could match. ``required_parts`` gives smaller regexes of which every match of the
pattern holds a match (a word it cannot do without, or a digit), and ``stays_in_line`` tells whether a match (its
look-aheads too) never reaches past a line break: such a pattern needs searching only in the lines that hold
every required part, and finds there exactly what a search of the whole text finds.
"""

from __future__ import annotations

import re
from functools import lru_cache

try:  # Python >= 3.11
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_C = sre_constants
NEWLINE = ord("\n")
DIGIT = object()  # a required part "some digit"
# classes a line break belongs to
_NEWLINE_CATEGORIES = {_C.CATEGORY_SPACE, _C.CATEGORY_NOT_DIGIT, _C.CATEGORY_NOT_WORD, _C.CATEGORY_LINEBREAK,
                       _C.CATEGORY_UNI_SPACE, _C.CATEGORY_UNI_NOT_DIGIT, _C.CATEGORY_UNI_NOT_WORD,
                       _C.CATEGORY_UNI_LINEBREAK}
_DIGIT_CATEGORIES = {_C.CATEGORY_DIGIT, _C.CATEGORY_UNI_DIGIT}
_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", _C.MAX_REPEAT)}


def _class_holds_newline(items) -> bool:
    negated = bool(items) and items[0][0] is _C.NEGATE
    held = False
    for op, av in items[1:] if negated else items:
        if op is _C.LITERAL and av == NEWLINE or op is _C.RANGE and av[0] <= NEWLINE <= av[1] \
                or op is _C.CATEGORY and av in _NEWLINE_CATEGORIES:
            held = True
        elif op not in (_C.LITERAL, _C.RANGE, _C.CATEGORY):
            return True  # a kind of class item not read here: assume the worst
    return held != negated


def _may_cross_line(items, dotall: bool) -> bool:
    """Whether some element of the parsed ``items`` (outside look-behinds) may match a line break, or an anchor
    read differently where a search stops at the end of a line."""
    for op, av in items:
        if op is _C.LITERAL:
            if av == NEWLINE:
                return True
        elif op is _C.NOT_LITERAL:
            if av != NEWLINE:
                return True
        elif op is _C.IN:
            if _class_holds_newline(av):
                return True
        elif op is _C.ANY:
            if dotall:
                return True
        elif op is _C.SUBPATTERN:
            add, delete = av[1], av[2]
            inner = (dotall or bool(add & re.DOTALL)) and not delete & re.DOTALL
            if _may_cross_line(av[-1], inner):
                return True
        elif op is _C.BRANCH:
            if any(_may_cross_line(b, dotall) for b in av[1]):
                return True
        elif op in _REPEATS:
            if _may_cross_line(av[2], dotall):
                return True
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            if av[0] >= 0 and _may_cross_line(av[1], dotall):  # a look-behind reads the text before: as it is
                return True
        elif op is _C.AT:
            if av not in (_C.AT_BEGINNING_STRING, _C.AT_BOUNDARY, _C.AT_NON_BOUNDARY,
                          _C.AT_UNI_BOUNDARY, _C.AT_UNI_NON_BOUNDARY):
                return True
        elif op is _C.GROUPREF_EXISTS:  # (?(group)yes|no)
            if any(branch is not None and _may_cross_line(branch, dotall) for branch in av[1:]):
                return True
        elif op is _C.GROUPREF:
            pass  # matches what its group matched, which is read where the group is
        else:
            return True
    return False


@lru_cache(maxsize=256)
def _parsed(pattern: str, flags: int) -> list:
    return list(sre_parse.parse(pattern, flags))


def stays_in_line(regex: re.Pattern) -> bool:
    """No match of ``regex`` (nor any of its look-aheads) reaches past a line break."""
    return not _may_cross_line(_parsed(regex.pattern, regex.flags), bool(regex.flags & re.DOTALL))


def _score(part: frozenset) -> float:
    """How rare a required part is likely to be: the shortest of its words (a digit: almost anywhere)."""
    return min(0.5 if alt is DIGIT else len(alt) for alt in part)


MAX_WORDS = 64  # the most words a part is spelt out as


def _words(items) -> set[str] | None:
    """Every text a sequence of literals, groups and alternations of them matches (at most MAX_WORDS), or None
    for a sequence with anything else in it."""
    words = {""}
    for op, av in items:
        if op is _C.LITERAL:
            options = {chr(av)}
        elif op is _C.SUBPATTERN:
            options = _words(av[-1])
        elif op is _C.BRANCH:
            branches = [_words(b) for b in av[1]]
            options = None if any(b is None for b in branches) else set().union(*branches)
        else:
            return None
        if options is None or len(words) * len(options) > MAX_WORDS:
            return None
        words = {w + o for w in words for o in options}
    return words


def _required(items) -> list[frozenset]:
    """The parts every match of the sequence ``items`` holds: each a set of alternatives (words, or DIGIT), one
    of which the match contains."""
    parts: list[frozenset] = []
    run: list = []  # consecutive items that spell out a few words ("t(?:rưa|ối)": "trưa", "tối")

    def close_run():
        words = _words(run)
        if words is not None and "" not in words:
            parts.append(frozenset(words))
        elif words is None:  # too many words together: each literal stretch on its own
            for op, av in run:
                if op is not _C.LITERAL:
                    parts.extend(_required([(op, av)]) if op is not _C.BRANCH else _branch_parts(av))
            literal = []
            for op, av in run + [(None, None)]:
                if op is _C.LITERAL:
                    literal.append(chr(av))
                elif literal:
                    parts.append(frozenset(["".join(literal)]))
                    literal = []
        run.clear()

    for op, av in items:
        if op is _C.LITERAL or op in (_C.SUBPATTERN, _C.BRANCH) and _words([(op, av)]) is not None:
            run.append((op, av))
            continue
        close_run()
        if op is _C.IN and len(av) == 1 and av[0][0] is _C.CATEGORY and av[0][1] in _DIGIT_CATEGORIES:
            parts.append(frozenset([DIGIT]))
        elif op is _C.SUBPATTERN:
            parts.extend(_required(av[-1]))
        elif op in _REPEATS and av[0] >= 1:
            parts.extend(_required(av[2]))
        elif op is _C.BRANCH:
            parts.extend(_branch_parts(av))
    close_run()
    return parts


def _branch_parts(av) -> list[frozenset]:
    """An alternation requires one of its branches' rarest parts, when every branch requires one."""
    best = [max(_required(b), key=_score, default=None) for b in av[1]]
    return [frozenset().union(*best)] if best and all(b is not None for b in best) else []


def required_parts(regex: re.Pattern) -> tuple[re.Pattern, ...]:
    """Regexes (with ``regex``'s flags) each of which has a match inside every match of ``regex``, the rarest
    first."""
    parts = sorted(set(_required(_parsed(regex.pattern, regex.flags))), key=_score, reverse=True)
    flags = regex.flags & (re.IGNORECASE | re.ASCII)
    return tuple(re.compile("|".join(r"\d" if alt is DIGIT else re.escape(alt)
                                     for alt in sorted(part, key=lambda a: "" if a is DIGIT else a)), flags)
                 for part in parts)


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of ``text``, its line break included."""
    spans, start = [], 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            spans.append((start, len(text)))
            return spans
        spans.append((start, end + 1))
        start = end + 1
