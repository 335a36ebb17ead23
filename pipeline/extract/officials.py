"""Officials: a name with its titles and the country they serve."""

from __future__ import annotations

from ..lexicon import CompiledRules, Match, SyllableDoc
from .sentence import Sentence, char_span

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
        c0, c1 = char_span(self.sdoc, start, end)
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
