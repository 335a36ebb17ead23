"""Date rows, and the date an event happened."""

from __future__ import annotations

import re
from bisect import bisect_right


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
    first of its dates of these grains with at most OPENING_WORDS words before it in the sentence, or capitalised
    right after a closing bracket (a photo's caption that runs into the text with no full stop: "… (Ảnh: Trường
    TH Chu Văn An) Ngày 15.5, …")."""
    for d in dates:
        if d.value.grain in grains:
            opens = len(WORD.findall(body, sentence_start, d.start)) <= OPENING_WORDS \
                or (body[d.start:d.start + 1].isupper() and body[sentence_start:d.start].rstrip().endswith(")"))
            return d if opens else None
    return None


def deadline_words(rules) -> tuple[str, ...]:
    """The words before a date that make it a deadline (the date rules' ``deadline_words``), longest first."""
    words = rules.first("date").get("vocabulary", {}).get("deadline_words") or ()
    return tuple(sorted({str(w).casefold() for w in words}, key=len, reverse=True))


def deadline_starts(body: str, dates: list, words: tuple[str, ...]) -> frozenset[int]:
    """Where the dates after a word of "until" or "before" start ("từ nay đến năm 2030", "trước tháng 6"): a
    deadline, not the day anything happened (a date row still reports it; only an event's date skips it)."""
    found = set()
    for d in dates:
        before = body[max(0, d.start - UNTIL_CHARS):d.start].casefold().rstrip()
        if any(before.endswith(w) and (len(before) == len(w) or not before[-len(w) - 1].isalnum()) for w in words):
            found.add(d.start)
    return frozenset(found)


def clauses_by_char(body: str):
    """char offset -> the number of its clause: clauses end at brackets and at punctuation before a space (the
    comma inside "3,8 tỷ USD" ends none)."""
    ends = [m.start() for m in CLAUSE_END.finditer(body)]
    return lambda char: bisect_right(ends, char)


CLAUSE_END = re.compile(r"[()\[\]]|[,;:.!?\n](?=\s|$)")
UNTIL_CHARS = 12  # characters before a date where its word of "until" stands


def is_dateline(date, opening) -> bool:
    """A day the lead reports a scene on: one that opens its sentence ("Ngày 10/5, …") or names a part of the day
    ("…, chiều 26/8, …"); not a date the lead recalls ("thiết lập quan hệ ngoại giao ngày 23/9/1975")."""
    return date.value.grain == "day" and (date is opening or bool(date.value.part_of_day))


def _event_date(event, sentence_dates: dict[int, list], openings: dict[int, object], lead_date,
                deadlines: frozenset[int] = frozenset(), clause_of=lambda char: 0,
                opening_years: dict[int, object] | None = None):
    """The date of an event (a records.AidEvent): a day or month in its sentence, else a year of its clause
    (``clause_of``: char -> clause number; "trong năm tài khóa 2017") or one that opens its sentence
    (``opening_years``: "Riêng năm 2016, các cấp Hội … trích …"), else the dateline that opens one of the few
    sentences before it (the scene it belongs to), else the dateline of the lead; none for a sum over years, and
    never a deadline (``deadlines``: where dates after "đến", "trước" … start)."""
    if event.is_cumulative:
        return None  # "từ năm 1990 đến nay … khoảng 2 tỷ USD": a sum over years has no one date
    own = [d for d in sentence_dates.get(event.sentence, []) if d.start not in deadlines]
    exact = [d for d in own if d.value.grain in ("day", "month")]
    if exact:
        return exact[0]
    if own:
        # a year in the event's own clause dates it ("… cho Thổ Nhĩ Kỳ trong năm tài khóa 2017"); one elsewhere
        # in its sentence ("Quỹ ABC (thành lập năm 1995) trao …") dates nothing, nor is the sentence the scene's
        opening = (opening_years or {}).get(event.sentence)
        return next((d for d in own if d.value.grain == "year" and clause_of(d.start) == clause_of(event.char_start)),
                    opening if opening is not None and opening.start not in deadlines else None)
    scene = next((openings[k] for k in range(event.sentence - 1, event.sentence - FRAME_SENTENCES - 1, -1)
                  if k in openings), None)
    return scene or lead_date

