"""HTML pages: their text lines, the raw bytes of every character, cues from the markup, and their metadata.

The page is read by Python's own HTML parser (``html.parser``, maintained with CPython): of the parsers at hand
it is the one that says where in the source each piece of text, each character reference and each tag starts,
which tracing every body character back to its bytes needs (lxml, selectolax and html5-parser build trees
without source offsets). On its tokens this module keeps a stack of open elements, with the end tags HTML
implies (a ``<p>`` closed by the next block, an ``<li>`` by the next item), and turns the page into text lines,
one per block element, each character carrying the byte span it came from (a character reference its whole
``&amp;…;``, a run of collapsed white space all of it). Script, style, templates, forms' controls and hidden
elements give no text. Which lines are the article and which are the page's furniture is decided on the lines
with the markup's cues (``rules/zones/vi/html.yaml``): see ``zone_presets``.
"""

from __future__ import annotations

import codecs
import email.message
import gzip
import html
import io
import json
import logging
import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from .config import MAX_RAW_BYTES, RULES_DIR
from .errors import Reject
from .rulefiles import RulesSource, rule_file_of_kind, rules_source

log = logging.getLogger("vnfacts")

HTML_SPACE = " \t\n\r\f"
END_SENTINEL = "<!---->"
GZIP_SUFFIXES = (".gz",)
# How far into a page its <meta charset> is looked for (the HTML standard's prescan reads 1024 bytes; pages
# with long heads declare it later).
CHARSET_PRESCAN_BYTES = 8192


# ---------------------------------------------------------------- rules

@dataclass(frozen=True)
class ClassCue:
    words: frozenset[str]  # a whole word of an element's class or id
    parts: tuple[str, ...]  # or a part of one
    zone: str
    reason: str

    def matches(self, words: tuple[str, ...]) -> bool:
        return any(w in self.words or any(p in w for p in self.parts) for w in words)


@dataclass(frozen=True)
class HtmlRules:
    """How the markup is read (rules/zones/vi/html.yaml)."""
    skip_elements: frozenset[str]
    block_elements: frozenset[str]
    void_elements: frozenset[str]
    closes_paragraph: frozenset[str]
    article_elements: frozenset[str]
    furniture_elements: dict[str, str]  # element -> reason, outside any article element
    class_cues: tuple[ClassCue, ...]
    caption_elements: frozenset[str]
    time_elements: frozenset[str]
    article_body_itemprops: frozenset[str]
    article_types: frozenset[str]
    published_meta: tuple[str, ...]
    title_min_word_share: float
    times_in_lines: tuple[re.Pattern, ...]


def load_html_rules(rules_dir: Path = RULES_DIR) -> HtmlRules:
    return _load_html_rules(rules_source(rules_dir))


@lru_cache(maxsize=8)
def _load_html_rules(source: RulesSource) -> HtmlRules:
    d = rule_file_of_kind(source, "zone_html")
    return HtmlRules(
        skip_elements=frozenset(d["skip_elements"]),
        block_elements=frozenset(d["block_elements"]),
        void_elements=frozenset(d["void_elements"]),
        closes_paragraph=frozenset(d["closes_paragraph"]),
        article_elements=frozenset(d["article_elements"]),
        furniture_elements=dict(d["furniture_elements"]),
        class_cues=tuple(ClassCue(frozenset(c.get("words", ())), tuple(c.get("parts", ())), c["zone"], c["reason"])
                         for c in d["class_cues"]),
        caption_elements=frozenset(d["caption_elements"]),
        time_elements=frozenset(d["time_elements"]),
        article_body_itemprops=frozenset(d["article_body_itemprops"]),
        article_types=frozenset(d["article_types"]),
        published_meta=tuple(d["published_meta"]),
        title_min_word_share=float(d["title_min_word_share"]),
        times_in_lines=tuple(re.compile(p) for p in d["times_in_lines"]),
    )


# ---------------------------------------------------------------- the page as text lines

