"""Aid events: who gives what to whom, anchored on an amount or a counted item."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from ..lexicon import CompiledRules, Match, SyllableDoc, syllable_doc
from ..tokenize import tokenize_body
from .entities import Party, country_names, party_finder
from .money import Anchor, find_anchors
from .patterns import SentenceUnits, compiled_patterns, match_sentence
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
    return bool(commas) and any(sdoc.doc[k].tag_ == "N" for k in range(max(commas), end))


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


def giving_verbs(sent) -> list[Match]:
    """The verbs of giving of a sentence, when it says aid."""
    return sent.of("GIVE") if says_aid(sent) else []


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


def clauses_of(sent: Sentence) -> list[Sentence]:
    """The clauses a sentence's clause breaks (";") separate."""
    cuts = [sent.start] + [m.end for m in sorted(sent.of("CLAUSE_BREAK"), key=lambda m: m.start)] + [sent.end]
    return [Sentence(sent.index, a, b, sent.matches) for a, b in zip(cuts, cuts[1:]) if b - a >= 2]


def agent_frame(sdoc, sent, parties: list[Party]) -> Frame | None:
    """"chương trình … do MobiFone tổ chức", "Chương trình … do tổ chức The Reuse Everything Institute Inc tài
    trợ": the party a lead names as who organises or funds what it introduces (after "do", maybe after one
    lower-case word, and right before a verb of organising or giving) gives what that gives."""
    verbs = {m.start for label in ("ORGANISE", "GIVE") for m in sent.of(label)}
    for marker in sent.of("ORGANISED_BY"):
        starts = {marker.end}
        if marker.end < sent.end and sdoc.doc[marker.end].text[:1].islower():
            starts.add(sdoc.word_end(marker.end, sent.end))
        party = next((p for p in parties if p.start in starts and p.end in verbs), None)
        if party is not None:
            return Frame("give", None, party)
    return None


def receiving_phrase_frame(sdoc, sent, parties: list[Party]) -> Frame | None:
    """"Năm nay, các bạn sinh viên nhận được 50 triệu đồng tiền hỗ trợ từ Quỹ …": a receiver no list or shape
    names is the short noun phrase that opens the clause of "nhận được", when a named giver follows "từ" and the
    sentence says aid (money received may be an investment, a payment, a bribe)."""
    if not says_aid(sent):
        return None
    for verb in sent.of("RECEIVE"):
        if _donor_after_from(sdoc, sent, parties, verb.end) is None:
            continue
        doc = sdoc.doc
        # "Các em học sinh được nhận 100 suất học bổng từ …": the passive marker belongs to the verb
        passive = next((m for m in sent.of("AID_PASSIVE") if m.end == verb.start), None)
        verb = Match(verb.label, passive.start, verb.end, passive.char_start, verb.char_end,
                     passive.text + " " + verb.text, verb.phrase) if passive is not None else verb
        start = verb.start
        while start > sent.start and doc[start - 1].text not in CLAUSE_PUNCT and verb.start - start <= \
                MAX_RECEIVER_SYLLABLES:
            start -= 1
        if not 1 <= verb.start - start <= MAX_RECEIVER_SYLLABLES or any(p.start < verb.start and p.end > start
                                                                        for p in parties):
            return None
        blocked = {m.start for label in ("PREP", "SPEECH_VERB", "ANAPHOR", "GIVE", "NOT_AID", "STOP")
                   for m in sent.of(label)}
        if any(k in blocked or doc[k].like_num or doc[k].tag_ in CLAUSE_TAGS for k in range(start, verb.start)):
            return None  # "…, Tú cũng khai nhận …": a clause, not a noun phrase
        end = verb.start
        while end > start and doc[end - 1].tag_ in ADVERB_TAGS:
            end -= 1  # "tân sinh viên còn nhận được": the adverb is the verb's
        if end == start:
            return None
        c0, c1 = char_span(sdoc, start, end)
        text = sdoc.text[c0:c1]
        return Frame("receive", verb, Party(start, end, text, text, None, None, "phrase"))
    return None


MAX_RECEIVER_SYLLABLES = 4
CLAUSE_PUNCT = (",", ";", ":", "-", "–")


