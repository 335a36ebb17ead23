"""Ingest: page dumps in ``data/raw/`` -> canonical articles, their lines by zone, rejects.

Each file passes a chain of gates (readable, not empty, not binary, decodable),
is canonicalized (vnfacts.normalize), split into lines, and every line (or span of
a line) gets a zone and the reason for it (vnfacts.zoning). The body is the lead,
paragraphs and photo captions; everything else is kept in the lines table with its
zone and reason, so nothing is dropped silently. Metadata comes from where it is:
a sidecar the user supplies, the page's timestamp line, a header block, a byline.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import stat
import unicodedata
from collections import Counter, deque
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import crawler_export as export
from . import html_page
from . import offset_runs
from .calendar_days import news_date
from .config import (CONTROL_WINDOW_CHARS, MARKUP_MIN_SHARE, MARKUP_MIN_TAGS, MAX_CONTROL_SHARE, MAX_RAW_BYTES,
                     MIN_LATIN_LETTER_SHARE, RULES_DIR)
from .errors import Reject
from .normalize import Canonical, canonical_text, canonicalize, utf8_char_offsets
from .rulefiles import rules_source
from .zoning import (BODY_ZONES, PUBLISHED_YEARS, LayoutRules, Line, Span, Zoned, ZoneRules, fold, is_prose,
                     load_zone_rules, parse_byline, parse_date_value, parse_section, parse_timestamp, split_lines,
                     words_of, zone_lines)

log = logging.getLogger("vnfacts")

LINE_SEPARATOR = "\n"
# A file format's signature with enough of its header behind it that no text starts that way ("BMW X5" is not a
# bitmap: a BMP's four reserved bytes after its size are zeros).
BINARY_SIGNATURES = {
    "a PNG image": re.compile(rb"\x89PNG\r\n\x1a\n"),
    "a GIF image": re.compile(rb"GIF8[79]a"),
    "a JPEG image": re.compile(rb"\xff\xd8\xff"),
    "a ZIP archive": re.compile(rb"PK\x03\x04"),
    "a PDF document": re.compile(rb"%PDF-\d\.\d"),
    "a gzip archive": re.compile(rb"\x1f\x8b\x08"),
    "a BMP image": re.compile(rb"BM.{4}\x00{4}", re.DOTALL),
}


# ---------------------------------------------------------------- decoding gates

def decode(raw: bytes, source_file: str) -> tuple[str, str, list[int]]:
    """Decoded text, the encoding used, and the raw byte offset of every character.

    Gates, in order: empty, too large, UTF-16 by its BOM, binary (a format's signature, NUL bytes), UTF-8 (a
    sequence cut at the very end, as by a truncated download, is dropped), then Windows-1258 when the text reads
    as Vietnamese; TCVN3 and VNI are recognised and refused. Then, whatever the encoding, the text's own gates
    (see ``check_text``)."""
    if not raw.strip():
        raise Reject("empty_file", f"{source_file}: {len(raw)} bytes, no text")
    if len(raw) > MAX_RAW_BYTES:
        raise Reject("too_large", f"{source_file}: {len(raw):,} bytes, more than {MAX_RAW_BYTES:,}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding, offsets = _decode_utf16(raw, source_file)
    else:
        file_format = binary_format(raw)
        if file_format is not None:
            raise Reject("binary_file", f"{source_file}: {file_format} (starts with {raw[:8]!r})")
        text, encoding, offsets = _decode_bytes(raw, source_file)
    check_text(text, source_file)
    log.debug("%s decoded as %s", source_file, encoding)
    return text, encoding, offsets


def _decode_bytes(raw: bytes, source_file: str) -> tuple[str, str, list[int]]:
    try:
        text, encoding, skip = raw.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError as exc:
        text, encoding, skip = _decode_not_utf8(raw, exc, source_file)
        if encoding == "cp1258":
            return text, encoding, list(range(len(text) + 1))  # one byte per character
    if text.startswith("\ufeff"):
        encoding, skip = "utf-8-sig", 3
        text = text[1:]
    return text, encoding, utf8_char_offsets(text, start=skip)


def check_text(text: str, source_file: str) -> None:
    """Decoded text that is binary after all (control characters dense anywhere in it) is refused."""
    dense = dense_control_window(text)
    if dense is not None:
        start, count, width = dense
        raise Reject("binary_file", f"{source_file}: {count:,} control characters in the {width:,} characters "
                                    f"from character {start:,} (more than {MAX_CONTROL_SHARE:.0%})")


def decode_html(raw: bytes, source_file: str) -> tuple[str, str, list[int]]:
    """``decode`` for an HTML page: its byte order mark, else the charset its ``<meta>`` declares, else the
    detection of ``decode``. A declared single-byte charset (windows-1258, …) is used unless the bytes are
    valid UTF-8 holding multi-byte characters (a page saved as UTF-8 keeps its old declaration)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return decode(raw, source_file)
    declared = html_page.declared_charset(raw)
    if declared is None or declared.startswith(("utf-8", "utf_8", "utf-16", "utf_16")) or \
            not html_page.is_single_byte(declared) or binary_format(raw) is not None:
        return decode(raw, source_file)
    try:
        raw.decode("utf-8")
        if not raw.isascii():
            log.info("%s: declares %s but is UTF-8; read as UTF-8", source_file, declared)
            return decode(raw, source_file)
    except UnicodeDecodeError:
        pass
    if not raw.strip():
        raise Reject("empty_file", f"{source_file}: {len(raw)} bytes, no text")
    text = raw.decode(declared, errors="replace")
    check_text(text, source_file)
    log.debug("%s decoded as %s (declared)", source_file, declared)
    return text, declared, list(range(len(text) + 1))


