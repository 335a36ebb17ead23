"""Date rows, and the date an event happened."""

from __future__ import annotations

import re


def _date_rows(dates) -> list[dict]:
    return [{
        "text": d.text, "value": d.value.value, "grain": d.value.grain,
        "year_unresolved": d.value.year_unresolved, "month": d.value.month, "day": d.value.day,
        "part_of_day": d.value.part_of_day, "qualifier": d.value.qualifier,
        "char_start": d.start, "char_end": d.end, "evidence": d.text, "rule_id": d.rule_id,
    } for d in dates]


OPENING_WORDS = 3  # words before a date that still opens its sentence: "(Dân trí) - Chiều 8/6, …"
FRAME_SENTENCES = 3  # sentences back that a dated scene ("Chiều 8/6, ông X đến thăm …") dates what follows
WORD = re.compile(r"\w+")


def opening_date(body: str, sentence_start: int, dates: list, grains=("day", "month")):
    """The date that opens a sentence (a scene's dateline: "Chiều 8/6, …", "Hôm nay (28.6) tại …"), or None: the
    first of its dates of these grains with at most OPENING_WORDS words before it in the sentence."""
    for d in dates:
        if d.value.grain in grains:
            return d if len(WORD.findall(body, sentence_start, d.start)) <= OPENING_WORDS else None
    return None


def deadline_starts(body: str, dates: list, until_words) -> frozenset[int]:
    """Where the dates after a word of "until" start ("từ nay đến năm 2030"): a deadline, not the day anything
    happened (a date row still reports it; only an event's date skips it)."""
    words = tuple(sorted({str(w).casefold() for w in until_words}, key=len, reverse=True))
    found = set()
    for d in dates:
        before = body[max(0, d.start - UNTIL_CHARS):d.start].casefold().rstrip()
        if any(before.endswith(w) and (len(before) == len(w) or not before[-len(w) - 1].isalnum()) for w in words):
            found.add(d.start)
    return frozenset(found)


UNTIL_CHARS = 12  # characters before a date where its word of "until" stands


def is_dateline(date, opening) -> bool:
    """A day the lead reports a scene on: one that opens its sentence ("Ngày 10/5, …") or names a part of the day
    ("…, chiều 26/8, …"); not a date the lead recalls ("thiết lập quan hệ ngoại giao ngày 23/9/1975")."""
    return date.value.grain == "day" and (date is opening or bool(date.value.part_of_day))


def _event_date(event, sentence_dates: dict[int, list], openings: dict[int, object], lead_date,
                deadlines: frozenset[int] = frozenset()):
    """The date of an event (a records.AidEvent): a day or month in its sentence, else a year of its sentence
    ("trong năm tài khóa 2017"), else the dateline that opens one of the few sentences before it (the scene it
    belongs to), else the dateline of the lead; none for a sum over years."""
    if event.is_cumulative:
        return None  # "từ năm 1990 đến nay … khoảng 2 tỷ USD": a sum over years has no one date
    own = sentence_dates.get(event.sentence, [])
    exact = [d for d in own if d.value.grain in ("day", "month")]
    if exact:
        return exact[0]
    years = [d for d in own if d.value.grain == "year" and d.start not in deadlines]
    if years or own:
        # "năm 2020, CZI đã rót …": a year of its own dates it, and is not the day of the scene before it
        return years[0] if years else None
    scene = next((openings[k] for k in range(event.sentence - 1, event.sentence - FRAME_SENTENCES - 1, -1)
                  if k in openings), None)
    return scene or lead_date

