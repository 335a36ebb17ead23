"""Vietnamese numbers and money amounts as values: "30.000" -> 30000, "1,8 tỷ đồng" -> 1.8e9 VND.

Every word and symbol comes from two rule files:
``rules/numbers/vi/numbers.yaml`` (digits, number words, scale words) and
``rules/money/vi/currencies.yaml`` (currency names, cents, qualifiers, ranges).
This module holds only the grammar: how digit strings, separators, number words,
scale words and currency names combine.

Both parsers read a *whole* phrase: if any part of it is not understood the
answer is None, never a guess from a part of the phrase.

Grammar of a number (after an optional sign):

    number  := (group | scale | decimal-point fraction)+
    group   := literal                       "30.000", "7,39", "100K"
             | "mười" [ones]                 10..19
             | digit "mươi" [ones]           20..99
             | "linh"/"lẻ" digit             empty tens place, after a hundred or more
             | digit                         0..9
    scale   := "trăm" | "nghìn" | "triệu" ... multiplies everything before it
               that is smaller than itself, so scales nest: "hai trăm nghìn".

Money bounds ("hơn 1,8 tỷ đồng") are the amount plus a qualifier; only a
two-number range ("từ 1000 đến 2000 đồng") is an interval with low and high.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
import functools
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, localcontext
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from .config import RULES_DIR
from .rulefiles import RulesSource, rule_file_of_kind, rules_source


ONE = Decimal(1)

Tokens = tuple[str, ...]


@dataclass(frozen=True)
class Money:
    amount: Decimal | None          # None for an interval; else the value
    currency: str                   # ISO 4217 code
    qualifier: str | None = None    # more_than, nearly, about, less_than, at_least, at_most, exactly, None
    low: Decimal | None = None      # intervals: lower bound (None if open)
    high: Decimal | None = None     # intervals: upper bound (None if open)


# ---------------------------------------------------------------------------
# Vocabulary, loaded once per rules directory
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class NumberWords:
    thousands_separator: str
    decimal_separator: str
    negative_signs: tuple[str, ...]
    suffix_multipliers: dict[str, Decimal]
    negative_words: frozenset[str]
    decimal_point_words: frozenset[str]
    digits: dict[str, int]
    ten_words: frozenset[str]
    tens_words: frozenset[str]
    ones_after_tens: dict[str, int]
    digits_not_after_tens: frozenset[str]
    zero_tens_words: frozenset[str]
    scales: dict[str, Decimal]
    standalone_scales: frozenset[str]
    literal: re.Pattern
    spaced_groups: re.Pattern | None  # "40 000": groups of three digits after any of the rules' space characters
    swapped_groups: re.Pattern | None  # "1,000.50": both separators in the other order


@dataclass(frozen=True)
class CurrencyName:
    tokens: Tokens
    currency: str
    may_lead: bool = False          # symbols may also stand before the number
    multiplier: Decimal = ONE       # scaled names such as "trđ"


@dataclass(frozen=True)
class RangePattern:
    opener: Tokens                  # () when the range has no opener
    separators: tuple[Tokens, ...]


@dataclass(frozen=True)
class MoneyWords:
    names: tuple[CurrencyName, ...]         # longest first
    names_by_first_token: dict[str, tuple[CurrencyName, ...]]  # the same, indexed; longest first
    scaled_names: tuple[CurrencyName, ...]  # longest first
    glued_names: tuple[str, ...]            # one-token names that may touch the digits, longest first
    minor_units: dict[str, int]
    cent_words: tuple[Tokens, ...]
    cents_currency: str
    cents_connectors: tuple[Tokens, ...]
    qualifiers: dict[Tokens, str]           # longest phrase first
    trailing_qualifiers: dict[Tokens, str]  # longest phrase first
    trailing_openers: tuple[Tokens, ...]
    ranges: tuple[RangePattern, ...]
    glued_dashes: tuple[str, ...]           # range separators that may touch the digits: "1000-2000"


def _phrase(text: str) -> Tokens:
    return tuple(str(text).lower().split())


def _longest_first(phrases):
    return tuple(sorted(phrases, key=lambda p: (len(p), sum(map(len, p))), reverse=True))


def _longest_first_mapping(mapping) -> dict[Tokens, str]:
    """Phrase -> value, ordered so that the longest phrase is tried first."""
    phrases = {_phrase(k): v for k, v in (mapping or {}).items()}
    return {p: phrases[p] for p in _longest_first(phrases)}


def _words(items) -> frozenset[str]:
    return frozenset(str(item).lower() for item in items or ())


def _word_values(mapping) -> dict:
    return {str(word).lower(): value for word, value in (mapping or {}).items()}


def _literal_pattern(thousands: str, decimal: str, suffixes: Sequence[str]) -> re.Pattern:
    grouped = rf"[0-9]{{1,3}}(?:{re.escape(thousands)}[0-9]{{3}})+"
    suffix = "|".join(re.escape(s) for s in sorted(suffixes, key=len, reverse=True)) or "(?!)"
    return re.compile(
        rf"(?P<whole>{grouped}|[0-9]+)?(?:{re.escape(decimal)}(?P<fraction>[0-9]+))?(?P<suffix>{suffix})?"
    )


def _number_words(data: dict) -> NumberWords:
    fmt = data["digit_format"]
    suffixes = {str(k).lower(): Decimal(str(v)) for k, v in (fmt.get("suffix_multipliers") or {}).items()}
    return NumberWords(
        thousands_separator=fmt["thousands_separator"],
        decimal_separator=fmt["decimal_separator"],
        negative_signs=tuple(sorted(fmt.get("negative_signs") or (), key=len, reverse=True)),
        suffix_multipliers=suffixes,
        negative_words=_words(data.get("negative_words")),
        decimal_point_words=_words(data.get("decimal_point_words")),
        digits=_word_values(data["digits"]),
        ten_words=_words(data.get("ten_words")),
        tens_words=_words(data.get("tens_words")),
        ones_after_tens=_word_values(data.get("ones_after_tens")),
        digits_not_after_tens=_words(data.get("digits_not_after_tens")),
        zero_tens_words=_words(data.get("zero_tens_words")),
        scales={word: Decimal(str(v)) for word, v in _word_values(data.get("scales")).items()},
        standalone_scales=_words(data.get("standalone_scales")),
        literal=_literal_pattern(fmt["thousands_separator"], fmt["decimal_separator"], list(suffixes)),
        spaced_groups=_spaced_groups_pattern(fmt.get("group_spaces") or ()),
        swapped_groups=_swapped_groups_pattern(fmt["thousands_separator"], fmt["decimal_separator"])
        if fmt.get("swapped_separators_when_both") else None,
    )


def _spaced_groups_pattern(spaces) -> re.Pattern | None:
    if not spaces:
        return None
    space = "[" + "".join(re.escape(str(s)) for s in spaces) + "]"
    return re.compile(rf"(?<![0-9.,])([0-9]{{1,3}})((?:{space}[0-9]{{3}})+)(?![0-9]|[.,][0-9])")


def _swapped_groups_pattern(thousands: str, decimal: str) -> re.Pattern:
    # thousands written with the decimal separator and the decimals with the thousands one: "1,000.50"
    return re.compile(rf"(?<![0-9.,])[0-9]{{1,3}}(?:{re.escape(decimal)}[0-9]{{3}})+{re.escape(thousands)}[0-9]+"
                      rf"(?![0-9]|[.,][0-9])")


def digit_groups_in_house_format(text: str, words: NumberWords) -> str:
    """Digits written with spaces between their groups (``40 000``, a no-break space too) or with both separators
    swapped (``1,000.50``) rewritten in the rules' format (``40.000``, ``1.000,50``); other text unchanged."""
    if words.spaced_groups is not None:
        text = words.spaced_groups.sub(
            lambda m: m.group(1) + "".join(words.thousands_separator + g for g in re.findall("[0-9]{3}", m.group(2))),
            text)
    if words.swapped_groups is not None:
        swap = {words.thousands_separator: words.decimal_separator,
                words.decimal_separator: words.thousands_separator}
        text = words.swapped_groups.sub(lambda m: "".join(swap.get(c, c) for c in m.group()), text)
    return text


