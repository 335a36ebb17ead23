"""Vietnamese number and money normalizers (pipeline/numbers.py).

Held-out cases: tests/duckling/cases.jsonl, the Vietnamese Numeral and AmountOfMoney
corpora of Facebook's Duckling (BSD licence, see tests/duckling/README.md).
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vnfacts.config import RULES_DIR
from vnfacts.numbers import (
    Money,
    normalize_money_example,
    normalize_number_example,
    parse_money,
    parse_number,
    split_qualifier,
)

DUCKLING_CASES = Path(__file__).parent / "duckling" / "cases.jsonl"
DIMENSIONS = ("numeral", "amount_of_money")
MIN_PASS_RATE = 0.95

# Duckling's units, as (ISO code, factor to that currency's unit).
# Deliberate choices:
#  - Duckling's ambiguous "$" (from "đô", "đô la", "đô mỹ", "$") is taken as USD:
#    in Vietnamese news a bare "đô" is the US dollar.
#  - Duckling's "cent" (from "xu", "xen", "cắc") is a hundredth of the dollar, so
#    "mười xen" is 0.10 USD here where Duckling says 10 cent.
#  - Duckling's ambiguous "£" (from "pound(s)", "pao") is taken as GBP.
DUCKLING_UNITS = {
    "$": ("USD", Decimal(1)),
    "USD": ("USD", Decimal(1)),
    "cent": ("USD", Decimal("0.01")),
    "£": ("GBP", Decimal(1)),
    "GBP": ("GBP", Decimal(1)),
    "VND": ("VND", Decimal(1)),
    "EUR": ("EUR", Decimal(1)),
    "INR": ("INR", Decimal(1)),
    "AED": ("AED", Decimal(1)),
}

# Duckling reads "hơn X" / "dưới X" as open intervals; parse_money gives the amount
# X with a bound qualifier. Duckling drops hedges ("khoảng", "tầm", "xấp xỉ"); we keep them.
LOWER_BOUND_QUALIFIERS = {"more_than", "at_least"}
UPPER_BOUND_QUALIFIERS = {"less_than", "at_most"}
HEDGE_QUALIFIERS = {None, "about", "nearly", "exactly"}

# Duckling cases this project does not support, {text: reason}. Each is an
# xfail(strict=True): when one starts passing, the test says so.
KNOWN_FAILURES: dict[str, str] = {}


def _load_cases() -> list[dict]:
    lines = DUCKLING_CASES.read_text(encoding="utf-8").splitlines()
    return [c for c in map(json.loads, filter(str.strip, lines)) if c["dimension"] in DIMENSIONS]


CASES = _load_cases()


def _dec(value) -> Decimal:
    return Decimal(str(value))


def _duckling_amount(side: dict) -> tuple[Decimal, str]:
    currency, factor = DUCKLING_UNITS[side["unit"]]
    return _dec(side["value"]) * factor, currency


def _numeral_problem(case: dict) -> str | None:
    got = parse_number(case["text"])
    want = _dec(case["expected"]["value"])
    return None if got == want else f"expected {want}, got {got}"


def _money_problem(case: dict) -> str | None:
    expected = case["expected"]
    got = parse_money(case["text"])
    if got is None:
        return "no parse"
    if expected.get("type") != "interval":
        amount, currency = _duckling_amount(expected)
        ok = (got.amount, got.currency) == (amount, currency) and got.qualifier in HEDGE_QUALIFIERS
        return None if ok else f"expected {amount} {currency}, got {got}"
    if "from" in expected and "to" in expected:
        (low, currency), (high, _) = _duckling_amount(expected["from"]), _duckling_amount(expected["to"])
        ok = (got.amount, got.low, got.high, got.currency) == (None, low, high, currency) \
            and got.qualifier in HEDGE_QUALIFIERS
        return None if ok else f"expected {low}..{high} {currency}, got {got}"
    bound, qualifiers = (expected["from"], LOWER_BOUND_QUALIFIERS) if "from" in expected \
        else (expected["to"], UPPER_BOUND_QUALIFIERS)
    amount, currency = _duckling_amount(bound)
    ok = (got.amount, got.currency) == (amount, currency) and got.qualifier in qualifiers
    return None if ok else f"expected {amount} {currency} with one of {sorted(qualifiers)}, got {got}"


def duckling_problem(case: dict) -> str | None:
    """Why our parse disagrees with Duckling's expected value, or None when it agrees."""
    check = _numeral_problem if case["dimension"] == "numeral" else _money_problem
    return check(case)


