"""Vietnamese date expressions: the news forms of the fixture articles, the rule file's
own examples, a property test over arbitrary text, and Duckling's VI time corpus."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vnfacts.config import RULES_DIR
from vnfacts.dates import DateMatch, DateValue, find_dates, normalize_date_example, parse_date

RULE_FILE = RULES_DIR / "dates" / "vi" / "dates.yaml"
RULES = yaml.safe_load(RULE_FILE.read_text(encoding="utf-8"))
DUCKLING_CASES = Path(__file__).resolve().parent / "duckling" / "cases.jsonl"

REF_000 = date(2021, 8, 27)   # publication dates of the fixture articles
REF_002 = date(2022, 8, 17)
REF_003 = date(2022, 5, 26)
REF_004 = date(2020, 7, 6)


def fields(value: DateValue | None, *names: str) -> dict | None:
    return None if value is None else {n: getattr(value, n) for n in names}


# ---------------------------------------------------------------------------
# News forms from the fixture articles


@pytest.mark.parametrize("text,reference,expected", [
    ("Chiều 26/8", REF_000, {"value": "2021-08-26", "grain": "day", "part_of_day": "afternoon", "year_unresolved": False}),
    ("chiều 26/8", REF_000, {"value": "2021-08-26", "grain": "day", "part_of_day": "afternoon", "month": 8, "day": 26}),
    ("sáng 26/5", REF_003, {"value": "2022-05-26", "grain": "day", "part_of_day": "morning"}),
    ("Ngày 5/7", REF_004, {"value": "2020-07-05", "grain": "day", "part_of_day": None}),
    ("ngày 6/7", REF_004, {"value": "2020-07-06", "grain": "day"}),
    ("5/7/2020", None, {"value": "2020-07-05", "grain": "day", "year_unresolved": False}),
    ("05/03/2021", None, {"value": "2021-03-05", "grain": "day"}),
    ("ngày 14/3/1988", REF_000, {"value": "1988-03-14", "grain": "day"}),
    ("24/7", REF_000, {"value": "2021-07-24", "grain": "day"}),
    ("tháng 4/2022", REF_002, {"value": "2022-04", "grain": "month", "qualifier": None}),
    ("đầu tháng 4/2022", REF_002, {"value": "2022-04", "grain": "month", "qualifier": "early"}),
    ("cuối tháng 12/2025", None, {"value": "2025-12", "grain": "month", "qualifier": "late"}),
    ("(1/2020)", REF_004, {"value": "2020-01", "grain": "month", "month": 1}),
    ("1/2020", None, {"value": "2020-01", "grain": "month"}),
    ("năm 1998", REF_002, {"value": "1998", "grain": "year"}),
    ("năm 2022", REF_003, {"value": "2022", "grain": "year"}),
    ("từ năm 1998", REF_002, {"value": "1998", "grain": "year"}),
    ("giai đoạn 2022-2025", REF_002, {"value": "2022/2025", "grain": "period", "start": "2022", "end": "2025"}),
    ("giai đoạn 2016-2020", None, {"value": "2016/2020", "grain": "period", "start": "2016", "end": "2020",
                                   "year_unresolved": False}),
    ("nhiệm kỳ 2021-2026", REF_000, {"value": "2021/2026", "grain": "period", "start": "2021", "end": "2026"}),
    ("nhiệm kỳ 2026 - 2031", REF_000, {"value": "2026/2031", "grain": "period", "start": "2026", "end": "2031"}),
    ("tháng 4", REF_002, {"value": "2022-04", "grain": "month", "month": 4}),
    ("Quý II/2021", REF_000, {"value": "2021-Q2", "grain": "quarter"}),
    ("quý 3", REF_000, {"value": "2021-Q3", "grain": "quarter"}),
    ("tháng Giêng năm 2021", None, {"value": "2021-01", "grain": "month"}),
    ("tháng Chạp", REF_000, {"value": "2021-12", "grain": "month"}),
    ("tháng Mười Một năm 2020", None, {"value": "2020-11", "grain": "month"}),
    ("tháng Mười năm 2020", None, {"value": "2020-10", "grain": "month"}),
    ("từ ngày 13-16/3", REF_000, {"value": "2021-03-13/2021-03-16", "grain": "period",
                                  "start": "2021-03-13", "end": "2021-03-16"}),
])
def test_news_forms(text, reference, expected):
    assert fields(parse_date(text, reference), *expected) == expected


def test_no_reference_date_leaves_the_year_unresolved():
    value = parse_date("chiều 26/8", None)
    assert value == DateValue(value=None, grain="day", year_unresolved=True, month=8, day=26,
                              part_of_day="afternoon")
    period = parse_date("từ ngày 13-16/3", None)
    assert (period.value, period.grain, period.year_unresolved, period.month, period.day) == \
        (None, "period", True, 3, 13)


def test_bare_day_month_inside_a_sentence():
    text = "nhân dịp kỷ niệm ngày Quốc khánh Việt Nam 2/9, Đại sứ"
    [m] = find_dates(text, REF_000)
    assert (m.text, m.value.value, m.value.grain, m.rule_id) == ("2/9", "2021-09-02", "day", "dates.vi.day_month_bare")
    assert text[m.start:m.end] == "2/9"


def test_month_year_in_brackets_includes_the_brackets():
    text = "Thủ tướng Chính phủ (1/2020); hai bên"
    [m] = find_dates(text, REF_004)
    assert (m.text, m.value.value, m.value.grain) == ("(1/2020)", "2020-01", "month")


def test_a_sentence_from_article_000():
    text = ("Chiều 26/8, tại trụ sở Thành ủy, Bí thư nhiệm kỳ 2021-2026 trao 200.000 USD, "
            "chào mừng ngày Quốc khánh Việt Nam 2/9 và 7,39% dân số; COVID-19; SARS-CoV-2.")
    found = [(m.text, m.value.value, m.value.grain) for m in find_dates(text, REF_000)]
    assert found == [("Chiều 26/8", "2021-08-26", "day"),
                     ("nhiệm kỳ 2021-2026", "2021/2026", "period"),
                     ("2/9", "2021-09-02", "day")]


def test_unclos_1982_is_not_a_date_but_nam_1982_is():
    assert find_dates("theo Công ước UNCLOS 1982 của Liên hợp quốc", REF_004) == []
    [m] = find_dates("ký kết vào năm 1982 tại Jamaica", REF_004)
    assert (m.text, m.value.value) == ("năm 1982", "1982")


@pytest.mark.parametrize("text", [
    "COVID-19", "SARS-CoV-2", "7,39%", "30.000", "UNCLOS 1982", "ASEAN 36", "lần thứ 42", "19001009",
    "9/113", "đứng thứ 9/113", "31/2", "ngày 31/2", "30/2/2020", "ngày 0/5", "tháng 13", "13/2020", "2022-2025",
    "khóa XV", "Nghị định 15/2020/NĐ-CP", "Quyết định 1/2020/QĐ-TTg", "DK1/9", "1,5/2",
])
def test_not_a_date(text):
    assert parse_date(text, REF_000) is None
    assert find_dates(text, REF_000) == []


def test_calendar_is_checked():
    assert parse_date("29/2/2020", None).value == "2020-02-29"
    assert parse_date("29/2/2021", None) is None
    assert parse_date("ngày 29/2", date(2020, 6, 1)).value == "2020-02-29"


@pytest.mark.parametrize("text,reference,value", [
    ("ngày 28/12", date(2022, 1, 3), "2021-12-28"),     # New Year between the date and the article
    ("ngày 5/1", date(2021, 12, 28), "2022-01-05"),
    ("tháng 12", date(2022, 1, 10), "2021-12"),
    ("ngày 6/2", REF_000, "2021-02-06"),                # far from New Year: the publication year
    ("ngày 12/10", date(2017, 2, 2), "2017-10-12"),
])
def test_year_from_the_reference_date(text, reference, value):
    assert parse_date(text, reference).value == value


def test_periods_joined_by_tu_den_and_by_a_dash():
    assert parse_date("từ ngày 26/8 đến ngày 5/9", REF_000).value == "2021-08-26/2021-09-05"
    assert parse_date("từ 20/12 đến 5/1/2022", None).value == "2021-12-20/2022-01-05"
    [m] = find_dates("Quan hệ ngoại giao Việt Nam - Lào (02/12/1975 – 02/12/2025).", REF_000)
    assert (m.text, m.value.value, m.rule_id) == ("02/12/1975 – 02/12/2025", "1975-12-02/2025-12-02", "dates.vi.range")


def test_month_words_in_running_text_need_a_capital():
    assert find_dates("họp mỗi tháng hai lần", REF_000) == []
    assert [m.value.value for m in find_dates("họp vào tháng Hai", REF_000)] == ["2021-02"]
    assert parse_date("tháng hai", REF_000).value == "2021-02"     # a whole phrase may use any case
    assert find_dates("80 năm Cách mạng tháng Tám", REF_000) == []


def test_decomposed_text_keeps_offsets_into_the_original():
    text = unicodedata.normalize("NFD", "Vào Chiều 26/8, giai đoạn 2022-2025.")
    found = find_dates(text, REF_000)
    assert [m.value.value for m in found] == ["2021-08-26", "2022/2025"]
    for m in found:
        assert text[m.start:m.end] == m.text
    assert unicodedata.normalize("NFC", found[0].text) == "Chiều 26/8"


def test_normalize_date_example_gives_every_field():
    assert normalize_date_example("Chiều 26/8", REF_000) == asdict(parse_date("Chiều 26/8", REF_000))
    assert normalize_date_example("COVID-19", REF_000) is None


def test_a_missing_rule_file_is_reported(tmp_path):
    with pytest.raises(Exception, match="R001"):
        find_dates("Chiều 26/8", REF_000, rules_dir=tmp_path)


# ---------------------------------------------------------------------------
# The rule file's examples


POSITIVE = RULES["examples"]["positive"]
NEGATIVE = [ex if isinstance(ex, str) else ex["text"] for ex in RULES["examples"]["negative"]]
RULE_REFERENCE = date.fromisoformat(RULES["reference_date"])


def test_rule_file_has_enough_examples():
    assert len(POSITIVE) >= 25 and len(NEGATIVE) >= 10
    assert any(len(str(ex["expected"].get("value") or "")) >= 4 and str(ex["expected"]["value"])[:4].isdigit()
               for ex in POSITIVE)


@pytest.mark.parametrize("example", POSITIVE, ids=[ex["text"] for ex in POSITIVE])
def test_rule_positive_example(example):
    got = normalize_date_example(example["text"], RULE_REFERENCE)
    assert got is not None, example["text"]
    assert {k: got.get(k) for k in example["expected"]} == example["expected"]


@pytest.mark.parametrize("text", NEGATIVE)
def test_rule_negative_example(text):
    assert normalize_date_example(text, RULE_REFERENCE) is None
    assert find_dates(text, RULE_REFERENCE) == []


# ---------------------------------------------------------------------------
# Any text


DATEISH = st.text(alphabet="0123456789/-.–,() \n\u0301ngàytháǹmquýgiaiđoạnChiềusáng", max_size=60)
PHRASES = st.lists(st.sampled_from(
    ["Chiều 26/8", "ngày", "tháng", "năm", "2022", "-", "2025", "(1/2020)", "từ", "đến", "9/113", "quý II",
     "giai đoạn", " ", "\n", "31/2", "Chủ nhật,", "(", ")", "29/2", "/", "COVID-19"]), max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), DATEISH, PHRASES), st.sampled_from([None, REF_000, date(2022, 1, 3)]))
def test_find_dates_on_any_text(text, reference):
    matches = find_dates(text, reference)
    previous_end = 0
    for m in matches:
        assert isinstance(m, DateMatch)
        assert previous_end <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert (m.value.value is None) == m.value.year_unresolved
        previous_end = m.end
    parse_date(text, reference)


# ---------------------------------------------------------------------------
# Duckling's VI time corpus (reference time 2017-02-02): the absolute day/month/year cases


DUCKLING_REFERENCE = date(2017, 2, 2)
# A phrase with one of these words is relative to "now" (today, tomorrow, next, last ...).
RELATIVE_WORDS = {"nay", "qua", "mai", "kia", "tới", "sau", "trước", "ngoái", "này", "tiếp", "vừa",
                  "hiện", "tuần", "kế", "bây", "lúc"}
WEEKDAYS = {w.casefold() for w in RULES["vocabulary"]["weekday"]}   # a bare weekday is relative too
ISO_LENGTH = {"day": 10, "month": 7, "year": 4}
DUCKLING_FLOOR = 32


def duckling_absolute_cases() -> list[dict]:
    cases = [json.loads(line) for line in DUCKLING_CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [c for c in cases
            if c["dimension"] == "time" and not c.get("negative") and "duplicate_of_group" not in c
            and c["expected"].get("grain") in ISO_LENGTH
            and not RELATIVE_WORDS & set(c["text"].casefold().split())
            and c["text"].casefold() not in WEEKDAYS]


def test_duckling_vi_absolute_dates():
    cases = duckling_absolute_cases()
    hits, misses = 0, []
    for case in cases:
        grain = case["expected"]["grain"]
        want = case["expected"]["value"][:ISO_LENGTH[grain]]
        got = parse_date(case["text"], DUCKLING_REFERENCE)
        if got is not None and (got.value, got.grain) == (want, grain):
            hits += 1
        else:
            misses.append(f"{case['text']!r}: want {want} {grain}, got {got and (got.value, got.grain)}")
    print(f"\nDuckling VI time, absolute day/month/year: {hits}/{len(cases)}")
    print("\n".join(f"  miss {m}" for m in misses))
    assert len(cases) == 36
    assert hits >= DUCKLING_FLOOR, misses


# ---------------------------------------------------------------------------
# The word lists' alternations share their common starts and match as the plain alternation


WORDS = st.text(alphabet="abAB.", min_size=1, max_size=4).map(lambda w: w.replace(".", " ").strip() or "a")


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=8), st.text(alphabet="abAB \n", max_size=12))
def test_a_shared_start_alternation_matches_as_the_plain_one(words, text):
    from vnfacts.dates import _alternation, _word_regex

    plain = "|".join(_word_regex(w) for w in sorted(set(words), key=len, reverse=True))
    shared = _alternation(words)
    for after in ("", r"(?!\w)", r"(?=\s)b", "(a)?b"):  # what follows decides which alternative a match keeps
        for pos in range(len(text) + 1):
            plain_match, shared_match = (re.compile(f"(?:{alt}){after}", re.IGNORECASE).match(text, pos)
                                         for alt in (plain, shared))
            assert (plain_match and (plain_match.span(), plain_match.groups())) == \
                (shared_match and (shared_match.span(), shared_match.groups()))
