"""Ingest: page dumps in ``data/raw/`` -> canonical articles, their lines by zone, rejects.

Each file passes a chain of gates (readable, not empty, not binary, decodable),
is canonicalized (pipeline.normalize), split into lines, and every line gets a
zone. The body is the lead, paragraphs and photo captions; everything else is
kept in the lines table with its zone, so nothing is dropped silently.

Zone cues (all vocabulary in rules/zones/vi/page.yaml):
- header: a breadcrumb line starting "Trang chủ", a "HH:MM | DD/MM/YYYY GMT+7" line,
  then the title (the first other line), then widget lines such as "aa";
- end of the article: the first furniture heading ("Tin bài liên quan", "Đọc nhiều",
  ...); before it, source credit lines ("Nguồn:", "Theo VOV") and a short byline;
- inside the article: the first text line is the lead; a line printed twice on one
  line ("X X", also several in a row) is a related link; lines directly under the
  lead that do not end a sentence are the inline related-links box; a repeat of the
  title, an image file-name slug or "undefined" stands where an image was and the
  next line is its caption; a line ending in a photo credit is a caption; a line
  ending in "..." right after related links is their teaser; the rest is body.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from .config import MAX_DOUBLED_LINE_CHARS, MAX_RAW_BYTES, RULES_DIR
from .errors import Reject
from .normalize import Canonical, canonicalize, utf8_char_offsets
from .rulefiles import load_rule_file

log = logging.getLogger("vnfacts")

BODY_ZONES = ("lead", "body", "caption")
LINE_SEPARATOR = "\n"
BINARY_SIGNATURES = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"%PDF", b"\x1f\x8b", b"BM")


@dataclass(frozen=True)
class PageRules:
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


@lru_cache(maxsize=8)
def load_page_rules(rules_dir: Path = RULES_DIR) -> PageRules:
    d = load_rule_file(Path(rules_dir) / "zones" / "vi" / "page.yaml")
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


# ---------------------------------------------------------------- decoding gates

def decode(raw: bytes, source_file: str) -> tuple[str, str, list[int]]:
    """Decoded text, the encoding used, and the raw byte offset of every character.

    Gates, in order: empty, too large, UTF-16 by its BOM, binary, UTF-8 (a sequence cut
    at the very end, as by a truncated download, is dropped), then Windows-1258 when
    the text reads as Vietnamese; TCVN3 and VNI are recognised and refused."""
    if not raw.strip():
        raise Reject("empty_file", f"{source_file}: {len(raw)} bytes, no text")
    if len(raw) > MAX_RAW_BYTES:
        raise Reject("too_large", f"{source_file}: {len(raw):,} bytes, more than {MAX_RAW_BYTES:,}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_utf16(raw, source_file)
    if raw.startswith(BINARY_SIGNATURES) or b"\x00" in raw[:65536]:
        raise Reject("binary_file", f"{source_file}: binary content (starts with {raw[:8]!r})")
    try:
        text, encoding, skip = raw.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError as exc:
        text, encoding, skip = _decode_not_utf8(raw, exc, source_file)
        if encoding == "cp1258":
            return text, encoding, list(range(len(text) + 1))  # one byte per character
    if text.startswith("\ufeff"):
        encoding, skip = "utf-8-sig", 3
        text = text[1:]
    if _control_ratio(text) > 0.05:
        raise Reject("binary_file", f"{source_file}: {_control_ratio(text):.0%} control characters")
    if HTML_START.match(text):
        raise Reject("html_page", f"{source_file}: an HTML page; save the article as a text dump")
    log.debug("%s decoded as %s", source_file, encoding)
    return text, encoding, utf8_char_offsets(text, start=skip)


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


VIETNAMESE_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzđ"
                               "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")
HTML_START = re.compile(r"\s*(<!doctype\s+html|<html[\s>]|<head[\s>])", re.IGNORECASE)


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


def _control_ratio(text: str) -> float:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls / max(len(sample), 1)


# ---------------------------------------------------------------- zoning

@dataclass(frozen=True)
class Line:
    line_no: int
    start: int  # canonical offsets of the stripped line
    end: int
    text: str


def split_lines(text: str) -> list[Line]:
    lines, pos = [], 0
    for no, chunk in enumerate(text.split("\n"), start=1):
        stripped = chunk.strip()
        lead_ws = len(chunk) - len(chunk.lstrip())
        start = pos + lead_ws if stripped else pos
        lines.append(Line(no, start, start + len(stripped), stripped))
        pos += len(chunk) + 1
    return lines


def is_doubled(line: str, min_len: int = 8) -> bool:
    """True when the line is one or more headlines each printed twice: "A A B B"."""
    if len(line) > MAX_DOUBLED_LINE_CHARS:
        return False
    rest = line
    while rest:
        for k in range(min_len, len(rest) // 2 + 1):
            head = rest[:k]
            if rest[k] == " " and rest[k + 1:].startswith(head) and \
                    (len(rest) == 2 * k + 1 or rest[2 * k + 1] == " "):
                rest = rest[2 * k + 1:].lstrip()
                break
        else:
            return False
    return True


def classify_line_alone(text: str, rules: PageRules) -> str:
    """The zone a line would get from its own text, without context (used by the rule examples)."""
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


def assign_zones(lines: list[Line], rules: PageRules) -> list[str]:
    texts = [ln.text for ln in lines]
    zones = ["blank" if not t else "" for t in texts]
    content = [i for i, t in enumerate(texts) if t]
    if not content:
        return zones
    pos = 0
    if texts[content[pos]].startswith(rules.breadcrumb_prefixes):
        zones[content[pos]] = "breadcrumb"
        pos += 1
    if pos < len(content) and rules.timestamp.match(texts[content[pos]]):
        zones[content[pos]] = "timestamp"
        pos += 1
    if pos >= len(content):
        return zones
    title_idx = content[pos]
    zones[title_idx] = "title"
    title = texts[title_idx]

    end = next((i for i in content if i > title_idx and texts[i].casefold() in rules.furniture_headings),
               len(texts))
    for i in content:
        if i >= end:
            zones[i] = "furniture"

    closing = _mark_closing_lines(texts, zones, title_idx, end, rules)
    _mark_article_lines(texts, zones, title, title_idx, closing, rules)
    return zones


def _mark_closing_lines(texts, zones, title_idx, end, rules) -> int:
    """Mark source credits and the byline just before the furniture; return where they start."""
    i = end - 1
    while i > title_idx and (not texts[i] or any(p.match(texts[i]) for p in rules.source_credit)):
        if texts[i]:
            zones[i] = "source_credit"
        i -= 1
    candidate = texts[i] if i > title_idx else ""
    if (candidate and len(candidate.split()) <= rules.author_max_words
            and not rules.author_not_end.search(candidate) and not is_doubled(candidate)
            and candidate not in rules.widget_lines and candidate[0].isupper()):
        zones[i] = "author"
        return i
    return i + 1


def _mark_article_lines(texts, zones, title, title_idx, closing, rules) -> None:
    prev_zone, prev_adjacent = "title", False
    lead_run = False
    for i in range(title_idx + 1, closing):
        text = texts[i]
        if not text:
            prev_adjacent = False
            lead_run = False
            continue
        if text in rules.widget_lines:
            zone = "furniture"
        elif "lead" not in zones[title_idx:i] and not is_doubled(text) and text != title:
            zone = "lead"
            lead_run = True
        elif is_doubled(text):
            zone = "related_link"
        elif text == title or text in rules.image_placeholder_lines or rules.image_slug.match(text):
            zone = "image_alt"
        elif prev_adjacent and prev_zone == "image_alt":
            zone = "caption"
        elif rules.photo_credit.search(text):
            zone = "caption"
        elif prev_zone == "related_link" and rules.teaser_end.search(text):
            zone = "related_link"
        elif lead_run and not rules.sentence_end.search(text):
            zone = "related_link"
        else:
            zone = "body"
        if zone not in ("lead", "related_link"):
            lead_run = False
        zones[i] = zone
        prev_zone, prev_adjacent = zone, True
    for i in range(title_idx + 1, closing):
        if zones[i] == "":
            zones[i] = "body"


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


def parse_timestamp(text: str, rules: PageRules) -> datetime | None:
    m = rules.timestamp.match(text)
    if not m:
        return None
    offset = int(m["offset"]) if m["offset"] else 0
    try:
        return datetime(int(m["year"]), int(m["month"]), int(m["day"]), int(m["hour"]), int(m["minute"]),
                        tzinfo=timezone(timedelta(hours=offset)))
    except ValueError:
        return None


# ---------------------------------------------------------------- one file

@dataclass(frozen=True)
class IngestedPage:
    article: dict
    lines: list[dict]


def article_id_for(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


def ingest_page(raw: bytes, source_file: str, rules_dir: Path = RULES_DIR) -> IngestedPage:
    """One raw page -> its article row and line rows; raises Reject for unusable input."""
    rules = load_page_rules(rules_dir)
    text, encoding, offsets = decode(raw, source_file)
    canon = canonicalize(text, offsets, rules_dir=rules_dir)
    if not canon.text.strip():
        raise Reject("empty_file", f"{source_file}: only whitespace or invisible characters")
    lines = split_lines(canon.text)
    zones = assign_zones(lines, rules)
    article_id = article_id_for(raw)

    body_parts, raw_start, raw_end, line_rows = [], [], [], []
    body_len = 0
    for line, zone in zip(lines, zones):
        line_raw = _line_raw_span(canon, line)
        body_start = body_end = None
        if zone in BODY_ZONES:
            if body_parts:
                body_parts.append(LINE_SEPARATOR)
                raw_start.append(raw_end[-1])
                raw_end.append(raw_end[-1])
                body_len += 1
            body_start, body_end = body_len, body_len + len(line.text)
            body_parts.append(line.text)
            raw_start.extend(canon.raw_start[line.start:line.end])
            raw_end.extend(canon.raw_end[line.start:line.end])
            body_len = body_end
        line_rows.append({
            "article_id": article_id, "line_no": line.line_no, "zone": zone, "text": line.text,
            "raw_start": line_raw[0], "raw_end": line_raw[1], "body_start": body_start, "body_end": body_end,
        })
    if not body_parts:
        raise Reject("no_body", f"{source_file}: no lead or paragraph found among {len(lines)} lines "
                                f"(zones: {sorted(set(zones))})")

    by_zone = {}
    for line, zone in zip(lines, zones):
        by_zone.setdefault(zone, []).append(line.text)
    breadcrumb = by_zone.get("breadcrumb", [None])[0]
    timestamp = by_zone.get("timestamp", [None])[0]
    credits = [c for c in by_zone.get("source_credit", []) if not c.rstrip(":").strip() == "Nguồn"]
    article = {
        "article_id": article_id,
        "source_file": source_file,
        "title": by_zone.get("title", [""])[0],
        "published_at": parse_timestamp(timestamp, rules) if timestamp else None,
        "section": parse_section(breadcrumb, rules) if breadcrumb else None,
        "author": by_zone.get("author", [None])[0],
        "source_credit": "; ".join(credits) or None,
        "body": "".join(body_parts),
        "body_raw_start": raw_start,
        "body_raw_end": raw_end,
        "encoding": encoding,
        "raw_sha256": hashlib.sha256(raw).hexdigest(),
        "n_lines": len(lines),
    }
    return IngestedPage(article, line_rows)


def _line_raw_span(canon: Canonical, line: Line) -> tuple[int, int]:
    if line.end > line.start:
        return canon.raw_start[line.start], canon.raw_end[line.end - 1]
    at = canon.raw_end[line.start - 1] if line.start > 0 else (canon.raw_start[0] if canon.raw_start else 0)
    return at, at


def raw_span_of(article: dict, start: int, end: int) -> tuple[int, int]:
    """Raw byte span of body characters [start, end) of an article row."""
    if not 0 <= start < end <= len(article["body"]):
        raise IndexError(f"span {start}:{end} outside the body of {article['article_id']}")
    return article["body_raw_start"][start], article["body_raw_end"][end - 1]


# ---------------------------------------------------------------- the batch

def list_raw_files(raw_dir: Path) -> list[Path]:
    raw_dir = Path(raw_dir)
    return sorted(p for p in raw_dir.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts))


def ingest_files(raw_dir: Path, rules_dir: Path = RULES_DIR, progress=None) -> dict[str, list[dict]]:
    """Every file under raw_dir ends up as exactly one article row or one reject row."""
    articles, lines, rejects = [], [], []
    seen: dict[str, str] = {}
    for path in list_raw_files(raw_dir):
        source_file = path.relative_to(raw_dir).as_posix()
        try:
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise Reject("unreadable", f"{source_file}: {exc.strerror or exc}") from exc
            page = ingest_page(raw, source_file, rules_dir)
            first = seen.get(page.article["article_id"])
            if first is not None:
                raise Reject("duplicate_content", f"{source_file}: same bytes as {first}")
            seen[page.article["article_id"]] = source_file
            articles.append(page.article)
            lines.extend(page.lines)
        except Reject as rej:
            rejects.append({"source_file": source_file, "article_id": None, "stage": "ingest",
                            "reason": rej.reason, "detail": rej.detail})
        if progress:
            progress()
    return {"articles": articles, "lines": lines, "rejects": rejects}
