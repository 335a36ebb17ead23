"""Validate: every extracted row is checked against its source text, independently of
the extractor's own bookkeeping, before it reaches the analysts' tables.

A row is rejected with the first check it fails, in the order of ``CHECKS``; the
rejects table names the check and why.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd
import pyarrow
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .config import RULES_DIR
from .dates import parse_date
from .errors import Reject
from .ingest import BODY_ZONES, raw_span_of, raw_text, read_input
from .lexicon import VIETNAMESE_SYLLABLE, CompiledRules, compile_rules, phrase_doc
from .normalize import canonical_text
from .numbers import exact, parse_money, parse_number, split_qualifier
from .calendar_days import day_of_iso, news_date
from .money_rates import amount_in_usd, usd_columns
from .schema import EXTRACT_TABLES, TABLES, SchemaError, agreement_kinds, aid_flows, aid_items

# A resolved date this long after publication is not plausible for a news story.
MAX_DAYS_AFTER_PUBLICATION = 180
MAX_DAYS_AFTER_PUBLICATION_STATED = 5 * 365  # a day whose year the text states: a deadline, not a typo
EVENT_MAX_DAYS_AFTER_PUBLICATION = 1

# Every check a row can fail, in the order they run, with what it asks (docs/tables.md lists them from here).
CHECKS: dict[str, str] = {
    "offsets": "0 <= char_start < char_end <= len(body)",
    "evidence": "body[char_start:char_end] equals `evidence`",
    "body_zone": "the span lies inside one line of a body zone (lead, body, caption)",
    "raw_trace": "the span traced back to its raw bytes canonicalizes to the evidence",
    "fits_column": "every number fits its column exactly (no 40-digit amount, no NaN)",
    "value": "the value parsed again from the evidence equals the stored one (amount, quantity, currency, item, "
             "date value and grain, names, counts)",
    "role_span": "every role's text is the body at its offsets, inside one line of a body zone",
    "role_value": "every part of the row is re-derived from its role's words: donor and recipients (a name the "
                  "words give, as written or by the entity lists), amount or quantity, the verb of giving, a "
                  "party of an agreement, an official's name and titles (a person may be named by the last word "
                  "of the full name the article writes); a row stated in one sentence has a role for its donor "
                  "and each recipient",
    "date_plausible": "a date is not far after the publication date (a month or year the text states may be)",
    "derived": "the columns computed from others agree with them: `event_day_date` is `event_date` when that is a "
               "day; `usd_rate`, `usd_rate_date` and `usd_rate_source` are the shipped rate of `currency` "
               "(pipeline/money_rates.py) at the event's day, else the publication day, else the year; "
               "`amount_usd` = amount / usd_rate, rounded to 6 decimals",
    "total_reconciles": "a row marked `is_total` equals the sum of the rows it totals",
    "schema.<column>": "the column's vocabulary and range (pandera), checked per batch of published rows",
    "schema_type": "the row can be written in the table's Arrow types",
}


class CheckFailed(Exception):
    def __init__(self, check: str, message: str):
        super().__init__(message)
        self.check = check
        self.message = message


@dataclass
class ArticleContext:
    article: dict
    body_lines: list[tuple[int, int]]
    raw: bytes | None
    reference: date | None

    @cached_property
    def _line_reach(self) -> tuple[list[int], list[int]]:
        """The body lines' starts in order, and the furthest end of the lines starting at or before each."""
        starts, reach, furthest = [], [], -1
        for a, b in sorted(self.body_lines):
            furthest = max(furthest, b)
            starts.append(a)
            reach.append(furthest)
        return starts, reach

    def in_one_line(self, start: int, end: int) -> bool:
        """Some body line holds [start, end): one lookup, not a scan of the article's lines."""
        starts, reach = self._line_reach
        k = bisect_right(starts, start) - 1
        return k >= 0 and end <= reach[k]

    def body_holds(self, text: str, row: dict) -> bool:
        """``text in body``, answered by a role of the row that spans it where one does, else searched for once
        per article: the rows of a long page do not each search it."""
        body = self.article["body"]
        for r in row.get("roles") or []:
            a, b = r.get("char_start"), r.get("char_end")
            if r.get("text") == text and isinstance(a, int) and isinstance(b, int) and body[a:b] == text:
                return True
        if text not in self._searched:
            self._searched[text] = text in body
        return self._searched[text]

    @cached_property
    def _searched(self) -> dict[str, bool]:
        return {}


@dataclass
class ValidationResult:
    published: dict[str, list[dict]]
    rejects: list[dict]
    report: dict = field(default_factory=dict)


# ---------------------------------------------------------------- re-deriving values

