"""Amounts of money and counted items: what an aid event is anchored on."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from ..lexicon import CompiledRules, Match, SyllableDoc
from ..numbers import _vocabularies, may_be_number, parse_money, parse_number, split_qualifier
from .sentence import MAX_NUMBER_TOKENS, SENTENCE_PUNCT, Sentence

@dataclass(frozen=True)
class Anchor:
    """An amount of money or a counted item: what an aid event is anchored on."""

    kind: str  # "cash" or an item code
    start: int  # token indices
    end: int
    value: Decimal  # a range's upper bound
    currency: str | None
    qualifier: str | None
    low: Decimal | None = None  # a range's lower bound ("600 – 800 triệu USD"): the amount is neither
    # goods: what the article says they are worth ("1 xe ô tô trị giá 2,8 tỷ đồng"), an amount of money; its start is
    # the marker of each item's worth when it is that ("mỗi suất trị giá 500.000 đồng")
    worth: "Anchor | None" = None
    worth_each: bool = False


@lru_cache(maxsize=65536)
def _number_token(text: str, rules: CompiledRules) -> bool:
    """A number, or two glued by a range's dash ("5-7" of "5-7 triệu USD")."""
    if parse_number(text, rules) is not None:
        return True
    dash = next((d for d in _vocabularies(rules)[1].glued_dashes if d in text), None)
    return dash is not None and all(parse_number(part, rules) is not None for part in text.split(dash, 1))


def find_anchors(sdoc: SyllableDoc, sent: Sentence, rules: CompiledRules) -> list[Anchor]:
    """Money amounts and counted aid items in a sentence, longest first, not overlapping."""
    texts, spaces = sdoc.texts, sdoc.spaces
    items_at = {m.start: m for m in sent.of("ITEM")}
    units_at = {m.start: m for m in sent.of("UNIT")}
    currencies = sent.of("CURRENCY")
    currency_starts = {m.start for m in currencies}
    unlisted = _unlisted_goods_code(sent, rules)  # goods no list names may be read in this sentence: their code
    anchors, i = [], sent.start
    while i < sent.end:
        if spaces[i] or not (_number_token(texts[i], rules) or i in currency_starts):
            i += 1
            continue
        money = _longest_money(sdoc, sent, i, currencies, rules)
        if money is not None:
            worth = _goods_worth(sdoc, anchors, money, rules)
            if worth is not None:
                anchors[-1] = replace(anchors[-1], worth=worth, worth_each=worth.start < money.start)
            elif not _is_conversion(sdoc, anchors, money, rules):
                anchors.append(money)
            i = money.end
            continue
        quantity = _quantity(sdoc, sent, i, items_at, units_at, unlisted, rules)
        if quantity is not None:
            anchors.append(quantity)
            i = quantity.end
            continue
        i += 1
    return anchors


def _is_conversion(sdoc, anchors: list[Anchor], money: Anchor, rules: CompiledRules) -> bool:
    """"15 triệu USD (gần 341 tỷ đồng)": an amount in brackets right after another one restates it in
    another currency."""
    if not anchors or anchors[-1].kind != "cash":
        return False
    between = [sdoc.texts[k] for k in range(anchors[-1].end, money.start) if not sdoc.spaces[k]]
    if between[:1] != ["("]:
        return False
    words = " ".join(between[1:]).casefold()
    return not words or words in _folded_words(rules, ("conversion_words",))


@lru_cache(maxsize=64)
def _folded_words(rules: CompiledRules, keys: tuple[str, ...]) -> frozenset[str]:
    """The aid rules' word lists named by ``keys``, case-folded: read once per rule set, not per amount."""
    return frozenset(str(w).casefold() for key in keys for w in rules.merged_list("aid", key))


VALUE_AFTER_GOODS = 15  # "1 xe ô tô nhãn hiệu Toyota Land Cruiser VX trị giá 2,8 tỷ đồng": a long item name