def _case_param(case: dict):
    marks = []
    if case["text"] in KNOWN_FAILURES:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[case["text"]]))
    return pytest.param(case, id=f"{case['dimension']}:{case['text']}", marks=marks)


# ---------------------------------------------------------------------------
# 1. Duckling corpus
# ---------------------------------------------------------------------------

def test_duckling_copy_is_complete():
    counts = {dim: sum(c["dimension"] == dim for c in CASES) for dim in DIMENSIONS}
    assert counts == {"numeral": 53, "amount_of_money": 71}


def test_known_failures_are_duckling_cases():
    assert set(KNOWN_FAILURES) <= {c["text"] for c in CASES}


@pytest.mark.parametrize("case", [_case_param(c) for c in CASES])
def test_duckling_case(case):
    problem = duckling_problem(case)
    assert problem is None, f"{case['text']!r}: {problem}"


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_duckling_pass_rate(dimension):
    cases = [c for c in CASES if c["dimension"] == dimension]
    failing = {c["text"]: duckling_problem(c) for c in cases}
    failing = {text: why for text, why in failing.items() if why is not None}
    rate = 1 - len(failing) / len(cases)
    assert rate >= MIN_PASS_RATE, f"{dimension}: {rate:.1%} pass; failing: {failing}"


# ---------------------------------------------------------------------------
# 2. Unit tests with real values
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [
    ("30.000", "30000"),
    ("7,39", "7.39"),
    ("1,8 tỷ", "1800000000"),
    ("1,8 tỉ", "1800000000"),
    ("tám", "8"),
    ("mười", "10"),
    ("hai mươi", "20"),
    ("15 nghìn", "15000"),
    ("15 ngàn", "15000"),
    ("1.234,5", "1234.5"),
    ("100K", "100000"),
    ("-1,2M", "-1200000"),
    ("âm 1.200.000", "-1200000"),
    ("hai phẩy 23", "2.23"),
    ("hai mươi mốt nghìn không trăm mười một", "21011"),
    ("một trăm linh năm", "105"),
    ("hai trăm lẻ tám nghìn", "208000"),
    ("ba mươi lăm", "35"),
    ("mười lăm", "15"),
    ("bốn mươi tư", "44"),
    ("một tỷ hai trăm triệu", "1200000000"),
    ("2 triệu 500 nghìn", "2500000"),
    ("hai phẩy năm tỷ", "2500000000"),
    ("Hai Mươi", "20"),
])
def test_parse_number(text, value):
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", [
    "", "   ", "khẩu trang", "COVID-19", "26/8", "2021-2026", "gần 20", "1.20", "1.2.3",
    "năm 2021", "mốt", "tư", "lăm", "hai trăm năm", "hai nghìn năm", "2 triệu 500", "tỷ", "7,39%",
    "hai ba", "mươi", "một mươi", "phẩy 5", "30.000 USD",
])
def test_parse_number_refuses(text):
    assert parse_number(text) is None


def test_parse_number_whole_values_have_no_decimals():
    assert str(parse_number("1,8 tỷ")) == "1800000000"


@pytest.mark.parametrize("text,amount,currency", [
    ("200.000 USD", "200000", "USD"),
    ("40.000 USD", "40000", "USD"),
    ("1,8 tỷ đồng", "1800000000", "VND"),
    ("200 triệu VNĐ", "200000000", "VND"),
    ("20.000 kíp", "20000", "LAK"),
    ("300 triệu kíp", "300000000", "LAK"),
    ("2 triệu đô la Mỹ", "2000000", "USD"),
    ("10 nghìn euro", "10000", "EUR"),
    ("1,2 triệu bảng Anh", "1200000", "GBP"),
    ("3 tỷ nhân dân tệ", "3000000000", "CNY"),
    ("5 triệu đô la Úc", "5000000", "AUD"),
    ("$10", "10", "USD"),
    ("USD1,23", "1.23", "USD"),
    ("2 đô 23 xu", "2.23", "USD"),
    ("10.000đ", "10000", "VND"),
    ("5 trđ", "5000000", "VND"),
    ("1 AED.", "1", "AED"),
])
def test_parse_money(text, amount, currency):
    assert parse_money(text) == Money(Decimal(amount), currency)