def _currency_names(currencies: dict) -> list[CurrencyName]:
    names = []
    for code, entry in currencies.items():
        names += [CurrencyName(_phrase(s), code, may_lead=True) for s in entry.get("symbols") or () if _phrase(s)]
        names += [CurrencyName(_phrase(w), code) for w in entry.get("words") or () if _phrase(w)]
    return _longest_names_first(names)


def _longest_names_first(names) -> list[CurrencyName]:
    return sorted(names, key=lambda n: (len(n.tokens), sum(map(len, n.tokens))), reverse=True)


def _index_by_first_token(names: Sequence[CurrencyName]) -> dict[str, tuple[CurrencyName, ...]]:
    index: dict[str, tuple[CurrencyName, ...]] = {}
    for name in names:
        index[name.tokens[0]] = index.get(name.tokens[0], ()) + (name,)
    return index


def _money_words(data: dict) -> MoneyWords:
    names = _currency_names(data["currencies"])
    scaled = _longest_names_first(
        CurrencyName(_phrase(e["text"]), e["currency"], multiplier=Decimal(str(e["multiplier"])))
        for e in data.get("scaled_currency_words") or ()
    )
    ranges = tuple(
        RangePattern(_phrase(r["opener"]) if r.get("opener") else (),
                     _longest_first(_phrase(s) for s in r["separators"]))
        for r in data.get("ranges") or ()
    )
    one_token_names = {n.tokens[0] for n in names + scaled if len(n.tokens) == 1}
    dashes = {sep[0] for r in ranges for sep in r.separators
              if len(sep) == 1 and not any(ch.isalnum() for ch in sep[0])}
    cents = data["cents"]
    trailing = data.get("trailing_qualifiers") or {}
    return MoneyWords(
        names=tuple(names),
        names_by_first_token=_index_by_first_token(names),
        scaled_names=tuple(scaled),
        glued_names=tuple(sorted(one_token_names, key=len, reverse=True)),
        minor_units={code: int(entry["minor_units"]) for code, entry in data["currencies"].items()
                     if entry.get("minor_units")},
        cent_words=_longest_first(_phrase(w) for w in cents["words"]),
        cents_currency=cents["default_currency"],
        cents_connectors=_longest_first(_phrase(w) for w in data.get("cents_connectors") or ()),
        qualifiers=_longest_first_mapping(data.get("qualifiers")),
        trailing_qualifiers=_longest_first_mapping(trailing.get("phrases")),
        trailing_openers=_longest_first(_phrase(w) for w in trailing.get("openers") or ()),
        ranges=ranges,
        glued_dashes=tuple(sorted(dashes, key=len, reverse=True)),
    )