def _decode_not_utf8(raw: bytes, exc: UnicodeDecodeError, source_file: str) -> tuple[str, str, int]:
    if exc.reason == "unexpected end of data" and exc.end == len(raw):
        log.warning("%s: UTF-8 cut off in the last character; %d bytes dropped", source_file, len(raw) - exc.start)
        return raw[:exc.start].decode("utf-8"), "utf-8-truncated", 0
    try:
        text = raw.decode("cp1258")
    except UnicodeDecodeError:
        text = None
    if text is not None and reads_as_vietnamese(unicodedata.normalize("NFC", text)):
        return text, "cp1258", 0
    legacy = legacy_vietnamese_encoding(raw)
    if legacy:
        raise Reject("legacy_encoding", f"{source_file}: looks like {legacy}; convert it to UTF-8 first") from exc
    raise Reject("not_utf8", f"{source_file}: invalid UTF-8 at byte {exc.start} "
                             f"({raw[exc.start:exc.start + 4]!r})") from exc


def codec_of(encoding: str) -> str:
    """The Python codec that decodes any byte span of a file read with ``encoding``."""
    return {"utf-8-sig": "utf-8", "utf-8-truncated": "utf-8"}.get(encoding, encoding)


def binary_format(raw: bytes) -> str | None:
    """The binary format whose signature the bytes start with, or "NUL bytes" when the first 64 KiB hold one."""
    for name, signature in BINARY_SIGNATURES.items():
        if signature.match(raw):
            return name
    return "NUL bytes" if b"\x00" in raw[:65536] else None


VIETNAMESE_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzđ"
                               "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")


def reads_as_vietnamese(text: str) -> bool:
    """Nearly all letters are Vietnamese ones, and some carry Vietnamese diacritics."""
    letters = [c for c in text.lower() if c.isalpha()]
    if len(letters) < 20:
        return False
    inside = sum(c in VIETNAMESE_LETTERS for c in letters)
    marked = sum(c in VIETNAMESE_LETTERS and not c.isascii() for c in letters)
    return inside / len(letters) > 0.98 and marked / len(letters) > 0.05


# Bytes that TCVN3 (ABC) and VNI-Windows use for Vietnamese letters, read as Latin-1.
TCVN3_MARKERS = frozenset("µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉËª®ÌÐÎÏÑ¬«Õ×ÖØÜ¯ÝàÞßã­ñïðòóùöøúûüþ")
VNI_MARKERS = frozenset("øùûõïìíåäèéêëæöòôóñ")


def legacy_vietnamese_encoding(raw: bytes) -> str | None:
    text = raw.decode("latin-1")
    high = [c for c in text if ord(c) >= 0x80]
    if len(high) < 10:
        return None
    if sum(c in TCVN3_MARKERS for c in high) / len(high) > 0.6:
        return "TCVN3 (ABC)"
    if sum(c in VNI_MARKERS for c in high) / len(high) > 0.6:
        return "VNI"
    return None


def _decode_utf16(raw: bytes, source_file: str) -> tuple[str, str, list[int]]:
    codec = "utf-16-le" if raw.startswith(b"\xff\xfe") else "utf-16-be"
    try:
        text = raw[2:].decode(codec)
    except UnicodeDecodeError as exc:
        raise Reject("not_utf8", f"{source_file}: invalid {codec} at byte {exc.start + 2}") from exc
    offsets = [2]
    for ch in text:
        offsets.append(offsets[-1] + len(ch.encode(codec, "surrogatepass")))
    return text, codec, offsets


# Control characters (Unicode Cc) other than the tab, line feed, carriage return and form feed of plain text.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def dense_control_window(text: str) -> tuple[int, int, int] | None:
    """(start, count, width) of the first window of CONTROL_WINDOW_CHARS characters (the whole text when shorter)
    holding more than MAX_CONTROL_SHARE control characters, or None."""
    width = min(CONTROL_WINDOW_CHARS, len(text))
    limit = MAX_CONTROL_SHARE * width
    in_window: deque[int] = deque()
    for match in CONTROL_CHARACTER.finditer(text):
        at = match.start()
        in_window.append(at)
        while at - in_window[0] >= width:
            in_window.popleft()
        if len(in_window) > limit:
            return in_window[0], len(in_window), width
    return None


# ---------------------------------------------------------------- markup

# A tag, a comment, a doctype or an XML declaration: "<" then a name at once, so "a < b" is none.
# Every part stops at the next "<", so that finding them all stays linear in the text's length.
MARKUP_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?|!--[^<>]*|![A-Za-z][^<>]*|\?[A-Za-z][^<>]*)>")
END_TAG = re.compile(r"</[A-Za-z][A-Za-z0-9:-]*\s*>")
_PREAMBLE = r"(?:<!--[^<>]*>|<\?xml[^<>]*>|<!doctype[^<>]*>)"  # a comment, an XML prolog, a doctype
DOCUMENT_START = re.compile(rf"\s*(?:{_PREAMBLE}\s*)*(?:<!doctype\s+html|<(?:html|head|body)[\s>])", re.IGNORECASE)
PREAMBLE_THEN_TAG = re.compile(rf"\s*(?:{_PREAMBLE}\s*)+<[A-Za-z]", re.IGNORECASE)
FIRST_TAG = re.compile(r"\s*<([A-Za-z][A-Za-z0-9:-]*)[\s/>]")


