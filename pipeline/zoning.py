"""Zoning: every line of a page dump (or every span of a line) gets a zone and the reason it got it.

The zoner reads evidence that holds on any outlet, all of it data in ``rules/zones/vi/``:

- ``layout.yaml``: metadata header blocks, what running prose and a headline look like, photo captions,
  bylines and outlet credits (also glued to the end of the last paragraph, where they become a span of
  their own);
- ``stoplist.yaml``: Vietnamese function words, whose share tells running prose from link text;
- ``page.yaml``: one site template's cues (breadcrumbs, timestamps, widgets, furniture headings, doubled
  headlines, image placeholders).

It runs in a fixed number of passes over the lines (no pass looks back over the lines already zoned), so
its time is linear in the size of the page. Every span carries ``reason``, the id of the cue that decided
its zone; ``explain`` prints them for whoever adds a layout.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from .config import MAX_DOUBLED_LINE_CHARS, RULES_DIR, SITE_UTC_OFFSET_HOURS
from .rulefiles import RulesSource, rule_file_of_kind, rules_source

BODY_ZONES = ("lead", "body", "caption")
ZONES = ("header", "breadcrumb", "timestamp", "title", "lead", "body", "caption", "image_alt", "related_link",
         "author", "source_credit", "furniture", "blank")
WORD = re.compile(r"[^\W_]+", re.UNICODE)


# ---------------------------------------------------------------- rules

@dataclass(frozen=True)
class PageRules:
    """One site template's cues (rules/zones/vi/page.yaml)."""
    breadcrumb_prefixes: tuple[str, ...]
    sections: tuple[str, ...]
    timestamp: re.Pattern
    widget_lines: frozenset[str]
    image_placeholder_lines: frozenset[str]
    furniture_headings: frozenset[str]
    source_credit: tuple[re.Pattern, ...]
    photo_credit: re.Pattern
    author_max_words: int
    author_not_end: re.Pattern
    image_slug: re.Pattern
    sentence_end: re.Pattern
    teaser_end: re.Pattern


@dataclass(frozen=True)
class LayoutRules:
    """Cues that hold on any outlet (rules/zones/vi/layout.yaml and stoplist.yaml)."""
    header: re.Pattern
    header_keys: dict[str, str]
    date_patterns: tuple[re.Pattern, ...]
    prose_min_chars: int
    prose_min_stopword_share: float
    sentence_end: re.Pattern
    prose_kept_min_share: float
    headline_max_chars: int
    headline_min_words: int
    headline_not_end: re.Pattern
    headline_slug_min_share: float
    slug_min_words: int
    caption_max_chars: int
    captions: tuple[re.Pattern, ...]
    credits: tuple[re.Pattern, ...]
    byline_prefix: re.Pattern
    inline_photo_credit: re.Pattern
    byline_by_prefix: re.Pattern
    byline_outlet_suffix: re.Pattern
    byline_max_name_words: int
    byline_lowercase_words: frozenset[str]
    compiled_marks: frozenset[str]
    stopwords: frozenset[str]
    two_digit_year_from: int
    keyword_separator: re.Pattern
    keyword_min_items: int
    keyword_max_words: int
    trailing_name_max_words: int
    trailing_not_end: re.Pattern


@dataclass(frozen=True)
class ZoneRules:
    page: PageRules
    layout: LayoutRules


def load_page_rules(rules_dir: Path = RULES_DIR) -> PageRules:
    """The site-template zone rules of a compiled rule set, or of a rules directory as its files are now."""
    return _load_page_rules(rules_source(rules_dir))