def _windows(tokens: list[str]):
    """Token windows, longest first."""
    n = len(tokens)
    for size in range(n, 0, -1):
        for i in range(0, n - size + 1):
            yield i, i + size


def money_in(evidence: str, rules):
    tokens = evidence.split()
    for i, j in _windows(tokens):
        money = parse_money(" ".join(tokens[i:j]), rules)
        if money is not None and (money.amount is not None or (money.low is not None and money.high is not None)):
            return money  # one amount, or a range's two bounds
    return None


def leading_number(evidence: str, rules) -> Decimal | None:
    _, rest = split_qualifier(evidence, rules)
    tokens = rest.split()
    for j in range(len(tokens), 0, -1):
        value = parse_number(" ".join(tokens[:j]), rules)
        if value is not None:
            return value
    return None


def phrases_in(text: str, label: str, rules: CompiledRules) -> list[str]:
    return list(_phrases_in(text, label, rules))


@lru_cache(maxsize=65536)
def _phrases_in(text: str, label: str, rules) -> tuple[str, ...]:
    return tuple(m.phrase.normalized for m in rules.lexicon.find(phrase_doc(text)).get(label, []))


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return Decimal(str(a)) == Decimal(str(b))


def check_aid_value(row: dict, ctx: ArticleContext, rules: CompiledRules) -> None:
    ev = row["evidence"]
    if row["item"] == "cash":
        money = money_in(ev, rules)
        if money is None:
            raise CheckFailed("value", f"no amount of money in {ev!r}")
        if money.currency != row["currency"]:
            raise CheckFailed("value", f"currency {row['currency']} but the evidence says {money.currency}")
        if money.amount is None:  # a range: both bounds as the evidence states them, no single amount
            if row["amount"] is not None or not _same(money.low, row["amount_min"]) \
                    or not _same(money.high, row["amount_max"]):
                raise CheckFailed("value", f"range {row['amount_min']}–{row['amount_max']} (amount {row['amount']}) "
                                           f"but the evidence says {money.low}–{money.high}")
            return
        if row.get("amount_min") is not None or row.get("amount_max") is not None:
            raise CheckFailed("value", f"a range {row['amount_min']}–{row['amount_max']} but the evidence states one "
                                       f"amount, {money.amount}")
        count = row["recipient_count"] or 1
        if row["amount_per_recipient"] is not None and not _same(money.amount, row["amount_per_recipient"]):
            raise CheckFailed("value", f"per-recipient {row['amount_per_recipient']} but the evidence says "
                                       f"{money.amount}")
        each_only = row["amount"] is None and row["amount_per_recipient"] is not None and not row["recipient_count"]
        if not each_only and not _same(money.amount * count, row["amount"]):
            raise CheckFailed("value", f"amount {row['amount']} but the evidence gives {money.amount} x {count}")
        if row["quantity"] is not None:
            raise CheckFailed("value", f"a cash row carries a quantity ({row['quantity']})")
    else:
        _check_worth(row, rules)
        quantity = leading_number(ev, rules)
        if not _same(quantity, row["quantity"]):
            raise CheckFailed("value", f"quantity {row['quantity']} but the evidence says {quantity}")
        items = phrases_in(ev, "ITEM", rules)
        if row["item"] not in items:
            raise CheckFailed("value", f"item {row['item']} not named in {ev!r} (found {items})")


def check_date_value(row: dict, ctx: ArticleContext, rules: CompiledRules) -> None:
    parsed = parse_date(row["evidence"], ctx.reference, rules)
    if parsed is None:
        raise CheckFailed("value", f"{row['evidence']!r} does not parse as a date")
    if (parsed.value, parsed.grain, parsed.year_unresolved) != (row["value"], row["grain"], row["year_unresolved"]):
        raise CheckFailed("value", f"stored {row['value']}/{row['grain']} but the evidence gives "
                                   f"{parsed.value}/{parsed.grain}")


def check_official_value(row: dict, ctx: ArticleContext, rules: CompiledRules) -> None:
    if row["name"] not in row["evidence"]:
        raise CheckFailed("value", f"name {row['name']!r} not in the evidence {row['evidence']!r}")
    missing = [t for t in row["titles"] if not ctx.body_holds(t, row)]
    if missing:
        raise CheckFailed("value", f"titles not in the body: {missing}")


def check_agreement_value(row: dict, ctx: ArticleContext, rules: CompiledRules) -> None:
    kinds = phrases_in(row["evidence"], "AGREEMENT_KIND", rules)
    if phrases_in(row["evidence"], "SIGN", rules):  # "ký kết hợp tác": signed, with no document noun
        kinds = kinds + phrases_in(row["evidence"], "UNNAMED_KIND", rules)
    missing = [k for k in row["kinds"] if k not in kinds]
    if missing:
        raise CheckFailed("value", f"kinds {missing} not named in {row['evidence']!r}")
    if row["count"] is not None and not _same(leading_number(row["evidence"], rules), row["count"]):
        raise CheckFailed("value", f"count {row['count']} not the number in {row['evidence']!r}")