@pytest.mark.parametrize("text,qualifier,amount,currency", [
    ("hơn 1,8 tỷ đồng", "more_than", "1800000000", "VND"),
    ("khoảng 500 triệu đồng", "about", "500000000", "VND"),
    ("gần 20 triệu USD", "nearly", "20000000", "USD"),
    ("trên dưới 100 triệu đồng", "about", "100000000", "VND"),
    ("không quá 7.000 đồng", "at_most", "7000", "VND"),
    ("ít nhất $1,42", "at_least", "1.42", "USD"),
    ("từ 100 triệu đồng trở lên", "at_least", "100000000", "VND"),
    ("tầm khoảng 3 tỷ đồng", "about", "3000000000", "VND"),
])
def test_parse_money_qualifier(text, qualifier, amount, currency):
    assert parse_money(text) == Money(Decimal(amount), currency, qualifier)


@pytest.mark.parametrize("text,low,high,currency,qualifier", [
    ("từ 1000 đến 2000 đồng", "1000", "2000", "VND", None),
    ("từ 1 đến 2 tỷ đồng", "1000000000", "2000000000", "VND", None),
    ("2-3 triệu đồng", "2000000", "3000000", "VND", None),
    ("khoảng 1,5-2 tỷ USD", "1500000000", "2000000000", "USD", "about"),
    ("từ 500 nghìn đến 2 triệu đồng", "500000", "2000000", "VND", None),
])
def test_parse_money_range(text, low, high, currency, qualifier):
    assert parse_money(text) == Money(None, currency, qualifier, Decimal(low), Decimal(high))


@pytest.mark.parametrize("text", [
    "", "khẩu trang", "COVID-19", "26/8", "2021-2026", "30.000", "USD", "tỷ đồng", "hàng tỷ đồng",
    "đồng hồ", "70.000 giường", "7,39%", "hơn", "từ 2000 đến 1000 đồng", "10 USD đến 20 euro",
    "20.000 kíp 50",  # the kip takes no cents
])
def test_parse_money_refuses(text):
    assert parse_money(text) is None


@pytest.mark.parametrize("text,qualifier,rest", [
    ("gần 20", "nearly", "20"),
    ("hơn 1,8 tỷ đồng", "more_than", "1,8 tỷ đồng"),
    ("Khoảng chừng 5 tỷ", "about", "5 tỷ"),
    ("không quá 7.000 đồng", "at_most", "7.000 đồng"),
    ("1,8 tỷ đồng", None, "1,8 tỷ đồng"),
])
def test_split_qualifier(text, qualifier, rest):
    assert split_qualifier(text) == (qualifier, rest)


def test_gan_20_is_a_qualified_number():
    assert parse_number("gần 20") is None
    qualifier, rest = split_qualifier("gần 20")
    assert (qualifier, parse_number(rest)) == ("nearly", Decimal(20))