@lru_cache(maxsize=8)
def _load_vocabularies(source: RulesSource) -> tuple[NumberWords, MoneyWords]:
    return (_number_words(rule_file_of_kind(source, "number")),
            _money_words(rule_file_of_kind(source, "money")))


def _vocabularies(rules) -> tuple[NumberWords, MoneyWords]:
    """The number and money words of ``rules``: a compiled rule set (the pipeline's, at no cost), or a rules
    directory as its files are now (None: the installed rules)."""
    return _load_vocabularies(rules_source(rules))


# ---------------------------------------------------------------------------
# Token helpers
# ---------------------------------------------------------------------------

def _starts_with(tokens: Sequence[str], phrase: Tokens, at: int = 0) -> bool:
    return bool(phrase) and tuple(tokens[at:at + len(phrase)]) == phrase


def _ends_with(tokens: Sequence[str], phrase: Tokens) -> bool:
    return bool(phrase) and len(tokens) >= len(phrase) and tuple(tokens[-len(phrase):]) == phrase


def _first_phrase_at(tokens: Sequence[str], phrases, at: int = 0) -> Tokens | None:
    """The first (longest, when ``phrases`` is sorted so) phrase found at ``at``."""
    return next((p for p in phrases if _starts_with(tokens, p, at)), None)