def _antecedent(sdoc, sent, verb: Match, parties: list[Party], earlier: list[Party] | None,
                rules: CompiledRules) -> Party | None:
    """The party an anaphoric subject right before the verb refers to: for a personal pronoun, the last
    person named before; for "<noun> này", the last party named with that noun before it ("nhà hàng Smith &
    Wollensky") or whose kind the noun names ("quỹ" names a fund)."""
    if not earlier:
        return None
    read = earlier if isinstance(earlier, PartiesRead) else PartiesRead(earlier)
    parties_at = {p.start for p in parties}
    for anaphor in sent.of("ANAPHOR"):
        if not (anaphor.end <= verb.start and verb.start - anaphor.end <= ANAPHOR_TO_VERB):
            continue
        if anaphor.end in parties_at:
            continue  # "ông Mick Mulvaney": an honorific before a name, not a pronoun
        if anaphor.phrase.normalized == "person":
            person = read.last_person()
            if person is None:
                return None
            # "ông Nozaki" is the "Kosuke Nozaki" named before
            full = read.last_full_name_of(person.name)
            return full if full is not None and not _person_shaped(person) else person
        noun = " ".join(anaphor.text.split()[:-1]).casefold()
        found = read.last_named_by(noun, sdoc, organisation_kinds(rules))
        if found is not None:
            return found
    return None


class PartiesRead(list):
    """The parties of an article's sentences read so far (``earlier``; sentences only add to it), and the last
    of them that a pronoun may stand for: each party is looked at once per question as the list grows, not
    again by every pronoun of a long page."""

    def __init__(self, parties=()):
        super().__init__(parties)
        self._people = (0, None)  # (parties looked at, the last person among them)
        self._full_names = (0, {})  # (parties looked at, name -> the last person-shaped party ending in " name")
        self._by_noun: dict[str, tuple[int, Party | None]] = {}  # noun -> (parties looked at, the last it names)

    def last_person(self) -> Party | None:
        seen, last = self._people
        for p in self[seen:]:
            if not p.quoted and (_person_shaped(p) or p.after_honorific):
                last = p
        self._people = (len(self), last)
        return last

    def last_full_name_of(self, name: str) -> Party | None:
        seen, ending_in = self._full_names
        for p in self[seen:]:
            if _person_shaped(p):
                for at, char in enumerate(p.name):
                    if char == " ":
                        ending_in[p.name[at + 1:]] = p
        self._full_names = (len(self), ending_in)
        return ending_in.get(name)

    def last_named_by(self, noun: str, sdoc: SyllableDoc, kinds: dict[str, str]) -> Party | None:
        """The last party "<noun> này" refers to: one the noun stands right before, one whose words open with
        it, or one of the kind it names ("quỹ" names a fund). One article's: ``sdoc`` and ``kinds`` stay."""
        seen, last = self._by_noun.get(noun, (0, None))
        for party in self[seen:]:
            if _folded_text_before_ends_with(sdoc.text, sdoc.doc[party.start].idx, noun) or \
                    party.text.casefold().startswith(noun + " ") or \
                    (party.kind is not None and party.kind == kinds.get(noun)):
                last = party
        self._by_noun[noun] = (len(self), last)
        return last


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
    return {str(h).casefold(): kind for data in rules.files.get("entity_shape", [])
            for kind, heads in (data.get("organisation_heads") or {}).items() for h in heads}


def _person_shaped(party: Party) -> bool:
    """Two to four capitalised words and no organisation head: "Warren Buffett", "Kosuke Nozaki"."""
    words = party.text.split()
    return party.source == "proper" and party.kind is None and 2 <= len(words) <= 4 \
        and all(w[:1].isupper() for w in words)


ANAPHOR_TO_VERB = 6  # syllables between "ông"/"quỹ này" and the verb ("ông cũng tuyên bố sẽ ủng hộ")


def _each_before(sdoc, sent, anchor: Anchor) -> bool:
    """"mỗi tỉnh 5 tỷ đồng", "mỗi suất trị giá 500.000 đồng": "mỗi", at most a noun and a word of value, then the
    amount."""
    values = {m.end: m.start for m in sent.of("VALUE_WORD")}
    k = values.get(anchor.start, anchor.start)
    return any(m.end <= k and k - m.end <= EACH_TO_AMOUNT and not any(sdoc.doc[t].text in SENTENCE_PUNCT
                                                                      for t in range(m.end, k))
               for m in sent.of("EACH"))


