"""An aggregator's dump whose metadata (time, section, keywords, outlet) follow the article: those lines are zoned as
what they are and the time is read, while look-alikes at the end of an article stay in its body."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from vnfacts.ingest import ingest_page
from vnfacts.zoning import full_year

ARTICLES = Path(__file__).resolve().parent / "gold" / "dev" / "articles"
# A real article whose last line ends with its source credit ("Theo VNE"), and one ending with a byline line.
CREDITED = ARTICLES / "baomoi_22344134.txt"
BYLINED = ARTICLES / "baomoi_21478549.txt"

TIME = "04/06/13 08:15 GMT+7"
SECTION = "Kinh tế"
KEYWORDS = "Nguyễn Văn Bình, Thái Bình, Ngân hàng Chính sách xã hội, Tây Bắc, NHCSXH"
OUTLET = "Báo Mới"
AT_TIME = datetime(2013, 6, 4, 8, 15, tzinfo=timezone(timedelta(hours=7)))


def _ingest(raw: bytes, name: str = "dump.txt"):
    return ingest_page(raw, name)


def _with_tail(path: Path, *lines: str, gap: str = "\n") -> bytes:
    return path.read_bytes().rstrip(b"\n") + gap.encode() + "\n".join(lines).encode("utf-8") + b"\n"


def _zones(page) -> dict[str, tuple[str, str]]:
    return {s.text: (s.zone, s.reason) for s in page.spans if s.text}


@pytest.mark.parametrize("path", [CREDITED, BYLINED])
@pytest.mark.parametrize("gap", ["\n", "\n\n"])
def test_trailing_metadata_is_zoned_and_the_time_read(path, gap):
    alone = _ingest(path.read_bytes(), path.name)
    dump = _ingest(_with_tail(path, TIME, SECTION, KEYWORDS, OUTLET, gap=gap), path.name)
    assert dump.article["body"] == alone.article["body"]  # the article's text, byte for byte
    zones = _zones(dump)
    assert zones[TIME] == ("timestamp", "layout.trailing_time")
    assert zones[SECTION] == ("breadcrumb", "layout.trailing_section")
    assert zones[KEYWORDS] == ("furniture", "layout.trailing_keywords")
    assert zones[OUTLET] == ("source_credit", "layout.trailing_outlet")
    art = dump.article
    assert (art["published_at"], art["published_at_grain"], art["published_at_source"]) == \
        (AT_TIME, "minute", "timestamp_line")
    assert art["section"] == SECTION
    assert OUTLET in art["source_credit"]
    assert art["author"] == alone.article["author"]  # a byline above the block is still the byline
    for keyword in ("Tây Bắc, NHCSXH", OUTLET, TIME):
        assert keyword not in art["body"]


def test_block_in_another_order_and_a_four_digit_year():
    dump = _ingest(_with_tail(CREDITED, SECTION, "04/06/2013 08:15", OUTLET, KEYWORDS))
    zones = _zones(dump)
    assert zones[SECTION][0] == "breadcrumb" and zones["04/06/2013 08:15"][0] == "timestamp"
    assert zones[OUTLET][0] == "source_credit" and zones[KEYWORDS][0] == "furniture"
    assert dump.article["published_at"] == AT_TIME
    assert dump.article["outlet"] == "VNE"  # the article's own credit ("Theo VNE") is printed first


LOOK_ALIKES = [
    ("a short last paragraph", ["Hẹn gặp lại bạn đọc"]),
    ("a short last sentence with a date", ["Lễ ký kết diễn ra lúc 08:15 ngày 04/06/13."]),
    ("a last sentence naming places", ["Hà Nội, Hải Phòng, Đà Nẵng và TP.HCM đều tăng trưởng mạnh trong năm qua."]),
    ("a list of names with no time", [KEYWORDS]),
    ("a date with no hour, then names", ["04/06/13", SECTION, KEYWORDS]),
    ("a time followed by a sentence", [TIME, "Phiên tòa sẽ tiếp tục vào ngày mai."]),
]


@pytest.mark.parametrize("case, lines", LOOK_ALIKES, ids=[c for c, _ in LOOK_ALIKES])
def test_look_alikes_stay_in_the_body(case, lines):
    dump = _ingest(_with_tail(BYLINED, *lines))
    zones = _zones(dump)
    body = dump.article["body"]
    for line in lines:
        if line == TIME:
            continue  # a time line before a sentence is not a block that ends the dump
        assert zones[line][0] == "body", (case, line, zones[line])
        assert line in body
    assert dump.article["published_at"] is None


def test_two_digit_years_take_the_century_of_the_archive():
    assert [full_year(y, 1950) for y in ("13", "98", "50", "49", "2013")] == [2013, 1998, 1950, 2049, 2013]



def test_a_two_digit_year_takes_its_century_from_the_years_the_article_writes_in_full():
    assert full_year("98", 1950, (1997, 1998)) == 1998 and full_year("13", 1950, (2012, 2013)) == 2013
    assert full_year("49", 1950, (2048,)) == 2049  # the window alone would also say 2049
    assert full_year("49", 1950, (1949, 1950)) == 1949  # an archive of the 1940s: the window alone says 2049
    text = ("Hà Nội viện trợ Lào trong năm 1949\nNăm 1949, thành phố đã trao 40 tấn gạo cho tỉnh bạn, "
            "như những năm trước đó.\n")
    page = _ingest((text + "04/06/49 08:15 GMT+7\n" + OUTLET + "\n").encode("utf-8"))
    assert page.article["published_at"].year == 1949