def _tidy(value: Decimal) -> Decimal:
    """Whole values without a trailing ".0" (1.8 * 10^9 -> 1800000000)."""
    if value == 0:
        return Decimal(0)
    integral = value.to_integral_value()
    return integral if value == integral else value


def _has_digit(text: str) -> bool:
    return any("0" <= ch <= "9" for ch in text)


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------

@dataclass
class _Part:
    """A summand of the number being read: ``value`` was last multiplied by ``level``
    (1 for a plain group). Levels must fall from left to right."""
    value: Decimal
    level: Decimal


def _parse_literal(token: str, words: NumberWords) -> Decimal | None:
    """A number written with digits: "30.000", "7,39", ",77", "1.234,5", "100k"."""
    match = words.literal.fullmatch(token)
    if not match or not (match["whole"] or match["fraction"]):
        return None
    whole = (match["whole"] or "0").replace(words.thousands_separator, "")
    value = Decimal(f"{whole}.{match['fraction']}" if match["fraction"] else whole)
    if match["suffix"]:
        value *= words.suffix_multipliers[match["suffix"]]
    return value


def _has_suffix_multiplier(token: str, words: NumberWords) -> bool:
    match = words.literal.fullmatch(token)
    return bool(match and match["suffix"])


def _read_ones_after_tens(tokens: Sequence[str], i: int, words: NumberWords) -> tuple[int, int]:
    """The optional ones digit after "mười"/"mươi"; returns (digit, next index)."""
    if i < len(tokens):
        token = tokens[i]
        if token in words.ones_after_tens:
            return words.ones_after_tens[token], i + 1
        if token in words.digits and token not in words.digits_not_after_tens:
            return words.digits[token], i + 1
    return 0, i


def _read_group(tokens: Sequence[str], i: int, words: NumberWords, continues: bool):
    """One group below a scale word, starting at ``i``.

    Returns (value, next index, is_bare) or None. ``is_bare`` marks a lone digit
    word or digit string: after a scale word it is only valid before another
    scale word ("hai trăm năm" could be 205 or 250, so it is refused).
    ``continues`` says whether something precedes the group in the number.
    """
    token = tokens[i]
    literal = _parse_literal(token, words)
    if literal is not None:
        return literal, i + 1, True
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if token in words.zero_tens_words:
        digit = words.digits.get(following)
        if not continues or not digit:
            return None
        return Decimal(digit), i + 2, False
    if token in words.ten_words:
        ones, end = _read_ones_after_tens(tokens, i + 1, words)
        return Decimal(10 + ones), end, False
    digit = words.digits.get(token)
    if digit is None:
        return None
    if following in words.tens_words:
        if digit < 2:
            return None
        ones, end = _read_ones_after_tens(tokens, i + 2, words)
        return Decimal(digit * 10 + ones), end, False
    return Decimal(digit), i + 1, True


def _apply_scale(parts: list[_Part], scale: Decimal, standalone: bool) -> bool:
    """Multiply the trailing parts smaller than ``scale`` by it ("hai trăm nghìn")."""
    smaller = []
    while parts and parts[-1].level < scale:
        smaller.append(parts.pop())
    if smaller:
        parts.append(_Part(sum(p.value for p in smaller) * scale, scale))
        return True
    if parts or not standalone:
        return False
    parts.append(_Part(scale, scale))
    return True


def _read_fraction_digits(tokens: Sequence[str], i: int, words: NumberWords) -> tuple[str, int]:
    """Decimals after a spoken decimal point: a digit string ("23") or digit words ("ba")."""
    if i < len(tokens) and tokens[i].isascii() and tokens[i].isdigit():
        return tokens[i], i + 1
    digits = ""
    while i < len(tokens) and tokens[i] in words.digits:
        digits += str(words.digits[tokens[i]])
        i += 1
    return digits, i


