"""Agreements signed: their kind, title, parties, date, place and period."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from ..lexicon import CompiledRules, Match, SyllableDoc
from ..numbers import parse_number
from .money import _with_leading_qualifier
from .patterns import SentenceUnits, compiled_patterns, match_sentence
from .entities import Party, acts_for_a_state, country_names, person_shaped
from .records import SignedDocument, TokenSpan, in_text_order, roles_of
from .sentence import MAX_NUMBER_TOKENS, SENTENCE_PUNCT, Sentence, char_span, tok_at, whole_words

def _parties(sent: Sentence, exclude_after: list[Match], upto: int | None = None) -> list[Match]:
    places = sent.of("PLACE")
    at_places = {p.start for p in places if any(a.end == p.start for a in sent.of("AT"))}
    examples = []
    for marker in exclude_after:
        stop = next((v.start for v in sent.of("SIGN") if v.start >= marker.end), sent.end)
        examples.extend(p.start for p in places if marker.end <= p.start < stop)
    main = [p for p in places if p.start not in at_places and p.start not in examples]
    if len(_unique_place_names(main)) < 2:
        main = [p for p in places if p.start not in examples]
    return main


def _unique_place_names(places: list[Match]) -> list[str]:
    return list(dict.fromkeys(p.phrase.normalized for p in places))


def _specific_parties(parties: list[Match]) -> list[str]:
    """Drop a country when a city or province of it is a party too."""
    names = _unique_place_names(parties)
    kinds = {p.phrase.normalized: (p.phrase.get("kind"), p.phrase.get("country")) for p in parties}
    specific_countries = {c for n, (k, c) in kinds.items() if k != "country"}
    return [n for n in names if not (kinds[n][0] == "country" and kinds[n][1] in specific_countries)]


def agreements_in_sentence(sdoc: SyllableDoc, sent: Sentence, dates: list, rules: CompiledRules,
                           found: list | None = None) -> list[SignedDocument]:
    """Documents signed in one sentence; ``found`` are the parties the shape finder saw in it. A document is signed
    when a named pattern binds it with a signing verb (or a signed count lists it); the first pattern that binds it
    with two or more parties names them."""
    if not sent.of("SIGN"):
        return []
    signing = _signings_by_document(sdoc, sent, rules, found or [])
    named_kinds = sent.of("AGREEMENT_KIND")
    # "ký kết hợp tác": what is signed with no document noun, where a pattern binds it as the document
    unnamed = [m for m in sent.of("UNNAMED_KIND") if m.start in signing.signed
               and not any(k.start < m.end and m.start < k.end for k in named_kinds)]
    kinds = sorted(named_kinds + unnamed, key=lambda m: m.start)
    definite = {str(q) for q in rules.merged_list("agreement", "definite_quantifiers")}
    sent_c0, sent_c1 = char_span(sdoc, sent.start, sent.end)
    sent_dates = [d for d in dates if sent_c0 <= d.start and d.end <= sent_c1]
    examples = sent.of("EXAMPLE")
    rows, used = [], set()
    listed_from = None  # "đã ký kết 5 văn kiện hợp tác, bao gồm: Hiệp định …; Thỏa thuận …"
    lister = None  # the row of the count that introduces the list
    list_rule = None  # the pattern that signs the count: the documents it lists are signed by it
    for kind in kinds:
        if kind.start in used:
            continue
        in_list = listed_from is not None and kind.start >= listed_from
        signed_by = signing.signed.get(kind.start)
        if signed_by is None and not in_list:
            continue
        number = _number_before(sdoc, sent, kind, rules)
        quantifier = next((q for q in sent.of("QUANTIFIER") if q.end == kind.start), None)
        if number is None and quantifier is not None and not in_list:
            number = (quantifier.start, None, None)  # "ký kết một số thỏa thuận hợp tác": an aggregate, uncounted
        by_pattern = signing.parties.get(kind.start)
        # the pattern that names the parties, else the one that signs the document, else the one that signs the
        # count whose list holds it
        rule_id = next((m.pattern.id for m in (by_pattern, signed_by) if m is not None), list_rule)
        if listed_from is None:
            listed_from = next((m.end for m in sent.of("LIST_INTRO") if m.start >= kind.end), None)
            lister = len(rows) if listed_from is not None and number is not None else None
            list_rule = rule_id if listed_from is not None else None
        verb = next((m.one("verb") for m in (by_pattern, signed_by) if m is not None and m.one("verb")), None)
        if number is not None:
            joiners = {str(j).casefold() for j in rules.merged_list("agreement", "kind_list_joiners")}
            count_start, count, qualifier = number
            group, k = [kind], kind.end
            while True:
                nxt = next((m for m in kinds if m.start in (k, k + 1, k + 2)
                            and all(sdoc.texts[t].casefold() in joiners or sdoc.spaces[t]
                                    for t in range(k, m.start))), None)
                if nxt is None:
                    break
                group.append(nxt)
                k = nxt.end
            used.update(m.start for m in group)
            since = next((d for d in sent_dates if d.value.grain == "year"
                          and any(s.end <= tok_at(sdoc, d.start) for s in sent.of("SINCE"))), None)
            c0, c1 = char_span(sdoc, count_start, group[-1].end)
            parties, party_units = _parties_of(by_pattern, signing, sent, examples, found or [], rules)
            rows.append(_agreement_row(
                kind=group[0].phrase.normalized, kinds=list(dict.fromkeys(m.phrase.normalized for m in group)),
                title=None, parties=parties, signed=None,
                place=None, count=int(count) if count is not None else None, count_qualifier=qualifier,
                since=since.value.value if since else None, valid=None,
                c0=c0, c1=c1, text=sdoc.text, rule_id=rule_id))
            rows[-1].definite = quantifier is not None and quantifier.phrase.normalized in definite
            rows[-1].row["roles"] = _agreement_roles(sdoc, sent, (count_start, group[-1].end), party_units, None, verb)
            continue
        used.add(kind.start)
        title_end = _title_end(sdoc, sent, kind)
        c0, c1 = char_span(sdoc, kind.start, title_end)
        is_unnamed = kind.label == "UNNAMED_KIND"
        if is_unnamed and verb is not None:  # the evidence holds the verb that makes "hợp tác" a document
            c0 = char_span(sdoc, verb.start, kind.end)[0]
        period = next((d for d in sent_dates if d.value.grain == "period" and d.start >= c0), None)
        signed = next((d for d in sent_dates if d.value.grain in ("day", "month", "year")), None)
        at_place = next((p for p in sent.of("PLACE") if any(a.end == p.start for a in sent.of("AT"))), None)
        parties, party_units = _parties_of(by_pattern, signing, sent, examples, found or [], rules,
                                           (kind.start, title_end))
        rows.append(_agreement_row(
            kind=kind.phrase.normalized, kinds=[kind.phrase.normalized], title=None if is_unnamed else sdoc.text[c0:c1],
            parties=parties, signed=signed, place=at_place.phrase.normalized if at_place else None, count=None,
            count_qualifier=None, since=None, valid=period, c0=c0, c1=c1, text=sdoc.text,
            rule_id=rule_id))
        rows[-1].unnamed = is_unnamed
        rows[-1].row["roles"] = _agreement_roles(sdoc, sent, (kind.start, title_end), party_units, signed, verb)
    if lister is not None and (rows[lister].row["count"] is None or
                               len(rows) - lister - 1 >= rows[lister].row["count"]):
        del rows[lister]  # every document the count announces is listed: the list says it all
    return rows


@dataclass
class Signings:
    """What the named patterns say of a sentence's documents, by the token where each starts."""

    signed: dict  # the first match that binds the document with a signing verb
    parties: dict  # the first match that binds it with two or more parties
    heads: dict  # a party a describing pattern read over more words -> the party itself (its words name it)