@lru_cache(maxsize=8)
def _load_page_rules(source: RulesSource) -> PageRules:
    d = rule_file_of_kind(source, "zone")
    return PageRules(
        breadcrumb_prefixes=tuple(d["breadcrumb_prefixes"]),
        sections=tuple(sorted(d["sections"], key=len, reverse=True)),
        timestamp=re.compile(d["timestamp_pattern"]),
        widget_lines=frozenset(d["widget_lines"]),
        image_placeholder_lines=frozenset(d["image_placeholder_lines"]),
        furniture_headings=frozenset(h.casefold() for h in d["furniture_headings"]),
        source_credit=tuple(re.compile(p) for p in d["source_credit_patterns"]),
        photo_credit=re.compile(d["photo_credit_pattern"]),
        author_max_words=int(d["author_max_words"]),
        author_not_end=re.compile(d["author_not_end"]),
        image_slug=re.compile(d["image_slug_pattern"]),
        sentence_end=re.compile(d["sentence_end"]),
        teaser_end=re.compile(d["teaser_end"]),
    )


def load_layout_rules(rules_dir: Path = RULES_DIR) -> LayoutRules:
    """The layout zone rules of a compiled rule set, or of a rules directory as its files are now."""
    return _load_layout_rules(rules_source(rules_dir))


@lru_cache(maxsize=8)
def _load_layout_rules(source: RulesSource) -> LayoutRules:
    d = rule_file_of_kind(source, "zone_layout")
    stop = rule_file_of_kind(source, "stoplist")
    return LayoutRules(
        header=re.compile(d["header_pattern"]),
        header_keys={str(k).casefold(): v for k, v in d["header_keys"].items()},
        date_patterns=tuple(re.compile(p) for p in d["date_patterns"]),
        prose_min_chars=int(d["prose_min_chars"]),
        prose_min_stopword_share=float(d["prose_min_stopword_share"]),
        sentence_end=re.compile(d["sentence_end"]),
        prose_kept_min_share=float(d["prose_kept_min_share"]),
        headline_max_chars=int(d["headline_max_chars"]),
        headline_min_words=int(d["headline_min_words"]),
        headline_not_end=re.compile(d["headline_not_end"]),
        headline_slug_min_share=float(d["headline_slug_min_share"]),
        slug_min_words=int(d["slug_min_words"]),
        caption_max_chars=int(d["caption_max_chars"]),
        captions=tuple(re.compile(p) for p in d["caption_patterns"]),
        credits=tuple(re.compile(p) for p in d["credit_patterns"]),
        byline_prefix=re.compile(d["byline_prefix"]),
        inline_photo_credit=re.compile(d["inline_photo_credit"]),
        byline_by_prefix=re.compile(d["byline_by_prefix"]),
        byline_outlet_suffix=re.compile(d["byline_outlet_suffix"]),
        byline_max_name_words=int(d["byline_max_name_words"]),
        byline_lowercase_words=frozenset(w for phrase in d["byline_lowercase_words"] for w in phrase.split()),
        compiled_marks=frozenset(m.casefold() for m in d["compiled_marks"]),
        stopwords=frozenset(w.casefold() for w in stop["words"]),
        two_digit_year_from=int(d["two_digit_year_from"]),
        keyword_separator=re.compile(d["keyword_separator"]),
        keyword_min_items=int(d["keyword_min_items"]),
        keyword_max_words=int(d["keyword_max_words"]),
        trailing_name_max_words=int(d["trailing_name_max_words"]),
        trailing_not_end=re.compile(d["trailing_not_end"]),
    )


def load_zone_rules(rules_dir: Path = RULES_DIR) -> ZoneRules:
    source = rules_source(rules_dir)
    return ZoneRules(_load_page_rules(source), _load_layout_rules(source))


# ---------------------------------------------------------------- lines and spans

@dataclass(frozen=True)
class Line:
    line_no: int
    start: int  # canonical offsets of the stripped line
    end: int
    text: str


@dataclass(frozen=True)
class Span:
    """A zoned part of a line: the whole line, or its head and a byline glued to its end."""
    line_no: int
    span: int  # 0-based position within the line
    start: int  # canonical offsets
    end: int
    text: str
    zone: str
    reason: str


def split_lines(text: str) -> list[Line]:
    lines, pos = [], 0
    for no, chunk in enumerate(text.split("\n"), start=1):
        stripped = chunk.strip()
        lead_ws = len(chunk) - len(chunk.lstrip())
        start = pos + lead_ws if stripped else pos
        lines.append(Line(no, start, start + len(stripped), stripped))
        pos += len(chunk) + 1
    return lines