def check_mention_value(row: dict, ctx: ArticleContext, rules: CompiledRules) -> None:
    if row["text"] != row["evidence"]:
        raise CheckFailed("value", "text differs from evidence")
    if row["label"] == "PLACE" and row["normalized"] not in phrases_in(row["text"], "PLACE", rules):
        raise CheckFailed("value", f"{row['text']!r} does not resolve to {row['normalized']!r}")


VALUE_CHECKS = {
    "aid_events": check_aid_value,
    "dates": check_date_value,
    "officials": check_official_value,
    "agreements": check_agreement_value,
    "mentions": check_mention_value,
}


# ---------------------------------------------------------------- the roles

def names_in(text: str, rules: CompiledRules) -> set[str]:
    """The names a role's words give, without the extractor: the words as written, and every entity the entity
    lists find in them ("Chính phủ Nhật Bản" names Nhật Bản, "Tổ chức Y tế Thế giới" names WHO)."""
    return {text} | set(phrases_in(text, "PLACE", rules)) | _after_lowercase_head(text, rules)


@lru_cache(maxsize=8)
def _organisation_heads(rules: CompiledRules) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The shape rules' heads as written: (those written with a capital, those written in lower case)."""
    return tuple(str(h) for _, h in rules.merged_map("entity_shape", "organisation_heads")), \
        tuple(str(h) for _, h in rules.merged_map("entity_shape", "lowercase_organisation_heads"))


def _after_lowercase_head(text: str, rules: CompiledRules) -> set[str]:
    """"hãng Wendy's" names Wendy's: a head the shape rules write in lower case (capitalised at a sentence's
    start) only says what the organisation is."""
    capitalised, heads = _organisation_heads(rules)
    if any(text.startswith(h + " ") for h in capitalised):
        return set()  # "Công ty ABC": a head written with a capital is part of the name
    folded = text[:1].lower() + text[1:]
    return {folded[len(h) + 1:] for h in heads if folded.startswith(h + " ") and folded[len(h) + 1:][:1].isupper()}


def words_name(text: str, name: str, rules: CompiledRules, body: str) -> bool:
    """The role's words name ``name``: as written, by the entity lists, as the abbreviation the article defines
    for it ("Ngân hàng Xuất nhập khẩu Trung Quốc (China Eximbank)"), or as the last word of a person's full name
    the article writes ("Tùng" for "Phạm Thanh Tùng")."""
    return name in names_in(text, rules) or _names_abbreviation(body, name, text) or \
        _short_form_of(body, name, text, rules) or _named_in_full_before(body, name, text, rules)


@lru_cache(maxsize=8)
def _referring_heads(rules: CompiledRules) -> frozenset[str]:
    """The heads that name an organisation or unit alone, folded."""
    return frozenset(str(h).casefold() for h in rules.merged_list("aid", "referring_heads"))


@lru_cache(maxsize=8)
def _each_markers(rules: CompiledRules) -> frozenset[str]:
    """The words that open each item's worth ("mỗi suất trị giá …"), folded."""
    return frozenset(str(w).casefold() for w in rules.merged_list("aid", "each_one_markers"))


def _named_in_full_before(body: str, name: str, text: str, rules: CompiledRules) -> bool:
    """A head alone ("Hội", "huyện") for a party the body names with that head ("Hội LHPN phường Tứ Liên",
    "huyện Ia Grai"), or an office by its unit's level ("UBND tỉnh") for the office the body names in full
    ("UBND tỉnh Quảng Ninh")."""
    from .extractors.aid import heads_a_name_inside, unit_levels

    heads, levels = _referring_heads(rules), unit_levels(rules)
    folded, words = text.strip().casefold(), text.split()
    if folded in heads or folded in levels:  # "Hội", "huyện", "TP" alone
        return name in body and (name.casefold().startswith(folded + " ") or heads_a_name_inside(name, folded)) or \
            re.search(rf"(?<!\w){re.escape(folded)}\s+{re.escape(name.casefold())}(?!\w)", body.casefold()) is not None
    return bool(words) and words[-1].casefold() in levels and name.startswith(text.strip() + " ") and name in body