def markup_found(text: str) -> str | None:
    """How the text shows itself to be HTML, or None: a document start (after any comment or prolog); a comment,
    prolog or doctype then a tag; a first tag closed further on; or tags throughout, at least MARKUP_MIN_TAGS of
    them, one an end tag, making up MARKUP_MIN_SHARE of the characters. Prose may hold a "<" or a "<word>" but
    does not close it."""
    if DOCUMENT_START.match(text):
        return "an HTML document start"
    if PREAMBLE_THEN_TAG.match(text):
        return f"starts with {text.lstrip()[:12]!r}, then a tag"
    first = FIRST_TAG.match(text)
    if first is not None and re.search(rf"</{re.escape(first.group(1))}\s*>", text, re.IGNORECASE):
        return f"starts with <{first.group(1)}> and closes it"
    tags = [m.end() - m.start() for m in MARKUP_TAG.finditer(text)]
    share = sum(tags) / len(text) if text else 0.0
    if len(tags) >= MARKUP_MIN_TAGS and share >= MARKUP_MIN_SHARE and END_TAG.search(text):
        return f"{len(tags):,} tags, {share:.0%} of the characters"
    return None


# ---------------------------------------------------------------- script

def letters_by_script(text: str) -> Counter[str]:
    """How many letters of each Unicode script the text holds (Latin, Han, Cyrillic, Thai, …), by the first word
    of each letter's Unicode name."""
    scripts: Counter[str] = Counter()
    for ch, n in Counter(text).items():
        if ch.isalpha():
            scripts[script_of(ch)] += n
    return scripts


def script_of(letter: str) -> str:
    if letter.isascii():
        return "Latin"
    first_word = unicodedata.name(letter, "UNKNOWN").split()[0]
    return "Han" if first_word == "CJK" else first_word.title()


def other_script(text: str) -> tuple[str, float] | None:
    """The most common script and its share of the letters, when fewer than MIN_LATIN_LETTER_SHARE of them are
    Latin (every Vietnamese letter is); None for a text in Latin script, or without letters."""
    scripts = letters_by_script(text)
    letters = sum(scripts.values())
    if not letters or scripts["Latin"] / letters >= MIN_LATIN_LETTER_SHARE:
        return None
    script, count = max(((s, n) for s, n in scripts.items() if s != "Latin"), key=lambda item: item[1])
    return script, count / letters


# ---------------------------------------------------------------- one file

@dataclass(frozen=True)
class IngestedPage:
    article: dict
    lines: list[dict]
    spans: list[Span]


def article_id_for(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


# Combining marks left after NFC composition. Vietnamese letters carry at most two (a vowel mark and a tone), so a
# run of several is garbage that would only cost the tagger time (200,000 of them took it two minutes).
STACKED_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]{3,}")


def ingest_page(raw: bytes, source_file: str, rules_dir: Path = RULES_DIR,
                sidecar: dict[str, str] | None = None, as_text: bool = False) -> IngestedPage:
    """One raw page -> its article row and line rows; raises Reject for unusable input.

    ``sidecar`` holds what the user supplied beside the file (url, published_at, outlet, …);
    it overrides what the page itself says. ``as_text``: the input is an article's text, not a page
    dump, so every line is body (zone reason ``input.text``) and nothing is zoned away. An HTML page
    (``.html``, ``.htm``, ``.html.gz``, or any file whose text is HTML markup) is read as one: see
    ``ingest_html``."""
    sidecar = {k: v for k, v in (sidecar or {}).items() if v not in (None, "")}
    if not as_text and is_html_name(source_file):
        return ingest_html(raw, source_file, rules_dir, sidecar)
    text, encoding, offsets = decode(raw, source_file)
    if not as_text:
        markup = markup_found(text)
        if markup is not None:
            log.info("%s: HTML markup (%s); read as an HTML page", source_file, markup)
            return ingest_html(raw, source_file, rules_dir, sidecar, decoded=(text, encoding, offsets))
    rules = load_zone_rules(rules_dir)
    canon = canonicalize(text, offsets, rules_dir=rules_dir)
    if not canon.text.strip():
        raise Reject("empty_file", f"{source_file}: only whitespace or invisible characters")
    check_canonical(canon, source_file)
    lines = split_lines(canon.text)
    zoned = text_zones(lines) if as_text else zone_lines(lines, rules, url=sidecar.get("url"))
    return article_of(raw, source_file, canon, lines, zoned, rules, encoding, "text",
                      page_metadata(zoned, rules, sidecar, source_file))


def check_canonical(canon: Canonical, source_file: str, record: int | None = None) -> None:
    """Refuse a text mostly in another script, or one stacking combining marks no Vietnamese letter carries."""
    where = f"{source_file} record {record}" if record is not None else source_file
    foreign = other_script(canon.text)
    if foreign is not None:
        raise Reject("other_language", f"{where}: the page is mostly in another script "
                                       f"({foreign[0]} {foreign[1]:.0%} of letters)", record)
    stacked = STACKED_MARKS.search(canon.text)
    if stacked is not None:
        line = canon.text.count("\n", 0, stacked.start()) + 1
        raise Reject("garbled_text", f"{where}: line {line} stacks {len(stacked.group())} combining marks "
                                     "on one letter (Vietnamese needs at most two)", record)