# ---------------------------------------------------------------- features of one line

def _doubled_prefix(text: str, min_len: int) -> int | None:
    """Length k of the text printed twice at the start of ``text`` ("A A …" -> len(A)), or None."""
    for k in range(min_len, len(text) // 2 + 1):
        if text[k] == " " and text[k + 1:].startswith(text[:k]) and \
                (len(text) == 2 * k + 1 or text[2 * k + 1] == " "):
            return k
    return None


def is_doubled(line: str, min_len: int = 8) -> bool:
    """True when the line is one or more headlines each printed twice: "A A B B"."""
    if len(line) > MAX_DOUBLED_LINE_CHARS:
        return False
    rest = line
    while rest:
        k = _doubled_prefix(rest, min_len)
        if k is None:
            return False
        rest = rest[2 * k + 1:].lstrip()
    return True


def first_doubled_unit(line: str, min_len: int = 8) -> str:
    """The first text printed twice at the start of a doubled line ("A A B B" -> "A")."""
    k = _doubled_prefix(line[:MAX_DOUBLED_LINE_CHARS], min_len)
    return line if k is None else line[:k]


def words_of(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def stopword_share(text: str, layout: LayoutRules) -> float:
    words = words_of(text)
    return sum(w in layout.stopwords for w in words) / len(words) if words else 0.0


def is_prose(text: str, layout: LayoutRules) -> bool:
    """Running text: long enough, with at least one sentence end, and function words among its words
    (jusText's cue: menus and lists of links have almost none)."""
    return (len(text) >= layout.prose_min_chars and layout.sentence_end.search(text) is not None
            and stopword_share(text, layout) >= layout.prose_min_stopword_share)


def is_caption(text: str, layout: LayoutRules) -> bool:
    return len(text) <= layout.caption_max_chars and any(p.search(text) for p in layout.captions)


def fold(text: str) -> str:
    """Lower case without diacritics (đ -> d), for comparing with URL slugs."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("\u0111", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def url_slug_words(url: str | None, layout: LayoutRules) -> list[str]:
    """The words of a URL's slug ("…/lai-suat-ngan-hang-giam-sau-2020100115.htm" -> lai, suat, …)."""
    if not url:
        return []
    last = re.sub(r"[?#].*$", "", url).rstrip("/").rsplit("/", 1)[-1]
    last = re.sub(r"\.[a-z]{2,5}$", "", last)
    words = [w for w in re.split(r"[-_]+", last.casefold()) if w and not w.isdigit()]
    return words if len(words) >= layout.slug_min_words else []


def is_headline(text: str, layout: LayoutRules, slug: list[str]) -> bool:
    if not text or len(text) > layout.headline_max_chars or layout.headline_not_end.search(text):
        return False
    if len(words_of(text)) < layout.headline_min_words:
        return False
    if len(text) >= layout.prose_min_chars and any(m.end() < len(text) for m in layout.sentence_end.finditer(text)):
        return False  # two sentences of running text: a paragraph that lacks its final full stop
    if slug:
        folded = set(words_of(fold(text)))
        return sum(w in folded for w in slug) / len(slug) >= layout.headline_slug_min_share
    return True


# ---------------------------------------------------------------- bylines and credits

@dataclass(frozen=True)
class Byline:
    zone: str  # author or source_credit
    author: str | None
    outlet: str | None
    credit: str | None  # the credit as printed ("Theo VOV"), when there is one


def _name_like(text: str, layout: LayoutRules) -> bool:
    tokens = text.split()
    if not 1 <= len(tokens) <= layout.byline_max_name_words:
        return False
    capitalised = 0
    for tok in tokens:
        letters = [c for c in tok if c.isalpha()]
        if not letters:
            if tok not in ("-", "–"):
                return False
            continue
        if letters[0].isupper():
            capitalised += 1
        elif tok.casefold() not in layout.byline_lowercase_words:
            return False
    if capitalised == 0:
        return False
    # One word alone is a name only in capitals or with an initial ("HẢI", "H.Thủy").
    only = tokens[0]
    return len(tokens) > 1 or "." in only.rstrip(".") or "-" in only.strip("-") or only.isupper()


def parse_byline(text: str, layout: LayoutRules) -> Byline | None:
    """A byline ("Xuân Thân/VOV.VN", "Nhật LinhTheo Nikkei Asia") or an outlet credit ("Theo Trí thức trẻ")."""
    text = text.strip()
    if not text or len(text) > 160 or layout.sentence_end.search(text.rstrip(".)")):
        if not any(p.match(text) for p in layout.credits):
            return None
    for pattern in layout.credits:
        m = pattern.match(text)
        if m:
            outlet = (m.groupdict().get("outlet") or "").strip() or None
            return Byline("source_credit", None, outlet, text)
    name = layout.byline_prefix.sub("", text, count=1)
    outlet = credit = None
    m = layout.byline_outlet_suffix.search(name)
    if m and m.start() > 0 and (m.group("paren") or "").casefold() in layout.compiled_marks:
        m = None  # "Anh Vũ (TH)": a compiled-by mark belongs to the byline as printed
    if m and m.start() > 0:
        part = (m.group("slash") or m.group("paren") or m.group("theo")).strip()
        if part.strip("(").casefold().startswith("theo"):
            credit = part.strip("()").strip()
            outlet = credit[len("theo"):].strip()
        else:
            outlet = part
        name = layout.byline_by_prefix.sub("", name[:m.start()].strip(), count=1)
    check = name
    m2 = layout.byline_outlet_suffix.search(check)  # "Hạnh Chi (T/h)" before "Theo Đời sống Plus"
    if m2 and m2.start() > 0 and (m2.group("paren") or "").casefold() in layout.compiled_marks:
        check = check[:m2.start()].strip()
    if not _name_like(check, layout):
        return None
    return Byline("author", name, outlet, credit)


def split_trailing_byline(text: str, layout: LayoutRules) -> tuple[int, Byline] | None:
    """Where a byline or credit glued to the end of a paragraph starts, and what it is.

    The byline follows the paragraph's last sentence end; photo credits between them ("Ảnh: Internet")
    stay with the paragraph."""
    stripped = text.rstrip()
    cut = max((m.end() for m in layout.sentence_end.finditer(stripped) if m.end() < len(stripped)), default=None)
    if cut is None:
        return None
    while c := layout.inline_photo_credit.match(stripped, cut):  # photo credits stay with the paragraph
        cut = c.end()
    byline = parse_byline(stripped[cut:], layout)
    return (cut, byline) if byline is not None else None


def classify_line_alone(text: str, rules: PageRules) -> str:
    """The zone the site template's cues give a line from its own text (used by page.yaml's examples)."""
    if not text.strip():
        return "blank"
    if text.startswith(rules.breadcrumb_prefixes):
        return "breadcrumb"
    if rules.timestamp.match(text):
        return "timestamp"
    if text.casefold() in rules.furniture_headings or text in rules.widget_lines:
        return "furniture"
    if any(p.match(text) for p in rules.source_credit):
        return "source_credit"
    if text in rules.image_placeholder_lines or rules.image_slug.match(text):
        return "image_alt"
    if is_doubled(text):
        return "related_link"
    return "body"


def classify_layout_alone(text: str, layout: LayoutRules) -> dict | None:
    """What the outlet-independent cues say of one line on its own (used by layout.yaml's examples):
    a header, a caption, a byline or credit line, or a paragraph with a byline glued to its end."""
    m = layout.header.match(text)
    if m:
        return {"zone": "header", "key": m["key"], "value": m["value"]}
    stamp = parse_date_value(text, layout)
    if stamp is not None and stamp[1] == "minute":
        return {"zone": "timestamp", "published_at": stamp[0].isoformat()}
    if is_keyword_line(text, layout):
        return {"zone": "furniture", "keywords": len(layout.keyword_separator.split(text.strip()))}
    byline = parse_byline(text, layout)
    if byline is not None:
        return {"zone": byline.zone, "author": byline.author, "outlet": byline.outlet}
    found = split_trailing_byline(text, layout)
    if found is not None:
        cut, byline = found
        return {"zone": "body", "tail_zone": byline.zone, "tail": text[cut:].strip(), "author": byline.author,
                "outlet": byline.outlet}
    if is_caption(text, layout):
        return {"zone": "caption"}
    return None


# ---------------------------------------------------------------- metadata printed after the article

def is_time_line(text: str, rules: ZoneRules) -> bool:
    """A line that is only a time to the minute ("04/06/13 08:15 GMT+7", "14:14 | 27/08/2021 GMT+7")."""
    if rules.page.timestamp.match(text):
        return True
    stamp = parse_date_value(text, rules.layout)
    return stamp is not None and stamp[1] == "minute"


def is_keyword_line(text: str, layout: LayoutRules) -> bool:
    """A list of tags: several short comma-separated items and no sentence end ("A, B, C")."""
    if layout.sentence_end.search(text) or layout.trailing_not_end.search(text):
        return False
    items = layout.keyword_separator.split(text.strip())
    return len(items) >= layout.keyword_min_items and \
        all(1 <= len(item.split()) <= layout.keyword_max_words for item in items)


def is_trailing_name(text: str, layout: LayoutRules) -> bool:
    """A section's or an outlet's name: a few words, starting with a capital or a digit, no sentence end."""
    return (1 <= len(text.split()) <= layout.trailing_name_max_words and (text[:1].isupper() or text[:1].isdigit())
            and not layout.sentence_end.search(text) and not layout.trailing_not_end.search(text))


def is_section_name(text: str, page: PageRules) -> bool:
    return text in page.sections


def trailing_metadata(texts: list[str], candidates: list[int], rules: ZoneRules) -> dict[int, tuple[str, str]]:
    """Zone and reason of the metadata block that ends an aggregator's dump (by line index), or nothing.

    The block opens at a time line (or at a known section name just above it), and every line after that time is
    a time, a keyword list, a section or the outlet; lines above it (a byline) are left to the other cues."""
    page, layout = rules.page, rules.layout
    run: list[int] = []
    for i in reversed(candidates):
        t = texts[i]
        if not (is_time_line(t, rules) or is_keyword_line(t, layout) or is_trailing_name(t, layout)):
            break
        run.append(i)
    run.reverse()
    opening = next((k for k, i in enumerate(run) if is_time_line(texts[i], rules)), None)
    if opening is None or run[opening] == candidates[0]:
        return {}
    if opening > 0 and is_section_name(texts[run[opening - 1]], page):
        opening -= 1
    block: dict[int, tuple[str, str]] = {}
    for i in run[opening:]:
        t = texts[i]
        if is_time_line(t, rules):
            block[i] = ("timestamp", "layout.trailing_time")
        elif is_keyword_line(t, layout):
            block[i] = ("furniture", "layout.trailing_keywords")
        elif is_section_name(t, page):
            block[i] = ("breadcrumb", "layout.trailing_section")
        else:
            block[i] = ("source_credit", "layout.trailing_outlet")
    return block


# ---------------------------------------------------------------- the zoner

@dataclass(frozen=True)
class Zoned:
    spans: list[Span]
    headers: dict[str, str]  # article field -> value, from a header block
    byline: Byline | None
    credits: list[Byline]


def _line_span(line: Line, zone: str, reason: str) -> Span:
    return Span(line.line_no, 0, line.start, line.end, line.text, zone, reason)


def zone_lines(lines: list[Line], rules: ZoneRules, url: str | None = None,
               preset: dict[int, tuple[str, str]] | None = None) -> Zoned:
    """Zones of every line; a byline glued to the last paragraph becomes a span of its own.

    ``preset`` holds the zone and reason of lines already decided (by an HTML page's markup, by index in
    ``lines``): the cues below read the other lines only, around them."""
    page, layout = rules.page, rules.layout
    preset = preset or {}
    texts = [ln.text for ln in lines]
    n = len(lines)
    zone: list[str] = ["blank" if not t else "" for t in texts]
    reason: list[str] = ["blank" if not t else "" for t in texts]
    for i, (z, why) in preset.items():
        if texts[i]:
            zone[i], reason[i] = z, why
    content = [i for i in range(n) if texts[i] and i not in preset]
    headers: dict[str, str] = {}
    credits: list[Byline] = []
    byline: Byline | None = None

    def mark(i: int, z: str, why: str) -> None:
        zone[i], reason[i] = z, why

    # 1. The head of the page: a header block, a breadcrumb, a timestamp, widgets.
    pos = 0
    while pos < len(content) and (m := layout.header.match(texts[content[pos]])):
        mark(content[pos], "header", "header_block")
        field = layout.header_keys.get(m["key"].casefold())
        if field and m["value"] and field not in headers:
            headers[field] = m["value"]
        pos += 1
    url = url or headers.get("url")
    slug = url_slug_words(url, layout)
    while pos < len(content):
        t = texts[content[pos]]
        if t.startswith(page.breadcrumb_prefixes):
            mark(content[pos], "breadcrumb", "page.breadcrumb")
        elif page.timestamp.match(t):
            mark(content[pos], "timestamp", "page.timestamp")
        elif t in page.widget_lines:
            mark(content[pos], "furniture", "page.widget_line")
        else:
            break
        pos += 1
    if pos >= len(content):
        return Zoned(_spans(lines, zone, reason), headers, None, [])

    # 2. The title: the first line, when it reads as a headline (and agrees with the URL's slug).
    title = next((texts[i] for i, (z, _) in sorted(preset.items()) if z == "title" and texts[i]), None)
    first = content[pos]
    if title is None and is_headline(texts[first], layout, slug) and not is_caption(texts[first], layout) \
            and texts[first].casefold() not in page.furniture_headings:
        mark(first, "title", "layout.first_headline" if not slug else "layout.headline_matches_url")
        title = texts[first]
        pos += 1
    start = content[pos] if pos < len(content) else n

    # 3. The end of the article: the first furniture heading; everything after it is the page's furniture.
    end = n
    for i in content[pos:]:
        if texts[i].casefold() in page.furniture_headings:
            end = i
            break
    for i in content:
        if i >= end:
            mark(i, "furniture", "page.furniture_heading" if i == end else "page.after_furniture_heading")

    # 3b. An aggregator's metadata printed after the article: its time, section, keywords and outlet.
    block = trailing_metadata(texts, [i for i in content[pos:] if i < end], rules)
    for i, (z, why) in block.items():
        mark(i, z, why)
    block_credits = [Byline("source_credit", None, texts[i], texts[i]) for i, (z, _) in sorted(block.items())
                     if z == "source_credit"]
    before_block = min(block, default=end)

    # 4. What closes the article: outlet credits and a byline, on lines of their own, in any order.
    closing = before_block
    i = before_block - 1
    while i > start:
        t = texts[i]
        if not t or i in preset:
            i -= 1
            continue
        b = parse_byline(t, layout)
        if any(p.match(t) for p in page.source_credit) or (b is not None and b.zone == "source_credit"):
            mark(i, "source_credit", "layout.credit_line")
            credits.append(b or Byline("source_credit", None, None, t))
        elif byline is None and not is_doubled(t) and t not in page.widget_lines and b is not None:
            mark(i, "author", "layout.byline_line")
            byline = b
        elif byline is None and end < n and not is_doubled(t) and t not in page.widget_lines \
                and _page_byline(t, page):  # the site template's byline, above its furniture
            mark(i, "author", "page.byline")
            byline = Byline("author", t, None, None)
        else:
            break
        closing = i
        i -= 1
    credits.reverse()

    # 5. The article itself.
    blank_separated = _blank_separated(texts, start, closing)
    prev_zone, prev_adjacent, lead_seen, lead_run = "title", False, False, False
    for i in range(start, closing):
        t = texts[i]
        if not t:
            prev_adjacent = lead_run = False
            continue
        if zone[i]:
            prev_zone, prev_adjacent = zone[i], True
            continue
        if t in page.widget_lines:
            z, why = "furniture", "page.widget_line"
        elif is_doubled(t) and len(first_doubled_unit(t)) <= layout.headline_max_chars:
            # a headline printed twice (a paragraph printed twice is still the article's text)
            z, why = "related_link", "page.doubled_headline"
        elif title is not None and t == title:
            z, why = "image_alt", "page.title_repeated"
        elif t in page.image_placeholder_lines or page.image_slug.match(t):
            z, why = "image_alt", "page.image_placeholder"
        elif prev_adjacent and prev_zone == "image_alt":
            z, why = "caption", "page.under_image"
        elif is_caption(t, layout) or (len(t) <= layout.caption_max_chars and page.photo_credit.search(t)):
            z, why = "caption", "layout.photo_credit"
        elif prev_zone == "related_link" and page.teaser_end.search(t):
            z, why = "related_link", "page.teaser_after_link"
        elif lead_run and blank_separated and not page.sentence_end.search(t):
            z, why = "related_link", "page.link_box_under_lead"
        elif not lead_seen and title is None and len(t) < layout.prose_min_chars \
                and not layout.sentence_end.search(t) and not t.endswith(":"):
            z, why = "body", "layout.subheading_before_lead"
        elif i == start and title is None and not layout.sentence_end.search(t) and not t.endswith(":"):
            z, why = "caption", "layout.untitled_opening_caption"  # the dump starts under a photo
        elif not lead_seen:
            z, why = "lead", "layout.first_text"
        elif is_prose(t, layout):
            z, why = "body", "layout.prose"
        else:
            z, why = "body", "layout.short_text_in_article"
        if z == "lead":
            lead_seen = lead_run = True
        elif z != "related_link":
            lead_run = False
        mark(i, z, why)
        prev_zone, prev_adjacent = z, True

    spans = _spans(lines, zone, reason)
    # 6. A byline glued to the end of the last paragraph becomes a span of its own.
    if byline is None:
        last = max((k for k, s in enumerate(spans) if s.zone in ("body", "lead") and s.line_no - 1 < closing),
                   default=None)
        if last is not None:
            s = spans[last]
            found = split_trailing_byline(s.text, layout)
            if found is not None:
                cut, byline = found
                head = s.text[:cut].rstrip()
                tail = s.text[cut:].strip()
                tail_start = s.start + cut + (len(s.text[cut:]) - len(s.text[cut:].lstrip()))
                tail_end = tail_start + len(tail)
                why = "layout.trailing_byline" if byline.zone == "author" else "layout.trailing_credit"
                spans[last:last + 1] = [
                    Span(s.line_no, 0, s.start, s.start + len(head), head, s.zone, s.reason),
                    Span(s.line_no, 1, tail_start, tail_end, tail, byline.zone, why),
                ]
                if byline.zone == "source_credit":
                    credits.append(byline)
                    byline = None
    return Zoned(spans, headers, byline, credits + block_credits)


def _page_byline(text: str, page: PageRules) -> bool:
    """The template's byline shape: a few words, capitalised, no sentence end."""
    return (len(text.split()) <= page.author_max_words and not page.author_not_end.search(text)
            and text[:1].isupper())


def _blank_separated(texts: list[str], start: int, end: int) -> bool:
    """Paragraphs are separated by blank lines (lines glued to each other are then a box, not paragraphs)."""
    content = [i for i in range(start, end) if texts[i]]
    if len(content) < 3:
        return False
    after_blank = sum(1 for i in content[1:] if i > 0 and not texts[i - 1])
    return after_blank >= (len(content) - 1) / 2


def _spans(lines: list[Line], zone: list[str], reason: list[str]) -> list[Span]:
    return [_line_span(ln, zone[i] or "body", reason[i] or "layout.default") for i, ln in enumerate(lines)]


# ---------------------------------------------------------------- header fields

def parse_section(breadcrumb: str, rules: PageRules) -> str | None:
    rest = breadcrumb
    for prefix in rules.breadcrumb_prefixes:
        if rest.startswith(prefix):
            rest = rest[len(prefix):].strip()
            break
    levels = []
    while rest:
        name = next((s for s in rules.sections if rest.startswith(s) and
                     (len(rest) == len(s) or rest[len(s)] == " ")), None)
        if name is None:  # unknown level: keep the remainder as one level
            levels.append(rest)
            break
        levels.append(name)
        rest = rest[len(name):].strip()
    return " > ".join(levels) or None


# Years a news page's time can have; a date outside them is a typo or a probe, and would not survive a time zone
# conversion in the tables (year 1 at +07:00 is year 0 in UTC).
PUBLISHED_YEARS = range(1800, 2200)


def _utc_offset(sign_hours: str | None, minutes: str | None, default_hours: float) -> timezone | None:
    """The zone of ``+05:30`` (minutes kept); None for an offset no place has (``+25:00``)."""
    if sign_hours is None:
        return timezone(timedelta(hours=default_hours))
    hours = int(sign_hours)
    delta = timedelta(hours=abs(hours), minutes=int(minutes or 0))
    if delta > timedelta(hours=14) or int(minutes or 0) >= 60:
        return None
    return timezone(-delta if sign_hours.startswith("-") else delta)


def _dated(year: str, month: str, day: str, hour: str | None, minute: str | None,
           tz: timezone | None) -> datetime | None:
    if tz is None or int(year) not in PUBLISHED_YEARS:
        return None
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), tzinfo=tz)
    except ValueError:
        return None


