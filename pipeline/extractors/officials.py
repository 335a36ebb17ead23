"""Officials: a name with its titles and the country they serve."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..lexicon import VIETNAMESE_SYLLABLE, CompiledRules, Match, SyllableDoc
from .entities import PartyFinder
from .patterns import SentenceUnits, compiled_patterns, leftmost_matches
from .records import TokenSpan, in_text_order, roles_of
from .sentence import Sentence, char_span, whole_words


def _at(matches: list[Match]) -> dict[int, Match]:
    return {m.start: m for m in matches}


LOWER_CASE_COMPLEMENT = 5  # lower-case words a title may run over before a name


def _is_name_syllable(text: str, particles: frozenset[str] = frozenset()) -> bool:
    head, dash, rest = text.partition("-")
    if dash and head in particles and rest[:1].isupper():  # "Khalid al-Attiyah"
        return True
    return text[:1].isupper() and any(c.isalpha() for c in text) and (len(text) == 1 or not text[1:].isupper())


MIN_NAME_AFTER_UNIT = 3  # syllables of a person's name right after "huyện", "tỉnh" (a place's name has fewer)


@dataclass(frozen=True)
class OfficialWords:
    """The word lists of a rule set that every sentence's parser reads, gathered once per compiled rule set."""

    name_min: int
    name_max: int
    stopwords: frozenset[str]
    particles: frozenset[str]
    surname_alone_titles: frozenset[str]
    surnames: frozenset[str]
    org_words: frozenset[str]
    org_endings: frozenset[str]


@lru_cache(maxsize=8)
def official_words(rules: CompiledRules) -> OfficialWords:
    data = rules.first("official")

    def folded(kind: str, key: str) -> frozenset[str]:
        return frozenset(str(w).casefold() for w in rules.merged_list(kind, key))

    return OfficialWords(int(data["name_min_syllables"]), int(data["name_max_syllables"]),
                         folded("stoplist", "words"),
                         frozenset(str(w) for w in rules.merged_list("official", "name_particles")),
                         folded("official", "surname_alone_titles"),
                         frozenset(rules.merged_list("official", "vietnamese_surnames")),
                         folded("entity_shape", "organisation_words"),
                         folded("entity_shape", "organisation_word_endings"))


FAMILY_PREFIX = re.compile(r"^(?:Mc|Mac|O['’])(?=[A-Z])")  # "McDonald", "O'Neill": a name's capital, not a brand's


@dataclass(frozen=True)
class TitleChain:
    """Titles of one person, each with its complement ("Ủy viên Bộ Chính trị, Bí thư Thành ủy Hà Nội"): the token
    span of each title and the countries (or organs) its complements name."""

    start: int
    end: int
    spans: tuple[tuple[int, int], ...]
    named: tuple


class OrganCountry(str):
    """The country an organ only it has implies ("UBND": VN): a place of another country in the title wins."""