def _goods_worth(sdoc, anchors: list[Anchor], money: Anchor, rules: CompiledRules) -> Anchor | None:
    """"1,7 triệu ly sữa tương đương 12,5 tỷ đồng", "1 xe ô tô … trị giá 2,8 tỷ đồng", "300 suất quà, tổng trị giá 150
    triệu đồng", "50 suất học bổng, trị giá mỗi suất 2 triệu đồng": an amount after a word of value that follows
    counted goods states what they are worth, not a gift of its own: the amount, from the marker of each item
    when it is each one's worth ("1.000 suất quà, mỗi suất 1 triệu đồng": the goods' own unit after the marker). A
    comma or a bracket may open the words of value; other punctuation between the goods and them keeps them apart.
    None when the amount is no worth of the goods before it."""
    if not anchors or anchors[-1].kind == "cash" or money.start - anchors[-1].end > VALUE_AFTER_GOODS:
        return None
    tokens = _without_closed_aside([k for k in range(anchors[-1].end, money.start) if not sdoc.spaces[k]], sdoc.texts)
    words = _folded_words(rules, ("value_words", "conversion_words", "value_openers"))
    each_words = _folded_words(rules, ("each_one_markers",))
    if len(tokens) >= 3 and sdoc.texts[tokens[0]] == "," and sdoc.texts[tokens[1]].casefold() in each_words:
        # "1.000 suất quà, mỗi suất 1 triệu đồng": each of the goods, named by their own unit, is worth the amount
        unit = [sdoc.texts[k].casefold() for k in tokens[2:]]
        goods = [sdoc.texts[k].casefold() for k in range(anchors[-1].start + 1, anchors[-1].end) if not sdoc.spaces[k]]
        if goods[:len(unit)] == unit:
            return replace(money, start=tokens[1])
    for cut in range(len(tokens)):  # the words of value start at tokens[cut]
        if any(sdoc.texts[k] in SENTENCE_PUNCT for k in tokens[:cut]):
            break
        clause = tokens[cut + 1:] if sdoc.texts[tokens[cut]] in WORTH_OPENERS else tokens[cut:]
        said = [sdoc.texts[k].casefold() for k in clause]
        if not said or any(sdoc.texts[k] in SENTENCE_PUNCT for k in clause):
            continue
        if " ".join(said) in words:
            return money
        for n in (1, 2):  # "mỗi suất trị giá …", "trị giá mỗi suất …": each item's worth
            if len(said) > n + 1 and said[0] in each_words and " ".join(said[n + 1:]) in words:
                return replace(money, start=clause[0])
            if len(said) > n + 1 and said[-n - 1] in each_words and " ".join(said[:-n - 1]) in words:
                return replace(money, start=clause[-n - 1])
    return None


WORTH_OPENERS = (",", "(")  # "300 suất quà, tổng trị giá …", "3.000 suất quà (trị giá …)"


def _without_closed_aside(tokens: list[int], texts: list[str]) -> list[int]:
    """"1 xe ô tô nhãn hiệu Toyota (loại động cơ 8 xi lanh) trị giá …": a bracketed aside that closes between the
    goods and the words of value describes the goods; the words of value after it still state their worth."""
    opened = next((n for n, k in enumerate(tokens) if texts[k] == "("), None)
    if opened is None:
        return tokens
    closed = next((n for n in range(opened + 1, len(tokens)) if texts[tokens[n]] in ("(", ")")), None)
    if closed is None or texts[tokens[closed]] != ")" or closed + 1 >= len(tokens):
        return tokens
    return tokens[:opened] + tokens[closed + 1:]


def _money_ends(i: int, currencies: list[Match], limit: int) -> list[int]:
    """Where an amount starting at token i may end, longest first: after a currency name
    (or cents) that follows it, or anywhere when it starts with a currency symbol."""
    ends = {m.end for m in currencies if i < m.start and m.end <= limit}
    if any(m.start == i for m in currencies):
        ends.update(range(i + 2, limit + 1))
    return sorted(ends, reverse=True)


def _longest_money(sdoc, sent, i, currencies, rules) -> Anchor | None:
    for j in _money_ends(i, currencies, min(i + MAX_NUMBER_TOKENS, sent.end)):
        if sdoc.spaces[j - 1] or sdoc.texts[j - 1] in SENTENCE_PUNCT:
            continue
        money = parse_money(sdoc.span_text(i, j), rules)
        if money is None or (money.amount is None and (money.low is None or money.high is None)):
            continue
        start, qualifier = _with_leading_qualifier(sdoc, sent, i, j, rules)
        if money.amount is None:  # "từ 600 – 800 triệu USD": both bounds, no single amount, and its opener
            start = next((m.start for m in sent.of("RANGE_FROM") if m.end == start), start)
            return Anchor("cash", start, j, money.high, money.currency, qualifier or money.qualifier, money.low)
        return Anchor("cash", start, j, money.amount, money.currency, qualifier or money.qualifier)
    return None


