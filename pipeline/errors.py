"""Reason codes for rejected inputs and rows, with the message each carries.

A reason code is stable (tests and analysts grep for it); the detail message
names the file and what was wrong.
"""

from __future__ import annotations


REASONS: dict[str, str] = {
    "empty_file": "the file is empty or holds only whitespace",
    "binary_file": "the file holds binary data, not text",
    "not_utf8": "the file is not valid UTF-8 text",
    "legacy_encoding": "the text is in a legacy Vietnamese encoding (TCVN3/ABC or VNI) that is not converted",
    "too_large": "the file is too large to be a news page",
    "corrupt_gzip": "the .gz file cannot be decompressed (cut short, or not gzip)",
    "no_body": "no article body was found on the page",
    "garbled_text": "the text stacks many combining marks on one letter, which no Vietnamese text does",
    "other_language": "the page is mostly in another script than Vietnamese's Latin one (Han, Cyrillic, Thai, …)",
    "duplicate_content": "the file (or a crawler export's record) has the same bytes as another input",
    "not_json": "a crawler export (.json, .jsonl, .ndjson), or one of its lines, is not a JSON object",
    "record_without_text": "a crawler export's record has no article text (no maintext or text field with text)",
    "unreadable": "the file could not be read",
    "symlink": "the entry is a symbolic link; links are not followed, so nothing outside the inputs is read",
    "not_a_regular_file": "the entry is not a regular file (a FIFO, socket or device) and is not opened",
    "file_name_not_utf8": "the file's name is not UTF-8 (shown with its bytes escaped); renamed, it is read",
    "out_of_range": "a value of the page (a date, an offset) is outside what the tables can hold",
    "too_slow": "the page took longer than the per-file time budget and was left",
    "hidden_file": "the file is hidden (its name or a folder's starts with a dot) and is not read",
    "token_misaligned": "underthesea tokens could not be aligned to the canonical body",
    "extract_failed": "the extractors failed on this article",
    "internal_error": "the pipeline failed on this file (a bug: the message says where)",
    "validation_failed": "an extracted row failed a check against its source text",
}


class SchemaError(ValueError):
    """A table on disk or in memory does not match its declaration."""


class Reject(Exception):
    """Raised inside a stage for one input; the batch records it and goes on."""

    def __init__(self, reason: str, detail: str, record: int | None = None):
        if reason not in REASONS:
            raise ValueError(f"unknown reason code {reason!r}")
        super().__init__(reason, detail, record)  # all three, so that a pickled reject keeps its record
        self.reason = reason
        self.detail = detail
        self.record = record  # a crawler export's record number, when the reject is one record's

    def __str__(self) -> str:
        return f"[{self.reason}] {self.detail}"
