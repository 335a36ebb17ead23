"""Agreements signed: their kind, title, parties, date, place and period."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from ..lexicon import CompiledRules, Match, SyllableDoc
from ..numbers import parse_number
from .money import _with_leading_qualifier
from .patterns import SentenceUnits, compiled_patterns, match_sentence
from .records import SignedDocument, TokenSpan, roles_of
from .sentence import MAX_NUMBER_TOKENS, SENTENCE_PUNCT, Sentence, char_span, tok_at

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
    """Documents signed in one sentence; ``found`` are the parties the shape finder saw in it."""
    if not sent.of("SIGN"):
        return []
    doc, rule_base = sdoc.doc, rules.first("agreement")["id"]
    named_kinds = sent.of("AGREEMENT_KIND")
    signing_ends = {v.end for v in sent.of("SIGN")}
    unnamed = [m for m in sent.of("UNNAMED_KIND") if m.start in signing_ends
               and not any(k.start < m.end and m.start < k.end for k in named_kinds)]
    kinds = sorted(named_kinds + unnamed, key=lambda m: m.start)
    definite = {str(q) for q in rules.merged_list("agreement", "definite_quantifiers")}
    sent_c0, sent_c1 = char_span(sdoc, sent.start, sent.end)
    sent_dates = [d for d in dates if sent_c0 <= d.start and d.end <= sent_c1]
    examples = sent.of("EXAMPLE")
    signing_patterns = _signings_by_document(sdoc, sent, rules, found or [])
    rows, used = [], set()
    listed_from = None  # "đã ký kết 5 văn kiện hợp tác, bao gồm: Hiệp định …; Thỏa thuận …"
    lister = None  # the row of the count that introduces the list
    for kind in kinds:
        if kind.start in used:
            continue
        number = _number_before(sdoc, sent, kind, rules)
        start = number[0] if number else kind.start
        signed_doc = (_is_signed(sdoc, sent, start, kind.end) and not _is_blocked(sdoc, sent, start))
        in_list = listed_from is not None and kind.start >= listed_from
        signed_doc = signed_doc or in_list
        if not signed_doc:
            continue
        if listed_from is None:
            listed_from = next((m.end for m in sent.of("LIST_INTRO") if m.start >= kind.end), None)
            lister = len(rows) if listed_from is not None and number is not None else None
        quantifier = next((q for q in sent.of("QUANTIFIER") if q.end == kind.start), None)
        if number is None and quantifier is not None and not in_list:
            number = (quantifier.start, None, None)  # "ký kết một số thỏa thuận hợp tác": an aggregate, uncounted
        if number is not None:
            joiners = {str(j).casefold() for j in rules.merged_list("agreement", "kind_list_joiners")}
            count_start, count, qualifier = number
            group, k = [kind], kind.end
            while True:
                nxt = next((m for m in kinds if m.start in (k, k + 1, k + 2)
                            and all(doc[t].text.casefold() in joiners or doc[t].is_space
                                    for t in range(k, m.start))), None)
                if nxt is None:
                    break
                group.append(nxt)
                k = nxt.end
            used.update(m.start for m in group)
            since = next((d for d in sent_dates if d.value.grain == "year"
                          and any(s.end <= tok_at(sdoc, d.start) for s in sent.of("SINCE"))), None)
            c0, c1 = char_span(sdoc, count_start, group[-1].end)
            rows.append(_agreement_row(
                kind=group[0].phrase.normalized, kinds=list(dict.fromkeys(m.phrase.normalized for m in group)),
                title=None, parties=_specific_parties(_parties(sent, examples)), signed=None,
                place=None, count=int(count) if count is not None else None, count_qualifier=qualifier,
                since=since.value.value if since else None, valid=None,
                c0=c0, c1=c1, text=sdoc.text, rule_id=f"{rule_base}:aggregate"))
            rows[-1].definite = quantifier is not None and quantifier.phrase.normalized in definite
            rows[-1].row["roles"] = _agreement_roles(sdoc, sent, (count_start, group[-1].end), rows[-1].parties,
                                                     found or [], None)
            continue
        used.add(kind.start)
        title_end = _title_end(sdoc, sent, kind)
        c0, c1 = char_span(sdoc, kind.start, title_end)
        unnamed = kind.label == "UNNAMED_KIND"
        if unnamed:  # the evidence holds the verb that makes "hợp tác" a document: "ký kết hợp tác"
            c0 = char_span(sdoc, next(v.start for v in sent.of("SIGN") if v.end == kind.start), kind.end)[0]
        named = _signing_parties(sdoc, sent, kind, title_end, found or [])
        by_pattern = signing_patterns.get(kind.start)
        if by_pattern is not None:
            signers = list(dict.fromkeys(p.name for p in by_pattern.all("party")))
            if len(set(named)) < 2 or set(named) == set(signers):
                named = signers  # the construction names them, where the grammar finds fewer or the same
            else:
                by_pattern = None
        period = next((d for d in sent_dates if d.value.grain == "period" and d.start >= c0), None)
        signed = next((d for d in sent_dates if d.value.grain in ("day", "month", "year")), None)
        at_place = next((p for p in sent.of("PLACE") if any(a.end == p.start for a in sent.of("AT"))), None)
        rows.append(_agreement_row(
            kind=kind.phrase.normalized, kinds=[kind.phrase.normalized], title=None if unnamed else sdoc.text[c0:c1],
            parties=named or _specific_parties([p for p in _parties(sent, examples)
                                                if not kind.start <= p.start < title_end]),
            signed=signed, place=at_place.phrase.normalized if at_place else None, count=None,
            count_qualifier=None, since=None, valid=period, c0=c0, c1=c1, text=sdoc.text,
            rule_id=by_pattern.pattern.id if by_pattern else f"{rule_base}:{'unnamed' if unnamed else 'signed'}"))
        rows[-1].unnamed = unnamed
        rows[-1].row["roles"] = _agreement_roles(sdoc, sent, (kind.start, title_end), rows[-1].parties, found or [],
                                                 signed, by_pattern.one("verb") if by_pattern else None)
    if lister is not None and rows[lister].row["count"] is not None and \
            len(rows) - lister - 1 >= rows[lister].row["count"]:
        del rows[lister]  # every document the count announces is listed: the list says it all
    return rows


def _signings_by_document(sdoc, sent, rules: CompiledRules, found: list) -> dict:
    """The first named signing pattern (in file order) that binds a document and two or more parties, by the
    token where the document starts: its parties are the signing's."""
    by_document = {}
    patterns = tuple(p for p in compiled_patterns(rules, "agreement")
                     if sent.holds(p.required_labels()))
    for match in match_sentence(SentenceUnits(sdoc, sent, found, []), patterns):
        document = match.one("document")
        if document is not None and len({p.name for p in match.all("party")}) >= 2:
            by_document.setdefault(document.start, match)
    return by_document