def _signings_by_document(sdoc, sent, rules: CompiledRules, found: list) -> Signings:
    """Run the named patterns: first those that bind no document (they describe one party over more words), then
    the others over the sentence's parties with those described ones."""
    patterns = tuple(p for p in compiled_patterns(rules, "agreement") if sent.holds(p.required_labels()))
    describing = tuple(p for p in patterns if not any(el.role == "document" or el.value == "document"
                                                       for el in p.all_elements()))
    signing = tuple(p for p in patterns if p not in describing)
    units = _touching_joined(sdoc, sent, found)
    heads: dict = {}
    described = []
    for match in match_sentence(SentenceUnits(sdoc, sent, units, []), describing):
        head = match.all("party")[0]
        whole = replace(head, end=match.end, text=sdoc.span_text(head.start, match.end))
        if not any(d.start == whole.start and d.end >= whole.end for d in described):
            described.append(whole)
            heads[(whole.start, whole.end)] = head
    units = sorted(described, key=lambda u: -u.end) + units  # the longest reading of a party first
    result = Signings({}, {}, heads)
    for match in match_sentence(SentenceUnits(sdoc, sent, units, []), signing):
        document = match.one("document")
        if document is None:
            continue
        if match.one("verb") is not None:
            result.signed.setdefault(document.start, match)
        if len({p.name for p in match.all("party")}) >= 2:
            result.parties.setdefault(document.start, match)
    return result


