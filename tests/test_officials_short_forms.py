"""A person named by a short form in one article and in full in another is one consolidated person, when the run
names one person that way and no other; the sentences are real ones from the dev articles."""

from __future__ import annotations

import pytest

from vnfacts.consolidate import consolidate_officials
from vnfacts.extractors import extract_text

SENTENCES = {
    # baomoi: "Tổng thống Donald Trump sẽ tiếp đón Thủ tướng Nguyễn Xuân Phúc tại Nhà Trắng vào ngày 31/5."
    "trump_full": "Tổng thống Donald Trump sẽ tiếp đón Thủ tướng Nguyễn Xuân Phúc tại Nhà Trắng vào ngày 31/5.",
    "trump_short": "Các nhà tài phiệt này cũng được coi là có mối quan hệ gần gũi với Tổng thống Trump.",
    "putin_full": "Ông Tập Cận Bình sẽ có cuộc gặp không chính thức với Tổng thống Nga Vladimir Putin vào tối 3/7.",
    "putin_short": "Guardian cho biết dự luật được thông qua dễ dàng tại lưỡng viện quốc hội Nga rồi được trình lên "
                   "Tổng thống Putin để phê chuẩn ban hành.",
    "trump_former": "Ông vẫn tiếp tục gây sức ép với Trung Quốc trong nhiều vấn đề tương tự chính quyền tiền nhiệm "
                    "của cựu Tổng thống Donald Trump.",
}


def _officials(*keys: str, texts: dict[str, str] = SENTENCES) -> list[dict]:
    rows = []
    for key in keys:
        for row in extract_text(texts[key])["officials"]:
            rows.append({**row, "article_id": key})
    return rows


@pytest.fixture(scope="module")
def people() -> dict[str, dict]:
    rows = _officials("trump_full", "trump_short", "putin_full", "putin_short", "trump_former")
    return {p["name"]: p for p in consolidate_officials(rows)}


def test_a_surname_alone_joins_the_one_full_name_of_the_run(people):
    assert "Trump" not in people and "Putin" not in people
    trump, putin = people["Donald Trump"], people["Vladimir Putin"]
    assert trump["article_ids"] == ["trump_former", "trump_full", "trump_short"] and trump["n_articles"] == 3
    assert trump["merged_names"] == ["Trump"]
    assert "Tổng thống Trump" in trump["evidences"]
    assert putin["article_ids"] == ["putin_full", "putin_short"] and putin["merged_names"] == ["Putin"]
    assert people["Nguyễn Xuân Phúc"]["merged_names"] == []


def test_former_and_present_titles_stay_apart_when_articles_merge(people):
    assert set(people["Donald Trump"]["titles"]) == {"Tổng thống", "cựu Tổng thống"}
    assert people["Vladimir Putin"]["titles"] == ["Tổng thống Nga"]


def test_a_short_form_alone_in_the_run_stays_as_written():
    people = {p["name"]: p for p in consolidate_officials(_officials("trump_short", "putin_full"))}
    assert people["Trump"]["merged_names"] == [] and people["Trump"]["article_ids"] == ["trump_short"]
    assert "Donald Trump" not in people


# Look-alikes of the sentences above: two people of the run whose full names end in the same word.
CLINTONS = {
    "hillary": "Cựu Ngoại trưởng Mỹ Hillary Clinton từng giành được Minnesota với cách biệt chỉ 45.",
    "bill": "Chương trình phòng thủ tên lửa thời cựu Tổng thống Bill Clinton chỉ còn đối phó với vài chục đầu đạn.",
    "short": "Khi được hỏi về Ngoại trưởng Clinton, Tổng thống Mỹ trả lời: \"Tôi tôn trọng bà ấy.\"",
}


def test_a_short_form_two_people_of_the_run_end_in_stays_apart():
    rows = _officials("hillary", "bill", "short", texts=CLINTONS)
    assert {r["name"] for r in rows} == {"Hillary Clinton", "Bill Clinton", "Clinton"}
    people = {p["name"]: p for p in consolidate_officials(rows)}
    assert set(people) == {"Hillary Clinton", "Bill Clinton", "Clinton"}
    assert all(p["merged_names"] == [] for p in people.values())


def test_the_article_that_names_one_of_them_in_full_decides():
    rows = _officials("hillary", "bill", texts=CLINTONS) + [
        {**row, "article_id": "short"} for key in ("short", "hillary") for row in extract_text(CLINTONS[key])["officials"]]
    people = {p["name"]: p for p in consolidate_officials(rows)}
    assert "Clinton" not in people
    assert people["Hillary Clinton"]["merged_names"] == ["Clinton"]
    assert people["Hillary Clinton"]["article_ids"] == ["hillary", "short"]
    assert people["Bill Clinton"]["article_ids"] == ["bill"]