@dataclass
class Element:
    index: int
    tag: str
    parent: int | None
    words: tuple[str, ...]  # its class and id, lower case, split at anything but letters and digits
    itemprop: str
    skipped: bool  # it, or an element around it, gives no text


@dataclass
class PageMetadata:
    """What the page says of itself, each value as printed (not yet canonical)."""
    meta: dict[str, str] = field(default_factory=dict)  # <meta property|name|itemprop> -> content, first one
    canonical_url: str | None = None
    html_title: str = ""
    jsonld: list = field(default_factory=list)  # every JSON-LD block that parsed
    times: list[tuple[int, str]] = field(default_factory=list)  # (element, datetime) of each <time datetime>


@dataclass
class HtmlText:
    """The page's text lines joined by line breaks; for each character, its raw bytes [start, end)."""
    text: str
    starts: list[int]
    ends: list[int]
    line_elements: list[int]  # per line, the innermost element its first character was in
    elements: list[Element]
    metadata: PageMetadata

    def ancestors(self, index: int | None):
        """The element and those around it, innermost first (none for -1, text outside any element)."""
        while index is not None and index >= 0:
            yield self.elements[index]
            index = self.elements[index].parent


def class_words(attrs: dict[str, str]) -> tuple[str, ...]:
    words: list[str] = []
    for name in ("class", "id"):
        value = attrs.get(name) or ""
        word = []
        for ch in value.lower() + " ":
            if ch.isalnum():
                word.append(ch)
            elif word:
                words.append("".join(word))
                word = []
    return tuple(words)


def is_hidden(attrs: dict[str, str]) -> bool:
    """Hidden by the ``hidden`` attribute or an inline style (display: none, visibility: hidden)."""
    if "hidden" in attrs:
        return True
    for declaration in (attrs.get("style") or "").lower().split(";"):
        prop, _, value = declaration.partition(":")
        if (prop.strip(), value.strip()) in (("display", "none"), ("visibility", "hidden")):
            return True
    return False


