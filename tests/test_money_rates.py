"""Amounts in US dollars at cited rates, and the days of the news's calendar as dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import duckdb
import pytest

from vnfacts.calendar_days import day_of_iso, news_date, year_of_iso
from vnfacts.consolidate import consolidate_aid_events
from vnfacts.ingest import ingest_page
from vnfacts.money_rates import (USD_RATE_SOURCES, YEARLY_RATES_FILE, amount_in_usd, rate_tables,
                                 read_yearly_rates, usd_columns)
from vnfacts.schema import AID_EVENTS, AID_EVENTS_CONSOLIDATED, ARTICLES, write_table

VN = timezone(timedelta(hours=7))


# ---------------------------------------------------------------- the conversion

def test_a_usd_amount_converts_to_itself():
    assert usd_columns(Decimal(40000), "USD", "2021-08-26", None) == {
        "amount_usd": Decimal(40000), "usd_rate": Decimal(1), "usd_rate_date": date(2021, 8, 26),
        "usd_rate_source": "usd"}


def test_a_usd_amount_needs_no_date():
    assert usd_columns(Decimal(15000), "USD", None, None) == {
        "amount_usd": Decimal(15000), "usd_rate": Decimal(1), "usd_rate_date": None, "usd_rate_source": "usd"}


def test_a_vnd_amount_in_2017_converts_at_the_cited_2017_average():
    # World Bank PA.NUS.FCRF, Viet Nam, 2017: 22,370.09 dong per US dollar
    columns = usd_columns(Decimal(1_000_000_000), "VND", "2017", None)
    assert columns == {"amount_usd": Decimal("44702.547017"), "usd_rate": Decimal("22370.09"),
                       "usd_rate_date": date(2017, 1, 1), "usd_rate_source": "world_bank_year"}


def test_a_vnd_amount_dated_to_the_day_takes_its_years_average():
    columns = usd_columns(Decimal(300_000_000), "VND", "2020-05-12", None)
    assert (columns["usd_rate"], columns["usd_rate_date"], columns["usd_rate_source"]) == \
        (Decimal("23208.37"), date(2020, 1, 1), "world_bank_year")
    assert columns["amount_usd"] == Decimal("12926.370960")


def test_a_euro_amount_converts_at_the_ecb_fixing_of_the_day():
    # ECB, 26 August 2021: 1 EUR = 1.1767 USD
    columns = usd_columns(Decimal(1000), "EUR", "2021-08-26", None)
    assert columns == {"amount_usd": Decimal("1176.700000"), "usd_rate": Decimal("0.8498342823"),
                       "usd_rate_date": date(2021, 8, 26), "usd_rate_source": "ecb_day"}


def test_a_weekend_takes_the_last_fixing_before_it():
    # Saturday 28 August 2021 has no fixing; Friday 27th: 1 EUR = 129.59 JPY = 1.1761 USD
    columns = usd_columns(Decimal(1_000_000), "JPY", "2021-08-28", None)
    assert (columns["usd_rate"], columns["usd_rate_date"], columns["usd_rate_source"]) == \
        (Decimal("110.1862086557"), date(2021, 8, 27), "ecb_day")


def test_without_a_day_of_the_event_the_publication_day_dates_the_rate():
    columns = usd_columns(Decimal(1_000_000), "KRW", "2021-08", date(2021, 8, 26))
    # ECB, 26 August 2021: 1 EUR = 1373.36 KRW = 1.1767 USD
    assert (columns["usd_rate"], columns["usd_rate_date"], columns["usd_rate_source"]) == \
        (Decimal("1167.1284099601"), date(2021, 8, 26), "ecb_day")


def test_a_year_alone_takes_the_mean_of_the_years_ecb_crosses():
    columns = usd_columns(Decimal(1_000_000), "JPY", "2021", None)
    assert (columns["usd_rate_date"], columns["usd_rate_source"]) == (date(2021, 1, 1), "ecb_year_mean")
    assert Decimal(108) < columns["usd_rate"] < Decimal(112)  # the yen's 2021 average was near 110 per dollar


def test_the_event_day_comes_before_the_publication_day():
    columns = usd_columns(Decimal(1000), "EUR", "2021-08-20", date(2021, 8, 26))
    assert columns["usd_rate_date"] == date(2021, 8, 20)


@pytest.mark.parametrize("currency,event_date,why", [
    ("AED", "2021-08-26", "no ECB fixing, no yearly average shipped"),
    ("LAK", "2015", "the cited LAK series stops in 2009"),
    ("VND", "1995", "before the years shipped"),
    ("JPY", "2100-01-04", "after the ECB series"),
])
def test_a_currency_without_a_rate_gives_null_with_its_reason(currency, event_date, why):
    assert usd_columns(Decimal(1000), currency, event_date, None) == {
        "amount_usd": None, "usd_rate": None, "usd_rate_date": None, "usd_rate_source": "no_rate"}, why


def test_an_undated_amount_in_another_currency_says_no_date():
    assert usd_columns(Decimal(1000), "VND", None, None)["usd_rate_source"] == "no_date"


def test_goods_in_kind_have_no_dollars_and_no_reason():
    assert set(usd_columns(None, None, "2021-08-26", None).values()) == {None}


def test_each_recipients_amount_alone_still_gets_its_rate():
    columns = usd_columns(None, "VND", "2019", None)
    assert columns["amount_usd"] is None and columns["usd_rate"] == Decimal("23050.24")


def test_a_31_digit_amount_converts_exactly():
    amount = Decimal("1234567890123456789012345678901")
    assert amount_in_usd(amount, Decimal(1)) == amount
    assert amount_in_usd(amount, Decimal("22370.09")) == Decimal("55188329153948723005242521.550025")


def test_every_source_code_is_documented():
    sources = {usd_columns(Decimal(1), c, d, None)["usd_rate_source"]
               for c, d in (("USD", None), ("EUR", "2021-08-26"), ("EUR", "2021"), ("VND", "2017"), ("AED", "2021"),
                            ("VND", None))}
    assert sources == set(USD_RATE_SOURCES)


# ---------------------------------------------------------------- the shipped rates

def test_the_yearly_file_cites_its_source_and_holds_only_cited_currencies():
    text = YEARLY_RATES_FILE.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    assert "PA.NUS.FCRF" in header and "World Bank" in header
    rates = read_yearly_rates(text)
    assert {c for c, _ in rates} == {"VND", "LAK"}
    assert all(2000 <= y <= 2025 and r > 0 for (_, y), r in rates.items())
    assert rates["VND", 2000] == Decimal("14167.75") and rates["LAK", 2009] == Decimal("8511.35")


def test_the_ecb_series_ships_with_the_package_for_the_currencies_of_the_news():
    tables = rate_tables()
    for currency in ("EUR", "JPY", "KRW", "CNY", "GBP", "AUD", "THB", "INR"):
        assert tables.fixed_by_ecb(currency), currency
        assert tables.for_day(currency, date(2021, 8, 26)).source == "ecb_day"
    assert tables.ecb_per_eur["USD"][date(2021, 8, 26)] == Decimal("1.1767")


# ---------------------------------------------------------------- the news's calendar

def test_news_date_is_the_day_in_vietnam():
    assert news_date(datetime(2021, 8, 26, tzinfo=VN)) == date(2021, 8, 26)
    assert news_date(datetime(2021, 8, 25, 17, tzinfo=timezone.utc)) == date(2021, 8, 26)
    assert news_date(datetime(2021, 8, 26, 23, 59, tzinfo=VN)) == date(2021, 8, 26)
    assert news_date(None) is None


@pytest.mark.parametrize("value,day,year", [
    ("2021-08-26", date(2021, 8, 26), 2021), ("2021-08", None, 2021), ("2021", None, 2021),
    ("2021-Q3", None, 2021), ("2022/2025", None, 2022), ("2021-02-30", None, 2021), (None, None, None),
])
def test_only_a_day_grain_iso_value_is_a_date(value, day, year):
    assert day_of_iso(value) == day
    assert year_of_iso(value) == year


def test_in_a_utc_session_published_date_is_the_day_a_cast_misses(tmp_path):
    [article] = [ingest_page("Hà Nội trao tặng Thủ đô Viêng Chăn 40.000 USD.".encode(), "a.txt",
                             sidecar={"published_at": "2021-08-26"}, as_text=True).article]
    assert article["published_at"] == datetime(2021, 8, 26, tzinfo=VN)
    assert article["published_date"] == date(2021, 8, 26)
    path = write_table(ARTICLES, [article], tmp_path)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    cast, day = con.execute(f"SELECT CAST(published_at AS DATE), published_date FROM read_parquet('{path}')").fetchone()
    assert (cast, day) == (date(2021, 8, 25), date(2021, 8, 26))


@pytest.mark.slow
def test_in_a_utc_session_the_dev_articles_group_by_the_days_their_pages_state(tmp_path):
    """The real dev articles whose dumps state a day (``# date = 20201001``): grouped by published_date in a plain
    DuckDB session set to UTC, each falls on that day; the cast of published_at, on the day before."""
    import re
    import shutil

    from click.testing import CliRunner

    from vnfacts.cli import main

    from conftest import ROOT

    raw = tmp_path / "raw"
    raw.mkdir()
    stated = {}
    for page in sorted((ROOT / "tests" / "gold" / "dev" / "articles").glob("*.txt")):
        shutil.copy(page, raw / page.name)
        found = re.search(r"^# date = (\d{4})(\d{2})(\d{2})$", page.read_text(encoding="utf-8"), re.M)
        if found:
            stated[page.name] = date(*map(int, found.groups()))
    assert len(stated) >= 20
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["ingest", "--raw", str(raw), "--out", str(out)]).exit_code == 0
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rows = con.execute(f"SELECT source_file, published_date, CAST(published_at AS DATE) "
                       f"FROM read_parquet('{out / 'articles.parquet'}')").fetchall()
    by_file = {name: (day, cast) for name, day, cast in rows}
    assert {name: by_file[name][0] for name in stated} == stated
    assert all(by_file[name][1] == day - timedelta(days=1) for name, day in stated.items())  # a midnight in Hanoi


# ---------------------------------------------------------------- the tables

def _event(article_id, amount, currency, event_date=None):
    return {"event_id": f"{article_id}-aid-000", "article_id": article_id, "donor": "Hà Nội", "recipient": "Lào",
            "item": "cash", "quantity": None, "amount": amount, "currency": currency, "amount_per_recipient": None,
            "recipient_count": None, "is_total": False, "is_cumulative": False, "flow": "grant",
            "event_date": event_date, "event_month": None, "event_day": None, "evidence": "1 tỷ đồng"}


def test_a_consolidated_event_converts_at_the_earliest_publication_day():
    articles = {"a": {"article_id": "a", "published_at": datetime(2021, 9, 2, 8, tzinfo=VN)},
                "b": {"article_id": "b", "published_at": datetime(2021, 9, 1, 0, 30, tzinfo=VN)}}
    [row] = consolidate_aid_events([_event("a", Decimal(1000), "EUR"), _event("b", Decimal(1000), "EUR")], articles)
    assert row["earliest_published_date"] == date(2021, 9, 1)
    assert (row["usd_rate_date"], row["usd_rate_source"]) == (date(2021, 9, 1), "ecb_day")
    assert row["amount_usd"] == amount_in_usd(Decimal(1000), row["usd_rate"])
    assert row["event_day_date"] is None


def test_a_consolidated_event_dated_to_the_day_converts_at_that_day(tmp_path):
    articles = {"a": {"article_id": "a", "published_at": None}}
    [row] = consolidate_aid_events([_event("a", Decimal(1_000_000_000), "VND", "2017-03-08")], articles)
    assert (row["event_day_date"], row["earliest_published_date"]) == (date(2017, 3, 8), None)
    assert (row["usd_rate"], row["amount_usd"]) == (Decimal("22370.09"), Decimal("44702.547017"))
    write_table(AID_EVENTS_CONSOLIDATED, [row], tmp_path)


def test_the_new_columns_are_typed_as_dates_and_decimals():
    types = {f.name: str(f.type) for f in AID_EVENTS.arrow_schema}
    assert types["event_day_date"] == types["usd_rate_date"] == "date32[day]"
    assert types["amount_usd"] == types["amount"] == "decimal128(38, 6)"
    assert types["usd_rate"] == "decimal128(38, 10)"  # 1 EUR = 1.1767 USD keeps its digits: 0.8498342823
    assert str(ARTICLES.arrow_schema.field("published_date").type) == "date32[day]"