EACH_TO_AMOUNT = 2  # syllables between "mỗi" and the amount or its word of value ("mỗi suất", "mỗi hộ dân")


def _distributive(sent, parties: list[Party], anchor: Anchor) -> Party | None:
    for each in sent.of("EACH"):
        if each.end == anchor.start:
            group = next((p for p in parties if p.end == each.start and p.count), None)
            if group is not None:
                return group
    return None


def _recipients(sdoc, sent, parties: list[Party], anchor: Anchor, donor: Party, after: int,
                bracketed: set[int]) -> list[Party]:
    """The parties between the verb and the amount (none inside brackets), else the one after "cho"/"tới"
    past the amount."""
    # "trao tặng các hộ nghèo 300 suất quà", "ủng hộ bà con vùng lũ 5 tỷ đồng": a group of people named by a
    # noun phrase between the verb and the amount
    if any(m.start == after for m in sent.of("GROUP_OPENER") + sent.of("PEOPLE_HEAD")):
        group = recipient_phrase(sdoc, sent, after, parties)
        if group is not None and group.end == anchor.start:
            return [group]
    other_preps = [m for m in sent.of("PREP") if not any(t.start == m.start for t in sent.of("TO"))]
    between = [p for p in parties if after <= p.start and p.end <= anchor.start and p.name != donor.name
               and not _preceded_by(sent.of("FROM"), p) and not _preceded_by(other_preps, p)
               and p.start not in bracketed]
    if between:
        return between
    groups = {m.start for m in sent.of("GROUP_OPENER")}
    helping = [m for m in sent.of("HELP_VERB") if m.end in groups]
    # "trao 10 tỷ đồng hỗ trợ tỉnh Quảng Bình": a strong verb of giving right after the amount names whom it helps
    weak = {m.start for m in sent.of("WEAK_GIVE")}
    helping += [m for m in sent.of("GIVE") if m.start not in weak and anchor.end <= m.start <= anchor.end + 1]
    markers = sorted(sent.of("TO") + sent.of("TO_PARTY") + helping, key=lambda m: m.start)
    clause_end = min((m.start for m in sent.of("CLAUSE_BREAK") if m.start >= anchor.end), default=sent.end)
    for to in markers:
        if anchor.end <= to.start <= min(anchor.end + MAX_GAP_TO_RECIPIENT, clause_end):
            nxt = next((p for p in parties if p.start == to.end), None)
            if nxt is None and to.label != "TO_PARTY":  # after "với" only a named party receives
                nxt = recipient_phrase(sdoc, sent, to.end, parties)
            if nxt is not None and nxt.name != donor.name:
                return [nxt] + listed_with(sent, parties, nxt, donor)
    return []


def listed_with(sent, parties: list[Party], first: Party, donor: Party) -> list[Party]:
    """Places listed right after a recipient place ("đến Bình Dương, Đồng Nai"): they receive with it."""
    if first.source != "list":
        return []
    joiners = {m.start: m.end for m in sent.of("RECIPIENT_JOINER")}
    listed, end = [], first.end
    while end in joiners:
        nxt = next((p for p in parties if p.start == joiners[end] and p.source == "list"), None)
        if nxt is None or nxt.name == donor.name:
            break
        listed.append(nxt)
        end = nxt.end
    return listed


MAX_GAP_TO_RECIPIENT = 12  # syllables between an amount and the "cho" of its recipient


def _bracketed_for(sdoc, parties: list[Party], anchor: Anchor) -> Party | None:
    """The party an amount in brackets right after it belongs to: "Israel (3,1 tỷ USD)"."""
    doc = sdoc.doc
    if anchor.start < 1 or doc[anchor.start - 1].text != "(" or anchor.end >= len(doc) or \
            doc[anchor.end].text != ")" or sdoc.sentence_of[anchor.end] != sdoc.sentence_of[anchor.start]:
        return None
    return next((p for p in parties if p.end == anchor.start - 1), None)


