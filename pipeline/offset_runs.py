"""Where each body character comes from in the raw file, stored as runs instead of one pair of integers per character.

Most of a body is its page's text as written: each character follows the one before it in the raw file and takes
the bytes of its UTF-8 encoding. A run is such a stretch: its first body character, the raw byte where that
character starts, and one past the raw byte where its last character ends. A character whose raw bytes are anything
else (a look-alike letter folded, a decomposed letter composed, an HTML character reference, a JSON escape, the
line break that joins two lines, any byte of a file in another encoding) is a run of its own, so its raw span is
stored as it is. Lookups give exactly the spans a list per character gave; a page of prose needs a few runs per
line where the lists needed two integers per character.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Mapping, NamedTuple, Sequence

# A lookup encodes the run's text up to the character: runs are cut at this length so one costs little on a page
# that is one long line.
MAX_RUN = 4096


class OffsetRuns(NamedTuple):
    body_start: list[int]  # the first body character of each run, increasing, the first 0
    raw_start: list[int]  # the raw byte where that character starts
    raw_end: list[int]  # one past the raw byte where the run's last character ends


def utf8_length(ch: str) -> int:
    code = ord(ch)
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4


def encode(body: str, starts: Sequence[int], ends: Sequence[int]) -> OffsetRuns:
    """The runs of per-character raw spans ``[starts[i], ends[i])`` of ``body``."""
    if not len(starts) == len(ends) == len(body):
        raise ValueError(f"{len(body)} characters, {len(starts)} starts and {len(ends)} ends")
    run_body, run_start, run_end = [], [], []
    follows = False  # whether the character before is one that reads as its UTF-8 bytes
    for i, ch in enumerate(body):
        plain = ends[i] - starts[i] == utf8_length(ch)
        if plain and follows and starts[i] == ends[i - 1] and i - run_body[-1] < MAX_RUN:
            run_end[-1] = ends[i]
        else:
            run_body.append(i)
            run_start.append(starts[i])
            run_end.append(ends[i])
        follows = plain
    return OffsetRuns(run_body, run_start, run_end)


def _run_of(runs: OffsetRuns, i: int) -> int:
    return bisect_right(runs.body_start, i) - 1


def _run_last(runs: OffsetRuns, k: int, body_len: int) -> int:
    return (runs.body_start[k + 1] if k + 1 < len(runs.body_start) else body_len) - 1


def raw_start_of(body: str, runs: OffsetRuns, i: int) -> int:
    """The raw byte where body character ``i`` starts."""
    k = _run_of(runs, i)
    first = runs.body_start[k]
    return runs.raw_start[k] + (len(body[first:i].encode("utf-8")) if i > first else 0)


def raw_end_of(body: str, runs: OffsetRuns, i: int) -> int:
    """One past the raw byte where body character ``i`` ends."""
    k = _run_of(runs, i)
    if i == _run_last(runs, k, len(body)):
        return runs.raw_end[k]
    first = runs.body_start[k]
    return runs.raw_start[k] + len(body[first:i + 1].encode("utf-8"))


def raw_span(body: str, runs: OffsetRuns, start: int, end: int) -> tuple[int, int]:
    """The raw byte span of body characters ``[start, end)``."""
    if not 0 <= start < end <= len(body):
        raise IndexError(f"span {start}:{end} outside a body of {len(body)} characters")
    return raw_start_of(body, runs, start), raw_end_of(body, runs, end - 1)


def decode(body: str, runs: OffsetRuns) -> tuple[list[int], list[int]]:
    """The raw span of every body character, as two lists (what ``encode`` was given)."""
    starts, ends = [], []
    for k, first in enumerate(runs.body_start):
        last = _run_last(runs, k, len(body))
        at = runs.raw_start[k]
        for i in range(first, last + 1):
            starts.append(at)
            at = runs.raw_end[k] if i == last else at + utf8_length(body[i])
            ends.append(at)
    return starts, ends


_RECENT: list[tuple[object, OffsetRuns]] = []  # (a column value, its runs): the articles being validated now
RECENT_SIZE = 4


def runs_of_article(article: Mapping) -> OffsetRuns:
    """The runs of an articles-table row (its ``body_raw_runs`` column)."""
    rows = article["body_raw_runs"]
    for seen, runs in _RECENT:
        if seen is rows:  # the list itself is held here, so its identity cannot pass to another
            return runs
    fields = [(r["body_start"], r["raw_start"], r["raw_end"]) if isinstance(r, Mapping)
              else (r.body_start, r.raw_start, r.raw_end) for r in rows]  # a mapping, or read_tables' tuples
    runs = OffsetRuns([int(f[0]) for f in fields], [int(f[1]) for f in fields], [int(f[2]) for f in fields])
    _RECENT.insert(0, (rows, runs))
    del _RECENT[RECENT_SIZE:]
    return runs


def article_raw_span(article, start: int, end: int) -> tuple[int, int]:
    """The raw byte span of body characters ``[start, end)`` of an articles-table row (a mapping, or a row of
    ``vnfacts.read_table("articles")``)."""
    return raw_span(article["body"], runs_of_article(article), start, end)


def as_column(runs: OffsetRuns) -> list[dict]:
    return [{"body_start": b, "raw_start": s, "raw_end": e} for b, s, e in zip(*runs)]