class OfficialParser:
    """Titles with their complements, and the names they belong to, in one sentence.

    A title's complement is what names the office: organs from the rule file, places, organisations found by
    their shape (vnfacts.extractors.entities), abbreviations, joined by "của", "tại", "tỉnh" …. A name is a
    Vietnamese one (a surname, then capitalised syllables) or a foreign one (capitalised words with a syllable
    that cannot be Vietnamese, or that underthesea tags Np); the complement ends where a name starts.
    """

    def __init__(self, sdoc: SyllableDoc, sent: Sentence, rules: CompiledRules, finder: PartyFinder):
        self.sdoc, self.texts, self.sent, self.rules, self.finder = sdoc, sdoc.texts, sent, rules, finder
        words = official_words(rules)
        self.name_min, self.name_max = words.name_min, words.name_max
        self.titles = _at(sent.of("TITLE"))
        self.not_titles = _at(sent.of("NOT_TITLE"))
        self.prefixes = _at(sent.of("TITLE_PREFIX"))
        self.complements = _at(sent.of("TITLE_COMPLEMENT"))
        self.organs = _at(sent.of("NATIONAL_ORGAN"))
        self.places = _at(sent.of("PLACE"))
        self.place_ends = {m.end: m for m in sent.of("PLACE")}
        self.joiners = _at(sent.of("JOINER"))
        self.honorifics = _at(sent.of("HONORIFIC"))
        self.chain_joiners = {m.start for m in sent.of("TITLE_CHAIN_JOINER")}
        self.conjunctions = {m.start: m.end for m in sent.of("CONJUNCTION")}  # start -> end
        self.stopwords, self.particles = words.stopwords, words.particles
        self._name_ends: dict[int, int | None] = {}
        self.surname_alone_titles = words.surname_alone_titles
        self.not_names = {t for label in ("NOT_PARTY", "CURRENCY", "ORG_HEAD", "AGREEMENT_KIND", "NOT_NAME_START")
                          for m in sent.of(label) for t in range(m.start, m.end)}
        self.surnames = words.surnames
        self.inside_places = {t: m for m in sent.of("PLACE") for t in range(m.start + 1, m.end)}
        self.unit_places = self._unit_places(sent)
        self.org_words, self.org_endings = words.org_words, words.org_endings

    def _unit_places(self, sent: Sentence) -> set[int]:
        """The capitalised syllables right after a unit's level ("huyện Kim Bôi", "xã Ia Mơr"): a place's name, up to
        a family name that opens three or more capitalised syllables, a person's ("PCT UBND tỉnh Dương Tất Thắng",
        "UBND huyện Kông Chro Nguyễn Văn An")."""
        texts, out = self.sdoc.texts, set()
        for unit in sent.of("UNLISTED_PLACE") + sent.of("UNIT_NOUN"):
            k = unit.end
            while k < sent.end and not self.sdoc.spaces[k] and texts[k][:1].isupper():
                run = next((e for e in range(k, sent.end) if not texts[e][:1].isupper() or self.sdoc.spaces[e]),
                           sent.end) - k
                if texts[k] in self.surnames and run >= MIN_NAME_AFTER_UNIT:
                    break
                out.add(k)
                k += 1
        return out

    # -- titles
    def title_at(self, i: int) -> Match | None:
        prefix = self.prefixes.get(i)
        k = self.skip_space(prefix.end) if prefix is not None else i
        head = self.titles.get(k)
        if head is None and prefix is not None:
            head = self.titles.get(i)  # "Phó Chủ tịch" is a title of its own
        blocker = self.not_titles.get(k)
        if head is None or (blocker is not None and blocker.end >= head.end):
            return None
        return head

    def skip_space(self, k: int) -> int:
        while k < self.sent.end and self.sdoc.spaces[k]:
            k += 1
        return k

    def parse_title(self, i: int) -> tuple[int, list]:
        """A title (with its prefix) and its complement: (end token, entities named in it)."""
        head = self.title_at(i)
        j, named = head.end, [OrganCountry(o.phrase.normalized) for k, o in self.organs.items() if i <= k < head.end]
        if j < self.sent.end and self.texts[j] == "." and head.text.isupper():
            j += 1  # "TS. Nguyễn Trí Hiếu"
        while j < self.sent.end:
            if self.name_at(j) is not None and self._name_ends_run(j):
                break
            step = self._complement_step(j)
            if step is None:
                j = self._up_to_a_name(j)
                break
            j, found = step
            named.extend(found)
        return j, named

    def _up_to_a_name(self, j: int) -> int:
        """"Cục trưởng Cục chống tham nhũng Phạm Trọng Đạt", "PCT UBND tỉnh Dương Tất Thắng": lower-case words
        still belong to the title when a Vietnamese name follows them within a few words."""
        for k in range(j + 1, min(j + LOWER_CASE_COMPLEMENT + 1, self.sent.end)):
            if self.sdoc.is_punct(k - 1) or self.sdoc.spaces[k - 1] or k - 1 in self.titles or k - 1 in self.honorifics \
                    or k - 1 in self.conjunctions:
                return j  # "… Tổng Giám đốc MHBS và Đặng Văn Hòa": another person
            if self.sdoc.texts[k] in self.surnames and self.name_at(k) is not None and self._name_ends_run(k):
                return k
        return j

    def _complement_step(self, j: int):
        """One piece of a complement at token j: (end, entities), or None."""
        end = self.sent.end
        if self._addresses_a_person(j):
            return None  # "nhà sáng lập Tập đoàn Vingroup - Ông Phạm Nhật Vượng": the title ends before "Ông"
        options = []
        if j in self.complements:
            organ = self.organs.get(j)
            options.append((self.complements[j].end, [OrganCountry(organ.phrase.normalized)] if organ else []))
        if j in self.places:
            options.append((self.places[j].end, [self.places[j].phrase.get("country")]))
        elif j in self.inside_places:  # "Chủ tịch Hạ viện Mỹ": the title ends inside the place's name
            place = self.inside_places[j]
            options.append((place.end, [place.phrase.get("country")]))
        # a head in lower case ("tổ chức Chan Zuckerberg Biohub") names what the party is, not an office's organ
        headed = self.finder.head_phrase(j, end) if j not in self.finder.lowercase_heads else None
        if headed is not None:
            stop = headed[0]
            head_end = self.finder.heads[j].end
            while head_end in self.finder.heads:  # "Công ty CP Tập đoàn …": the last head of a head of a head
                head_end = self.finder.heads[head_end].end
            # "Bí thư Thành ủy Vientiane Anouphab Tounalom": the organisation ends where the name starts
            cut = next((k for k in range(head_end, stop) if self.name_at(k) is not None
                        and self.name_at(k) >= stop and self._surely_a_name(k)), None)
            if cut is not None and cut > head_end and self.name_at(cut) - cut >= 2:
                stop = cut  # the organisation keeps a word after its head; the name has two or more
            if stop > head_end:
                options.append((stop, [headed[1].phrase.get("country")] if headed[1] else []))
        if not options and self._capitalised(j) and j not in self.titles:
            word_end = self.sdoc.word_end(j, end)
            # underthesea glues "Nhật Shinzo": a name that starts inside the word ends the complement there
            name_start = next((k for k in range(j + 1, word_end) if self.name_at(k) is not None), word_end)
            options.append((name_start, []))
        if not options and j in self.joiners:
            after = self.joiners[j].end
            nxt = self._complement_step(after) if after < end and self.name_at(after) is None else None
            if nxt is not None:
                options.append(nxt)
        if not options and self.texts[j] == "(":
            close = next((k for k in range(j + 1, min(j + 12, end)) if self.texts[k] == ")"), None)
            if close is not None and all(self._capitalised(k) or self.sdoc.spaces[k] or self.sdoc.is_punct(k)
                                         for k in range(j + 1, close)):
                options.append((close + 1, []))
        if not options:
            return None
        return max(options, key=lambda o: (o[0], any(o[1])))  # the longest; of equals, one naming a country

    def _addresses_a_person(self, k: int) -> bool:
        """A form of address at token k, not part of a place's name ("Anh" the country, "Bà Rịa")."""
        return k in self.honorifics and k not in self.places and k not in self.inside_places

    def _capitalised(self, k: int) -> bool:
        return k < self.sent.end and not self.sdoc.spaces[k] and self.sdoc.texts[k][:1].isupper()

    # -- names
    def name_at(self, i: int) -> int | None:
        """The end of a personal name starting at token i, or None (the parse asks again and again at the same
        tokens, so each answer is kept)."""
        if i not in self._name_ends:
            self._name_ends[i] = self._name_end(i)
        return self._name_ends[i]

    def _name_end(self, i: int) -> int | None:
        texts, end = self.sdoc.texts, self.sent.end
        if i >= end or i in self.not_names or i in self.titles or i in self.inside_places or i in self.unit_places \
                or not _is_name_syllable(texts[i], self.particles):
            return None
        if self.sdoc.token_starts[i] not in self.sdoc.word_starts and VIETNAMESE_SYLLABLE.match(texts[i]) \
                and not self._glued_to_a_name_before(i):
            return None  # inside a Vietnamese word (underthesea glues foreign names, so those may start anywhere)
        if i in self.places:
            return None  # "Thủ tướng Đức Angela Merkel": a country name that is also a given name is the country
        j = i
        surname_first = texts[i] in self.surnames
        while j < end and j - i < self.name_max and _is_name_syllable(texts[j], self.particles) \
                and j not in self.titles and (j - i < 3 or not self._opens_a_lowercase_word(j)) \
                and j not in self.not_names and (j == i or j not in self.places
                                                 or self.places[j].phrase.get("ambiguous")
                                                 or (surname_first and self._given_name_place(j))):
            j += 1
            if j + 2 < end and len(texts[j]) == 1 and texts[j].isupper() and texts[j + 1] == "." \
                    and _is_name_syllable(texts[j + 2], self.particles):
                j += 2  # an initial: "George W. Bush"
        if texts[i] not in self.surnames:
            # "Mike Rogers Là …": a Vietnamese function word ends a foreign name
            k = next((k for k in range(i + 1, j) if texts[k].casefold() in self.stopwords
                      and VIETNAMESE_SYLLABLE.match(texts[k])), j)
            j = k
        syllables = texts[i:j]
        for p in range(i + 1, j - 1):  # "Chủ tịch Vingroup Phạm Nhật Vượng": the name starts at the surname
            if texts[p] in self.surnames and 2 <= j - p <= 4 and VIETNAMESE_SYLLABLE.match(texts[p - 1]) is None:
                return None
        if texts[i] in self.surnames and self.name_min <= len(syllables):
            return j
        foreign = [s for s in syllables if VIETNAMESE_SYLLABLE.match(s) is None]
        if foreign and len(syllables) <= 4 and not any(self._organisation_shaped(t) for t in texts[i:j]):
            return None if self._vietnamese_before_foreign(i, j) else j
        # "Thủ tướng Campuchia Hun Sen": after a foreign country, syllables that could be Vietnamese but make one
        # word underthesea tags Np are a name (a district after a Vietnamese place is not: "Chi nhánh Hai Bà Trưng")
        word_end = min(self.sdoc.word_end(i, end), j)
        before = self.place_ends.get(i) or self.place_ends.get(i - 1 if i > 0 and self.sdoc.spaces[i - 1] else -1)
        foreign_country = before is not None and before.phrase.get("kind") == "country" \
            and before.phrase.get("country") not in (None, "VN")
        if foreign_country and self.sdoc.tags[i] == "Np" and self.name_min <= word_end - i <= 4 \
                and not any(self._organisation_shaped(t) for t in texts[i:word_end]):
            return word_end
        return None

    def _opens_a_lowercase_word(self, k: int) -> bool:
        """A capitalised syllable opens a word that goes on in lower case ("Không thể", "Chia sẻ"): after three
        syllables of a name, a heading or a sentence glued to it, not a fourth syllable ("Tập Cận Bình" glued to
        the verb after it keeps its third)."""
        sdoc = self.sdoc
        return sdoc.token_starts[k] in sdoc.word_starts and k + 1 < self.sent.end and not sdoc.spaces[k + 1] \
            and sdoc.token_starts[k + 1] not in sdoc.word_starts and sdoc.texts[k + 1][:1].islower()

    def _glued_to_a_name_before(self, i: int) -> bool:
        """"Chủ tịch Hội LHPN phường Tứ Liên Hồ Nguyệt Thu": underthesea makes one proper noun of a place and the
        name after it. A family name inside such a word starts a name when three or more syllables of the word
        follow from it and every syllable of the word before it is capitalised."""
        texts = self.texts
        if texts[i] not in self.surnames or self.sdoc.tags[i] != "Np":
            return False
        start = i
        while start > self.sent.start and self.sdoc.token_starts[start] not in self.sdoc.word_starts:
            start -= 1
        return self.sdoc.word_end(start, self.sent.end) - i >= self.name_min + 1 \
            and all(texts[k][:1].isupper() for k in range(start, i))

    def _given_name_place(self, j: int) -> bool:
        """A province's name inside a name that a family name opens is a given name ("Trương Hòa Bình"), when it
        is spelt as Vietnamese and is no country."""
        place = self.places[j]
        return place.phrase.get("kind") != "country" and VIETNAMESE_SYLLABLE.match(self.texts[j]) is not None

    def addressed_name_at(self, i: int) -> int | None:
        """The end of a name after a form of address ("ông Tất Thành Cang"): a name by its shape, or else two or
        more capitalised syllables spelt as Vietnamese, which after "ông"/"bà" name a person even when the family
        name is not a listed one."""
        end = self.name_at(i)
        if end is not None:
            return end
        if i in self.places or i in self.inside_places:
            return None
        j = i
        while j < self.sent.end and j - i < self.name_max and self._capitalised(j) and j not in self.titles \
                and j not in self.not_names and j not in self.places and j not in self.honorifics \
                and self.texts[j][1:].islower() and VIETNAMESE_SYLLABLE.match(self.texts[j]) is not None:
            j += 1
        return j if j - i >= self.name_min else None

    def _vietnamese_before_foreign(self, i: int, j: int) -> bool:
        """"Thủ tướng Nhật Shinzo Abe": a syllable only Vietnamese spells (it has Vietnamese marks) before two or
        more syllables Vietnamese cannot spell belongs to the words before the name, not to the name."""
        first = self.texts[i]
        return j - i >= 3 and not first.isascii() and VIETNAMESE_SYLLABLE.match(first) is not None \
            and all(VIETNAMESE_SYLLABLE.match(t) is None for t in self.texts[i + 1:j])

    def _organisation_shaped(self, text: str) -> bool:
        """"VinBrain", "TPBank", "Masan Group": capitals inside a word, or an organisation's last word."""
        camel = any(any(c.isupper() for c in FAMILY_PREFIX.sub("", part)[1:]) for part in text.split("-"))
        return camel or text.casefold() in self.org_words \
            or any(text.casefold().endswith(e) for e in self.org_endings)

    def _surely_a_name(self, k: int) -> bool:
        """A name by its shape alone: a Vietnamese surname, or a syllable that cannot be Vietnamese."""
        text = self.texts[k]
        return text in self.surnames or VIETNAMESE_SYLLABLE.match(text) is None

    def _name_ends_run(self, i: int) -> bool:
        """The name at i runs to the end of the capitalised words: what follows is not more of a name."""
        j = self.name_at(i)
        return j is not None and not (j < self.sent.end and self._capitalised(j) and j not in self.titles
                                      and self.texts[j].casefold() not in self.stopwords)

    # -- mentions
    def parse_chain(self, i: int):
        """Titles separated by commas or a joiner ("Chủ tịch HĐQT kiêm Tổng Giám đốc"): (end, [(start, end)
        per title], entities)."""
        spans, named = [], []
        while self.title_at(i) is not None:
            end, found = self.parse_title(i)
            spans.append((i, end))
            named.extend(found)
            k = end
            if k < self.sent.end and (self.texts[k] == "," or k in self.chain_joiners) and \
                    self.title_at(self.skip_space(k + 1)) is not None:
                i = self.skip_space(k + 1)
                continue
            break
        return (spans[-1][1], spans, named) if spans else None

    def mentions(self) -> list[dict]:
        """The sentence's officials, read by the named patterns of the officials' rule file from left to right."""
        found = []
        for match in leftmost_matches(self.units(), compiled_patterns(self.rules, "official")):
            titles = match.all("title")
            spans = [s for t in titles for s in t.spans]
            named = [c for t in titles for c in t.named]
            for name in match.all("name"):
                start = name.start if match.pattern.get("each_name") else match.start
                found.append(self._mention(name.start, name.end, start, match.end, spans, named, match.pattern.id))
        return found

    # -- the units the patterns read: a chain of titles, a name
    def units(self) -> SentenceUnits:
        return SentenceUnits(self.sdoc, self.sent, [], [], finders={"title": self._titles_at, "name": self._names_at})

    def _titles_at(self, i: int, element, bound) -> list[TitleChain]:
        i = self.skip_space(i)
        chain = self.parse_chain(i) if self.title_at(i) is not None else None
        if chain is None:
            return []
        end, spans, named = chain
        bare = element.option("needs_complement") or ()
        if bare and all(self._head_of(span, bare) and self.title_at(span[0]).end == span[1] for span in spans):
            return []  # "ông Lê Xuân Tình, đại diện, cho biết": no office named
        if element.option("alone") and self.name_at(self._after_apposition(end)) is not None:
            return []  # "…, Phó Thủ tướng Trung Quốc Uông Dương": titles followed by a name are that next person's
        return [TitleChain(i, end, tuple(spans), tuple(named))]

    def _names_at(self, i: int, element, bound) -> list[TokenSpan]:
        i = self.skip_space(i)
        end = self.addressed_name_at(i) if element.option("addressed") else self.name_at(i)
        if end is None:
            return []
        if end - i < element.option("min_tokens", 1):
            title = next((b.unit for b in reversed(bound) if isinstance(b.unit, TitleChain)), None)
            fewer_after = element.option("fewer_after") or ()
            if title is None or not self._head_of(title.spans[-1], fewer_after):
                return []  # "giáo sư Fox": one word after an academic title is a school, not a person
        return [TokenSpan(i, end)]

    def _head_of(self, span: tuple[int, int], labels) -> bool:
        """The head of the title at ``span`` is a phrase of one of ``labels`` ("Tổng thống" of "Tổng thống Mỹ")."""
        head = self.title_at(span[0])
        return head is not None and any(m.start == head.start and m.end == head.end
                                        for label in labels for m in self.sent.of(label))

    def _after_apposition(self, end: int) -> int:
        """Where the name after a title starts: right after it, or after a comma and an honorific
        ("Phó Tổng Giám đốc Tập đoàn ROSATOM, ông Kirill Komarov")."""
        k = self.skip_space(end)
        honorific = self.honorifics.get(k)
        if honorific is not None and self.name_at(self.skip_space(honorific.end)) is not None:
            return self.skip_space(honorific.end)  # "Chủ tịch UBND tỉnh Hà Tĩnh ông Nguyễn Văn An"
        if k < self.sent.end and self.texts[k] in (",", "-", "–"):
            after = self.skip_space(k + 1)
            honorific = self.honorifics.get(after)
            after = self.skip_space(honorific.end) if honorific is not None else after
            if self.name_at(after) is not None:
                return after
        return k

    def _mention(self, name_start, name_end, start, end, title_spans, named, rule) -> dict:
        starts, ends = self.sdoc.token_starts, self.sdoc.token_ends
        c0, c1 = char_span(self.sdoc, start, end)
        return {
            "name": self.sdoc.text[starts[name_start]:ends[name_end - 1]],
            "titles": [self.sdoc.text[starts[a]:ends[b - 1]] for a, b in title_spans],
            "title_countries": [c for c in named if c and not isinstance(c, OrganCountry)]
            or [str(c) for c in named if isinstance(c, OrganCountry)],
            "char_start": c0,
            "char_end": c1,
            "evidence": self.sdoc.text[c0:c1],
            "rule_id": rule,
            # the foreign countries the sentence names: the likeliest for a foreign name no title places
            "sentence_countries": sorted({str(m.phrase.get("country")) for m in self.places.values()
                                          if m.phrase.get("country") not in (None, "VN")}),
            "roles": roles_of(self.sdoc, [("name", TokenSpan(name_start, name_end)),
                                          *(("title", TokenSpan(a, b)) for a, b in title_spans)]),
        }