def article_of(raw: bytes, source_file: str, canon: Canonical, lines: list[Line], zoned: Zoned, rules: ZoneRules,
               encoding: str, raw_format: str, metadata: dict, record: int | None = None,
               article_id: str | None = None) -> IngestedPage:
    """The article row and line rows of zoned canonical text: the body is its lead, paragraphs and captions,
    each character with the raw bytes it came from."""
    article_id = article_id or article_id_for(raw)
    body_parts, raw_start, raw_end, line_rows = [], [], [], []
    body_len = 0
    for span in zoned.spans:
        span_raw = _raw_span(canon, span.start, span.end)
        body_start = body_end = None
        if span.zone in BODY_ZONES:
            if body_parts:
                body_parts.append(LINE_SEPARATOR)
                raw_start.append(raw_end[-1])
                raw_end.append(raw_end[-1])
                body_len += 1
            body_start, body_end = body_len, body_len + len(span.text)
            body_parts.append(span.text)
            raw_start.extend(canon.raw_start[span.start:span.end])
            raw_end.extend(canon.raw_end[span.start:span.end])
            body_len = body_end
        line_rows.append({
            "article_id": article_id, "line_no": span.line_no, "span": span.span, "zone": span.zone,
            "zone_reason": span.reason, "text": span.text, "raw_start": span_raw[0], "raw_end": span_raw[1],
            "body_start": body_start, "body_end": body_end,
        })
    if not body_parts:
        where = f"{source_file} record {record}" if record is not None else source_file
        raise Reject("no_body", f"{where}: no lead or paragraph found among {len(lines)} lines "
                                f"(zones: {sorted({s.zone for s in zoned.spans})})", record)

    body = "".join(body_parts)
    article = {"article_id": article_id, "source_file": source_file, "record": record, **metadata,
               "body": body, "body_raw_runs": offset_runs.as_column(offset_runs.encode(body, raw_start, raw_end)),
               "encoding": encoding, "raw_format": raw_format, "raw_sha256": hashlib.sha256(raw).hexdigest(),
               "n_lines": len(lines), **text_kept(zoned.spans, rules.layout)}
    return IngestedPage(article, line_rows, zoned.spans)


def text_zones(lines: list[Line], reason: str = "input.text") -> Zoned:
    """Zones of an input known to be an article's text: every line is body."""
    spans = [Span(ln.line_no, 0, ln.start, ln.end, ln.text, "body" if ln.text else "blank",
                  reason if ln.text else "blank") for ln in lines]
    return Zoned(spans, {}, None, [])


# ---------------------------------------------------------------- HTML pages

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".html.gz", ".htm.gz", ".xhtml.gz")


def is_html_name(source_file: str) -> bool:
    return source_file.lower().endswith(HTML_SUFFIXES)


def ingest_html(raw: bytes, source_file: str, rules_dir: Path = RULES_DIR, sidecar: dict[str, str] | None = None,
                decoded: tuple[str, str, list[int]] | None = None) -> IngestedPage:
    """An HTML page -> its article: the page read into text lines (vnfacts.html_page), each character with its
    bytes in the file (in the decompressed content of a .gz page); the lines the markup decides (the headline,
    what is outside the article, captions, menus, related links, comments…) zoned by it, the others by the text
    zoner; the metadata from the sidecar, then the page's JSON-LD, meta tags and <time>, then its lines."""
    sidecar = sidecar or {}
    gzipped = html_page.is_gzip_name(source_file)
    content = html_page.gunzip(raw, source_file) if gzipped else raw
    text, encoding, offsets = decoded or decode_html(content, source_file)
    rules = load_zone_rules(rules_dir)
    markup_rules = html_page.load_html_rules(rules_dir)
    page = html_page.read_html(text, offsets, markup_rules)
    canon = canonicalize(page.text, page.starts, rules_dir=rules_dir, char_ends=page.ends)
    if not canon.text.strip():
        raise Reject("no_body", f"{source_file}: the page's markup holds no visible text")
    check_canonical(canon, source_file)
    lines = split_lines(canon.text)
    texts = [ln.text for ln in lines]
    fields = html_page.page_fields(page.metadata, markup_rules)
    headlines = [(where, words_of(fold(canonical_text(h, rules_dir)))) for where, h in fields.headlines]
    author = canonical_text(fields.author, rules_dir) if fields.author else None
    presets, container = html_page.zone_presets(
        page, texts, [is_prose(t, rules.layout) for t in texts], [words_of(fold(t)) for t in texts], headlines,
        markup_rules, is_box_heading=lambda t: t.casefold() in rules.page.furniture_headings, author=author)
    zoned = zone_lines(lines, rules, url=sidecar.get("url") or fields.url, preset=presets)
    author_line = next((texts[i] for i, (z, _) in sorted(presets.items()) if z == "author" and texts[i]), None)
    byline = parse_byline(html_page.without_time(author_line, markup_rules), rules.layout) if author_line else None
    found = {
        "title": canonical_text(fields.headlines[0][1], rules_dir) if fields.headlines else None,
        "url": fields.url,
        "author": (byline.author if byline else None) or author,
        "outlet": canonical_text(fields.outlet, rules_dir) if fields.outlet else None,
    }
    printed = [html_page.time_in_line(texts[i], markup_rules) for i, (z, _) in sorted(presets.items())
               if z in ("timestamp", "author")]
    dated = list(fields.published) + [(value, "html_time") for value in _times_in_order(page, container)] + \
        [(value, "html_text") for value in printed if value]
    metadata = page_metadata(zoned, rules, sidecar, source_file, found=found, dated=dated)
    return article_of(raw, source_file, canon, lines, zoned, rules, encoding,
                      "html_gzip" if gzipped else "html", metadata)


