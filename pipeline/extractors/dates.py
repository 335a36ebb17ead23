"""Date rows, and the date an event happened."""

from __future__ import annotations

def _date_rows(dates) -> list[dict]:
    return [{
        "text": d.text, "value": d.value.value, "grain": d.value.grain,
        "year_unresolved": d.value.year_unresolved, "month": d.value.month, "day": d.value.day,
        "part_of_day": d.value.part_of_day, "qualifier": d.value.qualifier,
        "char_start": d.start, "char_end": d.end, "evidence": d.text, "rule_id": d.rule_id,
    } for d in dates]


def _event_date(event, sentence_dates: dict[int, list], lead_date):
    """The date of an event (a records.AidEvent): a day or month in its sentence, else the dateline of the lead."""
    own = [d for d in sentence_dates.get(event.sentence, []) if d.value.grain in ("day", "month")]
    return own[0] if own else lead_date