def _short_form_of(body: str, name: str, text: str, rules: CompiledRules) -> bool:
    """One capitalised word that ends ``name``, a person's name the body writes: two to four capitalised words
    that open with a listed family name or are not spelt as Vietnamese ("Warren Buffett"); "Nam" does not name
    "Việt Nam"."""
    words = name.split()
    if " " in text.strip() or not text[:1].isupper() or not 2 <= len(words) <= 4 or words[-1] != text.strip() \
            or not all(w[:1].isupper() for w in words) or name not in body:
        return False
    return words[0] in set(rules.merged_list("official", "vietnamese_surnames")) or \
        any(VIETNAMESE_SYLLABLE.match(w) is None for w in words)


def _names_abbreviation(body: str, name: str, text: str) -> bool:
    """``f"{name} ({text})" in body``, looked up among the body's brackets instead of searched for."""
    if "(" in text or ")" in text or len(text) > MAX_BRACKETED_CHARS:
        return f"{name} ({text})" in body
    before = f"{name} "
    return any(p >= len(before) and body.startswith(before, p - len(before))
               for p in bracket_openings(body).get(text, ()))


MAX_BRACKETED_CHARS = 2000  # longer bracketed text is searched for in the body, not indexed


@lru_cache(maxsize=1)  # the article being checked; one body, however many of its rows ask
def bracket_openings(body: str) -> dict[str, list[int]]:
    """Text in brackets -> where its "(" is: each "(" with the text up to the first ")" after it."""
    closings = [i for i, c in enumerate(body) if c == ")"]
    found: dict[str, list[int]] = {}
    for p, c in enumerate(body):
        if c != "(":
            continue
        k = bisect_right(closings, p)
        if k < len(closings) and closings[k] - p - 1 <= MAX_BRACKETED_CHARS:
            found.setdefault(body[p + 1:closings[k]], []).append(p)
    return found


def _roles(row: dict, name: str) -> list[dict]:
    return [r for r in row.get("roles") or [] if r["role"] == name]


# The verbs Python binds beside those the patterns of the rule files bind: an agreement's signing verb nearest its
# document when no pattern bound one (every aid verb is a pattern's).
GRAMMAR_VERB_LABELS = {"aid": (), "agreement": ("SIGN",)}


@lru_cache(maxsize=16)
def verb_labels(rules: CompiledRules, kind: str) -> tuple[str, ...]:
    """The labels a verb of a fact of ``kind`` may carry: what the rules bind as a verb."""
    from .extractors.patterns import compiled_patterns

    bound = {label for p in compiled_patterns(rules, kind) for label in p.role_labels("verb")}
    return tuple(sorted(bound | set(GRAMMAR_VERB_LABELS[kind])))


def _check_verb_roles(row: dict, rules: CompiledRules, kind: str, what: str) -> None:
    for r in _roles(row, "verb"):
        if not any(phrases_in(r["text"], label, rules) for label in verb_labels(rules, kind)):
            raise CheckFailed("role_value", f"verb {r['text']!r} is no verb of {what}")


def check_role_spans(row: dict, ctx: ArticleContext) -> None:
    body = ctx.article["body"]
    for r in row.get("roles") or []:
        a, b = r["char_start"], r["char_end"]
        if not (0 <= a < b <= len(body)) or body[a:b] != r["text"]:
            raise CheckFailed("role_span", f"{r['role']} {r['text']!r} is not the body at {a}:{b}")
        if not ctx.in_one_line(a, b):
            raise CheckFailed("role_span", f"{r['role']} {r['text']!r} at {a}:{b} is not inside one body line")


def _check_worth(row: dict, rules: CompiledRules) -> None:
    """Goods carry an amount only as what the article says they are worth: the amount of their ``worth`` role,
    times the quantity when that role opens with a marker of each item ("mỗi suất trị giá 500.000 đồng")."""
    worth = _roles(row, "worth")
    if row["amount"] is None and row["currency"] is None and not worth:
        return
    if len(worth) != 1:
        raise CheckFailed("value", f"goods in kind carry an amount ({row['amount']} {row['currency']}) but "
                                   f"{len(worth)} worth roles")
    money = money_in(worth[0]["text"], rules)
    if money is None or money.amount is None or money.currency != row["currency"]:
        raise CheckFailed("value", f"worth {row['amount']} {row['currency']} is not what {worth[0]['text']!r} says")
    each = worth[0]["text"].split()[0].casefold() in _each_markers(rules)
    expected = money.amount * Decimal(str(row["quantity"])) if each else money.amount
    if not _same(expected, row["amount"]):
        raise CheckFailed("value", f"worth {row['amount']} but {worth[0]['text']!r} gives {expected}")