def _times_in_order(page: html_page.HtmlText, container: int | None) -> list[str]:
    """The page's <time datetime> values, those inside the article's container first."""
    def inside(element: int) -> bool:
        return container is not None and any(e.index == container for e in page.ancestors(element))
    times = page.metadata.times
    return [v for e, v in times if inside(e)] + [v for e, v in times if not inside(e)]


# ---------------------------------------------------------------- crawler exports

def ingest_file(raw: bytes, source_file: str, rules_dir: Path = RULES_DIR,
                sidecar: dict[str, str] | None = None) -> list[IngestedPage | Reject]:
    """One raw file -> its articles: one for a page, one per record for a crawler export, whose records that
    are no article are Rejects in the list; raises Reject when the whole file is unusable."""
    if export.is_export_name(source_file):
        return ingest_export(raw, source_file, rules_dir, sidecar)
    return [ingest_page(raw, source_file, rules_dir, sidecar)]


def ingest_export(raw: bytes, source_file: str, rules_dir: Path = RULES_DIR,
                  sidecar: dict[str, str] | None = None) -> list[IngestedPage | Reject]:
    """A crawler export (vnfacts.crawler_export) -> an article per record, or a Reject naming the record: one
    that is not JSON, not an object, or has no text."""
    sidecar = {k: v for k, v in (sidecar or {}).items() if v not in (None, "")}
    text, encoding, offsets = decode(raw, source_file)
    one_per_line = source_file.lower().endswith(export.LINES_SUFFIXES)
    records = export.records_of(text, one_per_line)
    if not one_per_line and len(records) == 1 and records[0].error is not None:
        raise Reject("not_json", f"{source_file}: not JSON ({records[0].error})")
    out: list[IngestedPage | Reject] = []
    for rec in records:
        try:
            out.append(ingest_record(raw, source_file, text, encoding, offsets, rec, rules_dir, sidecar))
        except Reject as rej:
            if rej.record is None:
                rej = Reject(rej.reason, rej.detail, rec.number)
            out.append(rej)
    if not out:
        raise Reject("empty_file", f"{source_file}: no record, only blank lines")
    return out


def ingest_record(raw: bytes, source_file: str, text: str, encoding: str, offsets: list[int],
                  rec: export.RawRecord, rules_dir: Path, sidecar: dict[str, str]) -> IngestedPage:
    """One record of an export -> its article: the title, the description when the text does not hold it
    (the lead) and the text's lines (the body), every character traced to its bytes in the record's fields."""
    where = f"{source_file} record {rec.number}"
    if rec.error is not None:
        raise Reject("not_json", f"{where}: not JSON ({rec.error[:200]})", rec.number)
    if not isinstance(rec.value, dict):
        raise Reject("not_json", f"{where}: a JSON {type(rec.value).__name__}, not an object", rec.number)
    record = rec.value
    text_name = export.text_field(record, export.TEXT_FIELDS)
    if text_name is None:
        raise Reject("record_without_text", f"{where}: no text in any of the fields "
                                            f"{', '.join(export.TEXT_FIELDS)}", rec.number)
    members = export.object_members(text, rec.start)
    parts: list[tuple[str, str]] = []  # (field, zone) in the order they are written
    title_name = export.text_field(record, export.TITLE_FIELDS)
    if title_name:
        parts.append((title_name, "title"))
    description_name = export.text_field(record, export.DESCRIPTION_FIELDS)
    if description_name and " ".join(record[description_name].split()) not in " ".join(record[text_name].split()):
        parts.append((description_name, "lead"))
    parts.append((text_name, "body"))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    field_of_line: list[tuple[str, str]] = []
    for name, zone in parts:
        value, char_starts, char_ends = export.string_characters(text, *members[name])
        if chars:
            chars.append("\n")
            starts.append(ends[-1])
            ends.append(ends[-1])
        chars.append(value)
        starts.extend(offsets[i] for i in char_starts)
        ends.extend(offsets[i] for i in char_ends)
        field_of_line.extend([(name, zone)] * (value.count("\n") + value.count("\r") - value.count("\r\n") + 1))
    rules = load_zone_rules(rules_dir)
    canon = canonicalize("".join(chars), starts, rules_dir=rules_dir, char_ends=ends)
    check_canonical(canon, source_file, rec.number)
    lines = split_lines(canon.text)
    if len(lines) != len(field_of_line):
        raise AssertionError(f"{where}: {len(lines)} lines for {len(field_of_line)} expected")
    spans = [Span(ln.line_no, 0, ln.start, ln.end, ln.text, zone if ln.text else "blank",
                  f"export.{name}" if ln.text else "blank") for ln, (name, zone) in zip(lines, field_of_line)]
    zoned = Zoned(spans, {}, None, [])
    found = {"title": None, "url": export.first_field(record, export.URL_FIELDS),
             "author": export.first_field(record, export.AUTHOR_FIELDS),
             "outlet": export.first_field(record, export.OUTLET_FIELDS),
             "doc_id": export.first_field(record, export.ID_FIELDS)}
    found = {k: canonical_text(v, rules_dir) if v and k in ("author", "outlet") else v for k, v in found.items()}
    date = export.first_field(record, export.DATE_FIELDS)
    metadata = page_metadata(zoned, rules, sidecar, source_file, found=found,
                             dated=[(date, "export_field")] if date else [])
    record_bytes = raw[offsets[rec.start]:offsets[rec.end]]
    return article_of(raw, source_file, canon, lines, zoned, rules, encoding, "json", metadata, rec.number,
                      article_id_for(record_bytes))