def _touching_joined(sdoc, sent, found: list) -> list:
    """The sentence's parties, those that touch joined into one ("Học viện Chính trị Quốc gia" + "Hồ Chí Minh"),
    named by their words: what touches a name goes on with it while the name so far names no country or what
    follows is a listed name; a name that a place ended is whole (a person after it represents it)."""
    by_start = {p.start: p for p in found if sent.start <= p.start and p.end <= sent.end}
    inside: set[int] = set()
    out = []
    for start in sorted(by_start):
        if start in inside:
            continue
        party, end = by_start[start], by_start[start].end
        last = party
        while end in by_start and (by_start[end].source == "list" or last.country is None):
            last = by_start[end]
            inside.add(end)
            end = last.end
        if end != party.end:
            text = sdoc.text[sdoc.token_starts[start]:sdoc.token_ends[end - 1]]
            party = replace(party, end=end, text=text, name=text)
        out.append(party)
    return out


def _parties_of(match, signing: Signings, sent, examples, found, rules: CompiledRules,
                title: tuple[int, int] | None = None):
    """The parties' names and the units their roles are read from: those the pattern bound (a described party by
    its own words), else the places of the sentence (outside the document's title)."""
    if match is not None:
        units = []
        for p in match.all("party"):
            units.append(signing.heads.get((p.start, p.end), p))
        units = _without_representatives(units, sent)
        names = list(dict.fromkeys(u.name for u in units))
        return names, [next(u for u in units if u.name == n) for n in names]
    places = [p for p in _parties(sent, examples) if (title is None or not title[0] <= p.start < title[1])
              and not _inside_a_persons_name(p, found)]
    names = _specific_parties(places)
    # a place at the end of a company's or a society's name ("Doanh nghiệp Đức", "doanh nghiệp CHLB Đức") names
    # that body, not the state; an organ of the state ("Thành ủy Hà Nội") signs for its place
    private = set(rules.merged_list("entity_shape", "private_kinds"))
    holder = {p.phrase.normalized: party.name for p in places for party in found
              if party.source == "head" and party.kind in private and party.start < p.start and p.end <= party.end}
    names = list(dict.fromkeys(holder.get(n, n) for n in names))
    return names, [_unit_named(n, found, sent, title) for n in names]


def _inside_a_persons_name(place: Match, found: list) -> bool:
    """"Bộ trưởng Trần Tuấn Anh": a place's name that ends a person's name ("Anh") is that person's, not a side."""
    return any(q.start <= place.start and place.end <= q.end and q.end - q.start > place.end - place.start
               and (q.kind == "person" or person_shaped(q)) for q in found)


def _without_representatives(units: list, sent) -> list:
    """"Nguyễn Vũ Quốc Huy, Hiệu trưởng Trường Đại học Y-Dược Huế và …": a person whose title, after a comma,
    names the organisation bound next signs for it; the organisation is the party."""
    titles = sent.of("TITLE")
    commas = {m.start for m in sent.of("COMMA")}
    out = []
    for k, unit in enumerate(units):
        after = units[k + 1] if k + 1 < len(units) else None
        if after is not None and person_shaped(unit) and after.kind is not None \
                and unit.end in commas and any(t.start == unit.end + 1 and t.end <= after.start for t in titles):
            continue
        out.append(unit)
    return out