def _in_brackets(sdoc, sent) -> set[int]:
    """Tokens inside round brackets: an aside ("(học sinh lớp 8 trường …)") names no recipient."""
    inside, depth = set(), 0
    for k in range(sent.start, sent.end):
        text = sdoc.doc[k].text
        if text == "(":
            depth += 1
        elif text == ")":
            depth = max(depth - 1, 0)
        elif depth:
            inside.add(k)
    return inside


def phrase_stops(sdoc, sent) -> set[int]:
    """Where a noun phrase of the sentence ends: a stop word, a verb of giving or receiving, a trap word or a
    preposition, on word boundaries (a preposition inside a name's phrase does not: "của", "về")."""
    inner = {m.start for m in sent.of("RECIPIENT_INNER")}
    return {m.start for label in ("STOP", "RECIPIENT_STOP", "GIVE", "RECEIVE", "NOT_AID", "PREP")
            for m in sent.of(label) if sdoc.on_word_boundaries(m.start, m.end) and m.start not in inner}


def recipient_phrase(sdoc, sent, start: int, parties: list[Party], stops: set[int] | None = None) -> Party | None:
    """"… cho quỹ từ thiện của chính trị gia Gautam Gambhir nhằm …": a recipient no list or shape names is the
    noun phrase after "cho", up to punctuation, a clause word or a preposition (a party inside it ends it)."""
    doc = sdoc.doc
    if start >= sent.end:
        return None  # "… cho" ends the text: nothing follows to receive
    stops = phrase_stops(sdoc, sent) if stops is None else stops
    if start in stops or start in {m.start for m in sent.of("TO")} or \
            any(m.start == start for m in sent.of("NOT_RECIPIENT")) or \
            (doc[start].tag_ in CLAUSE_TAGS and doc[start].text[:1].islower()):
        # "… để giúp phục hồi khu vực bị ảnh hưởng": a verb after the marker says what for, not whom (a
        # capitalised word starts a name, whatever the tagger says: it tags "Công ước" V in context)
        return None
    end = start
    while end < sent.end:
        tok = doc[end]
        if tok.is_space or tok.text in SENTENCE_PUNCT or tok.like_num or (end > start and end in stops):
            break
        if end > start + 1 and tok.tag_ in CLAUSE_TAGS and tok.idx in sdoc.word_starts \
                and doc[end - 1].text[:1].isupper():
            break  # "… cho đội tuyển Muay TP.HCM chuẩn bị …": a verb after a name starts the next clause
        inside = next((p for p in parties if p.start == end), None)
        end = inside.end if inside is not None else end + 1
    if end - start < 2 or end - start > MAX_RECIPIENT_SYLLABLES:
        return None
    if any(m.start == start for m in sent.of("PURPOSE_HEAD")):
        # "cho chương trình tạo việc làm cho cư dân Kauai", "cho các dự án ODA tại Việt Nam": a purpose names
        # no recipient; the one it serves follows
        for marker in sent.of("TO") + sent.of("BENEFICIARY_AT"):
            if end <= marker.start <= end + MAX_GAP_TO_RECIPIENT // 2:
                served = next((p for p in parties if p.start == marker.end), None)
                if served is None and marker.label == "TO":
                    served = recipient_phrase(sdoc, sent, marker.end, parties, stops)
                if served is not None:
                    return served
    c0, c1 = char_span(sdoc, start, end)
    text = sdoc.text[c0:c1]
    country = shared(p.country for p in parties if start <= p.start and p.end <= end)
    return Party(start, end, text, text, None, country, "phrase")


MAX_RECIPIENT_SYLLABLES = 14
CLAUSE_TAGS = ("V",)  # VLSP tags that end a noun phrase
ADVERB_TAGS = ("R",)


def _donor_after_from(sdoc, sent, parties: list[Party], after: int) -> Party | None:
    """The giver a receiving names after it: "từ X", "của X", or "do X tài trợ" (by X, who gives; X may be a
    noun phrase no list or shape names: "do cộng đồng người Việt tại Nhật Bản gửi tặng")."""
    givers = {m.start for m in sent.of("GIVE")}
    for marker in sorted(sent.of("FROM") + sent.of("ORGANISED_BY"), key=lambda m: m.start):
        if marker.start < after:
            continue
        nxt = next((p for p in parties if p.start == marker.end
                    and (marker.label == "FROM" or p.end in givers)), None)
        if nxt is None and marker.label == "ORGANISED_BY":
            nxt = _agent_phrase(sdoc, sent, marker.end, givers)
        if nxt is not None:
            return nxt
    return None