def test_vocabulary_comes_from_the_rules_dir(tmp_path):
    """A copy of the rule files with a new currency word is read from the given rules dir."""
    for rel in ("numbers/vi/numbers.yaml", "money/vi/currencies.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True)
        (tmp_path / rel).write_text((RULES_DIR / rel).read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "money/vi/currencies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["currencies"]["LAK"]["words"].append("kíp mới")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert parse_money("5 kíp mới", tmp_path) == Money(Decimal(5), "LAK")
    assert parse_money("5 kíp mới") is None


# ---------------------------------------------------------------------------
# 3. Properties: values survive being written out, a phrase is read whole or not at all
# ---------------------------------------------------------------------------

NUMBER_RULES = yaml.safe_load((RULES_DIR / "numbers/vi/numbers.yaml").read_text(encoding="utf-8"))
MONEY_RULES = yaml.safe_load((RULES_DIR / "money/vi/currencies.yaml").read_text(encoding="utf-8"))
SCALES = sorted((str(word), Decimal(str(factor))) for word, factor in NUMBER_RULES["scales"].items())
CURRENCY_NAMES = sorted((str(name), code) for code, entry in MONEY_RULES["currencies"].items()
                        for name in (entry.get("symbols") or []) + (entry.get("words") or []))
QUALIFIERS = sorted(MONEY_RULES["qualifiers"].items())
ITEM = "khẩu trang"  # not a number word, not a currency: a phrase ending with it is neither

AMOUNTS = st.decimals(min_value=-10 ** 15, max_value=10 ** 15, places=3)
NON_NEGATIVE_AMOUNTS = st.decimals(min_value=0, max_value=10 ** 15, places=3)

VOCABULARY_TOKENS = [
    "một", "hai", "năm", "mười", "mươi", "mốt", "lăm", "tư", "linh", "trăm", "nghìn", "triệu", "tỷ",
    "chục", "tá", "phẩy", "chấm", "âm", "-", "–", "1.200", "1,5", ",5", "100k", "3M", "0", "đồng", "đô",
    "la", "USD", "$", "US$1", "10.000đ", "xu", "xen", "và", "từ", "đến", "giữa", "hơn", "khoảng",
    "không", "quá", "trở", "lên", "1000-2000", "trđ", ".", "Rs.",
]
VOCABULARY_SOUP = st.lists(st.sampled_from(VOCABULARY_TOKENS), max_size=8).map(" ".join)
# qualifier, a few number-ish tokens, currency name: shaped like money, so that it often is
QUALIFIED_SOUP = st.tuples(st.sampled_from([q for q, _ in QUALIFIERS]),
                           st.lists(st.sampled_from(VOCABULARY_TOKENS), min_size=1, max_size=4).map(" ".join),
                           st.sampled_from([name for name, _ in CURRENCY_NAMES])).map(" ".join)


def vietnamese_digits(value: Decimal) -> str:
    """How the pages write a value: 1234567.5 -> '1.234.567,5'."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    return sign + f"{int(whole):,}".replace(",", ".") + ("," + fraction if fraction else "")


def _well_formed(money: Money) -> bool:
    """A known currency, and either an amount or a closed interval low <= high."""
    if money.currency not in MONEY_RULES["currencies"]:
        return False
    if money.amount is not None:
        return money.low is None and money.high is None
    return money.low is not None and money.high is not None and money.low <= money.high


@settings(max_examples=300, deadline=None)
@given(AMOUNTS)
def test_a_written_number_reads_back_as_its_value(value):
    assert parse_number(vietnamese_digits(value)) == value
    assert parse_number(f"{value:f}".replace(".", ",")) == value  # without thousands separators


@settings(max_examples=300, deadline=None)
@given(AMOUNTS, st.sampled_from(SCALES))
def test_a_scale_word_multiplies_the_number_before_it(value, scale):
    word, factor = scale
    assert parse_number(f"{vietnamese_digits(value)} {word}") == value * factor


@settings(max_examples=300, deadline=None)
@given(AMOUNTS, st.sampled_from(CURRENCY_NAMES), st.sampled_from(QUALIFIERS))
def test_a_written_amount_reads_back_with_its_currency_and_qualifier(value, name, qualifier):
    (word, currency), (phrase, meaning) = name, qualifier
    assert parse_money(f"{vietnamese_digits(value)} {word}") == Money(value, currency)
    assert parse_money(f"{phrase} {vietnamese_digits(value)} {word}") == Money(value, currency, meaning)


@settings(max_examples=300, deadline=None)
@given(NON_NEGATIVE_AMOUNTS, NON_NEGATIVE_AMOUNTS, st.sampled_from(CURRENCY_NAMES))
def test_a_written_range_reads_back_as_an_interval(one, other, name):
    word, currency = name
    low, high = sorted((one, other))
    low_text, high_text = vietnamese_digits(low), vietnamese_digits(high)
    assert parse_money(f"từ {low_text} đến {high_text} {word}") == Money(None, currency, None, low, high)
    if low < high:  # a range that runs backwards is not an amount
        assert parse_money(f"từ {high_text} đến {low_text} {word}") is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parsers_on_any_text_read_it_whole_or_not_at_all(text):
    number, money = parse_number(text), parse_money(text)
    assert number is None or number.is_finite()
    assert money is None or _well_formed(money)
    assert parse_number(f"{text} {ITEM}") is None and parse_money(f"{text} {ITEM}") is None
    qualifier, rest = split_qualifier(text)
    words = text.split()
    if qualifier is None:
        assert rest == text.strip()
    else:  # what is left is the words after the qualifier, as written
        assert rest.split() == words[len(words) - len(rest.split()):]


@settings(max_examples=300, deadline=None)
@given(VOCABULARY_SOUP)
def test_parsers_on_vocabulary_soup_read_it_whole_or_not_at_all(text):
    money = parse_money(text)
    assert money is None or _well_formed(money)
    assert parse_number(f"{text} {ITEM}") is None and parse_money(f"{text} {ITEM}") is None


@settings(max_examples=300, deadline=None)
@given(QUALIFIED_SOUP)
def test_a_leading_qualifier_changes_only_the_qualifier(text):
    qualifier, rest = split_qualifier(text)
    unqualified = parse_money(rest)
    if unqualified is not None and unqualified.qualifier is None:
        assert parse_money(text) == replace(unqualified, qualifier=qualifier)


# ---------------------------------------------------------------------------
# 4. The examples in the rule files hold
# ---------------------------------------------------------------------------

RULE_FILES = {
    "numbers/vi/numbers.yaml": normalize_number_example,
    "money/vi/currencies.yaml": normalize_money_example,
}


def _rule_examples():
    for rel, normalize in RULE_FILES.items():
        data = yaml.safe_load((RULES_DIR / rel).read_text(encoding="utf-8"))
        for ex in data["examples"]["positive"]:
            yield pytest.param(normalize, ex["text"], ex["expected"], id=f"{rel}+{ex['text']}")
        for text in data["examples"]["negative"]:
            yield pytest.param(normalize, text, None, id=f"{rel}-{text}")


@pytest.mark.parametrize("rel,minimum_positive,minimum_negative", [
    ("numbers/vi/numbers.yaml", 12, 6),
    ("money/vi/currencies.yaml", 12, 6),
])
def test_rule_files_carry_enough_examples(rel, minimum_positive, minimum_negative):
    data = yaml.safe_load((RULES_DIR / rel).read_text(encoding="utf-8"))
    assert {"id", "kind", "description", "normalizer", "examples"} <= set(data)
    assert len(data["examples"]["positive"]) >= minimum_positive
    assert len(data["examples"]["negative"]) >= minimum_negative


@pytest.mark.parametrize("normalize,text,expected", list(_rule_examples()))
def test_rule_file_example(normalize, text, expected):
    got = normalize(text)
    if expected is None:
        assert got is None
        return
    assert got is not None, f"{text!r} yielded nothing"
    # Keys the example leaves out must be empty: "30.000 USD" has no qualifier.
    for key in set(got) | set(expected):
        want = expected.get(key)
        want = _dec(want) if isinstance(want, (int, float)) else want
        assert got.get(key) == want, f"{text!r}: {key}: expected {want!r}, got {got.get(key)!r}"


NUMBER_TEXT_PIECES = ["1", "2,5", "30.000", "100K", "-1,2", "hai", "mươi", "mốt", "nghìn", "triệu", "tỷ", "phẩy",
                      "âm", "lẻ", "linh", "không", "trăm", "người", "USD", "đồng", "xe", "-", ",", "năm", "10%"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(NUMBER_TEXT_PIECES), min_size=1, max_size=5),
       st.lists(st.sampled_from([" ", "", "  "]), min_size=5, max_size=5))
def test_what_may_be_number_refuses_parse_number_cannot_read(pieces, gaps):
    from vnfacts.numbers import may_be_number

    text = "".join(p + g for p, g in zip(pieces, gaps)).strip()
    if not may_be_number(text):
        assert parse_number(text) is None


def test_may_be_number_refuses_a_word_after_a_number():
    from vnfacts.numbers import may_be_number

    assert not may_be_number("2 người") and may_be_number("hai mươi mốt nghìn") and may_be_number("1,8 tỷ")