class _PageReader(HTMLParser):
    """Tokens of the page -> text lines with the byte span of every character, and the page's metadata."""

    def __init__(self, text: str, byte_offsets: list[int], rules: HtmlRules):
        super().__init__(convert_charrefs=False)
        self.source = text
        self.bytes_at = byte_offsets
        self.rules = rules
        self.line_starts = [0]
        at = text.find("\n")
        while at >= 0:
            self.line_starts.append(at + 1)
            at = text.find("\n", at + 1)
        self.elements: list[Element] = []
        self.stack: list[int] = []
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.line: list[tuple[str, int, int]] = []
        self.line_element: int | None = None
        self.line_elements: list[int] = []
        self.pre_depth = 0  # open <pre> elements, inside which white space is kept
        self.pending_ref: int | None = None  # where a character reference starts; it ends where the next token starts
        self.metadata = PageMetadata()
        self.script_text: list[str] | None = None
        self.title_text: list[str] | None = None

    # -- positions

    def _here(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _settle(self) -> None:
        """Decode a character reference once the next token shows where it ends."""
        if self.pending_ref is None:
            return
        start, end = self.pending_ref, self._here()
        self.pending_ref = None
        source = self.source[start:end]
        decoded = html.unescape(source)
        if decoded == source:  # not a reference after all ("AT&T"): its characters stand for themselves
            for i, ch in enumerate(source):
                self._text(ch, start + i, start + i + 1)
        else:
            for ch in decoded:
                self._text(ch, start, end)

    # -- text

    def _top(self) -> Element | None:
        return self.elements[self.stack[-1]] if self.stack else None

    def _hidden_here(self) -> bool:
        top = self._top()
        return top is not None and top.skipped

    def _text(self, ch: str, start: int, end: int) -> None:
        if self.title_text is not None:
            self.title_text.append(ch)
            return
        if self._hidden_here():
            return
        b_start, b_end = self.bytes_at[start], self.bytes_at[end]
        in_pre = self.pre_depth > 0
        if ch in HTML_SPACE:
            if in_pre and ch in "\r\n":
                self._flush()
                return
            if not in_pre:
                if not self.line:
                    return
                last = self.line[-1]
                if last[0] == " ":  # one space for the whole run, spanning all of it
                    self.line[-1] = (" ", last[1], b_end)
                    return
            ch = " "
        if not self.line:
            self.line_element = self.stack[-1] if self.stack else None
        self.line.append((ch, b_start, b_end))

    def _open(self):
        return (self.elements[i] for i in self.stack)

    def _flush(self) -> None:
        while self.line and self.line[-1][0] == " ":
            self.line.pop()
        if not self.line:
            return
        if self.chars:
            previous_end = self.ends[-1]
            self.chars.append("\n")
            self.starts.append(previous_end)
            self.ends.append(previous_end)
        for ch, start, end in self.line:
            self.chars.append(ch)
            self.starts.append(start)
            self.ends.append(end)
        self.line_elements.append(self.line_element if self.line_element is not None else -1)
        self.line = []

    # -- elements

    def _close_to(self, position: int) -> None:
        while len(self.stack) > position:
            element = self.elements[self.stack.pop()]
            self._end_element(element)

    def _end_element(self, element: Element) -> None:
        if element.tag == "pre":
            self.pre_depth -= 1
        if element.tag in self.rules.block_elements:
            self._flush()
        if element.tag == "script" and self.script_text is not None:
            self._read_jsonld("".join(self.script_text))
            self.script_text = None
        if element.tag == "title" and self.title_text is not None:
            if not self.metadata.html_title:
                self.metadata.html_title = " ".join("".join(self.title_text).split())
            self.title_text = None

    def _implied_ends(self, tag: str) -> None:
        """The end tags HTML implies before ``tag`` starts: an open paragraph before a block, an open list item
        before the next one (and the same for table cells, rows, definitions and options)."""
        closes = {"li": ("li",), "dt": ("dt", "dd"), "dd": ("dt", "dd"), "tr": ("tr", "td", "th"),
                  "td": ("td", "th"), "th": ("td", "th"), "option": ("option",)}.get(tag, ())
        stop = {"li": ("ul", "ol"), "dt": ("dl",), "dd": ("dl",), "tr": ("table", "tbody", "thead", "tfoot"),
                "td": ("tr", "table"), "th": ("tr", "table"), "option": ("select", "datalist")}.get(tag, ())
        for position in range(len(self.stack) - 1, -1, -1):
            open_tag = self.elements[self.stack[position]].tag
            if open_tag in closes:
                self._close_to(position)
                break
            if open_tag in stop:
                break
        if tag in self.rules.closes_paragraph:
            for position in range(len(self.stack) - 1, -1, -1):
                open_tag = self.elements[self.stack[position]].tag
                if open_tag == "p":
                    self._close_to(position)
                    break
                if open_tag in self.rules.block_elements:
                    break

    def _start(self, tag: str, attr_list: list[tuple[str, str | None]], empty: bool) -> None:
        self._settle()
        attrs = {k: (v or "") for k, v in attr_list}
        self._implied_ends(tag)
        parent = self.stack[-1] if self.stack else None
        parent_element = self.elements[parent] if parent is not None else None
        skipped = (parent_element is not None and parent_element.skipped) or tag in self.rules.skip_elements \
            or is_hidden(attrs)
        element = Element(len(self.elements), tag, parent, class_words(attrs), attrs.get("itemprop", "").lower(),
                          skipped)
        self.elements.append(element)
        self._read_metadata(tag, attrs, element)
        if tag in self.rules.block_elements or tag == "br":
            self._flush()
        if tag in self.rules.void_elements or empty:
            return
        self.stack.append(element.index)
        if tag == "pre":
            self.pre_depth += 1
        if tag == "script" and attrs.get("type", "").lower().strip() == "application/ld+json":
            self.script_text = []
        elif tag == "title" and not self.metadata.html_title:
            self.title_text = []

    def _read_metadata(self, tag: str, attrs: dict[str, str], element: Element) -> None:
        meta = self.metadata
        if tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
            content = (attrs.get("content") or "").strip()
            if key and content:
                meta.meta.setdefault(key, content)
        elif tag == "link" and "canonical" in (attrs.get("rel") or "").lower().split():
            meta.canonical_url = meta.canonical_url or (attrs.get("href") or "").strip() or None
        elif tag in self.rules.time_elements and (attrs.get("datetime") or "").strip():
            meta.times.append((element.index, attrs["datetime"].strip()))

    def _read_jsonld(self, text: str) -> None:
        try:
            self.metadata.jsonld.append(json.loads(text, strict=False))
        except (ValueError, RecursionError) as exc:
            log.debug("a JSON-LD block not read: %s", str(exc)[:120])

    # -- the parser's events

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, empty=False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, empty=True)

    def handle_endtag(self, tag):
        self._settle()
        for position in range(len(self.stack) - 1, -1, -1):
            if self.elements[self.stack[position]].tag == tag:
                self._close_to(position)
                return
        if tag == "br" or (tag == "p" and not any(e.tag == "p" for e in self._open())):
            self._flush()  # "</br>" and a stray "</p>" break the line, as browsers do

    def handle_data(self, data):
        self._settle()
        if self.script_text is not None:
            self.script_text.append(data)
            return
        if self.title_text is not None:
            self.title_text.append(data)
            return
        if self._hidden_here():
            return
        start = self._here()
        for i, ch in enumerate(data):
            self._text(ch, start + i, start + i + 1)

    def handle_charref(self, name):
        self._settle()
        self.pending_ref = self._here()

    def handle_entityref(self, name):
        self._settle()
        self.pending_ref = self._here()

    def handle_comment(self, data):
        self._settle()

    def handle_decl(self, decl):
        self._settle()

    def handle_pi(self, data):
        self._settle()

    def unknown_decl(self, data):
        self._settle()

    def finish(self) -> HtmlText:
        self.close()
        if self.pending_ref is not None:  # a reference at the very end of the page
            start, self.pending_ref = self.pending_ref, None
            for ch in html.unescape(self.source[start:]):
                self._text(ch, start, len(self.source))
        self._close_to(0)
        self._flush()
        return HtmlText("".join(self.chars), self.starts, self.ends, self.line_elements, self.elements,
                        self.metadata)