FULL_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")


def _years_stated(zoned: Zoned) -> tuple[int, ...]:
    """The years the article's text writes in four digits (for a time line that prints two)."""
    return tuple(int(y) for s in zoned.spans if s.zone in BODY_ZONES or s.zone == "title"
                 for y in FULL_YEAR.findall(s.text) if int(y) in PUBLISHED_YEARS)


def page_metadata(zoned: Zoned, rules: ZoneRules, sidecar: dict[str, str], source_file: str = "",
                  found: dict[str, str | None] | None = None, dated: list[tuple[str, str]] = ()) -> dict:
    """Title, time, author, outlet, url and doc id: from the sidecar, the page's zones, its header block, then
    ``found`` (what an HTML page's metadata or an export's fields say); ``dated`` holds (value, source) of the
    times the page states, tried after the sidecar's and before the text's own."""
    page, layout = rules.page, rules.layout
    first = {}
    for s in zoned.spans:
        first.setdefault(s.zone, s.text)
    headers = zoned.headers
    published_at, grain, source = None, None, None
    candidates = [(sidecar.get("published_at"), "sidecar"), *dated, (first.get("timestamp"), "timestamp_line"),
                  (headers.get("published_at"), "header")]
    for value, where in candidates:
        if not value:
            continue
        if where == "timestamp_line":
            stamp = parse_timestamp(value, page)
            parsed = (stamp, "minute") if stamp else parse_date_value(value, layout, _years_stated(zoned))
        else:
            parsed = parse_date_value(value, layout)
        if parsed is not None:
            (published_at, grain), source = parsed, where
            break
        if where == "timestamp_line" and found is not None:
            continue  # a line the markup calls a time, printed in words: the page's metadata had its chance
        log.warning("%s: the %s's %r is not a date between the years %d and %d with a real UTC offset; ignored",
                    source_file, where.replace("_", " "), value[:80], PUBLISHED_YEARS.start, PUBLISHED_YEARS.stop - 1)
    credits = [c for c in zoned.credits if c.outlet]
    byline = zoned.byline
    found = found or {}
    url = sidecar.get("url") or headers.get("url") or found.get("url")
    outlet = (sidecar.get("outlet") or headers.get("outlet") or (byline.outlet if byline else None)
              or (credits[0].outlet if credits else None) or found.get("outlet") or _host(url))
    return {
        "title": sidecar.get("title") or first.get("title") or headers.get("title") or found.get("title"),
        "published_at": published_at,
        "published_date": news_date(published_at),
        "published_at_grain": grain,
        "published_at_source": source,
        "section": parse_section(first["breadcrumb"], page) if "breadcrumb" in first else None,
        "author": sidecar.get("author") or (byline.author if byline else None) or headers.get("author")
        or found.get("author"),
        "source_credit": "; ".join(c.credit for c in credits if c.credit) or None,
        "outlet": outlet,
        "url": url,
        "doc_id": sidecar.get("doc_id") or headers.get("doc_id") or found.get("doc_id"),
    }


def _host(url: str | None) -> str | None:
    m = re.match(r"^[a-z][a-z0-9+.-]*://(?:www\.)?([^/:?#]+)", url or "", re.IGNORECASE)
    return m.group(1).lower() if m else None


def text_kept(spans: list[Span], layout: LayoutRules) -> dict:
    """How much of the page's text, and of its running prose, reached the body.

    Prose that a furniture heading put outside the article (teasers of other articles), or that an HTML
    page's markup did (outside its container, in a box of related links or comments), is not the article's, so
    the share kept is of the rest."""
    text_chars = body_chars = prose = prose_kept = 0
    for s in spans:
        if s.zone in ("blank", "header"):
            continue
        text_chars += len(s.text)
        in_body = s.zone in BODY_ZONES
        body_chars += len(s.text) if in_body else 0
        outside = s.reason in FURNITURE_REGION_REASONS or (s.reason.startswith("html.") and not in_body)
        if outside or not is_prose(s.text, layout):
            continue
        prose += len(s.text)
        prose_kept += len(s.text) if in_body else 0
    share = prose_kept / prose if prose else 1.0
    return {"text_chars": text_chars, "body_chars": body_chars, "prose_chars": prose,
            "prose_kept": round(share, 4), "prose_kept_low": share < layout.prose_kept_min_share}


FURNITURE_REGION_REASONS = frozenset({"page.furniture_heading", "page.after_furniture_heading"})


def _raw_span(canon: Canonical, start: int, end: int) -> tuple[int, int]:
    if end > start:
        return canon.raw_start[start], canon.raw_end[end - 1]
    at = canon.raw_end[start - 1] if start > 0 else (canon.raw_start[0] if canon.raw_start else 0)
    return at, at


def raw_text(article: dict, raw: bytes, start: int, end: int, rules_dir: Path = RULES_DIR) -> str:
    """What bytes [start, end) of an article's raw file read as, the way ingest read them: decoded; for an HTML
    page, its markup removed and character references decoded (of a .gz page, its decompressed bytes); for a
    crawler export's record, its JSON escapes decoded."""
    raw_format = article.get("raw_format") or "text"
    content = _decompressed(raw) if raw_format == "html_gzip" else raw
    text = content[start:end].decode(codec_of(article["encoding"]), errors="replace")
    if raw_format in ("html", "html_gzip"):
        return html_page.markup_text(text, html_page.load_html_rules(rules_dir))
    if raw_format == "json":
        try:
            return export.json_string_text(text)
        except (IndexError, KeyError, ValueError):
            return text  # not a stretch of one JSON string: it reads as itself, and will not match
    return text