def _title_roles_kept(roles: list[dict], titles: list[str]) -> list[dict]:
    """The name's role and the first span of each title the row keeps."""
    kept, seen = [], set()
    for r in roles:
        if r["role"] == "title" and (r["text"] not in titles or r["text"] in seen):
            continue
        seen.add(r["text"])
        kept.append(r)
    return sorted(kept, key=in_text_order)


def drop_subsumed_titles(titles: list[str]) -> list[str]:
    """Keep the most specific titles: one whose words all appear, in order, in another that starts with the same
    word goes ("Tổng thống" beside "Tổng thống Mỹ"). A word before the head names another office or time
    ("Phó Chủ tịch", "cựu Tổng thống", "Tổng Giám đốc"), so "Chủ tịch", "Tổng thống", "Giám đốc" stay beside
    them."""
    def inside(small: list[str], big: list[str]) -> bool:
        it = iter(big)
        return small[:1] == big[:1] and all(word in it for word in small)
    unique = list(dict.fromkeys(titles))
    words = {t: t.split() for t in unique}
    return [t for t in unique if not any(t != o and inside(words[t], words[o]) for o in unique)]


INTERNATIONAL = "international"  # the key of known_people whose holders serve no one state


def person_key(name: str) -> str:
    """A name as known_people is looked up: case, hyphens and spacing aside ("Kim Jong Un" is "Kim Jong-un")."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().replace("-", " ").split())


@lru_cache(maxsize=8)
def known_people(rules: CompiledRules) -> dict[str, str | None]:
    """Name key -> the country whose office the person holds, None for an international organisation's."""
    people: dict[str, str | None] = {}
    by_short_form: dict[str, set] = {}
    for country, name in rules.merged_map("official", "known_people"):
        state = None if country == INTERNATIONAL else country
        people[person_key(str(name))] = state
        for short in short_forms(str(name)):
            by_short_form.setdefault(short, set()).add(state)
    # "Tổng thống Obama": a short form whose listed people all serve one state ("Clinton"; not "Kim", which names
    # people of two)
    for short, states in by_short_form.items():
        if len(states) == 1 and short not in people:
            people[short] = next(iter(states))
    return people