def read_html(text: str, byte_offsets: list[int], rules: HtmlRules) -> HtmlText:
    """The page's text lines, each character with its raw byte span; ``byte_offsets[i]`` is where character i of
    ``text`` starts in the raw bytes (one more entry for the end)."""
    reader = _PageReader(text, byte_offsets, rules)
    reader.feed(text)
    # an empty comment after the end: html.parser drops the "&" of a text ending "AT&T" when nothing follows it
    reader.feed(END_SENTINEL)
    return reader.finish()


def markup_text(fragment: str, rules: HtmlRules) -> str:
    """The text a stretch of a page's source reads as, the way ``read_html`` reads it: markup removed, character
    references decoded, white space collapsed (a line break between blocks). Used to check that a span of the
    body traces back to the bytes it claims."""
    return read_html(fragment, list(range(len(fragment) + 1)), rules).text


# ---------------------------------------------------------------- bytes: compression and the declared encoding

def is_gzip_name(source_file: str) -> bool:
    return source_file.lower().endswith(GZIP_SUFFIXES)


def gunzip(raw: bytes, source_file: str) -> bytes:
    """The decompressed content of a .gz page; at most MAX_RAW_BYTES of it, or a Reject."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            content = fh.read(MAX_RAW_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise Reject("corrupt_gzip", f"{source_file}: not decompressed ({exc})") from exc
    if len(content) > MAX_RAW_BYTES:
        raise Reject("too_large", f"{source_file}: decompresses to more than {MAX_RAW_BYTES:,} bytes")
    return content


class _CharsetFound(Exception):
    pass


class _CharsetReader(HTMLParser):
    """Reads tags only until a ``<meta charset>`` or ``<meta http-equiv="Content-Type" content="…">``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.charset: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag != "meta":
            return
        values = {k: (v or "") for k, v in attrs}
        charset = values.get("charset", "").strip()
        if not charset and values.get("http-equiv", "").strip().lower() == "content-type":
            header = email.message.Message()
            header["content-type"] = values.get("content", "")
            charset = header.get_content_charset() or ""
        if charset:
            self.charset = charset
            raise _CharsetFound

    handle_startendtag = handle_starttag