@lru_cache(maxsize=2)
def _decompressed(raw: bytes) -> bytes:
    """A .gz page's content, decompressed once for all the rows traced to it."""
    return html_page.gunzip(raw, "")


def raw_span_of(article: dict, start: int, end: int) -> tuple[int, int]:
    """Raw byte span of body characters [start, end) of an article row."""
    if not 0 <= start < end <= len(article["body"]):
        raise IndexError(f"span {start}:{end} outside the body of {article['article_id']}")
    return offset_runs.article_raw_span(article, start, end)


# ---------------------------------------------------------------- sidecars and the batch

SIDECAR_CSV = "_metadata.csv"
SIDECAR_SUFFIX = ".meta.json"
SIDECAR_FIELDS = ("url", "published_at", "outlet", "title", "author", "doc_id")


def is_sidecar(path: Path) -> bool:
    return path.name == SIDECAR_CSV or path.name.endswith(SIDECAR_SUFFIX)


def overlap_of_inputs_and_outputs(raw_dir: Path, out_dir: Path) -> str | None:
    """Why the two folders cannot be used together, or None: inputs and outputs never share a folder, or a run
    would read its own tables as pages the next time."""
    raw, out = Path(raw_dir).resolve(), Path(out_dir).resolve()
    if raw == out or raw in out.parents or out in raw.parents:
        relation = "is" if raw == out else ("is inside" if raw in out.parents else "holds")
        return (f"{out_dir} {relation} the input folder {raw_dir}: write the outputs to a folder outside the "
                "inputs, and keep the inputs outside the outputs")
    return None


def source_name(path: Path, raw_dir: Path) -> str:
    """A page's name in the tables: its path under the inputs, in UTF-8 whatever bytes the file system holds
    (a byte that is not UTF-8 is shown as ``\\xff``; ``read_input`` refuses such a file)."""
    return os.fsencode(path.relative_to(raw_dir).as_posix()).decode("utf-8", "backslashreplace")


def _name_is_utf8(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def list_raw_files(raw_dir: Path) -> list[Path]:
    """Every entry under raw_dir that is not a folder or a metadata sidecar: pages, and also links, special
    files and hidden files, which ``read_input`` turns into reject rows, so each entry is accounted for.
    Links to folders are listed, not entered; a folder that cannot be listed is listed itself."""
    raw_dir = Path(raw_dir)
    found: list[Path] = []

    def unreadable(exc: OSError) -> None:
        if exc.filename and Path(exc.filename) != raw_dir:
            found.append(Path(exc.filename))

    for folder, dirs, files in os.walk(raw_dir, onerror=unreadable, followlinks=False):
        for name in dirs:
            if (Path(folder) / name).is_symlink():
                found.append(Path(folder) / name)
        for name in files:
            path = Path(folder) / name
            if not is_sidecar(path) or path.is_symlink():
                found.append(path)
    return sorted(found)


def read_input(path: Path, source_file: str) -> bytes:
    """The bytes of one input page, or a Reject saying why they are not read. Nothing is opened that is not a
    regular file inside the inputs, and a file too large to be a page is refused before it is read."""
    if any(part.startswith(".") for part in Path(source_file).parts):
        raise Reject("hidden_file", f"{source_file}: hidden, not read")
    if not _name_is_utf8(path):
        raise Reject("file_name_not_utf8", f"{source_file}: the file name is not UTF-8 (its bytes are shown "
                                           "escaped); rename the file to read it")
    try:
        info = path.lstat()
    except OSError as exc:
        raise Reject("unreadable", f"{source_file}: {exc.strerror or exc}") from exc
    if stat.S_ISLNK(info.st_mode):
        raise Reject("symlink", f"{source_file}: a symbolic link to {os.readlink(path)!r}, not followed")
    if stat.S_ISDIR(info.st_mode):
        raise Reject("unreadable", f"{source_file}: a folder that could not be listed")
    if not stat.S_ISREG(info.st_mode):
        raise Reject("not_a_regular_file", f"{source_file}: not a regular file, not opened")
    if info.st_size > MAX_RAW_BYTES:
        raise Reject("too_large", f"{source_file}: {info.st_size:,} bytes, more than {MAX_RAW_BYTES:,}")
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_RAW_BYTES + 1)
    except OSError as exc:
        raise Reject("unreadable", f"{source_file}: {exc.strerror or exc}") from exc


SIDECAR_MAX_BYTES = 1 << 20
SIDECAR_NAME_COLUMNS = ("file", "source_file", "filename", "file_name", "path")