def short_forms(name: str) -> list[str]:
    """The forms news shortens a foreign name to: its last word ("Obama"), and the family name that opens a name
    whose given name is hyphenated ("Park" of "Park Geun-hye"). A name spelt as Vietnamese has none: its last word
    is a common given name ("Bình" of "Tập Cận Bình")."""
    words = name.split()
    if len(words) < 2 or all(VIETNAMESE_SYLLABLE.match(w) for w in words):
        return []
    forms = [person_key(words[-1])]
    if "-" in words[-1]:
        forms.append(person_key(words[0]))
    return forms


def vietnamese_name(name: str, surnames: set[str]) -> bool:
    """A Vietnamese name: every syllable spelt as Vietnamese spells ("Kim Jong-un" and "Park Geun-hye" start with
    listed family names but are not), and a listed family name first or a Vietnamese mark in it ("Thèn Ngọc
    Minh", "Trầm Bê")."""
    syllables = name.split()
    return bool(syllables) and all(VIETNAMESE_SYLLABLE.match(s) for s in syllables) \
        and (syllables[0] in surnames or not name.isascii())


def official_country(name: str, title_countries: list[str], surnames: set[str],
                     known: dict[str, str | None], main_foreign_country: str | None,
                     sentence_countries: set[str] = frozenset()) -> str | None:
    """The country of a person: known_people first, then the country a title names, then Vietnam for a
    Vietnamese name, then the one foreign country the sentences naming the person name, else the foreign country
    the article names most."""
    key = person_key(name)
    if key in known:
        return known[key]
    if title_countries:
        return title_countries[0]
    if vietnamese_name(name, surnames):
        return "VN"
    if len(sentence_countries) == 1:
        return next(iter(sentence_countries))
    return main_foreign_country


