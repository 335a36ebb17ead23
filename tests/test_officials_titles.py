"""A title ends before a form of address (the rule file's honorifics), keeps the place or organisation that
completes it, and keeps "cựu" (former) and "Phó" (deputy); the sentences are real ones from the dev articles."""

from __future__ import annotations

import pytest

from vnfacts.extractors import drop_subsumed_titles, extract_text
from vnfacts.lexicon import compile_rules


def _titles(text: str) -> dict[str, list[str]]:
    return {row["name"]: row["titles"] for row in extract_text(text)["officials"]}


@pytest.mark.parametrize("text, name, titles", [
    # dantri_news_tech_136
    ("Với việc cam kết bỏ ra 100 triệu đô la Mỹ, tỷ phú đầu tiên của Việt Nam và là nhà sáng lập Tập đoàn Vingroup "
     "- Ông Phạm Nhật Vượng và phu nhân, Bà Phạm Thu Hương hướng đến tâm nguyện trong thư ngỏ về giải thưởng.",
     "Phạm Nhật Vượng", ["nhà sáng lập Tập đoàn Vingroup"]),
    # dantri_news_health_250
    ("GS.TS. Nguyễn Vũ Quốc Huy, Hiệu trưởng Trường Đại học Y-Dược Huế và Ông Trương Quốc Hùng, Tổng Giám Đốc "
     "Công ty VinBrain ký kết Thỏa thuận Hợp tác.",
     "Nguyễn Vũ Quốc Huy", ["Hiệu trưởng Trường Đại học Y-Dược Huế"]),
    ("GS.TS. Nguyễn Vũ Quốc Huy, Hiệu trưởng Trường Đại học Y-Dược Huế và Ông Trương Quốc Hùng, Tổng Giám Đốc "
     "Công ty VinBrain ký kết Thỏa thuận Hợp tác.",
     "Trương Quốc Hùng", ["Tổng Giám Đốc Công ty VinBrain"]),
    # baomoi_21480404: a heading glued to the next paragraph
    ("Cả Trump và Obama đều ưa sử dụng quyền lực hành pháp của một Tổng thống Ông Trump tuyên bố nước Mỹ cần phải "
     "hành động nhanh và mạnh mẽ.",
     "Trump", ["Tổng thống"]),
])
def test_a_title_ends_before_a_form_of_address(text, name, titles):
    assert set(titles) <= set(_titles(text)[name])


@pytest.mark.parametrize("text, name, titles", [
    # "Anh" is a form of address and the United Kingdom; "Bà" starts "Bà Rịa"
    ("Ngày 23-5, Thủ tướng Anh Theresa May đã lên án vụ tấn công khủng bố.", "Theresa May", ["Thủ tướng Anh"]),
    ("Bộ trưởng Bộ Nội vụ Anh Amber Rudd nói, vụ tấn công là một cuộc tấn công man rợ.",
     "Amber Rudd", ["Bộ trưởng Bộ Nội vụ Anh"]),
    ("Ông Nguyễn Văn Trình, Chủ tịch UBND tỉnh Bà Rịa-Vũng Tàu, nhấn mạnh việc thu hút đầu tư.",
     "Nguyễn Văn Trình", ["Chủ tịch UBND tỉnh Bà Rịa-Vũng Tàu"]),
    # "cựu" and "Phó" stay with the title they belong to
    ("Ông vẫn tiếp tục gây sức ép với Trung Quốc tương tự chính quyền tiền nhiệm của cựu Tổng thống Donald Trump.",
     "Donald Trump", ["cựu Tổng thống"]),
    ("Phó Thủ tướng Vũ Đức Đam và các phóng viên báo chí bên hành lang Quốc hội.", "Vũ Đức Đam", ["Phó Thủ tướng"]),
])
def test_places_and_prefixes_that_look_like_it_stay_in_the_title(text, name, titles):
    assert _titles(text)[name] == titles


def test_no_title_ends_in_a_form_of_address_of_the_rule_files():
    text = ("Với việc cam kết bỏ ra 100 triệu đô la Mỹ, tỷ phú đầu tiên của Việt Nam và là nhà sáng lập Tập đoàn "
            "Vingroup - Ông Phạm Nhật Vượng và phu nhân, Bà Phạm Thu Hương hướng đến tâm nguyện.")
    honorifics = {str(w).casefold() for w in compile_rules().merged_list("official", "honorifics")}
    titles = [t for row in extract_text(text)["officials"] for t in row["titles"]]
    assert titles and not any(t.casefold().endswith(f" {h}") for t in titles for h in honorifics)


@pytest.mark.parametrize("titles, kept", [
    (["Tổng thống", "Tổng thống Mỹ"], ["Tổng thống Mỹ"]),
    (["Bí thư Thành ủy", "Bí thư Thành ủy Hà Nội"], ["Bí thư Thành ủy Hà Nội"]),
    (["Tổng thống", "cựu Tổng thống"], ["Tổng thống", "cựu Tổng thống"]),
    (["Chủ tịch UBND tỉnh", "Phó Chủ tịch UBND tỉnh"], ["Chủ tịch UBND tỉnh", "Phó Chủ tịch UBND tỉnh"]),
    (["Giám đốc", "Tổng Giám đốc"], ["Giám đốc", "Tổng Giám đốc"]),
])
def test_a_title_is_subsumed_only_by_one_that_starts_as_it_does(titles, kept):
    assert drop_subsumed_titles(titles) == kept