def _agent_phrase(sdoc, sent, start: int, givers: set[int]) -> Party | None:
    """The words between "do" and a verb of giving, when they are a short noun phrase (no punctuation, no
    verb, no number)."""
    doc = sdoc.doc
    end = next((g for g in sorted(givers) if start < g <= start + MAX_RECIPIENT_SYLLABLES), None)
    if end is None or any(doc[k].text in SENTENCE_PUNCT or doc[k].like_num or
                          (doc[k].tag_ in CLAUSE_TAGS and doc[k].text[:1].islower()) for k in range(start, end)):
        return None
    c0, c1 = char_span(sdoc, start, end)
    text = sdoc.text[c0:c1]
    return Party(start, end, text, text, None, None, "phrase")


def _flow(sent, anchor: Anchor) -> str:
    cues = {m.phrase.normalized for m in sent.of("FLOW_CUE")}
    for flow in ("loan", "pledge"):
        if flow in cues:
            return flow
    return "grant" if anchor.kind == "cash" else "in_kind"


def _valued_then_given(sent, anchor: Anchor, verb: Match) -> bool:
    """"một thỏa thuận trị giá 350 triệu USD, theo đó Nhật Bản sẽ viện trợ cho Việt Nam": the value of a thing,
    then a clause that says how it is given ("theo đó", whereby), is the amount the verb gives."""
    valued = any(m.end == anchor.start for m in sent.of("VALUE_WORD"))
    return valued and any(anchor.end <= m.start and m.end <= verb.start for m in sent.of("WHEREBY"))


def _set_aside_for(sent, anchor: Anchor, verb: Match) -> bool:
    """"sẽ dành 10 triệu USD để hỗ trợ người dân Syria": an amount, a word of purpose, then the verb of giving."""
    return any(m.start == anchor.end and m.end == verb.start for m in sent.of("PURPOSE_LINK"))


def _is_trap(sent, anchor: Anchor, verb: Match | None) -> bool:
    """An amount that a trap word governs: invested, bought, owed, budgeted, a price, a prize, a fraud. The trap
    word stands between the verb of aid and the amount, or a few words before the verb."""
    since = verb.start - TRAP_BEFORE_VERB if verb is not None else anchor.start - TRAP_BEFORE_VERB
    return any(since <= t.start and t.end <= anchor.start or anchor.start <= t.start < anchor.end
               for t in sent.of("NOT_AID")) or \
        any(anchor.end <= t.start <= anchor.end + TRAP_AFTER_AMOUNT for t in sent.of("NOT_AID_AFTER"))


TRAP_BEFORE_VERB = 6  # "Thay vì cấp cho ai đó 100 triệu USD": a trap word a few words before the verb counts
TRAP_AFTER_PURPOSE = 8  # "… để hỗ trợ Đạm Ninh Bình trả nợ": what the purpose clause pays for, after its verb
TRAP_AFTER_AMOUNT = 3  # "… trị giá 15 triệu bảng Anh mua tiền vệ …": what the amount pays for, right after it