def _signing_parties(sdoc, sent, kind: Match, title_end: int, found: list) -> list[str]:
    """The parties a signing names by its grammar: "… giữa A và B" after the document, else the subject right
    before the verb ("A và B đã ký …") with the one after "với" ("A ký biên bản ghi nhớ với B"). Empty when the
    sentence says neither; then the places of the sentence stand in."""
    doc = sdoc.doc
    by_start = {p.start: p for p in found}
    joiners = {m.start: m.end for m in sent.of("PARTY_JOINER")}
    # "đại diện VNPT cùng đại diện Báo Dân trí đã ký …", "với lãnh đạo Công ty …": who stands for a party
    representatives = {m.start: m.end for m in sent.of("REPRESENTATIVE")}

    def run_from(k: int) -> list[str]:
        """Names of the parties from token k on, joined by "và" or a comma; parties that touch are one
        ("Học viện Chính trị Quốc gia" + "Hồ Chí Minh")."""
        out: list[str] = []
        while k < sent.end and k in by_start:
            party = by_start[k]
            out.append(party.name)
            while party.end in by_start and (by_start[party.end].source == "list" or party.country is None):
                # what touches a name goes on with it ("Học viện Chính trị Quốc gia" + "Hồ Chí Minh"), but a name
                # that a place ended is whole: a person after it represents it ("UBND tỉnh Hà Tĩnh Đặng Quốc Khánh")
                nxt = by_start[party.end]
                out[-1] = sdoc.text[doc[by_start[k].start].idx:doc[nxt.end - 1].idx + len(doc[nxt.end - 1])]
                party = nxt
            k = joiners.get(party.end, party.end)
            if k == party.end or (doc[party.end].text == "," and not _closed_by_and(party.end)):
                break
            k = representatives.get(k, k)
        return out

    def _closed_by_and(comma: int) -> bool:
        """"A, B và C": a comma joins parties only when a "và" ends the list before the clause ends."""
        for t in range(comma + 1, sent.end):
            if doc[t].text in SENTENCE_PUNCT and doc[t].text != ",":
                return False
            if t in joiners and doc[t].text != ",":
                return True
        return False

    # "Thỏa thuận về tăng cường hợp tác trong tình hình mới giữa A và B": the parties may follow the title's end,
    # up to the next document the sentence names
    next_kind = min((m.start for m in sent.of("AGREEMENT_KIND") if m.start >= kind.end), default=sent.end)
    clause_end = min((k for k in range(kind.end, next_kind) if doc[k].text == ";"), default=next_kind)
    for marker in sent.of("BETWEEN"):
        if kind.end <= marker.start < clause_end:
            between = run_from(marker.end)
            if len(between) >= 2:
                return list(dict.fromkeys(between))
    verb = next((v for v in sorted(sent.of("SIGN"), key=lambda v: -v.start) if v.end <= kind.start), None)
    if verb is None:
        return []
    k = verb.start
    adverbs = {m.end: m.start for m in sent.of("SIGN_SUBJECT_ADVERB")}
    while k in adverbs:
        k = adverbs[k]
    ends = {p.end: p for p in found}
    first = None
    representative_at = {m.end: m.start for m in sent.of("REPRESENTATIVE")}
    while k in ends:  # back over "A và B" (and parties that touch, and who represents them) to the first subject
        first = ends[k]
        before = representative_at.get(first.start, first.start)
        back = next((m for m in sent.of("PARTY_JOINER") if m.end == before), None)
        k = back.start if back is not None else first.start
        if back is None and k not in ends:
            break
    if first is None:
        return []
    subjects = run_from(first.start)
    # "… ký biên bản ghi nhớ nhằm thảo luận … với Công ty eab Năng lượng mới GmbH": the partner may follow the
    # title's end, in the same clause, after who represents it ("với lãnh đạo Công ty …") or after lower-case words
    # that describe it ("với công ty sản xuất tuabin gió Lagerwey")
    partner = next((p for m in sent.of("WITH") if title_end <= m.start < clause_end
                    for p in [run_from(_described(sdoc, sent, representatives.get(m.end, m.end), by_start))] if p),
                   [])
    return list(dict.fromkeys(subjects + partner[:1]))


