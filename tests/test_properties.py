"""Arbitrary Unicode in: the normalizer, date finder and extractors never raise, and every
span they return lies inside the text with its evidence equal to the text there. Phrases
from the fixtures are mixed into the random text so that there are spans to check.
(The number and money parsers' properties are in test_numbers.py.)"""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from vnfacts.dates import find_dates
from vnfacts.extractors import extract_text
from vnfacts.ingest import ingest_page
from vnfacts.errors import Reject
from vnfacts.normalize import canonical_text, canonicalize

ANY_TEXT = st.text(max_size=200)
VIETNAMESE_ISH = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Z", "S", "M")),
                         max_size=160)
DATE_PHRASES = ["Chiều 26/8", "ngày 5/7/2031", "2/9", "nhiệm kỳ 2021-2026", "tháng 4/2022", "năm 1998",
                "giai đoạn 2022-2025"]
FACT_PHRASES = ["Chiều 26/8, Thành phố Hà Nội hỗ trợ Thủ đô Viêng Chăn 40.000 USD.", "30.000 khẩu trang y tế",
                "Bí thư Thành ủy Hà Nội Đinh Tiến Dũng", "hai bên đã ký kết 20 văn bản hợp tác",
                "Đại sứ Lào tại Việt Nam"]


def _mixed(text, phrases):
    """Random text with known phrases among it."""
    return st.lists(st.one_of(text, st.sampled_from(phrases)), max_size=6).map(" ".join)


@given(ANY_TEXT)
@settings(max_examples=300, deadline=None)
def test_canonicalize_maps_every_character(text):
    canon = canonicalize(text)
    raw_len = len(text.encode("utf-8", "surrogatepass"))
    assert len(canon.raw_start) == len(canon.raw_end) == len(canon.text)
    assert all(0 <= a <= b <= raw_len for a, b in zip(canon.raw_start, canon.raw_end))


@given(_mixed(ANY_TEXT, DATE_PHRASES), st.none() | st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
@settings(max_examples=300, deadline=None)
def test_dates_lie_inside_the_text(text, reference):
    for m in find_dates(text, reference):
        assert 0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.text


@given(_mixed(VIETNAMESE_ISH, FACT_PHRASES))
@settings(max_examples=60, deadline=None)
def test_extractors_quote_their_input(text):
    text = canonical_text(text)  # extraction reads canonical bodies, as ingest writes them
    for rows in extract_text(text).values():
        for row in rows:
            assert 0 <= row["char_start"] < row["char_end"] <= len(text)
            assert text[row["char_start"]:row["char_end"]] == row["evidence"]


@given(st.binary(max_size=400))
@settings(max_examples=200, deadline=None)
def test_ingest_turns_any_bytes_into_an_article_or_a_reject(data):
    try:
        page = ingest_page(data, "random.bin")
    except Reject as rej:
        assert "random.bin" in rej.detail
    else:
        assert page.article["body"]