def check_aid_roles(row: dict, rules: CompiledRules, body: str, reference: date | None) -> None:
    donors, recipients = _roles(row, "donor"), _roles(row, "recipient")
    names = row["recipient"].split(" + ")
    stray = [r["text"] for r in recipients if not any(words_name(r["text"], n, rules, body) for n in names)]
    if stray:
        raise CheckFailed("role_value", f"recipient roles {stray} name none of the recipients {names}")
    if row["parties_from"] == "sentence" and not (donors or _roles(row, "donor_official")):
        raise CheckFailed("role_value", "the donor is stated in the sentence but has no role")
    for r in donors:
        if not words_name(r["text"], row["donor"], rules, body):
            raise CheckFailed("role_value", f"donor {row['donor']!r} is not what {r['text']!r} names")
    missing = [n for n in names if not any(words_name(r["text"], n, rules, body) for r in recipients)]
    if missing and (recipients or row["parties_from"] == "sentence"):
        raise CheckFailed("role_value", f"recipients {missing} are named by no recipient role "
                                        f"({[r['text'] for r in recipients]})")
    value_role = "amount" if row["item"] == "cash" else "quantity"
    for r in _roles(row, value_role):
        if value_role == "amount":
            money = money_in(r["text"], rules)
            per = row["amount_per_recipient"] if row["amount_per_recipient"] is not None else row["amount"]
            if money is None or not _same(money.amount, per):
                raise CheckFailed("role_value", f"amount {per} is not what {r['text']!r} says")
        elif not _same(leading_number(r["text"], rules), row["quantity"]):
            raise CheckFailed("role_value", f"quantity {row['quantity']} is not what {r['text']!r} says")
    _check_verb_roles(row, rules, "aid", "giving or receiving")
    for r in _roles(row, "date"):
        parsed = parse_date(r["text"], reference, rules)
        if parsed is None or (parsed.value, parsed.month, parsed.day) != \
                (row["event_date"], row["event_month"], row["event_day"]):
            raise CheckFailed("role_value", f"event date {row['event_date']} ({row['event_month']}/"
                                            f"{row['event_day']}) is not what {r['text']!r} says")


def check_agreement_roles(row: dict, rules: CompiledRules, body: str, reference: date | None) -> None:
    known = {str(k) for data in rules.files.get("agreement", []) for key in ("kinds", "unnamed_kinds")
             for k in (data.get(key) or {})}
    for r in _roles(row, "document") if row["kind"] in known else ():  # an unknown kind is the schema's to refuse
        kinds = set(phrases_in(r["text"], "AGREEMENT_KIND", rules)) | set(phrases_in(r["text"], "UNNAMED_KIND", rules))
        if row["kind"] not in kinds:
            raise CheckFailed("role_value", f"document {r['text']!r} names no {row['kind']}")
    for r in _roles(row, "party"):
        if not any(words_name(r["text"], p, rules, body) for p in row["parties"]):
            raise CheckFailed("role_value", f"party {r['text']!r} names none of {row['parties']}")
    _check_verb_roles(row, rules, "agreement", "signing")
    for r in _roles(row, "date"):
        parsed = parse_date(r["text"], reference, rules)
        if parsed is None or parsed.value != row["signed"]:
            raise CheckFailed("role_value", f"signed {row['signed']} is not what {r['text']!r} says")


def check_official_roles(row: dict, rules: CompiledRules, body: str, reference: date | None) -> None:
    for r in _roles(row, "name"):
        if r["text"] != row["name"]:
            raise CheckFailed("role_value", f"name {row['name']!r} but its role reads {r['text']!r}")
    for r in _roles(row, "title"):
        if r["text"] not in row["titles"]:
            raise CheckFailed("role_value", f"title {r['text']!r} is none of {row['titles']}")


ROLE_CHECKS = {
    "aid_events": check_aid_roles,
    "agreements": check_agreement_roles,
    "officials": check_official_roles,
}


# The roles a row of each table may carry.
ROLE_NAMES = {
    "aid_events": {"donor", "donor_official", "recipient", "amount", "quantity", "worth", "verb", "date"},
    "agreements": {"document", "party", "party_official", "verb", "date"},
    "officials": {"name", "title"},
}


def check_roles(table: str, row: dict, ctx: ArticleContext, rules: CompiledRules) -> None:
    if table not in ROLE_CHECKS:
        return
    unknown = sorted({r["role"] for r in row.get("roles") or []} - ROLE_NAMES[table])
    if unknown:
        raise CheckFailed("role_value", f"roles {unknown} are no roles of {table}")
    check_role_spans(row, ctx)
    ROLE_CHECKS[table](row, rules, ctx.article["body"], ctx.reference)


# ---------------------------------------------------------------- the checks