def _apply_decimal_point(parts: list[_Part], tokens: Sequence[str], i: int, words: NumberWords) -> int | None:
    """Turn the last whole group into a decimal: "hai phẩy 23" -> 2.23. Returns the next index."""
    if not parts or parts[-1].level != ONE or parts[-1].value != parts[-1].value.to_integral_value():
        return None
    fraction, end = _read_fraction_digits(tokens, i, words)
    if not fraction:
        return None
    parts[-1] = _Part(parts[-1].value + Decimal(f"0.{fraction}"), ONE)
    return end


def _levels_fall(parts: list[_Part]) -> bool:
    return all(a.level > b.level for a, b in zip(parts, parts[1:]))


def _parse_unsigned(tokens: Sequence[str], words: NumberWords) -> Decimal | None:
    parts: list[_Part] = []
    waiting_for_scale = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in words.scales:
            if not _apply_scale(parts, words.scales[token], token in words.standalone_scales):
                return None
            waiting_for_scale = False
            i += 1
        elif token in words.decimal_point_words:
            i = _apply_decimal_point(parts, tokens, i + 1, words)
            if i is None:
                return None
        else:
            group = _read_group(tokens, i, words, continues=bool(parts))
            if group is None:
                return None
            value, i, is_bare = group
            waiting_for_scale = waiting_for_scale or (is_bare and bool(parts))
            parts.append(_Part(value, ONE))
        if not _levels_fall(parts):
            return None
    if not parts or waiting_for_scale:
        return None
    return sum(p.value for p in parts)


def _take_sign(tokens: Sequence[str], words: NumberWords) -> tuple[int, Tokens]:
    if not tokens:
        return 1, ()
    first, rest = tokens[0], tuple(tokens[1:])
    if first in words.negative_words:
        return -1, rest
    for sign in words.negative_signs:
        if first == sign:
            return -1, rest
        if first.startswith(sign):
            return -1, (first[len(sign):],) + rest
    return 1, tuple(tokens)


def _parse_number_tokens(tokens: Sequence[str], words: NumberWords) -> Decimal | None:
    sign, unsigned = _take_sign(tokens, words)
    if not unsigned:
        return None
    value = _parse_unsigned(unsigned, words)
    return None if value is None else _tidy(sign * value)


def _mentions_scale(tokens: Sequence[str], words: NumberWords) -> bool:
    return any(t in words.scales or _has_suffix_multiplier(t, words) for t in tokens)


def _trailing_scale(tokens: Sequence[str], words: NumberWords) -> Decimal:
    """The product of the scale words that end a number: "3 triệu" -> 10^6, "2 trăm nghìn" -> 10^5."""
    scale = ONE
    for token in reversed(tokens):
        if token not in words.scales:
            break
        scale *= words.scales[token]
    return scale


# Exact arithmetic for any amount a page may state: Python's default context keeps 28 digits and would round a
# 31-digit amount silently; an amount too large for the tables is rejected by validation, never rounded here.
EXACT = Context(prec=120, Emax=MAX_EMAX, Emin=MIN_EMIN)