def declared_charset(raw: bytes) -> str | None:
    """The encoding the page declares in its first CHARSET_PRESCAN_BYTES, as a Python codec name, or None."""
    reader = _CharsetReader()
    try:
        reader.feed(raw[:CHARSET_PRESCAN_BYTES].decode("latin-1"))
    except _CharsetFound:
        pass
    if reader.charset is None:
        return None
    try:
        return codecs.lookup(reader.charset.strip("\"' ")).name
    except LookupError:
        log.debug("unknown charset %r declared", reader.charset)
        return None


def is_single_byte(codec: str) -> bool:
    """A codec that reads every byte as one character (cp1258, cp1252, latin-1, …)."""
    try:
        return len(bytes(range(256)).decode(codec, errors="replace")) == 256 and \
            len("\u00e9".encode(codec, errors="replace")) == 1
    except (LookupError, UnicodeError):
        return False


# ---------------------------------------------------------------- zones from the markup

def markup_cue(page: HtmlText, line: int, rules: HtmlRules, stop: frozenset[int] = frozenset()) -> \
        tuple[str, str] | None:
    """The zone and reason the markup gives a line: those of its innermost element with a cue (a caption or time
    element, a word of its class or id, a nav, aside, footer or header with no article element around it),
    looking no further out than the elements in ``stop`` (the article's container and those around it)."""
    chain = []
    for element in page.ancestors(page.line_elements[line]):
        if element.index in stop:
            break
        chain.append(element)
    for element in chain:
        if stop and element.tag in rules.article_elements:
            return "related_link", "html.nested_article"  # an article inside the article's container: a teaser
        if element.tag in rules.caption_elements:
            return "caption", f"html.{element.tag}"
        if element.tag in rules.time_elements:
            return "timestamp", f"html.{element.tag}"
        for cue in rules.class_cues:
            if cue.matches(element.words):
                return cue.zone, cue.reason
        if element.tag in rules.furniture_elements and \
                not any(e.tag in rules.article_elements for e in page.ancestors(element.parent)):
            return "furniture", rules.furniture_elements[element.tag]
    return None


def line_ancestors(page: HtmlText) -> list[frozenset[int]]:
    """For each line, the elements around it (its innermost one included)."""
    out = []
    for element in page.line_elements:
        out.append(frozenset(e.index for e in page.ancestors(element)))
    return out


def _block_of(page: HtmlText, element: int, rules: HtmlRules) -> Element | None:
    for e in page.ancestors(element):
        if e.tag in rules.block_elements:
            return e
    return None


def article_container(page: HtmlText, line_texts: list[str], prose: list[bool], rules: HtmlRules,
                      around: list[frozenset[int]]) -> int | None:
    """The element that holds the article's text: the one schema.org marks as articleBody, else the one whose
    paragraphs hold the most running prose (each prose line counts for the parent of its block, half for the
    grandparent: readability's scoring)."""
    for element in page.elements:
        if element.itemprop in rules.article_body_itemprops and any(element.index in a for a in around):
            return element.index
    scores: dict[int, float] = {}
    for i, text in enumerate(line_texts):
        if not prose[i]:
            continue
        block = _block_of(page, page.line_elements[i], rules)
        parent = block.parent if block is not None else None
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + len(text)
        grandparent = page.elements[parent].parent
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + len(text) / 2
    return max(scores, key=lambda k: (scores[k], -k)) if scores else None