@exact
def check_row(table: str, row: dict, ctx: ArticleContext, rules: CompiledRules) -> None:
    body = ctx.article["body"]
    start, end = row["char_start"], row["char_end"]
    if not (0 <= start < end <= len(body)):
        raise CheckFailed("offsets", f"span {start}:{end} outside a body of {len(body)} characters")
    if body[start:end] != row["evidence"]:
        raise CheckFailed("evidence", f"body[{start}:{end}] is {body[start:end]!r}, not {row['evidence']!r}")
    if not ctx.in_one_line(start, end):
        raise CheckFailed("body_zone", f"span {start}:{end} is not inside one body line")
    if ctx.raw is None:
        raise CheckFailed("raw_trace", f"raw file {ctx.article['source_file']} is not available")
    a, b = raw_span_of(ctx.article, start, end)
    traced = canonical_text(raw_text(ctx.article, ctx.raw, a, b, rules), rules)
    if traced != row["evidence"]:
        raise CheckFailed("raw_trace", f"raw bytes {a}:{b} read {traced!r}")
    check_fits_columns(table, row)
    VALUE_CHECKS[table](row, ctx, rules)
    check_roles(table, row, ctx, rules)
    check_plausible_date(table, row, ctx)
    check_derived_columns(table, row, ctx)


def fits_columns(table: str, row: dict) -> bool:
    try:
        check_fits_columns(table, row)
    except CheckFailed:
        return False
    return True


def check_fits_columns(table: str, row: dict) -> None:
    """A decimal that its column cannot hold exactly (more integer digits or decimals than decimal(38, 6) has)
    is rejected here, so one absurd amount never stops the batch when the table is written."""
    for column in TABLES[table].columns:
        value = row.get(column.name)
        if value is None or not pyarrow.types.is_decimal(column.type):
            continue
        number = Decimal(value)
        if not number.is_finite():
            raise CheckFailed("fits_column", f"{column.name} {value} is not a finite number")
        exponent = number.normalize().as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        integer_digits = max(number.adjusted() + 1, 0)
        if decimals > column.type.scale or integer_digits > column.type.precision - column.type.scale:
            raise CheckFailed("fits_column", f"{column.name} {value} does not fit {column.type} exactly")


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def check_plausible_date(table: str, row: dict, ctx: ArticleContext) -> None:
    if ctx.reference is None:
        return
    if table == "dates" and row["grain"] not in ("period",):
        when = _iso_date(row["value"])
        # a year the text states is what the text says: a month or year ahead is a plan or a deadline ("đến tháng
        # 2/2024", "đến năm 2030"), a day years ahead a typo ("Ngày 5/7/2031" in 2021); a year taken from the
        # publication date may not put a date far ahead
        stated = when is not None and str(when.year) in row["evidence"]
        horizon = MAX_DAYS_AFTER_PUBLICATION_STATED if stated else MAX_DAYS_AFTER_PUBLICATION
        if when and not (stated and row["grain"] != "day") and when > ctx.reference + timedelta(days=horizon):
            raise CheckFailed("date_plausible", f"{row['value']} is far after publication ({ctx.reference})")
    if table == "aid_events":
        when = _iso_date(row["event_date"])
        if when and when > ctx.reference + timedelta(days=EVENT_MAX_DAYS_AFTER_PUBLICATION):
            raise CheckFailed("date_plausible", f"event on {row['event_date']}, after publication ({ctx.reference})")


def check_derived_columns(table: str, row: dict, ctx: ArticleContext) -> None:
    if table != "aid_events":
        return
    if row.get("event_day_date") != day_of_iso(row["event_date"]):
        raise CheckFailed("derived", f"event_day_date {row.get('event_day_date')} but event_date {row['event_date']}")
    if row.get("usd_rate") is not None and not _same(amount_in_usd(row["amount"], row["usd_rate"]),
                                                     row.get("amount_usd")):
        raise CheckFailed("derived", f"amount_usd {row.get('amount_usd')} is not amount {row['amount']} / usd_rate "
                                     f"{row['usd_rate']}")
    published_on = news_date(ctx.article.get("published_at"))
    expected = usd_columns(row["amount"], row["currency"], row["event_date"], published_on)
    for column, value in expected.items():
        stored = row.get(column)
        if not (_same(stored, value) if isinstance(value, Decimal) else stored == value):
            raise CheckFailed("derived", f"{column} {stored} but the rates give {value}")


def check_totals(rows: list[dict]) -> dict[int, str]:
    """Index -> message for each is_total row that the other rows of its article do not add up to."""
    failures = {}
    cash_parts: dict[tuple, list[dict]] = {}  # the rows a total may add up, by article, donor and currency
    for r in rows:
        # a range or a per-recipient amount alone states no single amount to add
        if not r["is_total"] and r["item"] == "cash" and r["amount"] is not None:
            cash_parts.setdefault((r["article_id"], r["donor"], r["currency"]), []).append(r)
    for i, row in enumerate(rows):
        if not row["is_total"]:
            continue
        named = set(row["recipient"].split(" + "))
        parts = [r for r in cash_parts.get((row["article_id"], row["donor"], row["currency"]), [])
                 if set(r["recipient"].split(" + ")) <= named]
        total = sum((Decimal(str(r["amount"])) for r in parts), Decimal(0))
        if row["amount"] is None or total != Decimal(str(row["amount"])):
            failures[i] = f"rows to {sorted(named)} add up to {total}, not {row['amount']}"
    return failures