def _unit_named(name: str, found: list, sent, title: tuple[int, int] | None):
    """The first party or place of that name, outside the document's title first."""
    span = title or (0, 0)
    candidates = sorted(list(found) + sent.of("PLACE"), key=lambda u: (span[0] <= u.start < span[1], u.start))
    return next((u for u in candidates if getattr(u, "name", None) == name
                 or (hasattr(u, "phrase") and u.phrase.normalized == name)), None)


def _number_before(sdoc, sent, kind: Match, rules) -> tuple[int, Decimal, str | None] | None:
    for back in range(1, MAX_NUMBER_TOKENS):
        start = kind.start - back
        if start < sent.start:
            break
        if sdoc.spaces[kind.start - 1] and back == 1:
            continue
        text = sdoc.span_text(start, kind.start).strip()
        value = parse_number(text, rules)
        if value is not None and value == value.to_integral_value() and not _looks_like_a_year(text, value):
            q_start, qualifier = _with_leading_qualifier(sdoc, sent, start, kind.start, rules)
            return q_start, value, qualifier
    return None


def _looks_like_a_year(text: str, value: Decimal) -> bool:
    """"2020 Hiệp ước": four digits between 1900 and 2100 date the document, they do not count it."""
    digits = text.lstrip("-–")
    return digits.isdigit() and len(digits) == 4 and 1900 <= abs(value) <= 2100


def _title_end(sdoc, sent, kind: Match) -> int:
    stops = {m.start for m in sent.of("TITLE_STOP")}
    end = kind.end
    while end < sent.end:
        if sdoc.texts[end] in SENTENCE_PUNCT or end in stops:
            break
        end += 1
    while end > kind.end and sdoc.spaces[end - 1]:
        end -= 1
    return end


def _agreement_roles(sdoc, sent, document: tuple[int, int], party_units: list, signed,
                     verb: Match | None = None) -> list[dict]:
    """The document's words, each party's (the unit it was read from), the signing verb (the one a pattern bound,
    else the one nearest the document) and the date of signing."""
    units = [("document", TokenSpan(*document))] + [("party", u) for u in party_units]
    verb = verb or min(sent.of("SIGN"), key=lambda v: abs(v.start - document[0]), default=None)
    units.append(("verb", verb))
    roles = roles_of(sdoc, units)
    if signed is not None:
        roles.append({"role": "date", "text": sdoc.text[signed.start:signed.end], "char_start": signed.start,
                      "char_end": signed.end})
        roles.sort(key=in_text_order)
    return roles


def _agreement_row(*, kind, kinds, title, parties, signed, place, count, count_qualifier, since, valid,
                   c0, c1, text, rule_id) -> SignedDocument:
    return SignedDocument({
        "kind": kind, "kinds": kinds, "title": title, "parties": parties,
        "signed": signed.value.value if signed else None,
        "signed_grain": signed.value.grain if signed else None,
        "valid_from": valid.value.start if valid else None,
        "valid_to": valid.value.end if valid else None,
        "place": place, "count": count, "count_qualifier": count_qualifier, "since": since,
        "char_start": c0, "char_end": c1, "evidence": text[c0:c1], "rule_id": rule_id,
    })


def merge_repeated_agreements(documents: list[SignedDocument], kind_words: frozenset[str]) -> list[dict]:
    """The same document named twice (a caption and a paragraph) is one row; a title that is only a kind
    ("biên bản ghi nhớ") names no particular document, so such rows are kept apart."""
    kept: dict[tuple, dict] = {}
    rows = [d.row for d in documents]
    named_kinds = {k for r in rows if r["title"] for k in r["kinds"]}
    counted_kinds = {k for r in rows if r["count"] is not None for k in r["kinds"]}
    titles = {r["title"].casefold() for r in rows if r["title"] and r["title"].casefold() not in kind_words}
    for document in documents:
        r, unnamed = document.as_row(), document.unnamed
        if document.definite and (named_kinds or counted_kinds):
            continue  # "chứng kiến lễ trao các văn kiện hợp tác": the documents the article names or counts
        title = (r["title"] or "").casefold()
        generic = title in kind_words or unnamed
        if title in kind_words and r["title"][:1].isupper() and any(t.startswith(title + " ") for t in titles):
            continue  # "ký kết Hiệp định với China Eximbank": the "Hiệp định vay ưu đãi …" the article names

        # a document named only by its kind is told apart by its parties: the same parties, the same document
        # (a page that repeats a paragraph names it twice)
        key = (r["kind"], title, r["count"], tuple(r["parties"]) if generic else None)
        if title and len(r["parties"]) >= 2 and any(
                k["kind"] == r["kind"] and set(k["parties"]) == set(r["parties"]) and k["title"]
                and _same_title(k["title"].casefold(), title) for k in kept.values()):
            continue  # the same parties sign "chương trình phối hợp" and, in a caption, "chương trình phối hợp công tác"
        if key not in kept:
            kept[key] = r
    return list(kept.values())