def parse_timestamp(text: str, rules: PageRules) -> datetime | None:
    m = rules.timestamp.match(text)
    if not m:
        return None
    return _dated(m["year"], m["month"], m["day"], m["hour"], m["minute"], _utc_offset(m["offset"], None, 0))


def full_year(printed: str, first_year: int, stated_years: tuple[int, ...] = ()) -> int:
    """A printed year: four digits as printed; two digits the year ending in them nearest the years the page
    states in full (``stated_years``), else the one at least ``first_year`` and less than a hundred years after
    it (13 -> 2013, 98 -> 1998 from 1950)."""
    if len(printed) != 2:
        return int(printed)
    if stated_years:
        latest = max(stated_years)
        return min((century + int(printed) for century in range(latest // 100 * 100 - 100, latest + 101, 100)),
                   key=lambda year: (abs(year - latest), -year))
    return first_year + (int(printed) - first_year) % 100


def parse_date_value(value: str, layout: LayoutRules,
                     stated_years: tuple[int, ...] = ()) -> tuple[datetime, str] | None:
    """A header's or sidecar's date: (the time, its grain: day or minute); None when it is not a date. A
    two-digit year takes its century from the years the page states in full (``full_year``)."""
    value = value.strip()
    for pattern in layout.date_patterns:
        m = pattern.match(value)
        if not m:
            continue
        g = m.groupdict()
        offset = g.get("offset")
        if offset is None and value.endswith("Z"):
            tz = timezone.utc
        else:
            tz = _utc_offset(offset, g.get("offset_minutes"), SITE_UTC_OFFSET_HOURS)
        year = str(full_year(g["year"], layout.two_digit_year_from, stated_years))
        stamp = _dated(year, g["month"], g["day"], g.get("hour"), g.get("minute"), tz)
        if stamp is None:
            return None
        return stamp, "minute" if g.get("hour") is not None else "day"
    return None


# ---------------------------------------------------------------- explaining

def explain(spans: list[Span]) -> str:
    """Each line (and span) with its zone and the cue that decided it."""
    out = []
    for s in spans:
        text = s.text if len(s.text) <= 100 else s.text[:60] + " … " + s.text[-30:]
        where = f"{s.line_no}" if s.span == 0 else f"{s.line_no}.{s.span}"
        out.append(f"{where:>6}  {s.zone:<13} {s.reason:<32} {text}")
    return "\n".join(out)