def aid_events_in_sentence(sdoc: SyllableDoc, sent: Sentence, rules: CompiledRules, parties: list[Party],
                           carried: Frame | None = None, earlier: list[Party] | None = None) -> list[AidEvent]:
    """Aid events of one sentence. A verb of giving with no party before it takes its donor from the
    subject a pronoun or a demonstrative names ("ông", "quỹ này": the nearest fitting party of the sentences
    before, ``earlier``), else from ``carried``, the frame of the title or lead."""
    if sent.of("SENTENCE_TRAP"):
        return []
    frame = sentence_frame(sdoc, sent, parties) or receiving_phrase_frame(sdoc, sent, parties)
    rule_base = rules.first("aid")["id"]
    from_context = False
    if frame is not None and frame.mode == "give" and _anaphor_before(sent, frame.verb, after=frame.donor.end):
        # "theo Vingroup, quỹ này còn dành tặng …": the demonstrative, not the party before it, is the subject
        antecedent = _antecedent(sdoc, sent, frame.verb, parties, earlier, rules)
        if antecedent is None:
            return []
        frame, from_context = Frame("give", frame.verb, antecedent), True
    if frame is None:
        clauses = clauses_of(sent)
        if len(clauses) > 1:  # "…; trao tặng tủ sách cho các trường; trao học bổng … cho học sinh": each clause alone
            return [e for c in clauses for e in aid_events_in_sentence(
                sdoc, c, rules, [p for p in parties if c.start <= p.start and p.end <= c.end], carried, earlier)]
        verbs = sorted(giving_verbs(sent), key=lambda m: m.start)
        if not verbs:
            return []
        frame, from_context = context_frame(sdoc, sent, verbs[0], parties, carried, earlier, rules), True
        if frame is None:
            return []
    is_cumulative = bool(sent.of("CUMULATIVE_CUE"))
    frame_from_context = from_context
    aside = _in_brackets(sdoc, sent)
    events = []
    for anchor in find_anchors(sdoc, sent, rules):
        set_aside = frame.verb is not None and _set_aside_for(sent, anchor, frame.verb)
        if frame.verb is not None and anchor.start < frame.verb.start and frame.mode != "receive" \
                and not _valued_then_given(sent, anchor, frame.verb) and not set_aside:
            continue  # an amount before the verb is not what the verb gives
        if _is_trap(sent, anchor, frame.verb):
            continue
        if set_aside and any(
                frame.verb.end <= t.start <= frame.verb.end + TRAP_AFTER_PURPOSE
                for t in sent.of("NOT_AID") + sent.of("NOT_AID_AFTER")):
            continue  # "chi hơn 2.200 tỷ đồng để hỗ trợ Đạm Ninh Bình trả nợ": paying debts is no aid
        listed = _bracketed_for(sdoc, parties, anchor)
        if anchor.start in aside and frame.verb is not None and frame.verb.start not in aside and listed is None:
            continue  # "Soạn tin … gửi 1409 (mỗi tin nhắn bạn đã đóng góp 18.000đ …)": the aside is its own clause
        start, end = anchor.start, anchor.end
        recipient_count = None
        after = frame.verb.end if frame.verb is not None else sent.start
        distributive = _distributive(sent, parties, anchor)
        if distributive is None and _each_before(sdoc, sent, anchor):
            # "… các tỉnh miền Trung mỗi tỉnh 5 tỷ đồng": so much each, to a number of them not stated; "500 suất
            # quà, mỗi suất trị giá 500.000 đồng": the value of each thing given, which its own row counts
            continue
        from_context = frame_from_context
        if frame.mode == "receive":
            donor, recipients, rule = _donor_after_from(sdoc, sent, parties, after), [frame.donor], "received"
            if donor is None and carried is not None and carried.donor is not None:
                donor, from_context = carried.donor, True
        elif frame.mode == "passive":
            donor, recipients, rule = frame.donor, list(frame.recipients), "passive"
        elif distributive is not None:
            donor, recipients, rule = frame.donor, [distributive], "distributive"
            recipient_count = distributive.count
            start = distributive.start
        else:
            if listed is not None:  # "… một số quốc gia: Israel (3,1 tỷ USD), Ai Cập (1,3 tỷ USD) …"
                recipients = [listed]
            elif frame.donor is not None:
                recipients = _recipients(sdoc, sent, parties, anchor, frame.donor, after, aside)
            else:
                recipients = []
            if not recipients and from_context:
                recipients = list(frame.recipients)
            donor, rule = frame.donor, anchor.kind
        borrower_unnamed = donor is not None and not recipients and _flow(sent, anchor) == "loan"
        if donor is None or not (recipients or borrower_unnamed):
            continue
        if donor.name in {r.name for r in recipients}:
            continue
        c0, c1 = char_span(sdoc, _with_money_noun(sent, start, anchor), end)
        if from_context:
            rule = "carried"
        events.append(AidEvent(
            donor, recipients, anchor, frame.verb, _flow(sent, anchor),
            f"{rule_base}:{rule if rule in RULE_NAMES else 'in_kind'}", sent.index, c0, c1, sdoc.text[c0:c1],
            recipient_count=recipient_count, is_total=bool(sent.of("TOTAL_CUE")), is_cumulative=is_cumulative,
            from_context=from_context))
    return events