def _with_leading_qualifier(sdoc, sent, i, j, rules) -> tuple[int, str | None]:
    """Extend an amount to the left over an approximate qualifier ("hơn", "gần", "khoảng")."""
    for back in (3, 2, 1):
        start = i - back
        if start < sent.start or any(sdoc.spaces[start:i]):
            continue
        qualifier, rest = split_qualifier(sdoc.span_text(start, j), rules)
        if qualifier and rest.strip() == sdoc.span_text(i, j):
            return start, qualifier
    return i, None


def _longest_number(sdoc, sent, i, rules) -> tuple[int, Decimal] | None:
    for j in range(min(i + MAX_NUMBER_TOKENS, sent.end), i, -1):
        if sdoc.spaces[j - 1] or sdoc.texts[j - 1] in SENTENCE_PUNCT:
            continue
        text = sdoc.span_text(i, j)
        value = parse_number(text, rules) if may_be_number(text, rules) else None
        if value is not None:
            return j, value
    return None


def _quantity(sdoc, sent, i, items_at, units_at, unlisted: str | None, rules) -> Anchor | None:
    if not _item_may_follow(i, sent, items_at, units_at, unlisted is not None):
        return None  # most numbers: no item where they may end, so no need to read them
    number = _longest_number(sdoc, sent, i, rules)
    if number is None:
        return None
    j, value = number
    item = items_at.get(j)
    if item is None and j in units_at:
        item = items_at.get(units_at[j].end)
    if item is not None:
        code, item_end = item.phrase.normalized, item.end
    elif unlisted is not None and j in units_at and _noun_starts(sdoc, units_at[j].end):
        code, item_end = unlisted, units_at[j].end + 1  # "1.315 bộ sách giáo khoa"
    else:
        return None
    end = _list_item_end(sdoc, sent, item_end)
    start, qualifier = _with_leading_qualifier(sdoc, sent, i, j, rules)
    return Anchor(code, start, end, value, None, qualifier)


@lru_cache(maxsize=64)
def _unlisted_goods(rules: CompiledRules) -> tuple[str | None, tuple[str, ...]]:
    """The item code of counted goods no list names, and the labels of which a sentence must hold one to read
    them (from the aid rule files; no code: such goods are not read)."""
    data = next((d for d in rules.files.get("aid", []) if d.get("unlisted_goods_item")), {})
    return data.get("unlisted_goods_item"), tuple(data.get("unlisted_goods_when") or ())


def _unlisted_goods_code(sent, rules: CompiledRules) -> str | None:
    """The item code of goods no list names, in a sentence that holds a word of aid they need; else None."""
    code, labels = _unlisted_goods(rules)
    return code if code is not None and any(sent.of(label) for label in labels) else None


def _noun_starts(sdoc, k: int) -> bool:
    """A lower-case word that a counting unit may classify starts at token k: a noun, or what the tagger misreads
    as a verb after a unit ("bộ sách giáo khoa" comes tagged V)."""
    return k < len(sdoc.texts) and not sdoc.spaces[k] and sdoc.texts[k][:1].islower() \
        and sdoc.token_starts[k] in sdoc.word_starts and sdoc.tags[k] in UNIT_CLASSIFIED_TAGS


UNIT_CLASSIFIED_TAGS = ("N", "Nc", "V")


def _item_may_follow(i: int, sent, items_at: dict, units_at: dict, unlisted: bool) -> bool:
    """An item (or a unit, then an item; or any unit, where goods no list names may be read) starts where a
    number read from token i may end: what a quantity needs, whichever of those ends its number has."""
    return any(j in items_at or (j in units_at and (unlisted or units_at[j].end in items_at))
               for j in range(i + 1, min(i + MAX_NUMBER_TOKENS, sent.end) + 1))


def _list_item_end(sdoc, sent, k) -> int:
    """Where the item phrase of a list element ends: punctuation, a number, a stop word, a word of value, a verb
    of giving ("20 ngôi nhà tình thương trao tặng các hộ nghèo") or the passive that hands the items over ("200.000
    bộ xét nghiệm đã được trao …")."""
    stops = {m.start for label in ("STOP", "TO", "VALUE_WORD", "GIVE", "AID_PASSIVE") for m in sent.of(label)}
    end = k
    while end < sent.end:
        if sdoc.spaces[end] or sdoc.texts[end] in SENTENCE_PUNCT or end in stops or sdoc.like_num(end):
            break
        end += 1
    return end