def agrees_with_headline(words: list[str], headline: list[str], min_share: float) -> bool:
    """Nearly all of the line's words are the headline's, and they make at least half of it (og:title and
    <title> often add the section and the site's name)."""
    if not words or not headline:
        return False
    common = len(set(words) & set(headline))
    return common / len(set(words)) >= min_share and common / len(set(headline)) >= 0.5


def title_line(page: HtmlText, line_words: list[list[str]], headlines: list[tuple[str, list[str]]],
               rules: HtmlRules) -> tuple[int, str] | None:
    """The line that is the page's headline, and why: the <h1> that agrees with what the page's metadata calls
    its headline (the JSON-LD headline, og:title, <title>), else the first other line that does (outside
    any furniture), else the first <h1> when the metadata names none."""
    h1 = [i for i, words in enumerate(line_words)
          if words and any(e.tag == "h1" for e in page.ancestors(page.line_elements[i]))]
    for source, wanted in headlines:
        for i in h1:
            if agrees_with_headline(line_words[i], wanted, rules.title_min_word_share):
                return i, "html.h1"
    for source, wanted in headlines:
        for i, words in enumerate(line_words):
            if agrees_with_headline(words, wanted, rules.title_min_word_share) and markup_cue(page, i, rules) is None:
                return i, f"html.{source}"
    if h1 and not headlines:
        return h1[0], "html.h1"
    return None


def box_of(page: HtmlText, line: int, around: list[frozenset[int]], stop: frozenset[int]) -> range:
    """The lines of the smallest element around a line (below those in ``stop``) that holds other lines too: the
    box a heading names. Empty when there is none."""
    for element in page.ancestors(page.line_elements[line]):
        if element.index in stop:
            break
        lines = [i for i, a in enumerate(around) if element.index in a]
        if len(lines) > 1:
            return range(lines[0], lines[-1] + 1)
    return range(0)


def zone_presets(page: HtmlText, line_texts: list[str], prose: list[bool], line_words: list[list[str]],
                 headlines: list[tuple[str, list[str]]], rules: HtmlRules, is_box_heading=lambda text: False,
                 author: str | None = None) -> tuple[dict[int, tuple[str, str]], int | None]:
    """The zones the markup decides, by line: the headline; the lines outside the article (before its headline
    or its container, after its container) as furniture; inside it, the lines under an element with a cue, a
    box headed by a furniture heading (``is_box_heading``: "Tin liên quan" and the like), and the writer's name
    as the metadata gives it (``author``) where it stands alone above the text. The other lines are left to the
    text zoner. Also returns the article's container element."""
    around = line_ancestors(page)
    container = article_container(page, line_texts, prose, rules, around)
    title = title_line(page, line_words, headlines, rules)
    inside = [i for i, a in enumerate(around) if container is not None and container in a]
    n = len(line_texts)
    first, last = (inside[0], inside[-1]) if inside else (0, n - 1)
    if title is not None and title[0] < first:
        first = title[0]
    stop = frozenset(e.index for e in page.ancestors(container)) if container is not None else frozenset()
    presets: dict[int, tuple[str, str]] = {}
    for i, text in enumerate(line_texts):
        if not text or i in presets:
            continue
        if title is not None and i == title[0]:
            presets[i] = ("title", title[1])
        elif i < first or i > last:
            presets[i] = ("furniture", "html.outside_article")
        elif is_box_heading(text) and len(box := box_of(page, i, around, stop)) > 1:
            presets[i] = ("furniture", "html.box_heading")
            for j in box:
                if j != i and line_texts[j]:
                    presets.setdefault(j, ("related_link", "html.under_box_heading"))
        elif author is not None and text == author and (container is None or container not in around[i]):
            presets[i] = ("author", "html.author_name")
        else:
            cue = markup_cue(page, i, rules, stop)
            if cue is not None:
                presets[i] = cue
    for i, (zone, _) in sorted(presets.items()):
        if zone != "related_link" or not first <= i <= last:
            continue
        box = [j for j in box_of(page, i, around, stop) if line_texts[j] and j not in presets]
        if box and not any(prose[j] for j in box):  # the headline of a teaser whose sapo the markup marks
            for j in box:
                presets[j] = ("related_link", "html.in_related_box")
    return presets, container