RULE_NAMES = ("cash", "received", "distributive", "passive", "carried")


def _with_money_noun(sent: Sentence, start: int, anchor: Anchor) -> int:
    """Where an amount's evidence starts: with the noun of money or aid right before an amount of money ("số
    tiền 2 tỷ đồng", "khoản hỗ trợ 15.000 USD")."""
    noun = next((m for m in sent.of("AID_NOUN") + sent.of("MONEY_NOUN") if m.end == start), None)
    return noun.start if noun is not None and anchor.kind == "cash" else start


def borrowers_from_agreements(events: list[AidEvent], agreements: list, parties: list[Party]) -> list[AidEvent]:
    """A loan whose sentence names the lender only ("China Eximbank đã ký kết thỏa thuận cho vay thêm 250
    triệu USD"): the borrower is the other party of the article's agreement with that lender, when the
    article has one such agreement and it has two parties. A loan no agreement completes is dropped."""
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
        others = {tuple(n for n in a.parties if n != event.donor_name) for a in two_party.get(event.donor_name, [])}
        if len(others) != 1:
            continue
        (borrower,), = others
        # the agreement names the borrower; its words are those of another sentence: no span
        party = by_name.get(borrower) or Party(-1, -1, borrower, borrower, None, None, "agreement")
        event.recipients = [replace(party, start=-1, end=-1)]
        event.from_context = True
        if ":" in event.rule_id:  # the grammar's rows name where the borrower came from; a pattern's keep its id
            event.rule_id = event.rule_id.rsplit(":", 1)[0] + ":carried"
        kept.append(event)
    return kept


def reconcile_totals(events: list[AidEvent]) -> None:
    """Mark a cash row as a total when other rows of the same donor and currency, to
    recipients it names, add up to it."""
    same_giver: dict[tuple, list[AidEvent]] = {}  # the cash rows of each donor and currency, in order
    for e in events:
        if e.is_cash:
            same_giver.setdefault((e.donor_name, e.anchor.currency), []).append(e)
    cash = [e for e in events if e.is_cash]
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
    """The same event stated twice in an article (a caption and a paragraph) is one row."""
    kept: dict[tuple, AidEvent] = {}
    for e in events:
        key = e.key()
        if key in kept:
            kept[key].n_mentions += 1
        else:
            kept[key] = e
    return list(kept.values())


def aid_article_steps(events: list[AidEvent], agreements: list, parties: list[Party], officials: list[dict],
                      rules: CompiledRules) -> list[AidEvent]:
    """The article-level steps of aid events (``normalizer: aid.v1``): a loan's borrower from the article's
    agreement, the same event stated twice merged, a head of state giving for the state, totals and their
    parts."""
    events = borrowers_from_agreements(events, agreements, parties)
    reconcile_totals(events)
    events = merge_repeated_events(events)
    give_for_their_state(events, officials, rules)
    return events


def give_for_their_state(events: list[AidEvent], officials: list[dict], rules: CompiledRules) -> None:
    """A head of state or government, or a foreign minister, who gives, gives for the state they serve: the
    donor of "Tổng thống Biden phê chuẩn gói hỗ trợ …" is the United States (the person is in officials)."""
    heads = [str(t) for t in rules.merged_list("official", "state_titles")]
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
        if person is None or not any(t == h or t.startswith(h + " ") for t in person["titles"] for h in heads):
            continue
        if person["country"] == event.recipient_country and event.recipient_kind == "country":
            continue  # "Tổng thống Donald Trump ký lệnh viện trợ … cho Israel": no state gives to itself
        event.state = (names[person["country"]], person["country"])


