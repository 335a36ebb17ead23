"""One article: every extractor over its sentences, then article-level merging."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from functools import partial
from pathlib import Path

from ..calendar_days import news_date
from ..config import RULES_DIR
from ..dates import find_dates
from ..lexicon import CompiledRules, Match, SyllableDoc, compile_rules, phrase_doc, syllable_doc
from ..normalizers import normalizer
from ..tokenize import Word, tokenize_body
from .agreements import SIDES_SENTENCES, agreements_in_sentence, kind_words, sign_for_their_state, signed_by_both_sides
from .aid import (Frame, PartiesRead, agent_frame, complete_frame, opened_frame, pattern_events, title_frame,
                  with_title_receiver)
from .dates import _date_rows, _event_date, clauses_by_char, deadline_starts, deadline_words, is_dateline, opening_date
from .entities import party_finder
from .mentions import _mention_rows
from .officials import OfficialParser
from .patterns import compiled_patterns
from .sentence import Sentence, char_span, sentences_of

def _main_foreign_country(places: list[Match]) -> str | None:
    counts: dict[str, int] = {}
    for p in places:
        country = p.phrase.get("country")
        if country and country != "VN":
            counts[country] = counts.get(country, 0) + 1
    return max(sorted(counts), key=lambda c: counts[c]) if counts else None


def extract_article(article: dict, words: list[Word], rules: CompiledRules) -> dict[str, list[dict]]:
    """All rows for one article; every row's evidence is body[char_start:char_end]."""
    body = article["body"]
    published = article.get("published_at")
    reference = published.date() if published is not None else None
    sdoc = syllable_doc(body, words)
    matches = rules.lexicon.find(sdoc)
    sentences = sentences_of(sdoc, matches)
    dates = find_dates(body, reference, rules)

    sentence_dates = dates_by_sentence(sdoc, sentences, dates)
    openings = {s.index: d for s in sentences
                if (d := opening_date(body, sdoc.token_starts[s.start], sentence_dates.get(s.index, []))) is not None}
    # "Năm 2016, …": a year that opens a sentence dates its events, not those of the sentences after it
    opening_years = {s.index: d for s in sentences if s.index not in openings and (d := opening_date(
        body, sdoc.token_starts[s.start], sentence_dates.get(s.index, []), grains=("year",))) is not None}
    lead_end = body.find("\n") if "\n" in body else len(body)
    # the lead, and the sentence that opens the text after it: pages print the lead as a paragraph of its own, and
    # the scene's dateline opens the text ("Tối 24.5, tập 5 … đã lên sóng.")
    opener = next((s.index for s in sentences if sdoc.token_starts[s.start] > lead_end), None)
    lead_date = next((d for s in sentences if sdoc.token_starts[s.start] < lead_end or s.index == opener
                      for d in sentence_dates.get(s.index, []) if is_dateline(d, openings.get(s.index))), None)
    if lead_date is None:  # a lead that states a giving, with its day ("… trao cho … vào ngày 10/2"): the scene's
        lead_date = next((d for s in sentences if sdoc.token_starts[s.start] < lead_end and s.of("GIVE")
                          for d in sentence_dates.get(s.index, []) if d.value.grain == "day"), None)

    finder = party_finder(sdoc, matches, rules, {w.start for w in words if w.pos == "Np"})
    # the headline's frame serves only sentences with a verb of giving or receiving, and only one that needs a
    # giver from the context reads it: the headline is tokenized then, not for every article
    gives = matches.get("GIVE") or matches.get("RECEIVE")
    title = Later(lambda: title_frame(article.get("title"), rules) if gives else None)
    carried = Later(lambda: t if (t := title()) is not None and t.donor is not None else None)
    headline_giver = carried  # carried becomes the lead's frame once the lead is read
    lead_sentence = next((s.index for s in sentences if s.end - s.start >= 2), None)
    events, official_mentions, agreements = [], [], []
    earlier = PartiesRead()  # the parties of the sentences read so far, for pronouns
    opened, opened_at = None, -1  # the gift the sentences before named (its giver and receivers), and where
    frame_rules = {p.id for p in compiled_patterns(rules, "aid") if p.get("donor") == "frame"}
    for position, sent in enumerate(sentences):
        if sent.end - sent.start < 2:
            continue
        parties = finder.find(sent.start, sent.end)
        in_lead = sent.index - lead_sentence < CARRY_SENTENCES if lead_sentence is not None else False
        context = carried if in_lead else None
        if opened is not None and sent.index - opened_at > FRAME_SPAN:
            opened = None  # a frame serves the few sentences after it
        # with no gift named in the sentences before, the first sentences' frame is the headline's ("Tỷ phú Warren
        # Buffett lại hiến 3,17 tỷ USD …" then "… riêng quỹ Bill & Melinda Gates nhận được …"); a gift the lead
        # names frames only the few sentences after it, as any other
        frame = opened if opened is not None or not in_lead else headline_giver
        found = pattern_events(sdoc, sent, rules, parties, context, earlier, frame,
                               headline=Later(partial(_headline, carried, title)))
        events.extend(found)
        own = [e for e in found if e.rule_id not in frame_rules]
        if (frame := opened_frame(sdoc, sent, rules, parties, own)) is not None:
            opened, opened_at = frame, sent.index
        elif not (found and not own) and sent.holds_any(FRAME_ENDING_LABELS):
            opened = None  # another gift, trade or giving named: the frame before no longer serves
        earlier.extend(parties)
        if sent.index == lead_sentence:
            carried = Later(partial(_lead_frame, carried, title, sdoc, sent, parties))
        if sent.of("TITLE"):  # every official is named beside a title: a sentence without one has none
            official_mentions.extend(OfficialParser(sdoc, sent, rules, finder).mentions())
        signed = agreements_in_sentence(sdoc, sent, sentence_dates.get(sent.index, []), rules, parties)
        if signed:
            since = sentences[max(0, position - SIDES_SENTENCES)].start
            signed_by_both_sides(signed, sdoc, sent, [p for p in earlier if p.start >= since], rules, earlier)
        agreements.extend(signed)
    officials = normalizer(rules.first("official")["normalizer"])(
        official_mentions, body, _main_foreign_country(matches.get("PLACE", [])), rules)
    events = normalizer(rules.first("aid")["normalizer"])(events, agreements, earlier, officials, rules)
    deadlines = deadline_starts(body, dates, deadline_words(rules))
    clause_of = clauses_by_char(body)
    for e in events:
        e.date = _event_date(e, sentence_dates, openings, lead_date, deadlines, clause_of, opening_years)
    events = [e.as_row(sdoc, news_date(published)) for e in events]
    mentions = _mention_rows(matches, dates, official_mentions)
    aid_id = article["article_id"]
    for n, e in enumerate(events):
        e["event_id"] = f"{aid_id}-aid-{n:03d}"
    sign_for_their_state(agreements, officials, body, [sdoc.token_starts[s.start] for s in sentences], rules)
    agreements = normalizer(rules.first("agreement")["normalizer"])(agreements, kind_words(rules))
    tables = {"aid_events": events, "officials": officials, "agreements": agreements, "dates": _date_rows(dates),
              "mentions": mentions}
    for rows in tables.values():
        for r in rows:
            r["article_id"] = aid_id
    return tables


