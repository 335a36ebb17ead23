"""Parties: the donors, recipients and signatories a sentence names, found by their shape.

A list (rules/entities) names what it knows, but real news names thousands of parties, so a party is a phrase:
an organisation head written with a capital and its capitalised complement ("Ngân hàng Xuất nhập khẩu Trung
Quốc"), a run of capitalised words ("Bloomberg Philanthropies", "CZI"), or a place of the lists. Each is then
resolved: to the list's canonical name when a list knows the whole phrase, to the long form when the article
defines it as an abbreviation ("… (China Eximbank)"), and to a country when one is named inside it. A phrase no
list knows is still a party, with its country null and its kind guessed from its head.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from ..lexicon import VIETNAMESE_SYLLABLE, CompiledRules, Match, SyllableDoc

OPENING, CLOSING = "(", ")"
INNER_NAME_MARKS = ("&",)
QUOTE_MARKS = ('"', "\u201c", "\u201d", "\u00ab", "\u00bb", "'")


@dataclass(frozen=True)
class Party:
    start: int  # syllable tokens
    end: int
    text: str  # as written
    name: str  # canonical: the list's name, the defined long form, else the text
    kind: str | None
    country: str | None
    source: str  # list, head, proper or abbreviation
    count: int | None = None  # a group of places ("8 tỉnh Bắc Lào")
    after_honorific: bool = False  # "ông Nozaki": a person
    # "tự gọi mình là “Đông Gioăng”", "Ảnh: Daily Mail": a nickname, a title or a credit, not who acts
    quoted: bool = False

    def as_dict(self) -> dict:
        return {"text": self.text, "name": self.name, "kind": self.kind, "country": self.country}


def person_shaped(party: Party) -> bool:
    """Two to four capitalised words and no organisation head: "Warren Buffett", "Kosuke Nozaki"."""
    words = party.text.split()
    return party.source == "proper" and party.kind is None and 2 <= len(words) <= 4 \
        and all(w[:1].isupper() for w in words)


def _is_capitalised(text: str) -> bool:
    if len(text) == 2 and text.endswith("."):
        return False  # "2 độ C. Ngoài ra": an initial or a unit before a missed sentence break
    return text[:1].isupper() or (text[:1].isdigit() and any(c.isupper() for c in text))


class PartyFinder:
    """Finds the parties of one syllable Doc; ``sentence_end`` bounds every phrase."""

    def __init__(self, sdoc: SyllableDoc, matches: dict[str, list[Match]], rules: CompiledRules,
                 proper_nouns: set[int] | None = None):
        self.sdoc, self.rules = sdoc, rules
        self.places = {m.start: m for m in matches.get("PLACE", [])}
        self.heads = {m.start: m for m in matches.get("ORG_HEAD", [])}
        self.unlisted_places = {m.start: m for m in matches.get("UNLISTED_PLACE", [])}
        self.unit_nouns = {m.start: m for m in matches.get("UNIT_NOUN", [])}
        self.joiners = {m.start: m for m in matches.get("NAME_JOINER", [])}
        # lower-case words inside names in other languages ("Save the Children", "Bank of America"): a joiner
        # inside a name whose words are not Vietnamese
        self.foreign_joiners = {m.start for m in matches.get("FOREIGN_JOINER", [])
                                if m.start > 0 and VIETNAMESE_SYLLABLE.match(sdoc.texts[m.start - 1]) is None}
        self.not_starts = {m.start: m for m in matches.get("NOT_NAME_START", [])}
        self.stops = {m.start for m in matches.get("NAME_STOP", [])} | {m.start for m in matches.get("TITLE", [])} \
            | {m.start for m in matches.get("HONORIFIC", [])}
        self.verbs = {m.start for label in ("GIVE", "RECEIVE", "SIGN") for m in matches.get(label, [])}
        self.honorific_ends = {m.end for m in matches.get("HONORIFIC", [])}
        # words of address that are no place themselves ("ông", "bà"; not "Anh", which is also England)
        self.address_ends = {m.end for m in matches.get("HONORIFIC", []) if m.start not in self.places}
        self.complement_stops = {m.start for m in matches.get("COMPLEMENT_STOP", [])}
        self.person_nouns = {m.end: m for m in matches.get("PERSON_NOUN", [])}
        self.person_titles = {m.start: m.end for m in matches.get("PERSON_TITLE", [])}
        self.person_title_ends = set(self.person_titles.values())
        self.not_parties = {t for label in ("CURRENCY", "ITEM", "UNIT", "AGREEMENT_KIND", "NOT_PARTY", "AID_NOUN",
                                          "MONEY_NOUN")
                            for m in matches.get(label, []) for t in range(m.start, m.end)}
        self.document_names = {m.end: m for m in matches.get("AGREEMENT_KIND", [])}
        self.proper_nouns = proper_nouns or set()  # char offsets of words underthesea tags Np
        self.surnames = set(rules.merged_list("official", "vietnamese_surnames"))
        self.aliases: dict[str, Party] = {}  # abbreviations the article defines, for its later sentences
        # organisations often named after a person ("Trường THCS Nguyễn Du"): a personal name may complete the head
        self.named_after_people = set(rules.merged_list("entity_shape", "named_after_people"))
        self.numbered_heads = {str(h).casefold() for h in rules.merged_list("entity_shape", "numbered_heads")}
        self.state_heads = {str(h).casefold() for h in rules.merged_list("entity_shape", "state_heads")}
        # a mission's name holds where it serves ("Đại sứ quán Việt Nam tại Nhật Bản")
        self.located_kinds = set(rules.merged_list("entity_shape", "located_kinds"))
        self.legal_forms = {str(h).casefold() for h in rules.merged_list("entity_shape", "legal_form_heads")}
        self.located_at = {m.start: m for m in matches.get("LOCATED_AT", [])}
        self.branched_kinds = set(rules.merged_list("entity_shape", "branched_kinds"))
        self.branch_nouns = {m.start: m for m in matches.get("BRANCH_NOUN", [])}
        self.organisers = {m.start: m for m in matches.get("EVENT_ORGANISER", [])}
        # a head in lower case heads a name only when a capitalised word follows it ("hãng Wendy's"), a country
        # ("doanh nghiệp CHLB Đức": the businesses of a country, not the country), or what it does and the place
        # it serves ("chi hội phụ nữ thôn Vệ Linh")
        n = len(sdoc.texts)
        self.lowercase_heads = {m.start for m in matches.get("LOWERCASE_ORG_HEAD", [])
                                if m.start not in self.heads and (self._country_at(m.end) or (
                                    self._capitalised_word(m.end, n) and m.end not in self.places)
                                    or self._serves_a_place(m.end, n))}
        self.heads.update({m.start: m for m in matches.get("LOWERCASE_ORG_HEAD", [])
                           if m.start in self.lowercase_heads})
        self.family_nouns = {m.end: m for m in matches.get("FAMILY_NOUN", [])}
        self.run_in_openers = {m.start for m in matches.get("RUN_IN_OPENER", [])}
        self.credit_ends = {m.end for m in matches.get("CREDIT", [])}
        self.member_groups = {m.end: m for m in matches.get("MEMBER_GROUP", [])}
        self.member_list_joiners = {m.end: m for m in matches.get("MEMBER_LIST_JOINER", [])}
        self.member_collectives = {m.end: m for m in matches.get("MEMBER_COLLECTIVE", [])}
        self.organisation_levels = {m.end: m for m in matches.get("ORG_LEVELS", [])}
        self.addresses = {m.end: m for m in matches.get("RECEIVER_HONORIFIC", [])}
        # where a party other than a run of capitalised words may start (a head, a listed or an unlisted place)
        self.phrase_openers = set(self.heads) | set(self.places) | set(self.unlisted_places) | set(self.organisers)

    # -- words
    def _word_end(self, i: int, limit: int) -> int:
        """The end of the word at i; a verb the segmenter glued to a name ("Đông trao") is not part of it."""
        end = self.sdoc.word_end(i, limit)
        return next((k for k in range(i + 1, end) if k in self.verbs), end)

    def _capitalised_word(self, i: int, limit: int) -> bool:
        return i < limit and not self.sdoc.spaces[i] and _is_capitalised(self.sdoc.texts[i]) \
            and i not in self.stops and i not in self.verbs and i not in self.not_parties

    def _lowercase_noun(self, i: int, limit: int, tags: tuple[str, ...] = ("N",), stop_ends: bool = True) -> bool:
        """A lower-case word of those tags that may go on a name; a complement stop ("năm", "người") may not, unless
        ``stop_ends`` is false."""
        sdoc = self.sdoc
        return i < limit and not sdoc.spaces[i] and sdoc.texts[i][:1].islower() and sdoc.tags[i] in tags \
            and sdoc.token_starts[i] in sdoc.word_starts and i not in self.stops and i not in self.verbs \
            and i not in self.not_parties and (not stop_ends or i not in self.complement_stops)

    def _is_capitalised_run(self, i: int, j: int) -> bool:
        return all(_is_capitalised(self.sdoc.texts[k]) for k in range(i, j) if not self.sdoc.spaces[k])

    def _object_of_preposition(self, opener: int, i: int, limit: int) -> bool:
        """"Quỹ Vì người nghèo", "Hội Bảo trợ người khuyết tật": a complement opened by a capitalised preposition or
        verb names whom the organisation serves, and its lower-case nouns and adjectives go on, the first even where
        it would end another name ("người")."""
        opens = self.sdoc.tags[opener] in OBJECT_TAKING_TAGS and _is_capitalised(self.sdoc.texts[opener])
        # "Vì người …", not "… năm nay": the object's first word only may be a complement stop
        return opens and i not in self.joiners and self._lowercase_noun(
            i, limit, DESCRIPTOR_TAGS, stop_ends=i != self._word_end(opener, limit))

    def _name_syllable(self, i: int, limit: int) -> bool:
        """A capitalised Vietnamese syllable that starts no place, head or person: one more syllable of a name."""
        return self._capitalised_word(i, limit) and i not in self.places and i not in self.heads \
            and VIETNAMESE_SYLLABLE.match(self.sdoc.texts[i]) is not None and not self._is_person_at(i, limit)

    def _country_at(self, i: int) -> bool:
        place = self.places.get(i)
        return place is not None and place.phrase.get("kind") == "country"

    def _is_person_at(self, i: int, limit: int) -> bool:
        """A Vietnamese personal name starts here: a surname and one to three capitalised syllables."""
        return self.sdoc.texts[i] in self.surnames and self._person_end(i, limit) - i >= 2

    def _person_end(self, i: int, limit: int) -> int:
        j = i + 1
        while j < limit and _is_capitalised(self.sdoc.texts[j]) and j - i < 4 and j not in self.run_in_openers:
            j += 1
        return j

    # -- phrases
    def head_phrase(self, i: int, limit: int) -> tuple[int, Match | None] | None:
        """An organisation head and its complement, which a place ends: (end, that place or None)."""
        head = self.heads.get(i)
        if head is None:
            return None
        j, country, lower, proper = head.end, None, 0, False
        if j in self.heads:  # "Bệnh viện Trường Đại học Y Dược Huế", "Công ty CP Tập đoàn Hoành Sơn": a head of a head
            # ("Bộ Công an": the inner head alone is the name)
            return self.head_phrase(j, limit) or (self.heads[j].end, None)
        while j < limit:
            place = self.places.get(j)
            if place is not None and place.end - place.start == 1 and place.phrase.get("kind") == "country" and (
                    j > head.end and self._capitalised_word(j - 1, limit)
                    and VIETNAMESE_SYLLABLE.match(self.sdoc.texts[j - 1]) is not None
                    or self._name_syllable(place.end, limit) and self.sdoc.tags[place.end] == "Np"):
                # "Công ty TNHH xử lý nước Trâm Anh", "Công ty Minh Đức", "Công ty Mỹ Tân": a one-syllable country
                # beside a capitalised Vietnamese syllable of the name is a syllable of a given name ("Anh",
                # "Đức", "Mỹ"), not where it is from
                j = self._word_end(j, limit)
                continue
            if place is not None:
                j = place.end
                if place.phrase.get("country"):
                    country = place
                branch = self.places.get(j)
                if place.phrase.get("kind") == "country" and branch is not None \
                        and branch.phrase.get("kind") not in (None, "country") \
                        and branch.phrase.get("country") == place.phrase.get("country"):
                    j = branch.end  # "Giáo hội Phật giáo Việt Nam tỉnh Bình Dương": a branch in one of its provinces
                break  # a place ends an organisation's name ("Sở Tư pháp tỉnh Bình Dương")
            if j == head.end and j in self.verbs and _is_capitalised(self.sdoc.texts[j]) \
                    and not self.sdoc.spaces[j]:
                j = self._word_end(j, limit)  # "Quỹ Hỗ trợ nông dân": a capitalised verb names what it does
                continue
            if j == head.end and head.text.casefold() in self.numbered_heads and j < limit \
                    and not self.sdoc.spaces[j] and self.sdoc.texts[j].isdigit():
                # "Lữ đoàn 171 Hải quân", "Sư đoàn 9 Quân đoàn 4": a numbered unit, then the unit or branch it
                # serves in
                j += 1
                branch = self.heads.get(j)
                if branch is not None and branch.phrase.normalized == head.phrase.normalized:
                    j = (self.head_phrase(j, limit) or (branch.end, None))[0]
                break
            if j == head.end and head.phrase.normalized in self.named_after_people and self._is_person_at(j, limit):
                # "Trường THCS Nguyễn Du": the person's name, right after the head, ends the school's; a second
                # family name starts the person the school's name stands before ("… Chu Văn An Nguyễn Văn Bình")
                end = self._person_end(j, limit)
                j = next((k for k in range(j + 2, end) if self.sdoc.texts[k] in self.surnames), end)
                break
            if j == head.end and head.text.casefold() in self.legal_forms and not self._capitalised_word(j, limit):
                named = self._name_after_legal_form(j, limit)
                if named is not None:
                    j = named  # "Công ty CP hợp tác thương mại toàn cầu": a registered name, in lower case
                    continue
            if j == head.end:
                named = self._name_after_descriptors(j, limit)
                if named is None:
                    # "Quỹ từ thiện tỉnh Quảng Nam", "Hội chữ thập đỏ phường Ninh Hiệp" (the head glued to the
                    # words after it): what it does, then the place it serves
                    glued = self._word_end(j, limit) if self.sdoc.token_starts[j] not in self.sdoc.word_starts \
                        else None
                    named = glued if glued is not None and self._place_at(glued, limit) \
                        else self._descriptors_before_place(glued or j, limit)
                if named is not None:
                    j = named  # "Công ty ô tô Toyota": what the organisation does, then its name
                    continue
            joiner = self.joiners.get(j)
            if joiner is not None and self.sdoc.texts[j][:1].isupper() and self._capitalised_word(joiner.end, limit):
                j = joiner.end  # "UBND P. Hòa Thọ Đông": an abbreviated unit, not a word of the name
                continue
            if self._capitalised_word(j, limit) and j not in self.heads and not lower and not self._is_person_at(j, limit):
                proper = proper or self.sdoc.tags[j] == "Np"
                j = self._word_end(j, limit)
                continue
            if j in self.foreign_joiners and self._capitalised_word(j + 1, limit):
                j += 1  # "Tổ chức Save the Children"
                continue
            if self._lowercase_noun(j, limit) and self._country_at(self._word_end(j, limit)):
                j = self._word_end(j, limit)  # "Chính phủ nước Cộng hòa …": a noun that links the head to its country
                continue
            unit_end = self.unlisted_place_phrase(j, limit) if j in self.joiners else None
            if unit_end is not None:
                j = unit_end  # "Trung tâm y tế huyện Kim Bôi": a unit and its place end the name, like a place
                break
            described = self._descriptors_before_place(j, limit, verbs=False) \
                if j > head.end and not proper and not lower else None
            if described is not None:
                j, lower = described, MAX_LOWERCASE_COMPLEMENT  # "Hội Doanh nghiệp trẻ Khánh Hòa": a place ends it
                continue
            if j > head.end and not proper and self._object_of_preposition(head.end, j, limit) \
                    and lower < MAX_PREPOSITION_OBJECT:
                j, lower = self._word_end(j, limit), lower + 1  # "Quỹ Vì người nghèo": whom it serves
                continue
            if j > head.end and not proper and lower < MAX_LOWERCASE_COMPLEMENT and self._lowercase_noun(j, limit):
                # names capitalise only the first word of the complement: "Hội Cha mẹ học sinh"
                j, lower = self._word_end(j, limit), lower + 1
                continue
            joiner = self.joiners.get(j)
            if joiner is not None and self._capitalised_word(joiner.end, limit) \
                    and joiner.end not in self.heads and joiner.end not in self.places \
                    and not self._is_person_at(joiner.end, limit):
                # "Hội Bảo trợ Người khuyết tật và Trẻ mồ côi": a second complement, capitalised and lower-case
                # words as the first; never a joiner alone ("Hội Nông dân xã và" | "Nguyễn Văn An")
                j, lower, proper = self._word_end(joiner.end, limit), 0, self.sdoc.tags[joiner.end] == "Np"
                described = self._descriptors_before_place(j, limit, verbs=False)
                if described is not None:
                    j, lower = described, MAX_LOWERCASE_COMPLEMENT  # "… và Trẻ mồ côi TP.HCM": a place ends it
                continue
            break
        at = self.located_at.get(j)
        if at is not None and head.phrase.normalized in self.located_kinds and at.end in self.places \
                and j > head.end:
            j = self.places[at.end].end  # "Đại sứ quán Việt Nam tại Nhật Bản": where the mission serves
        branch = self.branch_nouns.get(j)
        if branch is not None and j > head.end and head.phrase.normalized in self.branched_kinds:
            j = self._branch_place_end(branch.end, limit) or j  # "Ngân hàng BIDV chi nhánh Hà Tĩnh"
        unit = self.unit_nouns.get(j)
        if unit is not None and not self._capitalised_word(unit.end, limit) and unit.end not in self.places:
            j = unit.end  # "UBND tỉnh", "Hội LHPN tỉnh": the level of the unit the article named before
        if j == head.end:
            return None
        return j, country

    def _branch_place_end(self, i: int, limit: int) -> int | None:
        """Where the place a branch is in ends: a listed place, a unit and its place, or capitalised words."""
        place = self.places.get(i)
        if place is not None:
            return place.end
        unit_end = self.unlisted_place_phrase(i, limit)
        if unit_end is not None:
            return unit_end
        j = i
        while self._capitalised_word(j, limit) and j not in self.heads and not self._is_person_at(j, limit):
            j = self._word_end(j, limit)
        return j if j > i else None

    def event_of_organiser(self, i: int, limit: int) -> int:
        """Where the event an organiser is named by ends: its lower-case nouns ("lễ hội", "giải"), then its
        capitalised name ("Tiền Phong Marathon"); ``i`` when neither follows."""
        j = i
        for _ in range(MAX_HEAD_DESCRIPTORS):
            if not self._lowercase_noun(j, limit, EVENT_TAGS) or j in self.joiners:
                break
            j = self._word_end(j, limit)
        while self._capitalised_word(j, limit) and j not in self.heads and j not in self.places \
                and not self._is_person_at(j, limit):
            j = self._word_end(j, limit)
        return j

    def _name_after_descriptors(self, i: int, limit: int) -> int | None:
        """Where a name starts after the lower-case nouns that say what an organisation does ("Công ty ô tô
        Toyota"), or the country or the unit that ends it ("Hiệp hội bệnh viện tư nhân Việt Nam", "Hội chữ thập đỏ
        phường Ninh Hiệp"); None when none follows them."""
        j = i
        for n in range(MAX_HEAD_DESCRIPTORS):
            # a noun first, then nouns or adjectives ("Hội chữ thập đỏ phường Ninh Hiệp"); or a verb with its
            # object ("Quỹ bảo trợ trẻ em Việt Nam")
            if not (self._lowercase_noun(j, limit, DESCRIPTOR_TAGS if n else ("N",))
                    or not n and self._verb_with_object(j, limit)) or self._joins_here(j, limit):
                return None
            j = self._word_end(j, limit)
            if self._country_at(j) or (self._capitalised_word(j, limit) and j not in self.heads
                                       and j not in self.places and j not in self.unlisted_places
                                       and j not in self.run_in_openers and not self._is_person_at(j, limit)):
                return j
            if self._place_at(j, limit):
                return j
        return None

    def _name_after_legal_form(self, i: int, limit: int) -> int | None:
        """Where the lower-case words after a company's legal form end ("Công ty CP hợp tác thương mại toàn cầu"):
        nouns, verbs and adjectives of what it does, up to anything else; at a capitalised name or a place the
        name goes on. None for fewer than two such words before neither ("Công ty cổ phần hoạt động trong …")."""
        j, words = i, 0
        while words < MAX_LEGAL_NAME_WORDS and self._lowercase_noun(j, limit, LEGAL_NAME_TAGS) \
                and j not in self.joiners:
            j, words = self._word_end(j, limit), words + 1
        if words and (self._place_at(j, limit) or (self._capitalised_word(j, limit) and j not in self.heads
                                                     and not self._is_person_at(j, limit))):
            return j
        return j if words >= 2 else None

    def _descriptors_before_place(self, i: int, limit: int, verbs: bool = True) -> int | None:
        """Where a place starts after lower-case nouns or adjectives that a name holds after its capitalised
        words ("Hội Doanh nghiệp trẻ Khánh Hòa"), or, right after the head (``verbs``), after a verb and its object
        ("Trung tâm bảo trợ xã hội tỉnh Bình Định"); None when no place follows them."""
        j = i
        for n in range(MAX_HEAD_DESCRIPTORS):
            described = self._lowercase_noun(j, limit, DESCRIPTOR_TAGS) or (
                verbs and not n and self._verb_with_object(j, limit))
            if not described or self._joins_here(j, limit):
                return None
            j = self._word_end(j, limit)
            if self._place_at(j, limit):
                return j
        return None

    def _joins_here(self, i: int, limit: int) -> bool:
        """A joiner is the whole word at i: "xã" in "xã Tam Hiệp", not in "xã hội" (society)."""
        joiner = self.joiners.get(i)
        return joiner is not None and joiner.end >= self._word_end(i, limit)

    def _verb_with_object(self, i: int, limit: int) -> bool:
        """"bảo trợ trẻ em", "bảo trợ Người khuyết tật": a lower-case verb right after an organisation's head says
        what it does when its object follows, a lower-case noun or a capitalised word that is no place, head or
        person ("Hội khẳng định Việt Nam …" is a sentence)."""
        if not self._lowercase_noun(i, limit, VERB_TAGS) or any(m.start < i < m.end for m in self.organisers.values()):
            return False  # "Ban tổ chức giải …" names who organises an event
        k = self._word_end(i, limit)
        return self._lowercase_noun(k, limit) or (self._capitalised_word(k, limit) and k not in self.places
                                                   and k not in self.heads and not self._is_person_at(k, limit))

    def _serves_a_place(self, i: int, limit: int) -> bool:
        """What an organisation does, then a place inside a country ("phụ nữ thôn Vệ Linh"); a country after
        them says where it is from ("hãng truyền thông Mỹ" names no one)."""
        place = self._descriptors_before_place(i, limit)
        return place is not None and not self._country_at(place)

    def _place_at(self, j: int, limit: int) -> bool:
        """A place the lists know, or a unit and the capitalised name of a place they do not, starts at j."""
        return j in self.places or (j in self.joiners and j in self.unlisted_places
                                    and self.unlisted_place_phrase(j, limit) is not None)

    def unlisted_place_phrase(self, i: int, limit: int) -> int | None:
        """A place the lists do not know, by its head: "huyện Tam Đảo", "phường Hòa Thọ Đông"; the end."""
        head = self.unlisted_places.get(i)
        if head is None or head.end in self.places or head.end in self.heads \
                or not self._capitalised_word(head.end, limit):
            return None
        # syllable by syllable: the word segmenter glues a place's last syllable to the verb after it ("Trần Phú
        # thăm hỏi")
        j = head.end + 1
        while self._capitalised_word(j, limit) and j not in self.places and j not in self.heads \
                and not self._is_person_at(j, limit):
            j += 1
        return j

    def proper_phrase(self, i: int, limit: int, sentence_start: int) -> int | None:
        """A run of capitalised words that no place interrupts, and that looks like a name: underthesea tags
        a word of it Np, or it has a foreign syllable, or it is an abbreviation ("CZI")."""
        if not self._capitalised_word(i, limit) or i in self.not_starts or i in self.places or i in self.heads:
            return None
        j = self._word_end(i, limit)
        while True:
            if self._capitalised_word(j, limit) and j not in self.places and j not in self.heads \
                    and j not in self.run_in_openers:
                j = self._word_end(j, limit)
            elif j < limit and (self.sdoc.texts[j] in INNER_NAME_MARKS or j in self.foreign_joiners) \
                    and self._capitalised_word(j + 1, limit):
                j = self._word_end(j + 1, limit)  # "Smith & Wollensky", "Save the Children"
            else:
                break
        # the segmenter may glue the sentence run into the name to it ("Mai Thị Thắm Sáng" | "ngày 13/5")
        j = min((k for k in self.run_in_openers if i < k < j), default=j)
        syllables = [text for text, space in zip(self.sdoc.texts[i:j], self.sdoc.spaces[i:j]) if not space]
        if any(any(c.isdigit() for c in s) for s in syllables) or sum(c.isalpha() for s in syllables for c in s) < 2:
            return None
        # underthesea tags many a capitalised sentence opener Np ("Vốn"): there a name needs two syllables
        tagged = any(self.sdoc.token_starts[k] in self.proper_nouns for k in range(i, j)
                     if k != sentence_start or len(syllables) >= 2)
        # words joined by a hyphen are one foreign word ("V-Hottest", "Coca-Cola")
        foreign = any(VIETNAMESE_SYLLABLE.match(s) is None and s.replace("-", "").isalpha() for s in syllables)
        abbreviation = len(syllables) == 1 and len(syllables[0]) >= 2 and syllables[0].isupper()
        if not (tagged or foreign or abbreviation):
            return None
        return j

    def titled_person(self, i: int, limit: int) -> Party | None:
        """"ca sĩ Mỹ Tâm", "tỷ phú Mỹ Warren Buffett": the capitalised words after a noun for a person's
        occupation or standing name that person, a place among them too; a country first, with a name of two or more
        words after it, is the person's nationality. None when no name follows, or only a country."""
        j = i
        while j - i < MAX_TITLED_NAME and self._capitalised_word(j, limit) and j not in self.person_titles \
                and j not in self.run_in_openers:
            j += 1  # up to another occupation ("NSƯT Thoại Mỹ NSND …")
        place = self.places.get(i)
        if j == i or (place is not None and place.end >= j):
            return None
        country = None
        if place is not None and place.phrase.get("kind") == "country" and j - place.end >= 2:
            country, i = place.phrase.get("country"), place.end
        return replace(self._party(i, j, "person", country, "proper"), after_honorific=True)

    def find(self, start: int, end: int) -> list[Party]:
        """The parties between tokens start and end (one sentence), in text order."""
        found, i = [], start
        spaces, token_starts, word_starts = self.sdoc.spaces, self.sdoc.token_starts, self.sdoc.word_starts
        texts = self.sdoc.texts
        while i < end:
            if spaces[i] or (i > start and token_starts[i] not in word_starts and i not in self.places):
                i += 1
                continue
            if i in self.person_titles:
                i = self.person_titles[i]  # "NSƯT", "MC": a person's occupation opens no party
                continue
            if i in self.person_title_ends:
                person = self.titled_person(i, end)
                if person is not None:
                    found.append(person)
                    i = person.end
                    continue
            if i > start and i not in self.phrase_openers and (not texts[i][:1].isupper() and not texts[i][:1].isdigit()
                                                               or not self._capitalised_word(i, end)):
                i += 1  # most words: neither a party's head, a place nor capitalised
                continue
            headed = self.head_phrase(i, end)
            if headed is None and i in self.heads and i in self.organisation_levels:
                headed = (self.heads[i].end, None)  # "các cấp Hội": every level of the organisation named before
            organiser = self.organisers.get(i) if headed is None else None
            if organiser is not None:
                j = self.event_of_organiser(organiser.end, end)
                found.append(self._party(i, j, "organisation", None, "head"))
                i = j
                continue
            place = self.places.get(i)
            if headed is not None and place is not None and (place.end >= headed[0] or place.end in self.joiners):
                # the lists know the whole name ("Chính phủ Nhật Bản" is Nhật Bản); a joiner after it starts
                # another party ("Chính phủ Việt Nam và China Eximbank")
                headed = None
            if headed is not None:
                j, country = headed
                head = self.heads[i]
                party = self._party(i, j, head.phrase.normalized,
                                    country.phrase.get("country") if country else None, "head")
                if i in self.lowercase_heads and not self._country_at(head.end) \
                        and self._capitalised_word(head.end, end):
                    # "hãng Wendy's" is Wendy's: the head only says what it is
                    party = replace(party, name=self._party(head.end, j, None, None, "head").text)
                elif head.text.casefold() in self.state_heads and country is not None and country.end == j \
                        and country.phrase.get("kind") == "country":
                    # "Chính phủ Hàn Quốc" is the state, named as the lists name it (as "Chính phủ Nhật Bản")
                    party = replace(party, name=country.phrase.normalized)
                found.append(party)
                i = j
                continue
            if i in self.document_names and not self._subject_of_a_verb(i, end, start):
                i += 1  # "Hiệp định Paris": the name of a document, not a party
                continue
            place = self.places.get(i)
            if place is not None and i in self.address_ends and self._is_capitalised_run(i, place.end):
                # "ông Mỹ", "bà Anh": a word of address names a person, whose name is also a country's
                found.append(replace(self._party(i, place.end, "person", None, "proper"), after_honorific=True))
                i = place.end
                continue
            if place is not None:
                found.append(self._place(place))
                i = place.end
                continue
            j = self.unlisted_place_phrase(i, end)
            if j is not None:
                found.append(self._party(i, j, self.unlisted_places[i].phrase.normalized, None, "place"))
                i = j
                continue
            k = i
            if i == start and self.sdoc.token_starts[i] not in self.proper_nouns \
                    and VIETNAMESE_SYLLABLE.match(texts[i]) is not None:
                # capitalised only because it opens the sentence ("Diễn viên X"); a foreign word ("Cassie Gee")
                # is a name's, whatever the tagger says
                k = self._word_end(i, end)
                k = k if self._capitalised_word(k, end) else i
            j = self.proper_phrase(k, end, start) if k != i else None
            if j is not None:
                found.append(self._party(k, j, None, None, "proper"))
                i = j
                continue
            j = self.proper_phrase(i, end, start)
            if j is not None:
                found.append(self._party(i, j, None, None, "proper"))
                i = j
                continue
            i += 1
        return self._with_abbreviations([self._group_of(self._described_person(p)) for p in found], end)

    def _subject_of_a_verb(self, i: int, limit: int, sentence_start: int) -> bool:
        """"… ký kết các thỏa thuận FPT đã ký kết …": capitalised words after a document's kind in lower case, then a
        verb of signing, giving or receiving (adverbs between), open a clause of their own (a heading the page ran
        into the sentence): they name its subject, not the document. A capitalised kind heads a document's own name
        ("Hiệp định Paris đã ký năm 1973"), and a place after a kind is where it was signed."""
        if self.sdoc.texts[self.document_names[i].start][:1].isupper() or i in self.places:
            return False
        j = self.proper_phrase(i, limit, sentence_start)
        if j is None:
            return False
        while j < limit and (self.sdoc.spaces[j] or self.sdoc.tags[j] in SUBJECT_ADVERB_TAGS):
            j += 1
        return j in self.verbs

    def _group_of(self, party: Party) -> Party:
        """The people a party names stand for: a family named by one of its members after the word of address
        ("gia đình em Nguyễn Văn An", "gia đình cháu Tuấn"), the readers or staff of an organisation ("bạn đọc
        Báo VietNamNet", "nhân viên Bệnh viện Chợ Rẫy"). The member or the organisation is not the party."""
        address = self.addresses.get(party.start)
        family = self.family_nouns.get(address.start) if address is not None else None
        if family is not None and party.kind in (None, "person"):
            return self._party(family.start, party.end, None, party.country, "phrase")
        levels = self.organisation_levels.get(party.start)
        if levels is not None and party.source == "head":
            return self._party(levels.start, party.end, party.kind, party.country, "head")
        group = self.member_groups.get(party.start)
        if group is not None and party.kind != "person" and (party.source in ("head", "list", "place")
                                                           or party.start in self.heads):
            start = group.start
            while True:  # "cán bộ, chiến sĩ …": the groups listed before it
                joiner = self.member_list_joiners.get(start)
                listed = self.member_groups.get(joiner.start) if joiner is not None else None
                if listed is None:
                    break
                start = listed.start
            collective = self.member_collectives.get(start)  # "tập thể cán bộ, nhân viên …"
            return self._party(collective.start if collective is not None else start, party.end, None,
                               party.country, "phrase")
        return party

    def _described_person(self, party: Party) -> Party:
        """"chàng trai Sài thành", "du học sinh Việt": a place or name right after a noun for one person
        describes that person, who is the party."""
        noun = self.person_nouns.get(party.start)
        if noun is None:
            return party
        return self._party(noun.start, party.end, "person", party.country, "phrase")

    def _party(self, i: int, j: int, kind: str | None, country: str | None, source: str) -> Party:
        texts = self.sdoc.texts
        text = self.sdoc.text[self.sdoc.token_starts[i]:self.sdoc.token_ends[j - 1]]
        quoted = i > 0 and j < len(texts) and texts[i - 1] in QUOTE_MARKS and texts[j] in QUOTE_MARKS \
            or i > 0 and texts[i - 1] == ":" and i - 1 in self.credit_ends  # "Ảnh: Daily Mail"
        return Party(i, j, text, text, kind, country, source, after_honorific=i in self.honorific_ends,
                     quoted=quoted)

    def _place(self, place: Match) -> Party:
        count = place.phrase.get("count")
        return Party(place.start, place.end, place.text, place.phrase.normalized, place.phrase.get("kind"),
                     place.phrase.get("country"), "list", int(count) if count else None)

    def _with_abbreviations(self, parties: list[Party], end: int) -> list[Party]:
        """"X (ABBR)": the bracketed party is X again; the abbreviation is remembered for later sentences."""
        out: list[Party] = []
        for p in parties:
            prev = out[-1] if out else None
            # an abbreviation is shorter than what it stands for: "BHYT (BHXH Việt Nam)" names the body the unit
            # belongs to
            if prev is not None and p.start >= 1 and self.sdoc.texts[p.start - 1] == OPENING \
                    and p.end < end and self.sdoc.texts[p.end] == CLOSING and prev.end == p.start - 1 \
                    and len(p.text) < len(prev.text):
                self.aliases[p.text.casefold()] = prev
                out.append(Party(p.start, p.end, p.text, prev.name, prev.kind, prev.country, "abbreviation"))
                continue
            known = self.aliases.get(p.text.casefold())
            if known is not None and p.source != "list":
                p = Party(p.start, p.end, p.text, known.name, known.kind, known.country, "abbreviation")
            out.append(p)
        return out


MAX_LOWERCASE_COMPLEMENT = 2  # lower-case nouns an organisation's name may hold after its capitalised words
MAX_HEAD_DESCRIPTORS = 3  # lower-case nouns between an organisation's head and its name ("Công ty ô tô Toyota")
EVENT_TAGS = ("N",)  # "lễ hội", "giải": what the event is; a verb after them is the organiser's
SUBJECT_ADVERB_TAGS = ("R",)  # underthesea's adverbs: "đã", "sẽ", "cũng" between a subject and its verb
DESCRIPTOR_TAGS = ("N", "A")  # the tagger's nouns and adjectives: what may say what an organisation does
OBJECT_TAKING_TAGS = ("E", "V")  # underthesea's prepositions and verbs: "Quỹ Vì người nghèo", "Hội Bảo trợ người …"
VERB_TAGS = ("V",)  # the tagger's (VLSP) verbs
MAX_PREPOSITION_OBJECT = 4  # lower-case words after it: "Quỹ Vì biển đảo quê hương"
MAX_LEGAL_NAME_WORDS = 6  # lower-case words of a company's registered name after its legal form
LEGAL_NAME_TAGS = ("N", "V", "A")  # "đầu tư xây dựng", "thương mại", "toàn cầu"
MAX_TITLED_NAME = 5  # syllables of a name after a person's occupation ("Melinda French Gates", "Hàn Quốc Bi Rain")


@lru_cache(maxsize=8)
def country_names(rules: CompiledRules) -> dict[str, str]:
    """ISO code -> the canonical name the entity lists give the country ("US" -> "Hoa Kỳ", "LA" -> "Lào")."""
    names: dict[str, str] = {}
    for variants in rules.lexicon.phrases.values():
        for phrase in variants:
            data = dict(phrase.data)
            if phrase.label == "PLACE" and data.get("kind") == "country" and not data.get("ambiguous"):
                names.setdefault(str(data["country"]), phrase.normalized)
    return names


def acts_for_a_state(titles, rules: CompiledRules) -> bool:
    """One of ``titles`` is a title of who acts for their state (a head of state or government, a foreign
    minister: the official rules' ``state_titles``), alone or completed ("Ngoại trưởng Trung Quốc")."""
    heads = rules.merged_list("official", "state_titles")
    return any(t == h or t.startswith(f"{h} ") for t in titles for h in map(str, heads))


def party_finder(sdoc: SyllableDoc, matches, rules: CompiledRules, proper_nouns: set[int] | None = None) \
        -> PartyFinder:
    return PartyFinder(sdoc, matches, rules, proper_nouns)


def analysed_text(text: str, rules_dir: Path):
    """A plain text tokenized and labelled, with its party finder: (rules, syllable doc, label matches, finder)."""
    from ..lexicon import compile_rules, syllable_doc
    from ..tokenize import tokenize_body

    words = tokenize_body(text)
    rules = compile_rules(rules_dir)
    sdoc = syllable_doc(text, words)
    matches = rules.lexicon.find(sdoc)
    return rules, sdoc, matches, party_finder(sdoc, matches, rules, {w.start for w in words if w.pos == "Np"})


def parties_in_text(text: str, rules_dir: Path) -> list[dict]:
    """The parties of a plain text (tokenized first): used by the rule examples."""
    from .sentence import sentences_of

    _, sdoc, matches, finder = analysed_text(text, rules_dir)
    out = []
    for sent in sentences_of(sdoc, matches):
        out.extend(finder.find(sent.start, sent.end))
    return [p.as_dict() for p in out]
