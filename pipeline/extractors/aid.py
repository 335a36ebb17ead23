"""Aid events: who gives what to whom, anchored on an amount or a counted item."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from ..lexicon import CompiledRules, Match, SyllableDoc, syllable_doc
from ..numbers import whole_number
from ..tokenize import tokenize_body
from .entities import VERB_TAGS, Party, acts_for_a_state, country_names, party_finder, person_shaped
from .money import Anchor, find_anchors
from .patterns import ADVERB_TAGS, MAX_PHRASE, Pattern, SentenceUnits, compiled_patterns, match_sentence
from .records import AidEvent, shared
from .sentence import SENTENCE_PUNCT, Sentence, char_span, sentences_of


@dataclass(frozen=True)
class Frame:
    """Who gives to whom in a sentence (or in the title and lead, for the sentences that follow)."""

    mode: str  # give, receive or passive
    verb: Match | None
    donor: Party | None
    recipients: tuple[Party, ...] = ()


def _preceded_by(matches, party: Party) -> bool:
    return any(m.end == party.start for m in matches)


def subject_of(sdoc, sent, verb: Match, parties: list[Party]) -> Party | None:
    """The party that is the subject of a verb: the nearest one before it that is not
    in a prepositional phrase (unless a gift noun's "của" marks it as the donor)."""
    preps, markers = sent.of("PREP"), sent.of("DONOR_MARKER")
    speech = max((m.end for m in sent.of("SPEECH_VERB") + sent.of("CLAUSE_BREAK") if m.end <= verb.start),
                 default=None)
    for party in sorted((p for p in parties if p.end <= verb.start), key=lambda p: -p.end):
        if speech is not None and party.end <= speech:
            return None  # "X khẳng định … viện trợ": X says, the giver is named after the speech verb
        if _noun_phrase_after_comma(sdoc, sent, party.end, verb.start):
            return None  # "… vào trường Đại học Phenikaa, tân sinh viên còn nhận được …"
        if _preceded_by(markers, party) or not _preceded_by(preps, party):
            return party
    return None


def _noun_phrase_after_comma(sdoc, sent, start: int, end: int) -> bool:
    """A comma stands between tokens start and end, and a noun follows the last one: that noun phrase, not a
    party before the comma, is the subject of the verb at end."""
    commas = [m.end for m in sent.of("CLAUSE_COMMA") if start <= m.start and m.end <= end]
    return bool(commas) and any(sdoc.tags[k] == "N" for k in range(max(commas), end))


def _passive_donor(sent, verb: Match, parties: list[Party]) -> Party | None:
    """"Y được X tài trợ": X stands between a passive marker and the verb."""
    for marker in sent.of("AID_PASSIVE"):
        party = next((p for p in parties if p.start == marker.end and p.end == verb.start), None)
        if party is not None:
            return party
    return None


def says_aid(sent) -> bool:
    """The sentence says aid by a word of its own: a strong verb of giving, an aid noun, a flow cue, an aid
    item, or words of charity and relief ("bà con vùng lũ", "từ thiện"). A weak verb ("gửi", "chuyển", "cấp",
    "rót") or a verb of receiving alone does not: money is sent, received and granted for pay, trade and crime
    too."""
    weak = {m.start for m in sent.of("WEAK_GIVE")}
    return any(v.start not in weak for v in sent.of("GIVE")) or bool(sent.of("AID_NOUN") or sent.of("FLOW_CUE")
                                                                      or sent.of("ITEM") or sent.of("AID_CONTEXT"))


def sentence_frame(sdoc, sent, parties: list[Party]) -> Frame | None:
    """The first verb of giving or receiving that has a subject, with its mode."""
    verbs = sorted(sent.of("GIVE") + sent.of("RECEIVE"), key=lambda m: m.start) if says_aid(sent) else []
    for verb in verbs:
        if verb.label == "GIVE":
            donor = _passive_donor(sent, verb, parties)
            if donor is not None:
                before = [p for p in parties if p.end <= donor.start and p is not donor]
                subject = subject_of(sdoc, sent, verb, before)
                return Frame("passive", verb, donor, (subject,) if subject else ())
        subject = subject_of(sdoc, sent, verb, parties)
        if subject is None and verb.label == "GIVE":
            subject = _shared_subject(sent, verb, parties)
        if subject is not None:
            return Frame("receive" if verb.label == "RECEIVE" else "give", verb, subject)
    return None


def _shared_subject(sent, verb: Match, parties: list[Party]) -> Party | None:
    """"MobiFone tổ chức …; trao tặng học bổng …; tặng 6.000 cuốn sách cho …": a verb of giving that opens a
    clause after ";" with no party of its own shares the subject of the sentence's first clause (not a speaker's,
    not one in a prepositional phrase)."""
    breaks = sorted((m for m in sent.of("CLAUSE_BREAK") if m.end <= verb.start), key=lambda m: m.start)
    if not breaks or any(breaks[-1].end <= p.start and p.end <= verb.start for p in parties):
        return None
    first_clause_end = breaks[0].start
    if any(m.end <= first_clause_end for m in sent.of("SPEECH_VERB")):
        return None
    # the subject opens the clause, or follows a comma after an opening phrase ("Nhằm …, MobiFone tổ chức …")
    openers = {sent.start} | {m.end for m in sent.of("CLAUSE_COMMA")}
    return next((p for p in parties if p.end <= first_clause_end and p.start in openers), None)


def agent_frame(sdoc, sent, parties: list[Party]) -> Frame | None:
    """"chương trình … do MobiFone tổ chức", "Chương trình … do tổ chức The Reuse Everything Institute Inc tài
    trợ": the party a lead names as who organises or funds what it introduces (after "do", maybe after one
    lower-case word, and right before a verb of organising or giving) gives what that gives."""
    verbs = {m.start for label in ("ORGANISE", "GIVE") for m in sent.of(label)}
    for marker in sent.of("ORGANISED_BY"):
        starts = {marker.end}
        if marker.end < sent.end and sdoc.texts[marker.end][:1].islower():
            starts.add(sdoc.word_end(marker.end, sent.end))
        party = next((p for p in parties if p.start in starts and p.end in verbs), None)
        if party is not None:
            return Frame("give", None, party)
    return None


def _antecedent(sdoc, sent, verb: Match, parties: list[Party], earlier: list[Party] | None,
                rules: CompiledRules) -> Party | None:
    """The party an anaphoric subject right before the verb refers to: for a personal pronoun, the last
    person named before; for "<noun> này", the last party named with that noun before it ("nhà hàng Smith &
    Wollensky") or whose kind the noun names ("quỹ" names a fund)."""
    if not earlier:
        return None
    read = earlier if isinstance(earlier, PartiesRead) else PartiesRead(earlier)
    parties_at = {p.start for p in parties}
    inside = {t for p in parties for t in range(p.start, p.end)}
    for anaphor in sent.of("ANAPHOR"):
        if not (anaphor.end <= verb.start and verb.start - anaphor.end <= ANAPHOR_TO_VERB):
            continue
        if anaphor.end in parties_at or anaphor.start in inside:
            continue  # "ông Mick Mulvaney": an honorific before a name, not a pronoun; "Anh": the country
        if anaphor.phrase.normalized == "person":
            if not _stands_for_one(sdoc, sent, anaphor):
                continue  # "các em học sinh", "Các em": a group, not the last person named
            person = read.last_person()
            if person is None:
                return None
            # "ông Nozaki" is the "Kosuke Nozaki" named before
            full = read.last_full_name_of(person.name)
            return full if full is not None and not person_shaped(person) else person
        noun = " ".join(anaphor.text.split()[:-1]).casefold()
        found = read.last_named_by(noun, sdoc, organisation_kinds(rules))
        if found is not None:
            return found
    return None


def _stands_for_one(sdoc, sent, anaphor: Match) -> bool:
    """A word of address used as a pronoun for one person: no plural determiner before it ("các em") and no noun
    after it ("em học sinh", where it heads a noun phrase)."""
    before = sdoc.tags[anaphor.start - 1] if anaphor.start > sent.start else ""
    after = sdoc.tags[anaphor.end] if anaphor.end < sent.end else ""
    return before not in PLURAL_TAGS and not after.startswith("N")


PLURAL_TAGS = ("L",)  # underthesea's determiners: "các", "những"


class PartiesRead(list):
    """The parties of an article's sentences read so far (``earlier``; sentences only add to it), and the last
    of them that a pronoun may stand for: each party is looked at once per question as the list grows, not
    again by every pronoun of a long page."""

    def __init__(self, parties=()):
        super().__init__(parties)
        self._people = (0, None)  # (parties looked at, the last person among them)
        self._full_names = (0, {})  # (parties looked at, name -> the person-shaped parties ending in " name")
        self._by_noun: dict[str, tuple[int, Party | None]] = {}  # noun -> (parties looked at, the last it names)
        self._by_head: dict[str, tuple[int, Party | None]] = {}  # head -> (parties looked at, the last it opens)

    def last_person(self) -> Party | None:
        seen, last = self._people
        for p in self[seen:]:
            if not p.quoted and (person_shaped(p) or p.after_honorific):
                last = p
        self._people = (len(self), last)
        return last

    def full_names_of(self, name: str) -> list[Party]:
        """The person-shaped parties read so far whose name ends in " name", in text order."""
        seen, ending_in = self._full_names
        for p in self[seen:]:
            if person_shaped(p):
                for at, char in enumerate(p.name):
                    if char == " ":
                        ending_in.setdefault(p.name[at + 1:], []).append(p)
        self._full_names = (len(self), ending_in)
        return ending_in.get(name, [])

    def last_full_name_of(self, name: str) -> Party | None:
        named = self.full_names_of(name)
        return named[-1] if named else None

    def last_extending(self, name: str) -> Party | None:
        """The last party read so far whose name is ``name`` and more words ("UBND tỉnh Quảng Ninh" for "UBND
        tỉnh")."""
        return next((p for p in reversed(self) if p.name.startswith(name + " ")), None)

    def last_headed_by(self, head: str, sdoc: SyllableDoc) -> Party | None:
        """The last party read so far that ``head`` (folded) opens, stands right before, or heads a name inside
        ("Hội LHPN phường Tứ Liên" for "hội", "tỉnh Quảng Ninh" for "tỉnh", "UBND huyện Kông Chro" for "huyện").
        One article's: ``sdoc`` stays."""
        seen, last = self._by_head.get(head, (0, None))
        for party in self[seen:]:
            if party.start >= 0 and (heads_a_name_inside(party.text, head) or
                                     _folded_text_before_ends_with(sdoc.text, sdoc.token_starts[party.start], head)):
                last = party
        self._by_head[head] = (len(self), last)
        return last

    def last_named_by(self, noun: str, sdoc: SyllableDoc, kinds: dict[str, str]) -> Party | None:
        """The last party "<noun> này" refers to: one the noun stands right before, one whose words hold it
        ("chuỗi nhà hàng Smith & Wollensky"), or one of the kind it names ("quỹ" names a fund). One article's:
        ``sdoc`` and ``kinds`` stay."""
        seen, last = self._by_noun.get(noun, (0, None))
        for party in self[seen:]:
            if _folded_text_before_ends_with(sdoc.text, sdoc.token_starts[party.start], noun) or \
                    f" {noun} " in f" {party.text.casefold()} " or \
                    (party.kind is not None and party.kind == kinds.get(noun)):
                last = party
        self._by_noun[noun] = (len(self), last)
        return last


def referring_parties(sdoc: SyllableDoc, sent: Sentence, parties: list[Party], earlier: PartiesRead,
                       rules: CompiledRules) -> list[Party]:
    """The sentence's parties for the aid patterns: also an organisation or a unit named by its head alone
    ("Hội đã trao …", "huyện đã trích …") as the last party named before with that head, and an office named by
    its unit's level ("UBND tỉnh") as the office named in full before ("UBND tỉnh Quảng Ninh"); each read at its
    own words. A head with no such party before it names none, nor does a level alone ("TP hỗ trợ …")."""
    levels = unit_levels(rules)
    out = []
    for party in parties:
        if party.text.casefold() in levels:
            unit = _unit_named_before(party, parties, earlier, sdoc)
            if unit is not None:
                out.append(unit)
        else:
            out.append(_office_named_before(party, earlier, levels))
    inside = {t for p in parties for t in range(p.start, p.end)}
    # inside a party, or a pronoun's noun ("quỹ này": the patterns read those from the context)
    taken = inside | {t for m in sent.of("ANAPHOR") for t in range(m.start, m.end)}
    for head in sent.of("REFERRING_HEAD"):
        if any(t in taken for t in range(head.start, head.end)) or not _stands_alone(sdoc, sent, head):
            continue
        said = head.text.casefold()
        forms = (said,) + _referring_head_forms(rules).get(said, ())  # "nhà trường" is also the "Trường …" before
        antecedent = next((a for form in forms if (a := earlier.last_headed_by(form, sdoc)) is not None), None)
        if antecedent is not None:
            c0, c1 = char_span(sdoc, head.start, head.end)
            out.append(replace(antecedent, start=head.start, end=head.end, text=sdoc.text[c0:c1], source="referring"))
    for anaphor in sent.of("ANAPHOR"):
        # the last person named after the same word ("cô Lan" … "tặng cô 5 triệu đồng"), whom it can only mean
        if anaphor.phrase.normalized == "person" and anaphor.start not in inside \
                and _receives_so_much(sdoc, sent, anaphor) \
                and (person := earlier.last_named_by(anaphor.text.casefold(), sdoc, {})) is not None \
                and (person_shaped(person) or person.after_honorific):
            c0, c1 = char_span(sdoc, anaphor.start, anaphor.end)
            out.append(replace(person, start=anaphor.start, end=anaphor.end, text=sdoc.text[c0:c1], source="pronoun"))
    return sorted(out, key=lambda p: p.start)


def _receives_so_much(sdoc: SyllableDoc, sent: Sentence, anaphor: Match) -> bool:
    """A word of address right after a verb of giving (or its "cho") and right before an amount ("tặng cô 5 triệu
    đồng", "trao cho em số tiền …"): the person it stands for receives."""
    after_verb = any(m.end == anaphor.start for label in ("GIVE", "TO") for m in sent.of(label))
    return after_verb and anaphor.end < sent.end and (
        sdoc.tags[anaphor.end] == "M" or any(m.start == anaphor.end for m in sent.of("MONEY_NOUN")))


def _as_read_from_context(party: Party) -> Party:
    """A receiver a word of address stands for is the person named before: the row reads it from the context,
    at no words of its sentence."""
    return replace(party, start=-1, end=-1) if party.source == "pronoun" else party


def _stands_alone(sdoc: SyllableDoc, sent: Sentence, head: Match) -> bool:
    """A head that names one party by itself: not counted or plural before ("ba công ty", "các hội"), not a
    verb's object ("gây quỹ"), not after a name the finder did not take ("BATGT tỉnh"), and not described after
    ("quỹ của Bill Gates", "Hội Chữ thập đỏ"): a verb, an adverb or punctuation follows it."""
    if head.start > sent.start:
        before = head.start - 1
        if sdoc.tags[before] in NOT_BEFORE_A_REFERRING_HEAD or sdoc.texts[before][:1].isupper():
            return False
    if head.end < sent.end:
        after = sdoc.tags[head.end]
        if after.startswith("N") or after == "E" or sdoc.texts[head.end][:1].isupper():
            return False
    return True


NOT_BEFORE_A_REFERRING_HEAD = ("M", "L", "V")  # a number, a plural determiner, a verb (underthesea's tags)


@lru_cache(maxsize=8)
def _commercial_borrowers(rules: CompiledRules) -> frozenset[str]:
    """Kinds of party a loan to is commercial lending, not aid (the aid rules' commercial_borrower_kinds)."""
    return frozenset(str(k) for k in rules.merged_list("aid", "commercial_borrower_kinds"))


@lru_cache(maxsize=8)
def _referring_head_forms(rules: CompiledRules) -> dict[str, tuple[str, ...]]:
    """Referring head (folded) -> the heads it also names a party by ("nhà trường" -> "trường")."""
    forms: dict[str, tuple[str, ...]] = {}
    for head, form in rules.merged_map("aid", "referring_head_forms"):
        forms[str(head).casefold()] = forms.get(str(head).casefold(), ()) + (str(form).casefold(),)
    return forms


@lru_cache(maxsize=8)
def unit_levels(rules: CompiledRules) -> frozenset[str]:
    """The words an office's name may end in to name its unit by level ("UBND tỉnh", "UBND TP"), folded."""
    return frozenset(str(w).casefold() for key in ("unit_nouns", "unit_abbreviations")
                     for w in rules.merged_list("entity_shape", key))


def _unit_named_before(party: Party, parties: list[Party], earlier: PartiesRead, sdoc: SyllableDoc) -> Party | None:
    """"lãnh đạo TP" after "UBND TP Đà Nẵng": a unit named by its level alone stands for the last party named
    before (in its sentence, else before it) that holds that level before a name; None when none was named."""
    level = party.text.casefold()
    antecedent = next((p for p in reversed(parties) if p.end <= party.start and heads_a_name_inside(p.text, level)),
                      None) or earlier.last_headed_by(level, sdoc)
    return replace(antecedent, start=party.start, end=party.end, text=party.text, source="referring") \
        if antecedent is not None else None


def _office_named_before(party: Party, earlier: PartiesRead, levels: frozenset[str]) -> Party:
    """"UBND tỉnh" after "UBND tỉnh Quảng Ninh": an office named by its unit's level takes the full name."""
    if party.source != "head" or party.text.split()[-1].casefold() not in levels:
        return party
    fuller = earlier.last_extending(party.name)
    return replace(party, name=fuller.name, kind=fuller.kind, country=fuller.country or party.country) \
        if fuller is not None else party


def heads_a_name_inside(text: str, head: str) -> bool:
    """``head`` (folded) is words of ``text`` followed by a capitalised word: "huyện" in "UBND huyện Kông Chro",
    not "trường" in "Bộ Tài nguyên và Môi trường"."""
    words, n = text.split(), len(head.split())
    return any(" ".join(words[k:k + n]).casefold() == head and words[k + n][:1].isupper()
               for k in range(len(words) - n))


def _folded_text_before_ends_with(text: str, end: int, noun: str) -> bool:
    """``text[:end].rstrip().casefold().endswith(noun)``, reading only the last characters before ``end``
    (casefold maps each character on its own)."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return text[max(0, end - len(noun)):end].casefold().endswith(noun)


def _anaphor_before(sent, verb: Match, after: int) -> bool:
    """A pronoun or "<noun> này" stands between a party and the verb, close to the verb."""
    return any(after <= a.start and a.end <= verb.start and verb.start - a.end <= ANAPHOR_TO_VERB
               for a in sent.of("ANAPHOR"))


@lru_cache(maxsize=8)
def organisation_kinds(rules: CompiledRules) -> dict[str, str]:
    """Organisation head (folded) -> entity kind, from the entity-shape rules: "quỹ" -> fund."""
    return {str(h).casefold(): kind for kind, h in rules.merged_map("entity_shape", "organisation_heads")}


ANAPHOR_TO_VERB = 6  # syllables between "ông"/"quỹ này" and the verb ("ông cũng tuyên bố sẽ ủng hộ")


MAX_GAP_TO_RECIPIENT = 12  # syllables between an amount and the "cho" of its recipient


def phrase_stops(sdoc, sent) -> set[int]:
    """Where a noun phrase of the sentence ends: a stop word, a verb of giving or receiving, a trap word or a
    preposition, on word boundaries (a preposition inside a name's phrase does not: "của", "về")."""
    inner = {m.start for m in sent.of("RECIPIENT_INNER")} | {m.start for m in sent.of("BENEFICIARY_AT")}
    return {m.start for label in ("STOP", "RECIPIENT_STOP", "GIVE", "RECEIVE", "NOT_AID", "PREP")
            for m in sent.of(label) if sdoc.on_word_boundaries(m.start, m.end) and m.start not in inner}


def recipient_phrase(sdoc, sent, start: int, parties: list[Party], stops: set[int] | None = None,
                     numbers_end: bool = True) -> Party | None:
    """"… cho quỹ từ thiện của chính trị gia Gautam Gambhir nhằm …": a recipient no list or shape names is the
    noun phrase after "cho", up to punctuation, a number, a clause word or a preposition (a party inside it ends
    it); a number opens it only before a noun of people ("cho 32 phụ nữ")."""
    texts = sdoc.texts
    if start >= sent.end:
        return None  # "… cho" ends the text: nothing follows to receive
    stops = phrase_stops(sdoc, sent) if stops is None else stops
    if start in stops or start in {m.start for m in sent.of("TO")} or _modifier_alone(sdoc, sent, start) or \
            any(m.start == start for m in sent.of("NOT_RECIPIENT")) or \
            (sdoc.tags[start] in VERB_TAGS and texts[start][:1].islower()
             and not any(m.start == start for m in sent.of("PEOPLE_HEAD"))):
        # "… để giúp phục hồi khu vực bị ảnh hưởng": a verb after the marker says what for, not whom (a
        # capitalised word starts a name, whatever the tagger says: it tags "Công ước" V in context; a noun of
        # people is one too: it tags "người dân" V after "được")
        return None
    # "cho 8 hộ gia đình hội viên nghèo": a counted group of people opens with its number
    counted = sdoc.like_num(start) and start + 1 < sent.end and any(m.start == start + 1
                                                                     for m in sent.of("PEOPLE_HEAD"))
    end = start
    # "… ở <place>" goes on a phrase of people ("trẻ em nghèo ở Campuchia"), not one that names a place or a
    # party itself ("thành phố Tanabe ở tỉnh Wakayama"): that one ends there
    named = any(p.start == start for p in parties) or any(m.start == start for m in sent.of("PLACE_HEAD"))
    at_place = {m.start for m in sent.of("BENEFICIARY_AT")} if named else set()
    while end < sent.end:
        if sdoc.spaces[end] or texts[end] in SENTENCE_PUNCT \
                or (sdoc.like_num(end) and (numbers_end or end == start) and not (counted and end == start)) \
                or (end > start and end in stops) \
                or (end > start and end in at_place):
            break
        if end > start + 1 and sdoc.tags[end] in VERB_TAGS and sdoc.token_starts[end] in sdoc.word_starts \
                and texts[end - 1][:1].isupper():
            break  # "… cho đội tuyển Muay TP.HCM chuẩn bị …": a verb after a name starts the next clause
        inside = next((p for p in parties if p.start == end), None)
        end = inside.end if inside is not None else end + 1
        if inside is not None and inside.source == "place":
            tail = _address_tail(sdoc, sent, end)
            end = tail if tail - start <= MAX_PHRASE else end
    if end - start < 2 or end - start > MAX_PHRASE:
        return None
    if any(m.start == start for m in sent.of("PURPOSE_HEAD")):
        # "cho chương trình tạo việc làm cho cư dân Kauai", "cho các dự án ODA tại Việt Nam": a purpose names
        # no recipient; the one it serves follows
        for marker in sent.of("TO") + sent.of("BENEFICIARY_AT"):
            if start < marker.start <= end + MAX_GAP_TO_RECIPIENT // 2:  # "… ODA tại Việt Nam": inside it too
                served = next((p for p in parties if p.start == marker.end), None)
                if served is None and marker.label == "TO":
                    served = recipient_phrase(sdoc, sent, marker.end, parties, stops, numbers_end)
                if served is not None:
                    return served
    c0, c1 = char_span(sdoc, start, end)
    text = sdoc.text[c0:c1]
    country = shared(p.country for p in parties if start <= p.start and p.end <= end)
    return Party(start, end, text, text, None, country, "phrase", count=whole_number(texts[start]) if counted
                 else None)


def _modifier_alone(sdoc, sent, start: int) -> bool:
    """An adjective or adverb with no noun right after it: it opens no noun phrase ("hỗ trợ công khai hơn 2 tỷ
    đồng": "công khai", openly, is no receiver), where one before a noun does ("tân sinh viên", "cựu chiến binh")."""
    if sdoc.tags[start] not in MODIFIER_TAGS:
        return False
    after = sdoc.word_end(start, sent.end)
    return after >= sent.end or not sdoc.tags[after].startswith("N")


MODIFIER_TAGS = ("A", "R")  # underthesea's (VLSP) adjectives and adverbs


def _address_tail(sdoc, sent, end: int) -> int:
    """Where a place in a receiver's phrase ends with the places it lies in, named after commas up to the end of
    its clause ("tại xã Hoàng Diệu, Chương Mỹ;"): the end of the last of them; ``end`` when no such tail
    follows ("xã Hoàng Diệu, Đông Sơn và …" lists places; "…, Ông B cho biết" starts a clause)."""
    texts = sdoc.texts
    while end + 1 < sent.end and texts[end] == ",":
        tail = end + 1
        while tail < sent.end and texts[tail][:1].isupper() and not sdoc.like_num(tail):
            tail += 1
        if tail == end + 1 or not (tail == sent.end or texts[tail] in (",", ";", ".", ")", "…")):
            return end
        if tail < sent.end and texts[tail] == "," and not (tail + 1 < sent.end and texts[tail + 1][:1].isupper()):
            return end  # "…, Chương Mỹ, tặng …": a list or a clause goes on, not an address
        end = tail
    return end


def _flow(sent, anchor: Anchor) -> str:
    cues = {m.phrase.normalized for m in sent.of("FLOW_CUE")}
    for flow in ("loan", "pledge"):
        if flow in cues:
            return flow
    return "grant" if anchor.kind == "cash" else "in_kind"


def _with_money_noun(sent: Sentence, start: int, anchor: Anchor) -> int:
    """Where an amount's evidence starts: with the noun of money or aid right before an amount of money ("số
    tiền 2 tỷ đồng", "khoản hỗ trợ 15.000 USD")."""
    noun = next((m for m in sent.of("AID_NOUN") + sent.of("MONEY_NOUN") if m.end == start), None)
    return noun.start if noun is not None and anchor.kind == "cash" else start


def borrowers_from_agreements(events: list[AidEvent], agreements: list, parties: list[Party]) -> list[AidEvent]:
    """A loan whose sentence names the lender only ("China Eximbank đã ký kết thỏa thuận cho vay thêm 250
    triệu USD"): the borrower is the other party of the article's agreement of two parties with that lender,
    the one nearest the loan when the article has several. A loan no agreement completes is dropped."""
    by_name = {p.name: p for p in parties}
    two_party: dict[str, list] = {}  # party name -> the agreements of two parties it is one of
    for a in agreements:
        if len(a.parties) == 2:
            for name in set(a.parties):
                two_party.setdefault(name, []).append(a)
    kept = []
    for event in events:
        if event.recipients:
            kept.append(event)
            continue  # only a loan is kept with no recipient named in its sentence
        signed = [a for a in two_party.get(event.donor_name, []) if len(set(a.parties) - {event.donor_name}) == 1]
        if not signed:
            continue
        nearest = min(signed, key=lambda a: abs(a.row["char_start"] - event.char_start))
        borrower = next(n for n in nearest.parties if n != event.donor_name)
        # the agreement names the borrower; its words are those of another sentence: no span
        party = by_name.get(borrower) or Party(-1, -1, borrower, borrower, None, None, "agreement")
        event.recipients = [replace(party, start=-1, end=-1)]
        event.from_context = True
        kept.append(event)
    return kept


def reconcile_totals(events: list[AidEvent]) -> None:
    """Mark a cash row as a total when other rows of the same donor and currency, to
    recipients it names, add up to it."""
    same_giver: dict[tuple, list[AidEvent]] = {}  # the cash rows of each donor and currency, in order
    for e in events:
        if e.is_cash and e.amount is not None:
            same_giver.setdefault((e.donor_name, e.anchor.currency), []).append(e)
    cash = [e for e in events if e.is_cash and e.amount is not None]
    for row in cash:
        if len(row.recipient_names) < 2:
            continue
        named = set(row.recipient_names)
        parts = [e for e in same_giver[(row.donor_name, row.anchor.currency)] if e is not row
                 and set(e.recipient_names) <= named and e.recipient != row.recipient]
        if parts and sum(e.amount for e in parts) == row.amount:
            row.is_total = True
    for row in cash:
        if row.is_total and len(same_giver[(row.donor_name, row.anchor.currency)]) < 2:
            row.is_total = False  # "tổng giá trị tài trợ 25.000 USD": the whole of one gift, no sum of rows


def merge_repeated_events(events: list[AidEvent]) -> list[AidEvent]:
    """The same event stated twice in an article (a caption and a paragraph) is one row, also when one statement
    names the giver or the receiver more fully than the other ("ban tổ chức lễ hội", "ban tổ chức"; "bé Phạm
    Nhật Anh", "gia đình bé Phạm Nhật Anh")."""
    kept: dict[tuple, AidEvent] = {}
    for e in events:
        key = e.key()
        same = kept.get(key) or next((k for k in kept.values() if _named_more_fully(k, e)), None)
        if same is not None:
            same.n_mentions += 1
        else:
            kept[key] = e
    return list(kept.values())


def _named_more_fully(a: AidEvent, b: AidEvent) -> bool:
    """Everything of the two events is the same but the names of one receiver, one ending in the other, or of the
    giver, one starting with the other."""
    if a.key()[2:] != b.key()[2:] or len(a.recipients) > 1 or len(b.recipients) > 1:
        return False
    return _same_or_longer(a.donor_name or "", b.donor_name or "", at_start=True) and \
        _same_or_longer(a.recipient, b.recipient, at_start=False)


def _same_or_longer(x: str, y: str, at_start: bool) -> bool:
    """``x`` and ``y`` are one name, or one is the other and more words (after it, or before it)."""
    if x == y:
        return True
    longer, shorter = (x, y) if len(x) > len(y) else (y, x)
    return bool(shorter) and (longer.startswith(shorter + " ") if at_start else longer.endswith(" " + shorter))


def aid_article_steps(events: list[AidEvent], agreements: list, parties: list[Party], officials: list[dict],
                      rules: CompiledRules) -> list[AidEvent]:
    """The article-level steps of aid events (``normalizer: aid.v1``): a loan's borrower from the article's
    agreement, the same event stated twice merged, a head of state giving for the state, totals and their
    parts."""
    events = borrowers_from_agreements(events, agreements, parties)
    full_names_of_people(events, parties)
    reconcile_totals(events)
    events = merge_repeated_events(events)
    give_for_their_state(events, officials, rules)
    return events


def full_names_of_people(events: list[AidEvent], parties: list[Party]) -> None:
    """A person named by one word ("anh Tùng trao …") after the article gave the full name ("anh Phạm Thanh
    Tùng"), one person only: the row names the full name, read at the short form's words."""
    read = parties if isinstance(parties, PartiesRead) else PartiesRead(parties)

    def full(party: Party) -> Party:
        if party is None or party.source != "proper" or " " in party.name or party.start < 0:
            return party
        named = [p for p in read.full_names_of(party.name) if p.start < party.start]
        return replace(party, name=named[-1].name) if named and len({p.name for p in named}) == 1 else party

    for event in events:
        event.donor = full(event.donor)
        event.recipients = [full(r) for r in event.recipients]


def give_for_their_state(events: list[AidEvent], officials: list[dict], rules: CompiledRules) -> None:
    """A head of state or government, or a foreign minister, who gives, gives for the state they serve: the
    donor of "Tổng thống Biden phê chuẩn gói hỗ trợ …" is the United States (the person is in officials)."""
    names = country_names(rules)
    first_named: dict[str, dict] = {}  # a name, or the end of one after a space -> the first official it names
    for o in officials:
        if o["country"] in names:
            first_named.setdefault(o["name"], o)
            for at, char in enumerate(o["name"]):
                if char == " ":
                    first_named.setdefault(o["name"][at + 1:], o)
    for event in events:
        donor = event.donor_name
        person = first_named.get(donor)
        if person is None or not acts_for_a_state(person["titles"], rules):
            continue
        if person["country"] == event.recipient_country and event.recipient_kind == "country":
            continue  # "Tổng thống Donald Trump ký lệnh viện trợ … cho Israel": no state gives to itself
        event.state = (names[person["country"]], person["country"])


def opened_frame(sdoc: SyllableDoc, sent: Sentence, rules: CompiledRules, parties: list[Party],
                 events: list[AidEvent]) -> Frame | None:
    """The frame a sentence opens for the sentences after it: a gift named with its giver and receivers but no
    amount (a pattern that ``sets: {frame: true}``: "Chuyến bay chở hàng cứu trợ của Nhật Bản đã tới Hà Nội"), or a
    giving its giver organises, the receivers not named (``sets: {frame: giver}``: "Ngân hàng X tổ chức lễ trao
    quà": the rows of the sentences after it name their own receivers), else the giver and receivers of the
    sentence's last row; None when it opens none."""
    present = sent.labels()
    patterns = tuple(p for p, required in _frame_patterns(rules) if required <= present)
    if patterns:
        for match in match_sentence(SentenceUnits(sdoc, sent, parties, [], phrase_finder(sdoc, sent, parties)),
                                    patterns):
            donor, recipients = match.one("donor"), tuple(match.all("recipient"))
            if donor is not None and (recipients or match.pattern.get("frame") == "giver"):
                return Frame("give", match.one("verb"), donor, recipients)
    named = [e for e in events if e.recipients and e.donor is not None and e.donor.start >= 0]
    last = max(named, key=lambda e: e.char_start, default=None)
    return Frame("give", last.verb, last.donor, tuple(last.recipients)) if last is not None else None


@lru_cache(maxsize=8)
def _frame_patterns(rules: CompiledRules) -> tuple[tuple[Pattern, frozenset[str]], ...]:
    """The patterns that open a frame, each with the labels a sentence must hold for it (once per rule set)."""
    return tuple((p, frozenset(p.required_labels())) for p in compiled_patterns(rules, "aid") if p.get("frame"))


@lru_cache(maxsize=8)
def _row_patterns(rules: CompiledRules) -> tuple[tuple[Pattern, frozenset[str], bool], ...]:
    """The patterns that make rows (not those that only open a frame), each with the labels a sentence must hold
    for it and whether it reads its giver from a frame: asked of every sentence, worked out once per rule set."""
    return tuple((p, frozenset(p.required_labels()), p.get("donor") == "frame")
                 for p in compiled_patterns(rules, "aid") if not p.get("frame"))


def pattern_events(sdoc: SyllableDoc, sent: Sentence, rules: CompiledRules, parties: list[Party],
                   carried: Frame | Callable[[], Frame | None] | None = None, earlier: list[Party] | None = None,
                   opened: Frame | Callable[[], Frame | None] | None = None,
                   headline: Frame | Callable[[], Frame | None] | None = None) -> list[AidEvent]:
    """The aid events the named patterns of the rule files find in a sentence, one per amount: the first
    pattern (in file order) that binds a donor, a recipient and the amount makes its row, and names it. A
    pattern that ``sets: {donor: context}`` binds no donor: the context gives it (``context_frame``), and the
    receivers the context names too when the pattern binds none; one that ``sets: {recipient: context}`` binds a
    giver and no receiver: the headline (or the lead) names them (``headline``, ``_headline_receivers``); one
    that ``sets: {donor: frame}`` takes giver and receivers from the frame a sentence before opened (``opened``: a
    shipment, a handover, a row; in the first sentences with none opened, the headline's giver); one
    that ``sets: {donor: previous_clause}`` continues the row before it in the sentence, with its giver and
    verb. A loan pattern (``flow: loan``) that binds no borrower leaves it to the
    article's agreement with the lender (``borrowers_from_agreements``). A receiver bound on words that refer
    back ("khu vực này") is the party named last before them; a party named again by its head or level alone
    ("Hội đã trao …") is the one named before (``referring_parties``, read only in a sentence with an amount
    some pattern may bind)."""
    # only the patterns whose required words the sentence holds, and no amount sought when none is left
    present = sent.labels()
    candidates = [(p, from_frame) for p, required, from_frame in _row_patterns(rules) if required <= present]
    if callable(opened):  # the headline's giver, worked out only if a pattern of a frame's giver may match
        opened = opened() if any(from_frame for _, from_frame in candidates) else None
    patterns = tuple(p for p, from_frame in candidates if opened is not None or not from_frame)
    anchors = find_anchors(sdoc, sent, rules) if patterns else []
    if not anchors:
        return []
    read = earlier if isinstance(earlier, PartiesRead) else PartiesRead(earlier or [])
    parties = referring_parties(sdoc, sent, parties, read, rules)
    rows, taken = [], set()
    for match in match_sentence(SentenceUnits(sdoc, sent, parties, anchors, phrase_finder(sdoc, sent, parties, anchors)),
                                patterns):
        donor, verb = match.one("donor"), match.one("verb")
        binds_recipient = "recipient" in {str(el.value) for el in match.pattern.all_elements()
                                          if el.kind in ("party", "phrase")}
        from_context = match.pattern.get("donor") in ("context", "frame")
        context = None
        if match.pattern.get("donor") == "frame":
            context = opened
            donor, verb = opened.donor, verb or opened.verb
        elif from_context and verb is not None:
            context = context_frame(sdoc, sent, verb, parties, carried, earlier, rules)
            donor = context.donor if context is not None else None
        continued = None
        if match.pattern.get("donor") == "previous_clause":  # "…, mỗi nạn nhân bị thương 2 triệu đồng"
            before = [r for r in rows if r.anchor.end <= match.start]
            continued = before[-1] if before else None
            if donor is None:
                donor, verb = (continued.donor, continued.verb) if continued else (None, None)
            else:  # "…, Tổng Công ty Khánh Việt 380 triệu đồng": another giver, the same verb and receivers
                verb = continued.verb if continued else None
        lender_only = not binds_recipient and match.pattern.get("flow") == "loan"
        givers = (each_giver(sdoc, sent, match.all("donor"), verb, parties) if not from_context and continued is None
                  else []) or [donor]
        for anchor, recipients in match.rows():
            if not binds_recipient and context is not None:
                recipients = list(context.recipients)
            if not binds_recipient and match.pattern.get("recipient") == "context" and donor is not None:
                recipients = list(_headline_receivers(headline, donor))
            if not binds_recipient and continued is not None:
                recipients = list(continued.recipients)
            recipients = [_as_read_from_context(r) for r in (_referred_to(sent, r, parties) for r in recipients)
                          if r is not None]
            head = match.one("recipient_head")
            if head is not None and len(recipients) == 1 and head.end <= recipients[0].start:
                recipients = [_headed_by(sdoc, head.start, recipients[0])]
            if anchor is None or donor is None or (anchor.start, anchor.end) in taken:
                continue
            if not recipients and not lender_only:
                continue
            if donor.name in {r.name for r in recipients}:
                continue
            flow = match.pattern.get("flow") or _flow(sent, anchor)
            if flow == "loan" and recipients and all(r.kind in _commercial_borrowers(rules) for r in recipients):
                continue  # a bank's loan to a company is trade, not aid
            each = match.pattern.get("each")  # the amount is each recipient's: so many of them, as their group says
            if each and (len(recipients) != 1 or not recipients[0].count or recipients[0].count < 2):
                continue
            taken.add((anchor.start, anchor.end))
            # the evidence holds the counted group of each ("8 tỉnh Bắc Lào mỗi tỉnh 20.000 USD")
            start = recipients[0].start if each and 0 <= recipients[0].start < anchor.start else anchor.start
            c0, c1 = char_span(sdoc, _with_money_noun(sent, start, anchor), anchor.end)
            rows.extend(AidEvent(giver, recipients, anchor, verb, flow, match.pattern.id, sent.index, c0,
                                 c1, sdoc.text[c0:c1], recipient_count=recipients[0].count if each else None,
                                 is_total=bool(sent.of("TOTAL_CUE")), is_cumulative=bool(sent.of("CUMULATIVE_CUE")),
                                 from_context=from_context or not recipients or recipients[0].start < 0,
                                 per_recipient=bool(match.pattern.get("per_recipient")))
                        for giver in givers if giver.name not in {r.name for r in recipients})
    return rows


def each_giver(sdoc: SyllableDoc, sent: Sentence, bound: list[Party], verb: Match | None,
               parties: list[Party]) -> list[Party]:
    """"NSƯT Thoại Mỹ và ca sĩ Cẩm Ly mỗi người tặng cô 5 triệu đồng": when a marker of each giver stands between
    the givers a pattern bound and the verb, each of them gives the amount, and so does each giver listed before
    them (joined by a comma or "và", with at most a few words of what it is before it, no verb). None when no
    marker stands there."""
    bound = [p for p in bound if p is not None and p.start >= 0]
    if verb is None or not bound or not any(bound[-1].end <= m.start and m.end <= verb.start
                                            for m in sent.of("EACH_GIVER")):
        return []
    joiners = {m.start for m in sent.of("RECIPIENT_JOINER")}
    listed, at = [], bound[0].start
    for party in sorted((p for p in parties if 0 <= p.start and p.end <= at), key=lambda p: -p.start):
        between = [k for k in range(party.end, at) if not sdoc.spaces[k]]
        if not between or between[0] not in joiners or len(between) > MAX_WORDS_BEFORE_CO_GIVER + 1 \
                or any(sdoc.tags[k] in VERB_TAGS for k in between[1:]):
            break
        listed.append(party)
        at = party.start
    givers = {}
    for party in [*listed[::-1], *bound]:
        givers.setdefault(party.name, party)
    return list(givers.values())


MAX_WORDS_BEFORE_CO_GIVER = 3  # "và ca sĩ Cẩm Ly", "và NSƯT Thoại Mỹ": a joiner, then what the giver is


def _headline_receivers(headline: Frame | Callable[[], Frame | None] | None, donor: Party) -> tuple[Party, ...]:
    """Whom the headline (or the lead) says receive, for a giver a sentence names with no receiver: when it names
    no giver, or this one."""
    if callable(headline):  # worked out only now that a sentence needs it
        headline = headline()
    if headline is None or (headline.donor is not None and headline.donor.name != donor.name):
        return ()
    return headline.recipients


def _headed_by(sdoc, start: int, recipient: Party) -> Party:
    """A receiver with the noun before it that says whose it is ("gia đình mỗi nạn nhân tử vong": the family of
    each victim, not the victims)."""
    c0, c1 = char_span(sdoc, start, recipient.end)
    return Party(start, recipient.end, sdoc.text[c0:c1], sdoc.text[c0:c1], None, recipient.country, "phrase",
                 count=recipient.count)


def _referred_to(sent, recipient: Party, parties: list[Party]) -> Party | None:
    """A receiver bound on words that refer back to a place ("giúp khu vực này"): the party named last before
    them in the sentence (None when there is none); any other receiver as bound."""
    if recipient.source != "phrase" or not any(m.start == recipient.start and m.phrase.normalized == "place"
                                               for m in sent.of("ANAPHOR")):
        return recipient
    return max((p for p in parties if p.end <= recipient.start), key=lambda p: p.end, default=None)


def phrase_finder(sdoc: SyllableDoc, sent: Sentence, parties: list[Party], anchors: list[Anchor] = ()):
    """token -> the noun phrase a pattern's ``phrase`` element reads there (a receiver no list names), or None.
    A phrase ends where an amount starts ("hỗ trợ các gia đình trên 2,1 tỉ đồng": "trên" opens the amount)."""
    stops = phrase_stops(sdoc, sent) | {a.start for a in anchors}
    passive = {m.start for m in sent.of("AID_PASSIVE")}

    def phrase_at(i: int) -> Party | None:
        # the amounts are stops: a number that opens none is a word of the phrase ("hai bờ sông Hương", "lớp 5")
        phrase = recipient_phrase(sdoc, sent, i, parties, stops, numbers_end=False)
        return _without_verb_particles(sdoc, phrase, passive) if phrase is not None else None
    return phrase_at


def context_frame(sdoc, sent, verb: Match, parties: list[Party], carried: Frame | Callable[[], Frame | None] | None,
                  earlier: list[Party] | None, rules: CompiledRules) -> Frame | None:
    """Who gives when the sentence names no giver before its verb: the party a pronoun or demonstrative right
    before the verb refers to ("Nhà hàng này mỗi năm quyên góp …", "ông muốn tài trợ …"), else, in the first
    sentences, the giver (and receivers) the headline or lead names. None when a subject of the sentence's own
    stands before the verb (one before a verb of speech only speaks)."""
    antecedent = _antecedent(sdoc, sent, verb, parties, earlier, rules)
    if antecedent is not None:
        return Frame("give", verb, antecedent)
    # a subject of its own stands in the verb's clause: after a verb of speech and after the last ";" before it
    speech = max((m.end for m in sent.of("SPEECH_VERB") + sent.of("CLAUSE_BREAK") if m.end <= verb.start),
                 default=-1)
    if _anaphor_before(sent, verb, after=sent.start) or \
            any(speech <= p.start and p.end <= verb.start for p in parties):
        return None
    if callable(carried):  # the headline's or lead's frame, worked out only now that a sentence needs it
        carried = carried()
    return Frame("give", verb, carried.donor, carried.recipients) if carried is not None else None


def _without_verb_particles(sdoc, phrase: Party, passive: set[int]) -> Party | None:
    """A noun phrase before a verb ends before the adverbs and the passive marker of the verb ("các bệnh viện
    còn nhận được", "các em học sinh được nhận")."""
    if phrase.source != "phrase":
        return phrase
    end = phrase.end
    while end > phrase.start and (sdoc.tags[end - 1] in ADVERB_TAGS or end - 1 in passive):
        end -= 1
    if end == phrase.end:
        return phrase
    if end == phrase.start:
        return None
    c0, c1 = char_span(sdoc, phrase.start, end)
    return Party(phrase.start, end, sdoc.text[c0:c1], sdoc.text[c0:c1], None, phrase.country, "phrase")


# ---------------------------------------------------------------- frames carried from the headline and lead

def complete_frame(sdoc, sent, parties) -> Frame | None:
    """A sentence's frame, its donor named: it carries to the sentences that follow."""
    frame = sentence_frame(sdoc, sent, parties)
    if frame is None or frame.verb is None:
        return None
    if frame.mode == "give":
        # the donor carries even with no recipient named ("Mỹ hủy viện trợ … cho hàng loạt quốc gia")
        recipients = tuple(p for p in parties if p.start >= frame.verb.end and p.name != frame.donor.name
                           and not any(m.end == p.start for m in sent.of("FROM")))[:1]
        return Frame("give", None, frame.donor, recipients)
    if frame.mode == "receive":
        donor = next((p for p in parties if p.start >= frame.verb.end
                      and any(m.end == p.start for m in sent.of("FROM"))), None)
        return Frame("give", None, donor, (frame.donor,)) if donor else None
    return Frame("give", None, frame.donor, frame.recipients) if frame.recipients else None


def title_frame(title: str | None, rules: CompiledRules) -> Frame | None:
    """The frame of the headline ("X tài trợ N triệu USD cho Y"), carried to the lead and body; else who the
    headline says receives ("Đà Nẵng tiếp nhận Chương trình …"), as a frame with no donor."""
    if not title or not title.strip():
        return None
    words = tokenize_body(title)
    sdoc = syllable_doc(title, words)
    matches = rules.lexicon.find(sdoc)
    finder = party_finder(sdoc, matches, rules, {w.start for w in words if w.pos == "Np"})
    frame = receiver = None
    for sent in sentences_of(sdoc, matches):
        parties = finder.find(sent.start, sent.end)
        frame = frame or complete_frame(sdoc, sent, parties)
        receiver = receiver or next((s for v in sent.of("RECEIVE") if (s := subject_of(sdoc, sent, v, parties))), None)
    frame = frame or (Frame("give", None, None, (receiver,)) if receiver is not None else None)
    return _outside_the_body(frame) if frame is not None else None


def _outside_the_body(frame: Frame) -> Frame:
    """The headline's parties carried into the body have no span there (start -1): a row that takes one names
    it without a role span."""
    def moved(p):
        return replace(p, start=-1, end=-1) if p is not None else None
    return Frame(frame.mode, None, moved(frame.donor), tuple(moved(p) for p in frame.recipients))


def with_title_receiver(agent: Frame | None, title: Frame | None) -> Frame | None:
    """The lead's organiser or funder gives to whom the headline says receives."""
    if agent is None or title is None or title.donor is not None:
        return agent
    return Frame("give", None, agent.donor, title.recipients)