class Later:
    """A value worked out the first time it is asked for, then kept."""

    __slots__ = ("make", "value", "made")

    def __init__(self, make):
        self.make, self.value, self.made = make, None, False

    def __call__(self):
        if not self.made:
            self.value, self.made, self.make = self.make(), True, None
        return self.value


def _headline(carried: Later, title: Later) -> Frame | None:
    """Who the headline (or the lead, once read) says gives and receives."""
    return carried() or title()


def _lead_frame(carried: Later, title: Later, sdoc: SyllableDoc, sent: Sentence, parties) -> Frame | None:
    """What the lead carries to the sentences after it: the headline's frame with its giver, else the lead's own."""
    return carried() or complete_frame(sdoc, sent, parties) or with_title_receiver(
        agent_frame(sdoc, sent, parties), title())


def dates_by_sentence(sdoc: SyllableDoc, sentences: list[Sentence], dates: list) -> dict[int, list]:
    """Sentence index -> the dates that start inside the sentence's characters, in their order."""
    spans = [(s.index, *char_span(sdoc, s.start, s.end)) for s in sentences if s.end > s.start]
    starts = [c0 for _, c0, _ in spans]
    by_sentence: dict[int, list] = {}
    for d in dates:
        k = bisect_right(starts, d.start) - 1
        if k >= 0 and d.start < spans[k][2]:
            by_sentence.setdefault(spans[k][0], []).append(d)
    return by_sentence


CARRY_SENTENCES = 8  # the headline's donor and recipient carry to the first sentences only
FRAME_SPAN = 3  # sentences after a gift is named that its giver and receivers serve ("Lô hàng gồm …")
# a sentence with one of these that opens no frame of its own ends the one before (rows read from that frame do not)
FRAME_ENDING_LABELS = ("AID_GOODS", "GIVE", "RECEIVE", "NOT_AID")


def resolve_entity(text: str, rules_dir: Path = RULES_DIR) -> dict | None:
    """The canonical entity a whole phrase names (an alias lookup), or None."""
    sdoc = phrase_doc(text)
    places = compile_rules(rules_dir).lexicon.find(sdoc).get("PLACE", [])
    whole = [p for p in places if p.start == 0 and p.end == len(sdoc.texts)]
    if not whole:
        return None
    return {"canonical": whole[0].phrase.normalized, **dict(whole[0].phrase.data)}


def extract_text(text: str, published_at=None, rules_dir: Path = RULES_DIR, title: str | None = None) \
        -> dict[str, list[dict]]:
    """Extract from a plain text (one article body, and its headline if given), tokenizing it first: used by
    the rule examples. The text is a canonical body (NFC, as ingest makes them): offsets index into it as given."""
    if not unicodedata.is_normalized("NFC", text):
        raise ValueError("extract_text needs NFC text, as ingest makes article bodies; normalize it first")
    article = {"article_id": "example", "body": text, "published_at": published_at, "title": title}
    return extract_article(article, tokenize_body(text), compile_rules(rules_dir))