def load_sidecars(raw_dir: Path, files: list[Path]) -> dict[str, dict[str, str]]:
    """Metadata the user keeps beside the pages: ``_metadata.csv`` (a ``file`` column naming the page
    relative to its folder, then any of url, published_at, outlet, title, author, doc_id) in any folder,
    and ``<page>.meta.json`` beside a page. Each is applied row by row: a row or a file that cannot be read,
    a column no field uses and a row naming no page are each one warning, and the other rows still apply.
    Names are matched after Unicode normalisation (a sidecar in NFC names a file the disk holds in NFD)."""
    raw_dir = Path(raw_dir)
    pages = {_name_key(source_name(p, raw_dir)): source_name(p, raw_dir) for p in files}
    found: dict[str, dict[str, str]] = {}
    for csv_path in sorted(raw_dir.rglob(SIDECAR_CSV)):
        if any(part.startswith(".") for part in csv_path.relative_to(raw_dir).parts) or not _regular(csv_path):
            continue  # a linked sidecar is not followed: it becomes a `symlink` reject like any link
        for name, fields in _csv_sidecar_rows(csv_path, raw_dir):
            where = (csv_path.parent / name).relative_to(raw_dir).as_posix() if not Path(name).is_absolute() else ""
            key = pages.get(_name_key(where))
            if key is None:
                log.warning("%s: row for %r names no page; unused", source_name(csv_path, raw_dir), name)
                continue
            found.setdefault(key, {}).update(fields)
    for page in files:
        meta = page.with_name(page.name + SIDECAR_SUFFIX)
        if not _regular(meta):
            continue
        try:
            data = _json_sidecar(meta)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            log.warning("%s: not read (%s)", source_name(meta, raw_dir), str(exc)[:200])
            continue
        found.setdefault(source_name(page, raw_dir), {}).update(_sidecar_fields(data))
    return found


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name)




def _csv_sidecar_rows(csv_path: Path, raw_dir: Path):
    """(page name, fields) of every readable row of one ``_metadata.csv``; the unreadable ones are warned of."""
    shown = source_name(csv_path, raw_dir)
    try:
        if csv_path.stat().st_size > SIDECAR_MAX_BYTES * 64:
            raise ValueError(f"more than {SIDECAR_MAX_BYTES * 64:,} bytes")
        text = csv_path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        log.warning("%s: not read (%s)", shown, exc)
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        log.warning("%s: header not read (%s)", shown, exc)
        return
    name_column = next((i for i, h in enumerate(header) if h in SIDECAR_NAME_COLUMNS), None)
    if name_column is None:
        log.warning("%s: no column naming the page (one of %s); not used", shown, ", ".join(SIDECAR_NAME_COLUMNS))
        return
    unused = [h for i, h in enumerate(header) if i != name_column and h not in SIDECAR_FIELDS]
    if unused:
        log.warning("%s: columns %s are not metadata fields (%s); ignored", shown, ", ".join(map(repr, unused)),
                    ", ".join(SIDECAR_FIELDS))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            log.warning("%s: line %d not read (%s); the other rows apply", shown, reader.line_num, exc)
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            log.warning("%s: line %d has %d cells for %d columns; skipped", shown, reader.line_num, len(row),
                        len(header))
            continue
        row += [""] * (len(header) - len(row))  # cells left off at the end are empty, as csv readers take them
        name = row[name_column].strip()
        if name:
            yield name, _sidecar_fields(dict(zip(header, row)))


def _json_sidecar(meta: Path) -> dict:
    if meta.stat().st_size > SIDECAR_MAX_BYTES:
        raise ValueError(f"more than {SIDECAR_MAX_BYTES:,} bytes")
    text = meta.read_text(encoding="utf-8")
    if _nesting_depth(text) > 32:
        raise ValueError("nested more than 32 levels deep")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def _nesting_depth(text: str) -> int:
    """How deep brackets nest, counted without parsing (so that no input can exhaust the parser's stack)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _regular(path: Path) -> bool:
    """A regular file, not reached through a link (nothing outside the inputs is read)."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _sidecar_fields(row: dict) -> dict[str, str]:
    return {k: unicodedata.normalize("NFC", str(row[k]).strip()) for k in SIDECAR_FIELDS
            if row.get(k) not in (None, "") and not isinstance(row[k], (dict, list))
            and str(row[k]).strip()}


def ingest_files(raw_dir: Path, rules_dir: Path = RULES_DIR, progress=None) -> dict[str, list[dict]]:
    """Every file under raw_dir ends up as exactly one article row or one reject row."""
    tables: dict[str, list[dict]] = {"articles": [], "lines": [], "rejects": []}
    for found in ingested_files(raw_dir, rules_dir, progress):
        for name, rows in found.items():
            tables[name].extend(rows)
    return tables


def ingested_files(raw_dir: Path, rules_dir: Path = RULES_DIR, progress=None):
    """``ingest_files`` one file at a time: for each file under raw_dir, in order, its article rows, line rows and
    reject rows (a file whose bytes an earlier one had is a duplicate_content reject)."""
    seen: dict[str, str] = {}
    files = list_raw_files(raw_dir)
    sidecars = load_sidecars(raw_dir, files)
    rules_dir = rules_source(rules_dir)  # the rules as they are now, read once for every page
    for path in files:
        articles, lines, rejects = [], [], []
        source_file = source_name(path, raw_dir)
        try:
            found = ingest_file(read_input(path, source_file), source_file, rules_dir, sidecars.get(source_file))
        except Reject as rej:
            found = [rej]
        for page in found:
            if isinstance(page, IngestedPage):
                first = seen.get(page.article["article_id"])
                if first is None:
                    seen[page.article["article_id"]] = _named(source_file, page.article["record"])
                    articles.append(page.article)
                    lines.extend(page.lines)
                    continue
                page = Reject("duplicate_content", f"{_named(source_file, page.article['record'])}: same bytes as "
                                                   f"{first}", page.article["record"])
            rejects.append({"source_file": source_file, "record": page.record, "article_id": None,
                            "stage": "ingest", "reason": page.reason, "detail": page.detail})
        if progress:
            progress()
        yield {"articles": articles, "lines": lines, "rejects": rejects}


def _named(source_file: str, record: int | None) -> str:
    return source_file if record is None else f"{source_file} record {record}"
