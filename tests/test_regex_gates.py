"""The date grammar searches a line only where it holds every part a pattern requires: what it finds is what a
search of the whole text finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vnfacts.dates import _candidates, date_grammar
from vnfacts.regex_gates import line_spans, required_parts, stays_in_line


def _ungated(text: str, patterns, grammar) -> list:
    """Every pattern searched over the whole text, as the grammar did before it was gated."""
    plain = tuple(type(p)(p.rule_id, p.grain, p.regex, gated=False) for p in patterns)
    return _candidates(text, plain, grammar)


def test_required_parts_are_words_and_digits_every_match_holds():
    parts = [p.pattern for p in required_parts(re.compile(r"(?<!\w)t(?:rưa|ối)\s+(?:ngày\s+)?\d{1,2}/x?", re.I))]
    assert parts == ["trưa|tối", "/", r"\d"]  # "ngày" is optional, so is "x"
    assert required_parts(re.compile(r"ab|\d+")) == (re.compile(r"\d|ab"),)
    assert required_parts(re.compile(r"(?:a|b*)c?")) == ()


def test_a_pattern_stays_in_its_line_unless_it_can_read_a_line_break():
    assert stays_in_line(re.compile(r"(?<!\s)(\()?ngày[^\S\n]+\d+(?![^\S\n]+số)(?(1)\))"))
    assert stays_in_line(re.compile(r"(\()?\d+(?(1)\)|)"))
    assert not stays_in_line(re.compile(r"ngày\s+\d+"))
    assert not stays_in_line(re.compile(r"\([^()]{0,60}\)"))
    assert not stays_in_line(re.compile(r"\d+(?=\s+số)"))  # a look-ahead past the line's end
    assert not stays_in_line(re.compile(r"\d+$"))


def test_line_spans_cover_the_text():
    for text in ["", "a", "a\n", "a\nb", "\n\n"]:
        spans = line_spans(text)
        assert "".join(text[a:b] for a, b in spans) == text
        assert all(text[a:b].count("\n") <= (1 if text[a:b].endswith("\n") else 0) for a, b in spans)


def test_gated_search_finds_what_the_whole_text_search_finds(ingested):
    grammar = date_grammar()
    for text in [a["body"] for a in ingested["articles"]]:
        assert _candidates(text, grammar.scan_patterns, grammar) == _ungated(text, grammar.scan_patterns, grammar)


PIECES = ["ngày", "Ngày", "tháng", "năm", "quý", "II", "từ", "đến", "sáng", "thứ hai", "âm lịch", "(", ")", "/",
          "-", ".", ",", " ", " ", "\n", "12", "3", "2021", "1998", "giai đoạn", "nhằm ngày", "tài khóa", "x"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_gated_search_on_made_up_texts(pieces):
    grammar = date_grammar()
    text = "".join(pieces)
    assert _candidates(text, grammar.scan_patterns, grammar) == _ungated(text, grammar.scan_patterns, grammar)
