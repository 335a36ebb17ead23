"""The date of an aid event, on real articles of the gold (docs/ANNOTATION.md: the day of the ceremony, visit or
shipment the article reports, as precise as the text says)."""

from pathlib import Path

import pytest

from vnfacts.config import RULES_DIR
from vnfacts.page import process_raw

GOLD = Path(__file__).parent / "gold"


def _aid_rows(path: Path) -> list[dict]:
    return process_raw(path.read_bytes(), path.name, str(RULES_DIR)).get("aid_events", [])


@pytest.mark.slow
def test_a_scene_dated_in_an_earlier_sentence_dates_the_gifts_that_follow_it():
    # "Chiều 8/6, ông Nguyễn Văn Trì, Chủ tịch UBND tỉnh Vĩnh Phúc đến thăm hỏi …" opens the visit; the amounts
    # given to each victim's family come sentences later (the gold dates them --06-08)
    rows = [r for r in _aid_rows(GOLD / "aid/train/articles/baomoi_22488386.txt")
            if "tử vong" in str(r["recipient"])]
    assert rows
    assert {(r["event_month"], r["event_day"]) for r in rows} == {(6, 8)}


@pytest.mark.slow
def test_a_date_the_lead_recalls_or_a_sum_over_years_dates_nothing():
    # the lead recalls "thiết lập quan hệ ngoại giao ngày 23/9/1975"; "từ năm 1990 đến nay, Đức đã cung cấp khoảng
    # 2 tỷ USD" is a sum over years: the gold dates neither
    rows = _aid_rows(GOLD / "dev/articles/baomoi_22671521.txt")
    assert any(r["evidence"] == "khoảng 2 tỷ USD" for r in rows)
    assert all(r["event_date"] is None for r in rows if r["evidence"] == "khoảng 2 tỷ USD")
    assert not any(str(r["event_date"] or "").startswith("1975") for r in rows)


@pytest.mark.slow
def test_a_lead_that_states_a_giving_dates_it_with_its_day():
    # the lead "10 suất học bổng đã được … trao cho các em học sinh … tại huyện Krông Pa vào ngày 10/2" is the
    # scene of the gift the body states again (the gold dates it --02-10); the receiver keeps where they live
    rows = [r for r in _aid_rows(GOLD / "aid/train/articles/baomoi_21512281.txt")
            if str(r["recipient"]).endswith("tại huyện Krông Pa")]
    assert rows
    assert {(r["event_month"], r["event_day"]) for r in rows} == {(2, 10)}


@pytest.mark.slow
def test_a_year_of_the_event_s_own_sentence_dates_it_and_a_deadline_does_not():
    # "Mỹ lại hỗ trợ quân sự 3,8 tỷ USD cho Thổ Nhĩ Kỳ trong năm tài khóa 2017": the gold dates it 2017
    rows = _aid_rows(GOLD / "aid/train/articles/baomoi_22532587.txt")
    assert {r["evidence"]: r["event_date"] for r in rows if r["evidence"].endswith(("1,4 tỷ USD", "3,8 tỷ USD"))} == \
        {"khoản viện trợ 1,4 tỷ USD": "2017", "3,8 tỷ USD": "2017"}
    # "Từ nay đến năm 2030, ADB tiếp tục cho vay 1.500 tỷ USD …": a year after "đến" is a deadline
    rows = _aid_rows(GOLD / "dev/articles/baomoi_22267916.txt")
    assert any(r["evidence"] == "1.500 tỷ USD" for r in rows)
    assert all(r["event_date"] is None for r in rows if r["evidence"] == "1.500 tỷ USD")


@pytest.mark.parametrize("text, event_date", [
    ("Tuy nhiên Mỹ lại hỗ trợ quân sự 3,8 tỷ USD cho Thổ Nhĩ Kỳ trong năm tài khóa 2017.", "2017"),
    # a year outside the event's clause, or a deadline, dates nothing
    ("Quỹ ABC (thành lập năm 1995) trao 300 triệu đồng cho tỉnh Quảng Nam.", None),
    ("Từ nay đến tháng 12/2030, Quỹ ABC sẽ trao 300 triệu đồng cho tỉnh Quảng Nam.", None),
    ("Quỹ ABC sẽ trao 300 triệu đồng cho tỉnh Quảng Nam trước năm 2025.", None),
])
def test_an_event_is_dated_by_a_year_of_its_clause_never_by_a_deadline(text, event_date):
    from vnfacts.extractors import extract_text

    [row] = extract_text(text, published_at=None)["aid_events"]
    assert row["event_date"] == event_date


def test_a_dateline_after_a_caption_that_runs_into_the_text_dates_the_scene():
    # a photo's caption with no full stop ("(Ảnh: …)") runs into the dateline of the paragraph: the day still opens
    # the scene, and dates the gift a sentence later that names no day of its own
    from vnfacts.extractors import extract_text

    body = ("Hội Chữ thập đỏ tỉnh Nghệ An chăm lo cho người nghèo.\n"
            "Lễ trao quà diễn ra ấm cúng (Ảnh: Hội Chữ thập đỏ tỉnh) Ngày 15/5/2021, Hội Chữ thập đỏ tỉnh Nghệ An "
            "đã tổ chức lễ trao quà tại xã Hưng Lộc. Hội Chữ thập đỏ tỉnh Nghệ An trao tặng 300 suất quà cho các hộ "
            "nghèo.")
    (row,) = extract_text(body)["aid_events"]
    assert row["evidence"] == "300 suất quà"
    assert row["event_date"] == "2021-05-15"
    # the same caption with no day after it dates nothing
    (row,) = extract_text(body.replace("Ngày 15/5/2021, ", ""))["aid_events"]
    assert row["event_date"] is None


@pytest.mark.slow
def test_the_dateline_that_opens_the_text_after_the_lead_dates_the_gifts_of_the_article():
    # the lead is a paragraph of its own with no date; "Tối 24.5, tập 5 của Hát mãi ước mơ đã lên sóng." opens the
    # text after it (behind a video's caption run into it), and the gifts many sentences later are that evening's
    # (the gold dates both --05-24)
    rows = [r for r in _aid_rows(GOLD / "aid/train/articles/baomoi_22367060.txt")
            if r["donor"] in ("Thoại Mỹ", "Cẩm Ly")]
    assert {r["donor"] for r in rows} == {"Thoại Mỹ", "Cẩm Ly"}
    assert {(r["event_month"], r["event_day"]) for r in rows} == {(5, 24)}


@pytest.mark.slow
def test_a_year_that_opens_the_sentence_dates_its_gifts():
    # "Riêng năm 2016, các cấp Hội đã tiết kiệm 13,346 tỷ đồng, trong đó, trích 1,447 tỷ đồng, 2.423 tấn gạo, 30 quạt,
    # hơn 100 xe đạp … ủng hộ trẻ em có hoàn cảnh khó khăn." (the gold dates the four gifts 2016)
    rows = [r for r in _aid_rows(GOLD / "aid/train/articles/baomoi_21471105.txt")
            if r["recipient"] == "trẻ em có hoàn cảnh khó khăn"]
    assert sorted(r["evidence"] for r in rows) == ["1,447 tỷ đồng", "2.423 tấn gạo", "30 quạt", "hơn 100 xe đạp"]
    assert {r["event_date"] for r in rows} == {"2016"}