def officials_of_article(mentions: list[dict], body: str, main_foreign_country: str | None,
                         rules: CompiledRules) -> list[dict]:
    surnames = set(rules.merged_list("official", "vietnamese_surnames"))
    known = known_people(rules)
    people: dict[str, dict] = {}
    longer_names = names_ending_in({m["name"] for m in mentions})
    renamed = []
    for m in mentions:
        full = full_name_of(m["name"], longer_names)
        # "Tổng thống Trump" and "Tổng thống Donald Trump" are one person, whose evidence names him in full
        renamed.append((1, {**m, "name": full}) if full != m["name"] else (0, m))
    for _, m in sorted(renamed, key=lambda r: r[0]):
        person = people.setdefault(m["name"], {**m, "titles": [], "title_countries": [], "sentence_countries": set(),
                                               "roles": [r for r in m["roles"] if r["role"] == "name"]})
        person["sentence_countries"].update(m["sentence_countries"])
        person["roles"].extend(r for r in m["roles"] if r["role"] == "title")
        person["titles"].extend(m["titles"])
        person["title_countries"].extend(m["title_countries"])
    mentions_of = whole_word_counts(list(people), body)
    rows = []
    for name, p in people.items():
        country = official_country(name, p["title_countries"], surnames, known, main_foreign_country,
                                   p["sentence_countries"])
        titles = drop_subsumed_titles(p["titles"])
        rows.append({
            "name": name, "titles": titles, "country": country,
            "n_mentions": mentions_of[name], "char_start": p["char_start"], "char_end": p["char_end"],
            "evidence": p["evidence"], "rule_id": p["rule_id"], "roles": _title_roles_kept(p["roles"], titles),
        })
    return rows


