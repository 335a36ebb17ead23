"""Extract: aid events, officials, agreements, dates and every typed mention, from
article bodies, with the rules in ``rules/``.

Everything works sentence by sentence on a syllable Doc (pipeline.lexicon); rows
carry exact body offsets, their evidence and the id of the rule that made them.
Python holds the grammar (who stands before which verb, what follows a title);
every word it looks for comes from the rule files.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from .config import RULES_DIR
from .dates import find_dates
from .lexicon import CompiledRules, Match, SyllableDoc, compile_rules, phrase_doc, syllable_doc
from .numbers import parse_money, parse_number, split_qualifier
from .tokenize import Word, tokenize_body

MAX_NUMBER_TOKENS = 7
SENTENCE_PUNCT = {",", ";", ".", ":", "!", "?", ")", "(", "…"}


@dataclass(frozen=True)
class Anchor:
    """An amount of money or a counted item: what an aid event is anchored on."""

    kind: str  # "cash" or an item code
    start: int  # token indices
    end: int
    value: Decimal
    currency: str | None
    qualifier: str | None


@dataclass
class Sentence:
    index: int
    start: int  # token range in the syllable Doc
    end: int
    matches: dict[str, list[Match]]

    def of(self, label: str) -> list[Match]:
        return [m for m in self.matches.get(label, []) if self.start <= m.start and m.end <= self.end]


def _char_span(sdoc: SyllableDoc, start: int, end: int) -> tuple[int, int]:
    return sdoc.doc[start].idx, sdoc.doc[end - 1].idx + len(sdoc.doc[end - 1])


# ---------------------------------------------------------------- numbers and money

@lru_cache(maxsize=65536)
def _number_token(text: str, rules_dir: Path) -> bool:
    return parse_number(text, rules_dir) is not None


def find_anchors(sdoc: SyllableDoc, sent: Sentence, rules: CompiledRules) -> list[Anchor]:
    """Money amounts and counted aid items in a sentence, longest first, not overlapping."""
    doc, rd = sdoc.doc, rules.rules_dir
    items_at = {m.start: m for m in sent.of("ITEM")}
    units_at = {m.start: m for m in sent.of("UNIT")}
    currencies = sent.of("CURRENCY")
    currency_starts = {m.start for m in currencies}
    anchors, i = [], sent.start
    while i < sent.end:
        tok = doc[i]
        if tok.is_space or not (_number_token(tok.text, rd) or i in currency_starts):
            i += 1
            continue
        money = _longest_money(sdoc, sent, i, currencies, rules)
        if money is not None:
            anchors.append(money)
            i = money.end
            continue
        quantity = _quantity(sdoc, sent, i, items_at, units_at, rules)
        if quantity is not None:
            anchors.append(quantity)
            i = quantity.end
            continue
        i += 1
    return anchors


def _money_ends(i: int, currencies: list[Match], limit: int) -> list[int]:
    """Where an amount starting at token i may end, longest first: after a currency name
    (or cents) that follows it, or anywhere when it starts with a currency symbol."""
    ends = {m.end for m in currencies if i < m.start and m.end <= limit}
    if any(m.start == i for m in currencies):
        ends.update(range(i + 2, limit + 1))
    return sorted(ends, reverse=True)


def _longest_money(sdoc, sent, i, currencies, rules) -> Anchor | None:
    doc = sdoc.doc
    for j in _money_ends(i, currencies, min(i + MAX_NUMBER_TOKENS, sent.end)):
        if doc[j - 1].is_space or doc[j - 1].text in SENTENCE_PUNCT:
            continue
        text = doc[i:j].text
        money = parse_money(text, rules.rules_dir)
        if money is None or money.amount is None:
            continue
        start, qualifier = _with_leading_qualifier(sdoc, sent, i, j, rules)
        return Anchor("cash", start, j, money.amount, money.currency, qualifier or money.qualifier)
    return None


def _with_leading_qualifier(sdoc, sent, i, j, rules) -> tuple[int, str | None]:
    """Extend an amount to the left over an approximate qualifier ("hơn", "gần", "khoảng")."""
    doc = sdoc.doc
    for back in (3, 2, 1):
        start = i - back
        if start < sent.start or any(t.is_space for t in doc[start:i]):
            continue
        qualifier, rest = split_qualifier(doc[start:j].text, rules.rules_dir)
        if qualifier and rest.strip() == doc[i:j].text:
            return start, qualifier
    return i, None


def _longest_number(sdoc, sent, i, rules) -> tuple[int, Decimal] | None:
    doc = sdoc.doc
    for j in range(min(i + MAX_NUMBER_TOKENS, sent.end), i, -1):
        if doc[j - 1].is_space or doc[j - 1].text in SENTENCE_PUNCT:
            continue
        value = parse_number(doc[i:j].text, rules.rules_dir)
        if value is not None:
            return j, value
    return None


def _quantity(sdoc, sent, i, items_at, units_at, rules) -> Anchor | None:
    number = _longest_number(sdoc, sent, i, rules)
    if number is None:
        return None
    j, value = number
    item = items_at.get(j)
    if item is None and j in units_at:
        item = items_at.get(units_at[j].end)
    if item is None:
        return None
    end = _list_item_end(sdoc, sent, item.end)
    start, qualifier = _with_leading_qualifier(sdoc, sent, i, j, rules)
    return Anchor(item.phrase.normalized, start, end, value, None, qualifier)


def _list_item_end(sdoc, sent, k) -> int:
    """Where the item phrase of a list element ends: punctuation, a number or a stop word."""
    doc = sdoc.doc
    stops = {m.start for m in sent.of("STOP")} | {m.start for m in sent.of("TO")}
    end = k
    while end < sent.end:
        tok = doc[end]
        if tok.is_space or tok.text in SENTENCE_PUNCT or end in stops or tok.like_num:
            break
        end += 1
    return end


# ---------------------------------------------------------------- aid events

def _place_before(places, pos) -> list[Match]:
    return [p for p in places if p.end <= pos]


def _preceded_by(sdoc, matches, place: Match) -> bool:
    return any(m.end == place.start for m in matches)


def _subject(sdoc, sent, verb: Match, places) -> Match | None:
    """The place that is the subject of a verb: the nearest one before it that is not
    in a prepositional phrase (unless a gift noun's "của" marks it as the donor)."""
    preps, markers = sent.of("PREP"), sent.of("DONOR_MARKER")
    for place in sorted(_place_before(places, verb.start), key=lambda p: -p.end):
        if _preceded_by(sdoc, markers, place) or not _preceded_by(sdoc, preps, place):
            return place
    return None


def _frame(sdoc, sent, places) -> tuple[str, Match, Match] | None:
    """(give|receive, verb, subject) from the first verb of the sentence that has a subject."""
    verbs = sorted(sent.of("GIVE") + sent.of("RECEIVE"), key=lambda m: m.start)
    for verb in verbs:
        subject = _subject(sdoc, sent, verb, places)
        if subject is not None:
            return ("receive" if verb.label == "RECEIVE" else "give"), verb, subject
    return None


def _distributive(sent, places, anchor: Anchor) -> tuple[Match, Match] | None:
    for each in sent.of("EACH"):
        if each.end == anchor.start:
            group = next((p for p in places if p.end == each.start and p.phrase.get("count")), None)
            if group is not None:
                return group, each
    return None


def _recipients(sdoc, sent, places, anchor: Anchor, donor: Match) -> list[Match]:
    verbs = [v for v in sent.of("GIVE") + sent.of("RECEIVE") if v.end <= anchor.start]
    after = max((v.end for v in verbs), default=sent.start)
    between = [p for p in places if after <= p.start and p.end <= anchor.start
               and p.phrase.normalized != donor.phrase.normalized]
    if between:
        return between
    for to in sent.of("TO"):
        if to.start >= anchor.end:
            nxt = next((p for p in places if p.start == to.end), None)
            if nxt is not None and nxt.phrase.normalized != donor.phrase.normalized:
                return [nxt]
    return []


def _donor_after_from(sent, places, verb: Match) -> Match | None:
    for marker in sent.of("FROM"):
        if marker.start >= verb.end:
            nxt = next((p for p in places if p.start == marker.end), None)
            if nxt is not None:
                return nxt
    return None


def _unique_names(places: list[Match]) -> list[str]:
    names = []
    for p in places:
        if p.phrase.normalized not in names:
            names.append(p.phrase.normalized)
    return names


def _flow(sent, anchor: Anchor) -> str:
    cues = {m.phrase.normalized for m in sent.of("FLOW_CUE")}
    for flow in ("loan", "pledge"):
        if flow in cues:
            return flow
    return "grant" if anchor.kind == "cash" else "in_kind"


def aid_events_in_sentence(sdoc: SyllableDoc, sent: Sentence, rules: CompiledRules) -> list[dict]:
    places = sent.of("PLACE")
    frame = _frame(sdoc, sent, places)
    if frame is None:
        return []
    mode, verb, subject = frame
    rule_base = rules.first("aid")["id"]
    is_cumulative = bool(sent.of("CUMULATIVE_CUE"))
    events = []
    for anchor in find_anchors(sdoc, sent, rules):
        if anchor.start < verb.start and mode == "give":
            continue  # an amount before the verb is not what the verb gives
        start, end = anchor.start, anchor.end
        per_recipient = recipient_count = None
        distributive = _distributive(sent, places, anchor)
        if mode == "receive":
            donor, recipients, rule = _donor_after_from(sent, places, verb), [subject], "received"
        elif distributive is not None:
            group, _ = distributive
            donor, recipients, rule = subject, [group], "distributive"
            recipient_count = int(group.phrase.get("count"))
            per_recipient = anchor.value
            start = group.start
        else:
            donor, recipients, rule = subject, _recipients(sdoc, sent, places, anchor, subject), anchor.kind
        if donor is None or not recipients:
            continue
        recipient_names = _unique_names(recipients)
        if donor.phrase.normalized in recipient_names:
            continue
        noun = next((m for m in sent.of("AID_NOUN") if m.end == start), None)
        if noun is not None and anchor.kind == "cash":
            start = noun.start
        total = anchor.value * recipient_count if recipient_count else anchor.value
        c0, c1 = _char_span(sdoc, start, end)
        events.append({
            "donor": donor.phrase.normalized,
            "recipient": " + ".join(recipient_names),
            "item": "cash" if anchor.kind == "cash" else anchor.kind,
            "quantity": None if anchor.kind == "cash" else anchor.value,
            "amount": total if anchor.kind == "cash" else None,
            "currency": anchor.currency,
            "amount_per_recipient": per_recipient if anchor.kind == "cash" else None,
            "recipient_count": recipient_count,
            "is_total": bool(sent.of("TOTAL_CUE")) and anchor.kind == "cash",
            "is_cumulative": is_cumulative,
            "flow": _flow(sent, anchor),
            "qualifier": anchor.qualifier,
            "char_start": c0,
            "char_end": c1,
            "evidence": sdoc.text[c0:c1],
            "rule_id": f"{rule_base}:{'in_kind' if rule not in ('cash', 'received', 'distributive') else rule}",
            "_sentence": sent.index,
        })
    return events


def reconcile_totals(events: list[dict]) -> None:
    """Mark a cash row as a total when other rows of the same donor and currency, to
    recipients it names, add up to it."""
    for row in events:
        if row["item"] != "cash" or " + " not in row["recipient"]:
            continue
        named = set(row["recipient"].split(" + "))
        parts = [e for e in events if e is not row and e["item"] == "cash" and e["donor"] == row["donor"]
                 and e["currency"] == row["currency"] and set(e["recipient"].split(" + ")) <= named
                 and e["recipient"] != row["recipient"]]
        if parts and sum(e["amount"] for e in parts) == row["amount"]:
            row["is_total"] = True


def merge_repeated_events(events: list[dict]) -> list[dict]:
    """The same event stated twice in an article (a caption and a paragraph) is one row."""
    kept: dict[tuple, dict] = {}
    for e in events:
        key = (e["donor"], e["recipient"], e["item"], e["quantity"], e["amount"], e["currency"])
        if key in kept:
            kept[key]["n_mentions"] += 1
        else:
            kept[key] = {**e, "n_mentions": 1}
    return list(kept.values())


# ---------------------------------------------------------------- officials

def _at(matches: list[Match]) -> dict[int, Match]:
    return {m.start: m for m in matches}


def _is_name_syllable(text: str) -> bool:
    return text[:1].isupper() and text.isalpha() and (len(text) == 1 or not text[1:].isupper())


class OfficialParser:
    def __init__(self, sdoc: SyllableDoc, sent: Sentence, rules: CompiledRules):
        self.sdoc, self.sent, self.rules = sdoc, sent, rules
        data = rules.first("official")
        self.name_min, self.name_max = int(data["name_min_syllables"]), int(data["name_max_syllables"])
        self.titles = _at(sent.of("TITLE"))
        self.not_titles = _at(sent.of("NOT_TITLE"))
        self.complements = _at(sent.of("TITLE_COMPLEMENT"))
        self.places = _at(sent.of("PLACE"))
        self.joiners = _at(sent.of("JOINER"))
        self.honorifics = _at(sent.of("HONORIFIC"))

    def title_at(self, i: int) -> Match | None:
        head = self.titles.get(i)
        blocker = self.not_titles.get(i)
        if head is None or (blocker is not None and blocker.end >= head.end):
            return None
        return head

    def parse_title(self, i: int) -> tuple[int, list[Match]] | None:
        """A title head and its complements; returns (end token, places named in it)."""
        head = self.title_at(i)
        if head is None:
            return None
        j, places = head.end, []
        while j < self.sent.end:
            options = [m for m in (self.complements.get(j), self.places.get(j)) if m is not None]
            joiner = self.joiners.get(j)
            if not options and joiner is not None:
                after = [m for m in (self.complements.get(joiner.end), self.places.get(joiner.end)) if m]
                if after:
                    options = [max(after, key=lambda m: m.end)]
            if not options:
                break
            best = max(options, key=lambda m: m.end)
            if best.label == "PLACE":
                places.append(best)
            j = best.end
        return j, places

    def parse_chain(self, i: int) -> tuple[int, list[tuple[int, int]], list[Match]] | None:
        """Titles separated by commas: (end, [(start, end) per title], places)."""
        doc, spans, places = self.sdoc.doc, [], []
        while True:
            parsed = self.parse_title(i)
            if parsed is None:
                break
            end, found = parsed
            spans.append((i, end))
            places.extend(found)
            k = end
            if k < self.sent.end and doc[k].text == "," and self.title_at(self._skip_space(k + 1)) is not None:
                i = self._skip_space(k + 1)
                continue
            break
        return (spans[-1][1], spans, places) if spans else None

    def _skip_space(self, k: int) -> int:
        while k < self.sent.end and self.sdoc.doc[k].is_space:
            k += 1
        return k

    def parse_name(self, i: int) -> int | None:
        doc, j = self.sdoc.doc, i
        while j < self.sent.end and j - i < self.name_max and _is_name_syllable(doc[j].text) \
                and j not in self.places and j not in self.titles and j not in self.complements:
            j += 1
        return j if j - i >= self.name_min else None

    def mentions(self) -> list[dict]:
        found, i = [], self.sent.start
        doc = self.sdoc.doc
        while i < self.sent.end:
            honorific = self.honorifics.get(i)
            if honorific is not None:
                name_end = self.parse_name(honorific.end)
                if name_end is not None:
                    k = name_end
                    chain = None
                    if k < self.sent.end and doc[k].text == ",":
                        chain = self.parse_chain(self._skip_space(k + 1))
                    if chain is not None:
                        end, spans, places = chain
                        found.append(self._mention(honorific.end, name_end, i, end, spans, places,
                                                   "title_after_name"))
                        i = end
                        continue
                    i = name_end
                    continue
            chain = self.parse_chain(i) if self.title_at(i) else None
            if chain is not None:
                end, spans, places = chain
                name_end = self.parse_name(end)
                if name_end is not None:
                    found.append(self._mention(end, name_end, i, name_end, spans, places, "title_before_name"))
                    i = name_end
                    continue
                i = end
                continue
            i += 1
        return found

    def _mention(self, name_start, name_end, start, end, title_spans, places, rule) -> dict:
        doc = self.sdoc.doc
        c0, c1 = _char_span(self.sdoc, start, end)
        return {
            "name": doc[name_start:name_end].text,
            "titles": [doc[a:b].text for a, b in title_spans],
            "title_countries": [p.phrase.get("country") for p in places if p.phrase.get("country")],
            "char_start": c0,
            "char_end": c1,
            "evidence": self.sdoc.text[c0:c1],
            "rule_id": f"{self.rules.first('official')['id']}:{rule}",
        }


def drop_subsumed_titles(titles: list[str]) -> list[str]:
    """Keep the most specific titles: one whose words all appear, in order, in another goes."""
    def inside(small, big):
        it = iter(big.split())
        return all(word in it for word in small.split())
    unique = list(dict.fromkeys(titles))
    return [t for t in unique if not any(t != o and inside(t, o) for o in unique)]


def officials_of_article(mentions: list[dict], body: str, main_foreign_country: str | None,
                         rules: CompiledRules) -> list[dict]:
    surnames = set(rules.merged_list("official", "vietnamese_surnames"))
    people: dict[str, dict] = {}
    for m in mentions:
        person = people.setdefault(m["name"], {**m, "titles": [], "title_countries": []})
        person["titles"].extend(m["titles"])
        person["title_countries"].extend(m["title_countries"])
    rows = []
    for name, p in people.items():
        if p["title_countries"]:
            country = p["title_countries"][0]
        elif name.split()[0] in surnames:
            country = "VN"
        else:
            country = main_foreign_country
        rows.append({
            "name": name, "titles": drop_subsumed_titles(p["titles"]), "country": country,
            "n_mentions": body.count(name), "char_start": p["char_start"], "char_end": p["char_end"],
            "evidence": p["evidence"], "rule_id": p["rule_id"],
        })
    return rows


# ---------------------------------------------------------------- agreements

def _parties(sent: Sentence, exclude_after: list[Match], upto: int | None = None) -> list[Match]:
    places = sent.of("PLACE")
    at_places = {p.start for p in places if any(a.end == p.start for a in sent.of("AT"))}
    examples = []
    for marker in exclude_after:
        stop = next((v.start for v in sent.of("SIGN") if v.start >= marker.end), sent.end)
        examples.extend(p.start for p in places if marker.end <= p.start < stop)
    main = [p for p in places if p.start not in at_places and p.start not in examples]
    if len(_unique_names(main)) < 2:
        main = [p for p in places if p.start not in examples]
    return main


def _specific_parties(parties: list[Match]) -> list[str]:
    """Drop a country when a city or province of it is a party too."""
    names = _unique_names(parties)
    kinds = {p.phrase.normalized: (p.phrase.get("kind"), p.phrase.get("country")) for p in parties}
    specific_countries = {c for n, (k, c) in kinds.items() if k != "country"}
    return [n for n in names if not (kinds[n][0] == "country" and kinds[n][1] in specific_countries)]


def agreements_in_sentence(sdoc: SyllableDoc, sent: Sentence, dates: list, rules: CompiledRules) -> list[dict]:
    if not sent.of("SIGN"):
        return []
    doc, rule_base = sdoc.doc, rules.first("agreement")["id"]
    kinds = sent.of("AGREEMENT_KIND")
    sent_c0, sent_c1 = _char_span(sdoc, sent.start, sent.end)
    sent_dates = [d for d in dates if sent_c0 <= d.start and d.end <= sent_c1]
    examples = sent.of("EXAMPLE")
    rows, used = [], set()
    for kind in kinds:
        if kind.start in used:
            continue
        number = _number_before(sdoc, sent, kind, rules)
        signed_doc = _is_signed(sdoc, sent, number[0] if number else kind.start, kind.end)
        if not signed_doc:
            continue
        if number is not None:
            count_start, count, qualifier = number
            group, k = [kind], kind.end
            while True:
                nxt = next((m for m in kinds if m.start in (k, k + 1, k + 2) and m.start > k - 1
                            and all(doc[t].text in (",", "và") or doc[t].is_space for t in range(k, m.start))), None)
                if nxt is None:
                    break
                group.append(nxt)
                k = nxt.end
            used.update(m.start for m in group)
            since = next((d for d in sent_dates if d.value.grain == "year"
                          and any(s.end <= _tok_at(sdoc, d.start) for s in sent.of("SINCE"))), None)
            c0, c1 = _char_span(sdoc, count_start, group[-1].end)
            rows.append(_agreement_row(
                kind=group[0].phrase.normalized, kinds=list(dict.fromkeys(m.phrase.normalized for m in group)),
                title=None, parties=_specific_parties(_parties(sent, examples)), signed=None,
                place=None, count=int(count), count_qualifier=qualifier,
                since=since.value.value if since else None, valid=None,
                c0=c0, c1=c1, text=sdoc.text, rule_id=f"{rule_base}:aggregate"))
            continue
        used.add(kind.start)
        title_end = _title_end(sdoc, sent, kind)
        c0, c1 = _char_span(sdoc, kind.start, title_end)
        period = next((d for d in sent_dates if d.value.grain == "period" and d.start >= c0), None)
        signed = next((d for d in sent_dates if d.value.grain in ("day", "month", "year")), None)
        at_place = next((p for p in sent.of("PLACE") if any(a.end == p.start for a in sent.of("AT"))), None)
        rows.append(_agreement_row(
            kind=kind.phrase.normalized, kinds=[kind.phrase.normalized], title=sdoc.text[c0:c1],
            parties=_specific_parties(_parties(sent, examples)),
            signed=signed, place=at_place.phrase.normalized if at_place else None, count=None,
            count_qualifier=None, since=None, valid=period, c0=c0, c1=c1, text=sdoc.text,
            rule_id=f"{rule_base}:signed"))
    return rows


def _is_signed(sdoc, sent, start: int, end: int) -> bool:
    """The document is what a signing verb governs: right after the verb (adverbs allowed),
    or right before a passive one ("… được ký kết")."""
    doc = sdoc.doc
    adverbs = {m.end: m.start for m in sent.of("SIGN_ADVERB")}
    k = start
    while k > sent.start and doc[k - 1].is_space:
        k -= 1
    while k in adverbs:
        k = adverbs[k]
        while k > sent.start and doc[k - 1].is_space:
            k -= 1
    if any(v.end == k for v in sent.of("SIGN")):
        return True
    passive_at = {m.start: m.end for m in sent.of("PASSIVE")}
    k = end
    for _ in range(15):  # "Bản ghi nhớ về hợp tác giáo dục giữa Hà Tĩnh và Champasak đã được ký kết"
        while k < sent.end and doc[k].is_space:
            k += 1
        if k in passive_at:
            after = passive_at[k]
            while after < sent.end and doc[after].is_space:
                after += 1
            return any(v.start == after for v in sent.of("SIGN"))
        if k >= sent.end or doc[k].text in SENTENCE_PUNCT:
            return False
        k += 1
    return False


def _tok_at(sdoc: SyllableDoc, char: int) -> int:
    for tok in sdoc.doc:
        if tok.idx >= char:
            return tok.i
    return len(sdoc.doc)


def _number_before(sdoc, sent, kind: Match, rules) -> tuple[int, Decimal, str | None] | None:
    doc = sdoc.doc
    for back in range(1, MAX_NUMBER_TOKENS):
        start = kind.start - back
        if start < sent.start:
            break
        if doc[kind.start - 1].is_space and back == 1:
            continue
        text = doc[start:kind.start].text.strip()
        value = parse_number(text, rules.rules_dir)
        if value is not None and value == value.to_integral_value():
            q_start, qualifier = _with_leading_qualifier(sdoc, sent, start, kind.start, rules)
            return q_start, value, qualifier
    return None


def _title_end(sdoc, sent, kind: Match) -> int:
    doc = sdoc.doc
    stops = {m.start for m in sent.of("TITLE_STOP")}
    end = kind.end
    while end < sent.end:
        tok = doc[end]
        if tok.text in SENTENCE_PUNCT or end in stops:
            break
        end += 1
    while end > kind.end and doc[end - 1].is_space:
        end -= 1
    return end


def _agreement_row(*, kind, kinds, title, parties, signed, place, count, count_qualifier, since, valid,
                   c0, c1, text, rule_id) -> dict:
    return {
        "kind": kind, "kinds": kinds, "title": title, "parties": parties,
        "signed": signed.value.value if signed else None,
        "signed_grain": signed.value.grain if signed else None,
        "valid_from": valid.value.start if valid else None,
        "valid_to": valid.value.end if valid else None,
        "place": place, "count": count, "count_qualifier": count_qualifier, "since": since,
        "char_start": c0, "char_end": c1, "evidence": text[c0:c1], "rule_id": rule_id,
    }


def merge_repeated_agreements(rows: list[dict]) -> list[dict]:
    kept: dict[tuple, dict] = {}
    for r in rows:
        key = (r["kind"], (r["title"] or "").casefold(), r["count"])
        if key not in kept:
            kept[key] = r
    return list(kept.values())


# ---------------------------------------------------------------- one article

def sentences_of(sdoc: SyllableDoc, matches) -> list[Sentence]:
    sents, start = [], 0
    for i in range(1, len(sdoc.doc) + 1):
        if i == len(sdoc.doc) or sdoc.sentence_of[i] != sdoc.sentence_of[start]:
            sents.append(Sentence(sdoc.sentence_of[start], start, i, matches))
            start = i
    return sents


def _main_foreign_country(places: list[Match]) -> str | None:
    counts: dict[str, int] = {}
    for p in places:
        country = p.phrase.get("country")
        if country and country != "VN":
            counts[country] = counts.get(country, 0) + 1
    return max(sorted(counts), key=lambda c: counts[c]) if counts else None


def _date_rows(dates) -> list[dict]:
    return [{
        "text": d.text, "value": d.value.value, "grain": d.value.grain,
        "year_unresolved": d.value.year_unresolved, "month": d.value.month, "day": d.value.day,
        "part_of_day": d.value.part_of_day, "qualifier": d.value.qualifier,
        "char_start": d.start, "char_end": d.end, "evidence": d.text, "rule_id": d.rule_id,
    } for d in dates]


def _event_date(event: dict, sentence_dates: dict[int, list], lead_date):
    """The date of an event: a day or month in its sentence, else the dateline of the lead."""
    own = [d for d in sentence_dates.get(event["_sentence"], []) if d.value.grain in ("day", "month")]
    return own[0] if own else lead_date


def extract_article(article: dict, words: list[Word], rules: CompiledRules) -> dict[str, list[dict]]:
    """All rows for one article; every row's evidence is body[char_start:char_end]."""
    body = article["body"]
    published = article.get("published_at")
    reference = published.date() if published is not None else None
    sdoc = syllable_doc(body, words)
    matches = rules.lexicon.find(sdoc)
    sentences = sentences_of(sdoc, matches)
    dates = find_dates(body, reference, rules.rules_dir)

    sentence_start_chars = [(s, *_char_span(sdoc, s.start, s.end)) for s in sentences if s.end > s.start]
    sentence_dates: dict[int, list] = {}
    for d in dates:
        for s, c0, c1 in sentence_start_chars:
            if c0 <= d.start < c1:
                sentence_dates.setdefault(s.index, []).append(d)
                break
    lead_end = body.find("\n") if "\n" in body else len(body)
    lead_date = next((d for d in dates if d.end <= lead_end and d.value.grain == "day"), None)

    events, official_mentions, agreements = [], [], []
    for sent in sentences:
        if sent.end - sent.start < 2:
            continue
        events.extend(aid_events_in_sentence(sdoc, sent, rules))
        official_mentions.extend(OfficialParser(sdoc, sent, rules).mentions())
        agreements.extend(agreements_in_sentence(sdoc, sent, dates, rules))
    reconcile_totals(events)
    events = merge_repeated_events(events)
    for e in events:
        when = _event_date(e, sentence_dates, lead_date)
        e["event_date"] = when.value.value if when else None
        e["event_month"] = when.value.month if when else None
        e["event_day"] = when.value.day if when else None
        del e["_sentence"]
    officials = officials_of_article(official_mentions, body, _main_foreign_country(matches.get("PLACE", [])),
                                     rules)
    mentions = _mention_rows(matches, dates, official_mentions)
    aid_id = article["article_id"]
    for n, e in enumerate(events):
        e["event_id"] = f"{aid_id}-aid-{n:03d}"
    tables = {"aid_events": events, "officials": officials, "agreements": merge_repeated_agreements(agreements),
              "dates": _date_rows(dates), "mentions": mentions}
    for rows in tables.values():
        for r in rows:
            r["article_id"] = aid_id
    return tables


MENTION_LABELS = ("PLACE", "TITLE", "ITEM", "GIVE", "RECEIVE", "AGREEMENT_KIND")


def _mention_rows(matches, dates, official_mentions) -> list[dict]:
    rows = []
    for label in MENTION_LABELS:
        for m in matches.get(label, []):
            rows.append({"label": label, "text": m.text, "normalized": m.phrase.normalized,
                         "char_start": m.char_start, "char_end": m.char_end, "rule_id": m.phrase.rule_id})
    for d in dates:
        rows.append({"label": "DATE", "text": d.text, "normalized": d.value.value or "",
                     "char_start": d.start, "char_end": d.end, "rule_id": d.rule_id})
    for m in official_mentions:
        rows.append({"label": "PERSON", "text": m["evidence"], "normalized": m["name"],
                     "char_start": m["char_start"], "char_end": m["char_end"], "rule_id": m["rule_id"]})
    rows.sort(key=lambda r: (r["char_start"], r["char_end"], r["label"]))
    for r in rows:
        r["evidence"] = r["text"]
    return rows


def resolve_entity(text: str, rules_dir: Path = RULES_DIR) -> dict | None:
    """The canonical entity a whole phrase names (an alias lookup), or None."""
    sdoc = phrase_doc(text)
    places = compile_rules(rules_dir).lexicon.find(sdoc).get("PLACE", [])
    whole = [p for p in places if p.start == 0 and p.end == len(sdoc.doc)]
    if not whole:
        return None
    return {"canonical": whole[0].phrase.normalized, **dict(whole[0].phrase.data)}


def extract_text(text: str, published_at=None, rules_dir: Path = RULES_DIR) -> dict[str, list[dict]]:
    """Extract from a plain text (one article body), tokenizing it first: used by the rule examples."""
    article = {"article_id": "example", "body": text, "published_at": published_at}
    return extract_article(article, tokenize_body(text), compile_rules(rules_dir))