def exact(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with localcontext(EXACT):
            return func(*args, **kwargs)
    return wrapper


@exact
def parse_number(text: str, rules_dir: Path | None = None) -> Decimal | None:
    """Whole phrase must be one number: '30.000'->30000, '7,39'->7.39, '1,8 tỷ'->1.8e9, '15 nghìn', 'tám'->8,
    'hai mươi mốt nghìn không trăm mười một'->21011, '100K', '-1,2M', 'âm 1.200.000', 'hai phẩy 23'. None if the
    phrase is not entirely a number."""
    number_words, _ = _vocabularies(rules_dir)
    return _parse_number_tokens(_phrase(digit_groups_in_house_format(str(text), number_words)), number_words)


@lru_cache(maxsize=8)
def _number_word_set(source: RulesSource) -> frozenset[str]:
    """Every word a number may be made of without a digit (lower case, as ``_phrase`` cuts a text)."""
    words, _ = _load_vocabularies(source)
    return frozenset().union(words.scales, words.standalone_scales, words.decimal_point_words, words.digits,
                             words.ten_words, words.tens_words, words.ones_after_tens, words.digits_not_after_tens,
                             words.zero_tens_words, words.negative_words)


def whole_number(text: str, rules_dir: Path | None = None) -> int | None:
    """The whole number a text states ("1.000": 1000), or None (not a number, or a fraction: "2,5")."""
    value = parse_number(text, rules_dir)
    return int(value) if value is not None and value == int(value) else None


def may_be_number(text: str, rules_dir: Path | None = None) -> bool:
    """False when ``parse_number`` cannot read ``text``: one of its words holds no digit, is no number word and
    opens with no minus sign (every word of a number is one of those). A cheap test before parsing the words
    after a number one by one; True says nothing."""
    source = rules_source(rules_dir)
    number_words = _number_word_set(source)
    signs = _load_vocabularies(source)[0].negative_signs
    return all(w in number_words or _has_digit(w) or w.startswith(signs) for w in _phrase(text))


# ---------------------------------------------------------------------------
# Qualifiers
# ---------------------------------------------------------------------------

def _take_leading_qualifiers(tokens: Sequence[str], words: MoneyWords) -> tuple[str | None, Tokens]:
    """Strip qualifiers before an amount; they may stack ("tầm khoảng"), the first counts."""
    qualifier = None
    tokens = tuple(tokens)
    while (phrase := _first_phrase_at(tokens, words.qualifiers)) is not None:
        qualifier = qualifier or words.qualifiers[phrase]
        tokens = tokens[len(phrase):]
    return qualifier, tokens


def split_qualifier(text: str, rules_dir: Path | None = None) -> tuple[str | None, str]:
    """'gần 20' -> ('nearly', '20'); 'hơn 1,8 tỷ đồng' -> ('more_than', '1,8 tỷ đồng');
    a phrase without a leading qualifier comes back whole: (None, text)."""
    _, money_words = _vocabularies(rules_dir)
    original = str(text).split()
    qualifier, rest = _take_leading_qualifiers(_phrase(text), money_words)
    if qualifier is None:
        return None, str(text).strip()
    return qualifier, " ".join(original[len(original) - len(rest):])


def _take_trailing_qualifier(tokens: Tokens, words: MoneyWords) -> tuple[str, Tokens] | None:
    """'từ 7000 đồng trở xuống' -> ('at_most', '7000 đồng')."""
    for phrase in words.trailing_qualifiers:
        if _ends_with(tokens, phrase):
            body = tokens[:-len(phrase)]
            opener = _first_phrase_at(body, words.trailing_openers)
            return words.trailing_qualifiers[phrase], body[len(opener):] if opener else body
    return None


# ---------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Amount:
    value: Decimal
    currency: str | None        # None for a bare number (one end of a range)
    has_scale: bool             # a scale word or K/M/G is part of the number
    trailing_scale: Decimal     # scale that ends the number, shared in "2-3 triệu đồng"


def _split_at_dash(token: str, dashes: Sequence[str]) -> list[str]:
    """'1000-2000' -> ['1000', '-', '2000']; a leading dash is a minus sign and stays."""
    for dash in dashes:
        at = token.find(dash, 1)
        if at > 0 and _has_digit(token[:at]) and _has_digit(token[at + len(dash):]):
            return [token[:at], dash, token[at + len(dash):]]
    return [token]


def _looks_like_number_end(text: str, words: NumberWords) -> bool:
    if text[-1:].isdigit():
        return True
    return text[-1:] in words.suffix_multipliers and text[-2:-1].isdigit()


def _looks_like_number_start(text: str, words: NumberWords) -> bool:
    return text[:1].isdigit() or text.startswith(words.decimal_separator) or \
        any(text.startswith(sign) for sign in words.negative_signs)


def _split_glued_name(token: str, money: MoneyWords, numbers: NumberWords) -> list[str]:
    """'$10' -> ['$', '10'], '10.000đ' -> ['10.000', 'đ'], 'USD1,23' -> ['usd', '1,23']."""
    for name in money.glued_names:
        if token == name:
            return [token]
        if token.startswith(name) and _looks_like_number_start(token[len(name):], numbers):
            return [name, token[len(name):]]
        if token.endswith(name) and _looks_like_number_end(token[:-len(name)], numbers):
            return [token[:-len(name)], name]
    return [token]


def _money_tokens(text: str, numbers: NumberWords, money: MoneyWords) -> Tokens:
    text = str(text).strip()
    # A full stop after a word ends the sentence ("1 AED."); after digits it could be a separator.
    if len(text) > 1 and text.endswith(".") and not text[-2].isdigit():
        text = text[:-1]
    tokens = []
    for token in _phrase(digit_groups_in_house_format(text, numbers)):
        for piece in _split_at_dash(token, money.glued_dashes):
            tokens += _split_glued_name(piece, money, numbers)
    return tuple(tokens)


def _amount(value: Decimal, currency: str | None, number_tokens: Sequence[str],
            numbers: NumberWords, multiplier: Decimal = ONE) -> _Amount:
    return _Amount(
        value=_tidy(value * multiplier),
        currency=currency,
        has_scale=multiplier != ONE or _mentions_scale(number_tokens, numbers),
        trailing_scale=_trailing_scale(number_tokens, numbers) * multiplier,
    )


def _parse_cents_tail(tail: Tokens, currency: str, numbers: NumberWords, money: MoneyWords) -> Decimal | None:
    """What follows the currency name: nothing, or cents ("23 xu", "và 23 xen", bare "23")."""
    if not tail:
        return Decimal(0)
    per_unit = money.minor_units.get(currency)
    if not per_unit:
        return None
    connector = _first_phrase_at(tail, money.cents_connectors)
    if connector:
        tail = tail[len(connector):]
    cent_word = next((w for w in money.cent_words if _ends_with(tail, w)), None)
    if cent_word:
        tail = tail[:-len(cent_word)]
    count = _parse_number_tokens(tail, numbers)
    if count is None or count != count.to_integral_value() or not 0 <= count < per_unit:
        return None
    return count / per_unit


def _amount_with_leading_symbol(tokens: Tokens, numbers: NumberWords, money: MoneyWords) -> _Amount | None:
    """'$10', 'USD 1,23', 'Rs. 20'."""
    for name in money.names:
        if name.may_lead and _starts_with(tokens, name.tokens):
            rest = tokens[len(name.tokens):]
            value = _parse_number_tokens(rest, numbers)
            if value is not None:
                return _amount(value, name.currency, rest, numbers)
    return None


def _amount_with_trailing_name(tokens: Tokens, numbers: NumberWords, money: MoneyWords) -> _Amount | None:
    """'10 đô la', '1,8 tỷ đồng', '2 đô 23 xu', 'hai đô la và 23 xen'."""
    for start in range(1, len(tokens)):
        candidates = money.names_by_first_token.get(tokens[start], ())
        names = [n for n in candidates if _starts_with(tokens, n.tokens, start)]
        if not names:
            continue
        number_tokens = tokens[:start]
        value = _parse_number_tokens(number_tokens, numbers)
        if value is None:
            continue
        for name in names:
            cents = _parse_cents_tail(tokens[start + len(name.tokens):], name.currency, numbers, money)
            if cents is not None:
                total = value + cents if value >= 0 else value - cents
                return _amount(total, name.currency, number_tokens, numbers)
    return None


def _amount_with_scaled_name(tokens: Tokens, numbers: NumberWords, money: MoneyWords) -> _Amount | None:
    """'5 trđ' = 5 000 000 VND."""
    for name in money.scaled_names:
        if _ends_with(tokens, name.tokens):
            number_tokens = tokens[:-len(name.tokens)]
            value = _parse_number_tokens(number_tokens, numbers)
            if value is not None:
                return _amount(value, name.currency, number_tokens, numbers, name.multiplier)
    return None


def _amount_in_cents(tokens: Tokens, numbers: NumberWords, money: MoneyWords) -> _Amount | None:
    """'mười xen' = 0.10 of the default currency."""
    per_unit = money.minor_units.get(money.cents_currency)
    for word in money.cent_words:
        if per_unit and _ends_with(tokens, word):
            number_tokens = tokens[:-len(word)]
            value = _parse_number_tokens(number_tokens, numbers)
            if value is not None:
                return _amount(value / per_unit, money.cents_currency, number_tokens, numbers)
    return None


def _parse_amount(tokens: Tokens, numbers: NumberWords, money: MoneyWords) -> _Amount | None:
    """One amount, with its currency when it names one."""
    for reader in (_amount_with_leading_symbol, _amount_with_trailing_name,
                   _amount_with_scaled_name, _amount_in_cents):
        found = reader(tokens, numbers, money)
        if found is not None:
            return found
    value = _parse_number_tokens(tokens, numbers)
    return None if value is None else _amount(value, None, tokens, numbers)


def _range_money(left: Tokens, right: Tokens, qualifier: str | None,
                 numbers: NumberWords, money: MoneyWords) -> Money | None:
    low, high = _parse_amount(left, numbers, money), _parse_amount(right, numbers, money)
    if low is None or high is None:
        return None
    if low.currency and high.currency and low.currency != high.currency:
        return None
    currency = high.currency or low.currency
    if currency is None:
        return None
    low_values = [low.value]
    # "2-3 triệu đồng": the scale said once after the second number belongs to both.
    if low.currency is None and not low.has_scale and high.trailing_scale != ONE:
        low_values.insert(0, _tidy(low.value * high.trailing_scale))
    for low_value in low_values:
        if low_value <= high.value:
            return Money(None, currency, qualifier, low_value, high.value)
    return None


def _parse_range(tokens: Tokens, qualifier: str | None, numbers: NumberWords, money: MoneyWords) -> Money | None:
    """'từ 1000 đến 2000 đồng', 'giữa 1,1 và 1,3 đô la', '1000-2000 đồng'."""
    for pattern in money.ranges:
        if pattern.opener and not _starts_with(tokens, pattern.opener):
            continue
        body = tokens[len(pattern.opener):]
        for at in range(1, len(body) - 1):
            separator = _first_phrase_at(body, pattern.separators, at)
            if separator is None:
                continue
            found = _range_money(body[:at], body[at + len(separator):], qualifier, numbers, money)
            if found is not None:
                return found
    return None


def _single_money(tokens: Tokens, qualifier: str | None, numbers: NumberWords, money: MoneyWords) -> Money | None:
    amount = _parse_amount(tokens, numbers, money)
    if amount is None or amount.currency is None:
        return None
    return Money(amount.value, amount.currency, qualifier)


@exact
def parse_money(text: str, rules_dir: Path | None = None) -> Money | None:
    """Whole phrase must be one money expression: '40.000 USD', '1,8 tỷ đồng' (1.8e9 VND), '200 triệu VNĐ',
    'hơn 1,8 tỷ đồng' (qualifier more_than), '$10', 'USD1,23', '2 đô 23 xu' (2.23 USD), ranges 'từ 1000 đến 2000 đồng'."""
    numbers, money = _vocabularies(rules_dir)
    tokens = _money_tokens(text, numbers, money)
    qualifier, tokens = _take_leading_qualifiers(tokens, money)
    if not tokens:
        return None
    bound = _take_trailing_qualifier(tokens, money)
    if bound is not None:
        qualifier, tokens = bound
        return _single_money(tokens, qualifier, numbers, money)
    return _parse_range(tokens, qualifier, numbers, money) or _single_money(tokens, qualifier, numbers, money)


# ---------------------------------------------------------------------------
# Example runners (rule files of kind "number" and "money")
# ---------------------------------------------------------------------------

def normalize_number_example(text) -> dict | None:
    value = parse_number(text)
    return None if value is None else {"value": value}


def normalize_money_example(text) -> dict | None:
    money = parse_money(text)
    if money is None:
        return None
    out = {"amount": money.amount, "currency": money.currency, "qualifier": money.qualifier}
    if money.amount is None:
        out.update(low=money.low, high=money.high)
    return out