def _described(sdoc, sent, k: int, parties_at: dict) -> int:
    """Where the party a few lower-case words describe starts ("công ty sản xuất tuabin gió Lagerwey"), else k."""
    doc = sdoc.doc
    for j in range(k, min(k + PARTNER_DESCRIPTION, sent.end)):
        if j in parties_at:
            return j
        if doc[j].text in SENTENCE_PUNCT or doc[j].text[:1].isupper() or doc[j].like_num:
            break
    return k


PARTNER_DESCRIPTION = 7  # lower-case syllables that may describe a partner before its name


def _is_blocked(sdoc, sent, start: int) -> bool:
    """A signing to come or not done: "sẽ ký", "thúc đẩy sớm ký kết", "chưa được ký kết" within the few
    words before the document; a future cue anywhere before it in its clause ("hai nhà lãnh đạo sẽ ra tuyên bố
    chung và ký hàng loạt các thỏa thuận")."""
    if any(start - 8 <= m.start < start for m in sent.of("NOT_SIGNED")):
        return True
    clause_start = max((k + 1 for k in range(sent.start, start) if sdoc.doc[k].text in (",", ";", ":")),
                       default=sent.start)
    return any(clause_start <= m.start < start for m in sent.of("FUTURE"))


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
    for _ in range(PASSIVE_WINDOW):  # "Bản ghi nhớ về hợp tác giáo dục giữa Hà Tĩnh và Champasak đã được ký kết"
        while k < sent.end and doc[k].is_space:
            k += 1
        if k in passive_at:
            if any(end <= m.start < k for m in sent.of("NOT_SIGNED")):
                return False  # "… chưa được ký kết"
            after = passive_at[k]
            while after < sent.end and doc[after].is_space:
                after += 1
            return any(v.start == after for v in sent.of("SIGN"))
        if k >= sent.end or doc[k].text in SENTENCE_PUNCT:
            return False
        k += 1
    return False