def _same_title(a: str, b: str) -> bool:
    """One title is the other, or the other with more words after it."""
    return a == b or a.startswith(b + " ") or b.startswith(a + " ")


@lru_cache(maxsize=8)
def kind_words(rules: CompiledRules) -> frozenset[str]:
    """Every phrase that names an agreement kind, folded: a title that is only one names no document."""
    return frozenset(str(t).casefold() for _, t in rules.merged_map("agreement", "kinds"))


SIDES_TO_VERB = 4  # tokens between "hai bên" and its signing verb ("hai bên đã chính thức ký")
SIDES_SENTENCES = 3  # sentences before "hai bên" where the two sides may be named


def signed_by_both_sides(documents: list[SignedDocument], sdoc: SyllableDoc, sent: Sentence,
                         recent: list[Party], rules: CompiledRules, earlier: list[Party] = ()) -> None:
    """"Sau hội đàm, hai bên đã ký …": the documents "the two sides" sign (those after the marker and its
    signing verb) are signed by the last two parties (no persons) named before the marker, in this sentence and
    the few before it (``recent``, in text order), besides any party the document names itself; each side's role
    is its words there. A place where the sides met ("hội đàm tại Hà Nội") is no side. When those sentences name
    only one side, the article's earlier sentences (``earlier``) may name the other."""
    verbs = sorted(sent.of("SIGN"), key=lambda v: v.start)
    marker, verb = next(((m, v) for m in sent.of("BOTH_SIDES") for v in verbs if 0 <= v.start - m.end <= SIDES_TO_VERB),
                        (None, None))
    if marker is not None:
        # the documents this verb governs: up to the next signing verb ("…; sau đó Bộ Y tế ký …")
        after = sdoc.token_starts[marker.end]
        before = next((sdoc.token_starts[v.start] for v in verbs if v.start > verb.end), len(sdoc.text))
    else:
        marker, verb = _signed_on_a_visit(sent, verbs)
        if marker is None:
            return
        # "… Hiệp định … được ký kết nhân chuyến thăm": the documents before the passive, after any signing before
        after = max((sdoc.token_ends[v.end - 1] for v in verbs if v.end <= marker.start),
                    default=sdoc.token_starts[sent.start])
        before = sdoc.token_starts[marker.start]
    signed = [d for d in documents if after <= d.row["char_start"] < before and len(d.parties) < 2]
    businesses = next((h for h in sent.of("LOWERCASE_ORG_HEAD") if h.end == marker.start), None)
    if businesses is not None:
        # "doanh nghiệp hai nước đã ký kết …": the businesses of the two sides sign, as one party
        text = sdoc.text[sdoc.token_starts[businesses.start]:sdoc.token_ends[marker.end - 1]]
        _signed_also_by(signed, sdoc, [Party(businesses.start, marker.end, text, text,
                                             businesses.phrase.normalized, None, "phrase")])
        return
    where = meeting_place_words(rules)

    def named(parties) -> list[Party]:
        sides: dict[str, Party] = {}
        for party in parties:
            if party.end <= marker.start and party.kind not in (None, "person") \
                    and not (party.start > 0 and sdoc.texts[party.start - 1].casefold() in where):
                sides.pop(party.name, None)
                sides[party.name] = party  # the latest mention of each name last
        return list(sides.values())
    two = _two_sides(named(recent)) or _two_sides(named(earlier))
    if not signed or not two:
        return
    _signed_also_by(signed, sdoc, two)