def names_ending_in(names: set[str]) -> dict[str, list[str]]:
    """Name -> the other names that end in it after a space ("Donald Trump" ends in "Trump")."""
    longer: dict[str, list[str]] = {}
    for name in names:
        for at, char in enumerate(name):
            if char == " ":
                longer.setdefault(name[at + 1:], []).append(name)
    return longer


def full_name_of(name: str, *longer_names: dict[str, list[str]]) -> str:
    """The longest name of the one person whose names end in ``name`` ("Trump" -> "Donald Trump"), or ``name``
    itself when no name ends in it or names of two people do ("Clinton": "Hillary Clinton", "Bill Clinton").
    Each map gives, for a name, the longer names ending in it (names_ending_in); the first map holding any
    decides, so an article's own names come before those of the run."""
    longer = next((names[name] for names in longer_names if names.get(name)), [])
    people = {full_name_of(other, *longer_names) for other in longer}
    return people.pop() if len(people) == 1 else name


WORD_RUN = re.compile(r"\w+")


def whole_word_counts(names: list[str], body: str) -> dict[str, int]:
    r"""Name -> how often the body holds it as whole words (``re.findall(rf"(?<!\w){name}(?!\w)", body)``), in
    one pass over the body's words for all the names, not one search of the body per name."""
    counts = dict.fromkeys(names, 0)
    by_first_word: dict[str, list[str]] = {}
    for name in names:
        if _word_bounded(name):
            by_first_word.setdefault(WORD_RUN.match(name).group(), []).append(name)
        else:
            counts[name] = len(whole_words(name).findall(body))
    if not by_first_word:
        return counts
    next_free = dict.fromkeys(names, 0)  # matches do not overlap, as findall's do not
    for run in WORD_RUN.finditer(body):  # a whole-word match starts where a word does, with the name's first word
        at = run.start()
        for name in by_first_word.get(run.group(), ()):
            end = at + len(name)
            if at >= next_free[name] and body.startswith(name, at) and \
                    (end == len(body) or WORD_RUN.match(body[end]) is None):
                counts[name] += 1
                next_free[name] = end
    return counts


def _word_bounded(name: str) -> bool:
    """The name starts and ends with a word character: its whole-word matches start and end with the body's
    word runs."""
    return bool(name) and WORD_RUN.match(name[0]) is not None and WORD_RUN.match(name[-1]) is not None