# ---------------------------------------------------------------- schemas (pandera)

def _isin(values) -> pa.Check:
    return pa.Check.isin(sorted(values))


def _positive(nullable: bool = True) -> pa.Check:
    return pa.Check(lambda s: s.map(lambda v: v is None or pd.isna(v) or Decimal(str(v)) > 0), element_wise=False,
                    name="positive")


def table_schemas(rules_dir: Path = RULES_DIR) -> dict[str, pa.DataFrameSchema]:
    return _schemas_for(compile_rules(rules_dir))


@lru_cache(maxsize=8)
def _schemas_for(rules: CompiledRules) -> dict[str, pa.DataFrameSchema]:
    # the vocabularies the documentation lists, from the same rule files (schema.rule_vocabularies)
    items, flows, kinds = aid_items(rules.files), aid_flows(rules.files), agreement_kinds(rules.files)
    currencies = {k for d in rules.files.get("money", []) for k in (d.get("currencies") or {})}
    grains = {"day", "month", "year", "quarter", "period"}
    country = pa.Check.str_matches(r"^[A-Z]{2}$")
    return {
        "aid_events": pa.DataFrameSchema({
            "item": pa.Column(str, _isin(items)),
            "currency": pa.Column(str, _isin(currencies), nullable=True),
            "flow": pa.Column(str, _isin(flows)),
            "amount": pa.Column(checks=_positive(), nullable=True),
            "quantity": pa.Column(checks=_positive(), nullable=True),
            "recipient_count": pa.Column(checks=pa.Check(lambda v: v >= 2, element_wise=True), nullable=True),
            "n_mentions": pa.Column(checks=pa.Check.ge(1)),
        }),
        "dates": pa.DataFrameSchema({
            "grain": pa.Column(str, _isin(grains)),
            "month": pa.Column(checks=pa.Check.in_range(1, 12), nullable=True),
            "day": pa.Column(checks=pa.Check.in_range(1, 31), nullable=True),
        }),
        "officials": pa.DataFrameSchema({
            "country": pa.Column(str, country, nullable=True),
            "name": pa.Column(str, pa.Check.str_length(min_value=3)),
            "n_mentions": pa.Column(checks=pa.Check.ge(1)),
        }),
        "agreements": pa.DataFrameSchema({
            "kind": pa.Column(str, _isin(kinds)),
            "signed_grain": pa.Column(str, _isin(grains), nullable=True),
            "count": pa.Column(checks=pa.Check.ge(1), nullable=True),
        }),
        "mentions": pa.DataFrameSchema({
            "label": pa.Column(str, _isin({"PLACE", "TITLE", "ITEM", "GIVE", "RECEIVE", "AGREEMENT_KIND", "DATE",
                                           "PERSON"})),
        }),
    }


def schema_failures(table: str, rows: list[dict], schema: pa.DataFrameSchema) -> dict[int, str]:
    """Row index -> failed check, for row-level schema violations. A violation that is
    not about a row (a missing column, a wrong type) raises SchemaError."""
    if not rows:
        return {}
    frame = pd.DataFrame(rows)
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        failures = {}
        for case in exc.failure_cases.itertuples():
            if case.index is None or pd.isna(case.index):
                raise SchemaError(f"[S010] {table}: {case.column}: {case.check} ({case.failure_case})") from exc
            failures.setdefault(int(case.index), f"schema.{case.column}")
        return failures
    return {}


# ---------------------------------------------------------------- the batch

def _json_value(value) -> str:
    if isinstance(value, Decimal):  # 30000 and 30000.000000 (read back from Parquet) are one value
        return format(value.normalize(), "f")
    return str(value)


def _json_row(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, default=_json_value)


def article_context(article: dict, lines: list[dict], raw: bytes | None) -> ArticleContext:
    """What the checks need of one article: its body lines (from ``lines``, which may hold
    other articles' too), its raw bytes and its publication date."""
    body_lines = [(ln["body_start"], ln["body_end"]) for ln in lines
                  if ln["article_id"] == article["article_id"] and ln["zone"] in BODY_ZONES
                  and ln["body_start"] is not None]
    published = article.get("published_at")
    return ArticleContext(article, body_lines, raw, published.date() if published is not None else None)