def pattern_events(sdoc: SyllableDoc, sent: Sentence, rules: CompiledRules, parties: list[Party],
                   carried: Frame | None = None, earlier: list[Party] | None = None) -> list[AidEvent]:
    """The aid events the named patterns of the rule files find in a sentence, one per amount: the first
    pattern (in file order) that binds a donor, a recipient and the amount makes its row, and names it. A
    pattern that ``sets: {donor: context}`` binds no donor: the context gives it (``context_frame``), and the
    receivers the context names too when the pattern binds none; one that ``sets: {donor: previous_clause}``
    continues the row before it in the sentence, with its giver and verb. A loan pattern (``flow: loan``) that
    binds no borrower leaves it to the article's agreement with the lender (``borrowers_from_agreements``). A
    receiver bound on words that refer back ("khu vực này") is the party named last before them."""
    # only the patterns whose required words the sentence holds, and no amount sought when none is left
    patterns = tuple(p for p in compiled_patterns(rules, "aid") if sent.holds(p.required_labels()))
    anchors = find_anchors(sdoc, sent, rules) if patterns else []
    if not anchors:
        return []
    rows, taken = [], set()
    for match in match_sentence(SentenceUnits(sdoc, sent, parties, anchors, phrase_finder(sdoc, sent, parties, anchors)),
                                patterns):
        donor, verb = match.one("donor"), match.one("verb")
        binds_recipient = "recipient" in {str(el.value) for el in match.pattern.all_elements()
                                          if el.kind in ("party", "phrase")}
        from_context = match.pattern.get("donor") == "context"
        context = None
        if from_context and verb is not None:
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
        for anchor, recipients in match.rows():
            if not binds_recipient and context is not None:
                recipients = list(context.recipients)
            if not binds_recipient and continued is not None:
                recipients = list(continued.recipients)
            recipients = [r for r in (_referred_to(sent, r, parties) for r in recipients) if r is not None]
            if anchor is None or donor is None or (anchor.start, anchor.end) in taken:
                continue
            if not recipients and not lender_only:
                continue
            if donor.name in {r.name for r in recipients}:
                continue
            each = match.pattern.get("each")  # the amount is each recipient's: so many of them, as their group says
            if each and (len(recipients) != 1 or not recipients[0].count or recipients[0].count < 2):
                continue
            taken.add((anchor.start, anchor.end))
            # the evidence holds the counted group of each ("8 tỉnh Bắc Lào mỗi tỉnh 20.000 USD")
            start = recipients[0].start if each and 0 <= recipients[0].start < anchor.start else anchor.start
            c0, c1 = char_span(sdoc, _with_money_noun(sent, start, anchor), anchor.end)
            rows.append(AidEvent(donor, recipients, anchor, verb,
                                 match.pattern.get("flow") or _flow(sent, anchor), match.pattern.id, sent.index, c0,
                                 c1, sdoc.text[c0:c1], recipient_count=recipients[0].count if each else None,
                                 is_total=bool(sent.of("TOTAL_CUE")), is_cumulative=bool(sent.of("CUMULATIVE_CUE")),
                                 from_context=from_context or not recipients or recipients[0].start < 0,
                                 per_recipient=bool(match.pattern.get("per_recipient"))))
    return rows


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
        phrase = recipient_phrase(sdoc, sent, i, parties, stops)
        return _without_verb_particles(sdoc, phrase, passive) if phrase is not None else None
    return phrase_at


def context_frame(sdoc, sent, verb: Match, parties: list[Party], carried: Frame | None,
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
    return Frame("give", verb, carried.donor, carried.recipients) if carried is not None else None


def _without_verb_particles(sdoc, phrase: Party, passive: set[int]) -> Party | None:
    """A noun phrase before a verb ends before the adverbs and the passive marker of the verb ("các bệnh viện
    còn nhận được", "các em học sinh được nhận")."""
    if phrase.source != "phrase":
        return phrase
    end = phrase.end
    while end > phrase.start and (sdoc.doc[end - 1].tag_ in ADVERB_TAGS or end - 1 in passive):
        end -= 1
    if end == phrase.end:
        return phrase
    if end == phrase.start:
        return None
    c0, c1 = char_span(sdoc, phrase.start, end)
    return Party(phrase.start, end, sdoc.text[c0:c1], sdoc.text[c0:c1], None, phrase.country, "phrase")


def with_pattern_events(legacy: list[AidEvent], found: list[AidEvent]) -> list[AidEvent]:
    """A sentence's events: the patterns' first, then the grammar's for amounts no pattern read."""
    return found + [e for e in legacy if not any(e.char_start <= f.char_start and f.char_end <= e.char_end
                                                 for f in found)]


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
