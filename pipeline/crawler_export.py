"""Crawler exports: news-please's and trafilatura's JSON, one article per record.

A ``.json`` file holds one record (or an array of them); a ``.jsonl`` or ``.ndjson`` file one per line. A record
is a JSON object with the usual fields of either tool (news-please: ``title``, ``maintext``, ``date_publish``,
``url``, ``authors``, ``description``; trafilatura: ``title``, ``text``, ``date``, ``url``, ``author``,
``hostname``). The text of a field is traced to the bytes of its JSON string: every character to the byte span
of what stands for it in the file (itself, or its escape: ``\\n``, ``\\u1ea1``, a surrogate pair).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from json.decoder import scanstring

EXPORT_SUFFIXES = (".json", ".jsonl", ".ndjson")
LINES_SUFFIXES = (".jsonl", ".ndjson")

# The fields of a record each article field is read from, the first present and not empty wins.
TEXT_FIELDS = ("maintext", "text", "raw_text", "content")
TITLE_FIELDS = ("title", "headline")
DESCRIPTION_FIELDS = ("description", "excerpt")
DATE_FIELDS = ("date_publish", "date", "published", "date_published", "datePublished")
URL_FIELDS = ("url", "source_url", "link")
AUTHOR_FIELDS = ("authors", "author")
OUTLET_FIELDS = ("sitename", "source_domain", "hostname")
ID_FIELDS = ("id", "fingerprint")

JSON_SPACE = " \t\n\r"
SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def is_export_name(source_file: str) -> bool:
    return source_file.lower().endswith(EXPORT_SUFFIXES)


@dataclass(frozen=True)
class RawRecord:
    """One record of an export: its number, where it is in the decoded file text, and its parsed value (or why
    it is not JSON)."""
    number: int
    start: int
    end: int
    value: object = None
    error: str | None = None


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in JSON_SPACE:
        i += 1
    return i


def records_of(text: str, one_per_line: bool) -> list[RawRecord]:
    """The records of an export's decoded text: one per non-blank line (numbered by line), or the one value of
    the file (an array's elements numbered from 1). A file that is not JSON is one record with its error; a
    ``.json`` file of several values one after another is read as lines."""
    if not one_per_line:
        start = _skip_space(text, 0)
        try:
            value, end = json.JSONDecoder(strict=False).raw_decode(text, start)
        except (ValueError, RecursionError) as exc:
            return [RawRecord(1, start, len(text), error=_why(exc))]
        if _skip_space(text, end) < len(text):
            return records_of(text, one_per_line=True)
        if isinstance(value, list):
            return [RawRecord(n, a, b, v) for n, (a, b, v) in enumerate(_array_elements(text, start), start=1)]
        return [RawRecord(1, start, end, value)]
    out = []
    at = 0
    for number, line in enumerate(text.split("\n"), start=1):
        begin, finish = at, at + len(line)
        at = finish + 1
        first = _skip_space(line, 0)
        if first == len(line):
            continue
        try:
            value, end = json.JSONDecoder(strict=False).raw_decode(line, first)
        except (ValueError, RecursionError) as exc:
            out.append(RawRecord(number, begin + first, finish, error=_why(exc)))
            continue
        if _skip_space(line, end) < len(line):
            out.append(RawRecord(number, begin + first, finish, error=f"more after the JSON value at column {end + 1}"))
            continue
        out.append(RawRecord(number, begin + first, begin + end, value))
    return out


def _why(exc: Exception) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)


def _array_elements(text: str, start: int):
    decoder = json.JSONDecoder(strict=False)
    i = _skip_space(text, start + 1)
    if text[i] == "]":
        return
    while True:
        value, end = decoder.raw_decode(text, i)
        yield i, end, value
        i = _skip_space(text, end)
        if text[i] == "]":
            return
        i = _skip_space(text, i + 1)  # the comma


def object_members(text: str, start: int) -> dict[str, tuple[int, int]]:
    """Where the value of each member of the JSON object at ``text[start]`` is: key -> (start, end) in
    ``text``. The object has been parsed already, so its syntax holds."""
    decoder = json.JSONDecoder(strict=False)
    members: dict[str, tuple[int, int]] = {}
    i = _skip_space(text, start + 1)
    if text[i] == "}":
        return members
    while True:
        key, i = scanstring(text, i + 1, False)
        i = _skip_space(text, _skip_space(text, i) + 1)  # past the colon
        _, end = decoder.raw_decode(text, i)
        members[key] = (i, end)  # a repeated key: the last one, as the parser keeps it
        i = _skip_space(text, end)
        if text[i] == "}":
            return members
        i = _skip_space(text, i + 1)  # the comma


def string_characters(text: str, start: int, end: int) -> tuple[str, list[int], list[int]]:
    """The characters of the JSON string ``text[start:end]`` (its quotes included), each with the span
    [start, end) of ``text`` that stands for it: itself, or its escape. A lone surrogate escape, which no
    character is, reads as U+FFFD."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, stop = start + 1, end - 1
    while i < stop:
        ch = text[i]
        if ch != "\\":
            chars.append(ch)
            starts.append(i)
            ends.append(i + 1)
            i += 1
            continue
        kind = text[i + 1]
        if kind != "u":
            chars.append(SIMPLE_ESCAPES[kind])
            starts.append(i)
            ends.append(i + 2)
            i += 2
            continue
        code, j = int(text[i + 2:i + 6], 16), i + 6
        if 0xD800 <= code < 0xDC00 and text[j:j + 2] == "\\u":
            low = int(text[j + 2:j + 6], 16)
            if 0xDC00 <= low < 0xE000:
                code, j = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), j + 6
        chars.append("\ufffd" if 0xD800 <= code < 0xE000 else chr(code))
        starts.append(i)
        ends.append(j)
        i = j
    return "".join(chars), starts, ends


def json_string_text(fragment: str) -> str:
    """What a stretch of a JSON string's content (between its quotes) reads as, escapes decoded; used to check
    that a span of a record's body traces back to the bytes it claims."""
    quoted = '"' + fragment + '"'
    return string_characters(quoted, 0, len(quoted))[0]


def first_field(record: dict, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` the record has with a value that is text (a list of texts joined with ', ')."""
    for name in names:
        value = record.get(name)
        if isinstance(value, list):
            value = ", ".join(str(v).strip() for v in value if isinstance(v, (str, int, float)) and str(v).strip())
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def text_field(record: dict, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` whose value is a string with text in it."""
    return next((n for n in names if isinstance(record.get(n), str) and record[n].strip()), None)