def contexts(articles: list[dict], lines: list[dict], raw_dir: Path | None,
             raws: dict[str, bytes | Reject] | None = None) -> dict[str, ArticleContext]:
    """Each article's context; its raw bytes as ``raw_pages`` reads them from ``raw_dir`` (or as given in
    ``raws``): a page that cannot be read so has none, and its rows fail ``raw_trace``."""
    if raws is None:
        raws = raw_pages(articles, raw_dir) if raw_dir is not None else {}
    lines_of: dict[str, list[dict]] = {}
    for ln in lines:
        lines_of.setdefault(ln["article_id"], []).append(ln)
    out = {}
    for a in articles:
        raw = raws.get(a["article_id"])
        out[a["article_id"]] = article_context(a, lines_of.get(a["article_id"], []),
                                               raw if isinstance(raw, bytes) else None)
    return out


def raw_pages(articles: list[dict], raw_dir: Path) -> dict[str, bytes | Reject]:
    """Article id -> the bytes of its page under ``raw_dir``, or the Reject saying why they are not read."""
    out: dict[str, bytes | Reject] = {}
    for a in articles:
        try:
            out[a["article_id"]] = read_raw_page(Path(raw_dir), a["source_file"])
        except Reject as rej:
            out[a["article_id"]] = rej
    return out


def read_raw_page(raw_dir: Path, source_file: str) -> bytes:
    """A page's bytes, read again to trace rows back to them, with the checks ``run`` applies
    (``ingest.read_input``: a regular file, no link, not too large), and only under ``raw_dir``: a name that
    leaves it, or a folder on its way that is a link, is refused, so no outside file is ever read."""
    relative = Path(source_file)
    if relative.is_absolute() or ".." in relative.parts:
        raise Reject("unreadable", f"{source_file}: not a path inside the inputs, not read")
    folder = Path(raw_dir)
    for part in relative.parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            raise Reject("symlink", f"{source_file}: the folder {part!r} on its path is a symbolic link, not followed")
    return read_input(Path(raw_dir) / relative, source_file)


def schema_reject(table: str, row: dict, check: str, source_file: str | None) -> dict:
    return reject_for(table, row, check, f"{check}: value outside the allowed vocabulary or range", source_file)


def reject_for(table: str, row: dict, check: str, message: str, source_file: str | None) -> dict:
    return {"source_file": source_file, "article_id": row["article_id"], "stage": "validate",
            "reason": "validation_failed", "detail": f"{source_file}: {table}: {message}",
            "table": table, "check": check, "row": _json_row(row)}


def validate_tables(candidates: dict[str, list[dict]], ctx_by_article: dict[str, ArticleContext],
                    rules_dir: Path = RULES_DIR, check_schemas: bool = True) -> ValidationResult:
    """Check every candidate row. ``check_schemas=False`` leaves the pandera checks to the
    caller, who can run them over many articles at once (they cost per call, not per row)."""
    rules = compile_rules(rules_dir)
    schemas = _schemas_for(rules) if check_schemas else {}
    published, rejects, report = {}, [], {}
    for table in EXTRACT_TABLES:
        rows = candidates.get(table.name, [])
        failed: dict[int, tuple[str, str]] = {}
        for i, row in enumerate(rows):
            ctx = ctx_by_article.get(row["article_id"])
            if ctx is None:
                failed[i] = ("offsets", f"unknown article {row['article_id']}")
                continue
            try:
                check_row(table.name, row, ctx, rules)
            except CheckFailed as exc:
                failed[i] = (exc.check, exc.message)
            except Exception as exc:  # a checker bug rejects the row, never publishes it unchecked
                failed[i] = ("internal_error", f"{type(exc).__name__}: {exc}")
        if table.name == "aid_events":
            for i, message in check_totals(rows).items():
                failed.setdefault(i, ("total_reconciles", message))
        if check_schemas:
            for i, check in schema_failures(table.name, rows, schemas[table.name]).items():
                failed.setdefault(i, (check, f"{check}: value outside the allowed vocabulary or range"))
        passed = [row for i, row in enumerate(rows) if i not in failed]
        published[table.name] = passed
        by_check: dict[str, int] = {}
        for i, (check, message) in sorted(failed.items()):
            row = rows[i]
            ctx = ctx_by_article.get(row["article_id"])
            source = ctx.article["source_file"] if ctx else None
            by_check[check] = by_check.get(check, 0) + 1
            rejects.append(reject_for(table.name, row, check, message, source))
        report[table.name] = {"checked": len(rows), "passed": len(passed), "rejected": len(failed),
                              "by_check": dict(sorted(by_check.items())),
                              "balanced": len(rows) == len(passed) + len(failed)}
    return ValidationResult(published, rejects, report)