# ---------------------------------------------------------------- metadata

def _texts(value) -> list[str]:
    """The names in a JSON-LD value: a string, an object with a name, or a list of them."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return _texts(value.get("name"))
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def jsonld_articles(blocks: list, rules: HtmlRules) -> list[dict]:
    """The JSON-LD objects that describe an article, wherever they sit (a list, an @graph)."""
    found, todo, seen = [], list(blocks), 0
    while todo and seen < 10_000:
        seen += 1
        item = todo.pop(0)
        if isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, dict):
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t in rules.article_types for t in types):
                found.append(item)
            if isinstance(item.get("@graph"), list):
                todo.extend(item["@graph"])
    return found


@dataclass(frozen=True)
class PageFields:
    """Metadata the page gives, with where each comes from."""
    headlines: tuple[tuple[str, str], ...]  # (source, headline), best first
    published: tuple[tuple[str, str], ...]  # (value, source), best first
    url: str | None
    author: str | None
    outlet: str | None


def page_fields(meta: PageMetadata, rules: HtmlRules) -> PageFields:
    articles = jsonld_articles(meta.jsonld, rules)
    headlines: list[tuple[str, str]] = []
    published: list[tuple[str, str]] = []
    authors: list[str] = []
    url = meta.canonical_url or meta.meta.get("og:url")
    outlet = None
    for article in articles:
        for headline in _texts(article.get("headline")):
            headlines.append(("headline", headline))
        for value in _texts(article.get("datePublished")):
            published.append((value, "html_jsonld"))
        authors.extend(a for a in _texts(article.get("author")) if a not in authors)
        outlet = outlet or next(iter(_texts(article.get("publisher"))), None)
        if url is None:
            url = next(iter(_texts(article.get("url"))), None)
    if meta.meta.get("og:title"):
        headlines.append(("og_title", meta.meta["og:title"]))
    if meta.html_title:
        headlines.append(("html_title", meta.html_title))
    for key in rules.published_meta:
        if meta.meta.get(key):
            published.append((meta.meta[key], "html_meta"))
    author = ", ".join(authors) or meta.meta.get("author") or None
    outlet = outlet or meta.meta.get("og:site_name")
    return PageFields(tuple(headlines), tuple(published), url, author, outlet)


def time_in_line(text: str, rules: HtmlRules) -> str | None:
    """The time printed in a line the markup calls a date or a byline ("17:26 - 18/01/2016 | Giáo dục"), as
    ISO 8601 for ``parse_date_value`` (no offset: the sites' own), or None."""
    for pattern in rules.times_in_lines:
        m = pattern.search(text)
        if m is None:
            continue
        g = m.groupdict()
        stamp = f"{int(g['year']):04d}-{int(g['month']):02d}-{int(g['day']):02d}"
        if g.get("hour") is not None:
            stamp += f"T{int(g['hour']):02d}:{int(g['minute']):02d}"
            if g.get("offset"):
                stamp += f"{g['offset'][0]}{int(g['offset'][1:]):02d}:00"
        return stamp
    return None


def without_time(text: str, rules: HtmlRules) -> str:
    """A byline line less the time printed in it ("Nguyên Minh - 07/03/2026 08:47" -> "Nguyên Minh")."""
    for pattern in rules.times_in_lines:
        m = pattern.search(text)
        if m is not None:
            return (text[:m.start()].rstrip(" -|,") + " " + text[m.end():].lstrip(" -|,")).strip()
    return text