def _number_before(sdoc, sent, kind: Match, rules) -> tuple[int, Decimal, str | None] | None:
    doc = sdoc.doc
    for back in range(1, MAX_NUMBER_TOKENS):
        start = kind.start - back
        if start < sent.start:
            break
        if doc[kind.start - 1].is_space and back == 1:
            continue
        text = doc[start:kind.start].text.strip()
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


def _agreement_roles(sdoc, sent, document: tuple[int, int], parties: list[str], found: list, signed,
                     verb: Match | None = None) -> list[dict]:
    """The document's words, each party's (where the sentence names it: a party or a place of that name, outside
    the document's title first), the signing verb (the one a pattern bound, else the one nearest the document)
    and the date of signing."""
    units = [("document", TokenSpan(*document))]
    candidates = sorted(list(found) + sent.of("PLACE"), key=lambda u: (document[0] <= u.start < document[1], u.start))
    for name in parties:
        unit = next((u for u in candidates if getattr(u, "name", None) == name
                     or (hasattr(u, "phrase") and u.phrase.normalized == name)), None)
        units.append(("party", unit))
    verb = verb or min(sent.of("SIGN"), key=lambda v: abs(v.start - document[0]), default=None)
    units.append(("verb", verb))
    roles = roles_of(sdoc, units)
    if signed is not None:
        roles.append({"role": "date", "text": sdoc.text[signed.start:signed.end], "char_start": signed.start,
                      "char_end": signed.end})
        roles.sort(key=lambda r: (r["char_start"], r["char_end"], r["role"]))
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


PASSIVE_WINDOW = 20  # tokens between a document and the passive signing after it ("… giữa A với B đã được ký kết")


def merge_repeated_agreements(documents: list[SignedDocument], kind_words: frozenset[str]) -> list[dict]:
    """The same document named twice (a caption and a paragraph) is one row; a title that is only a kind
    ("biên bản ghi nhớ") names no particular document, so such rows are kept apart."""
    kept: dict[tuple, dict] = {}
    rows = [d.row for d in documents]
    named_kinds = {k for r in rows if r["title"] for k in r["kinds"]}
    titles = {r["title"].casefold() for r in rows if r["title"] and r["title"].casefold() not in kind_words}
    for document in documents:
        r, unnamed = document.as_row(), document.unnamed
        if document.definite and set(r["kinds"]) & named_kinds:
            continue  # "đã ký các văn kiện hợp tác" beside the documents it means
        title = (r["title"] or "").casefold()
        generic = title in kind_words or unnamed
        if title in kind_words and r["title"][:1].isupper() and any(t.startswith(title + " ") for t in titles):
            continue  # "ký kết Hiệp định với China Eximbank": the "Hiệp định vay ưu đãi …" the article names

        # a document named only by its kind is told apart by its parties: the same parties, the same document
        # (a page that repeats a paragraph names it twice)
        key = (r["kind"], title, r["count"], tuple(r["parties"]) if generic else None)
        if key not in kept:
            kept[key] = r
    return list(kept.values())


@lru_cache(maxsize=8)
def kind_words(rules: CompiledRules) -> frozenset[str]:
    """Every phrase that names an agreement kind, folded: a title that is only one names no document."""
    return frozenset(str(t).casefold() for data in rules.files.get("agreement", [])
                     for texts in (data.get("kinds") or {}).values() for t in texts)
