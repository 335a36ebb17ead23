"""Days of the news's calendar as dates (date32 in the tables), for grouping by day.

A publication known to the day is stored as midnight in Asia/Ho_Chi_Minh; a reader whose session is in UTC sees
17:00 the day before, so ``CAST(published_at AS DATE)`` there gives the wrong day. These columns hold the day
itself, with no time and no zone to convert.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .config import NEWS_TIME_ZONE

NEWS_ZONE = ZoneInfo(NEWS_TIME_ZONE)
ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
ISO_YEAR = re.compile(r"(\d{4})\b")


def news_date(moment: datetime | None) -> date | None:
    """The day of ``moment`` in Vietnam's calendar (UTC+07:00); None for None. A naive time is taken as
    already in Vietnam's zone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(NEWS_ZONE).date()


def day_of_iso(value: str | None) -> date | None:
    """The date of an ISO value whose grain is a day (``2021-08-26``); None for a month, a year, a quarter, a
    period, or a day no calendar has."""
    match = ISO_DAY.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def year_of_iso(value: str | None) -> int | None:
    """The year an ISO value of any grain starts in (``2022-04`` -> 2022, ``2022/2025`` -> 2022)."""
    match = ISO_YEAR.match(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None