def sign_for_their_state(documents: list[SignedDocument], officials: list[dict], body: str,
                         sentence_starts: list[int], rules: CompiledRules) -> None:
    """A head of state or government, or a foreign minister, who signs, signs for the state they serve: "Một tuần
    sau, ông Vương Nghị bay đến Iran và ký một thỏa thuận hợp tác" is signed by China, when the article titles
    him with it ("Ngoại trưởng Trung Quốc Vương Nghị"). For a document that names fewer than two parties, the
    state of such a person named before it in its sentence is a party, the person's words its role
    (``party_official``); the person's own state already a party adds nothing, and one who only speaks of the
    signing ("Theo Ngoại trưởng Mỹ …", "ông Blinken cho biết Iran đã ký …") or witnesses it ("… chứng kiến lễ ký
    kết …") signs nothing."""
    names = country_names(rules)
    signers = [o for o in officials if o.get("country") in names and acts_for_a_state(o.get("titles") or (), rules)]
    if not signers:
        return
    for document in documents:
        if len(document.parties) >= 2:
            continue
        end = document.row["char_start"]
        start = max((s for s in sentence_starts if s <= end), default=0)
        found = _official_named_in(body, start, end, signers)
        if found is None:
            continue
        official, (a, b) = found
        if _speaks_of(body, start, a, b, end, rules):
            continue
        state = names[official["country"]]
        if state in document.parties:
            continue
        document.row["parties"] = [state] + document.parties
        document.row["roles"] = sorted(document.row["roles"] + [{"role": "party_official", "text": body[a:b],
                                                                 "char_start": a, "char_end": b}],
                                       key=in_text_order)


def _official_named_in(body: str, start: int, end: int, officials: list[dict]):
    """The last of ``officials`` named by their full name, as whole words, in body[start:end], with where; None
    when none is."""
    best = None
    for official in officials:
        found = [m.span() for m in whole_words(str(official["name"])).finditer(body, start, end)]
        if found and (best is None or found[-1][0] > best[1][0]):
            best = (official, found[-1])
    return best


def _speaks_of(body: str, start: int, a: int, b: int, end: int, rules: CompiledRules) -> bool:
    """The person at body[a:b] reports or witnesses the signing: "theo" stands right before their titles, or a
    verb of speech (the aid rules' ``speech_verbs``) or of witnessing (``witness_verbs``) stands between them and
    the document."""
    before, between = body[start:a].casefold(), body[b:end].casefold()
    if " theo " in f" {before[-40:]}":
        return True
    verbs = rules.merged_list("aid", "speech_verbs") + rules.merged_list("agreement", "witness_verbs")
    return any(whole_words(str(v).casefold()).search(between) for v in verbs)


def _two_sides(named: list[Party]) -> list[Party]:
    """The last party named and the last one before it that is another side: a state and an organ of the same
    state ("Bộ Ngoại giao Tây Ban Nha", "Tây Ban Nha") are one side. [] when there are not two."""
    if not named:
        return []
    last = named[-1]
    other = next((p for p in reversed(named[:-1])
                  if not (p.country and p.country == last.country and "country" in (p.kind, last.kind))), None)
    return [other, last] if other is not None else []


def _signed_on_a_visit(sent: Sentence, verbs: list[Match]) -> tuple[Match | None, Match | None]:
    """"… được ký kết nhân chuyến thăm": (the passive marker before the signing verb, the verb) when a visit's
    occasion follows the verb closely; the documents before the marker are the ones signed."""
    for verb in verbs:
        passive = next((p for p in sent.of("PASSIVE") if p.end == verb.start), None)
        if passive is not None and any(0 <= o.start - verb.end <= SIDES_TO_VERB for o in sent.of("VISIT_OCCASION")):
            return passive, verb
    return None, None


@lru_cache(maxsize=8)
def meeting_place_words(rules: CompiledRules) -> frozenset[str]:
    """The prepositions before the place where the sides met ("hội đàm tại Hà Nội"), folded."""
    return frozenset(str(w).casefold() for w in rules.merged_list("agreement", "meeting_place_markers"))


def _signed_also_by(documents: list[SignedDocument], sdoc: SyllableDoc, parties: list[Party]) -> None:
    """These parties sign each document first, beside any it names itself; each one's role is its words."""
    for document in documents:
        document.row["parties"] = list(dict.fromkeys([p.name for p in parties] + document.parties))
        document.row["roles"] = sorted(document.row["roles"] + roles_of(sdoc, [("party", p) for p in parties]),
                                       key=in_text_order)
