"""Ingest on the five real fixture pages and on bad input."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnfacts.errors import Reject
from vnfacts.ingest import (binary_format, dense_control_window, ingest_files, ingest_page, markup_found,
                            other_script, raw_span_of)
from vnfacts.zoning import is_doubled
from vnfacts.lexicon import compile_rules
from vnfacts.normalize import canonical_text, canonicalize

from conftest import RAW_DIR

FIXTURES = sorted(p.name for p in RAW_DIR.iterdir() if p.suffix == ".txt")

# First and last words of each body, read off the fixture pages by hand.
BODY_EDGES = {
    "000_f22b6e4c1b01d16e.txt": ("Chiều 26/8, Ủy viên Bộ Chính trị", "200.000 USD và trang thiết bị vật tư y tế để hỗ trợ phòng, chống dịch COVID-19."),
    "001_dcb2878248db2b41.txt": ("Tại buổi đón tiếp Đại sứ Cộng hòa Dân chủ Nhân dân Lào", "200.000 USD và trang thiết bị vật tư y tế để hỗ trợ phòng, chống dịch Covid-19."),
    "002_f75cf5a8c9d54bd2.txt": ("Hòa chung dòng chảy của quan hệ hữu nghị vĩ đại", "vì hòa bình, ổn định, thịnh vượng chung của khu vực."),
    "003_7b0da2fc71653c30.txt": ("Tại buổi làm việc, Bí thư Thành ủy Vientiane Anouphab Tounalom", "“Năm Đoàn kết Hữu nghị Việt Nam – Lào, Lào – Việt Nam 2022”."),
    "004_aa49084023db9e52.txt": ("Ngày 5/7, Thủ tướng Chính phủ nước Cộng hòa Dân chủ Nhân dân Lào Thongloun Sisoulith", "sau khi kiểm soát tốt dịch COVID-19."),
}

# Page furniture and other articles' teasers that must never reach a body.
NOT_IN_ANY_BODY = [
    "Tin bài liên quan", "Các tin bài khác", "Đọc nhiều", "Có thể bạn quan tâm", "Nên xem", "Tin khác",
    "Phiên bản di động", "infographic", "Kaimani Orabun", "Tô Lâm", "Takebe Tsutomu", "Nguyễn Thị Bình",
    "Trần Thanh Mẫn", "Sarah Hooper", "Đinh Phú Cường", "Phạm Bình Minh", "Bùi Thị Minh Hoài",
    "1,8 tỷ đồng", "Xin chờ trong giây lát", "Trao 31 phần quà", "Siết chặt quản lý",
    "Nhiều hoạt động trong ngày hội giao lưu", "Doanh nghiệp Áo", "undefined",
]


def test_every_fixture_is_an_article(ingested):
    assert ingested["rejects"] == []
    assert sorted(a["source_file"] for a in ingested["articles"]) == FIXTURES


@pytest.mark.parametrize("name", FIXTURES)
def test_metadata_matches_spec(name, articles_by_file, spec):
    article, expected = articles_by_file[name], spec["articles"][name]
    assert article["title"] == expected["title"]
    if expected["published_at"] is None:
        assert article["published_at"] is None
    else:
        assert article["published_at"] == datetime.fromisoformat(expected["published_at"])
        assert article["published_at"].utcoffset().total_seconds() == 7 * 3600
    assert article["author"] == expected.get("author")
    if "section" in expected:
        assert article["section"] == expected["section"]


@pytest.mark.parametrize("name", FIXTURES)
def test_body_is_exactly_the_article(name, articles_by_file):
    body = articles_by_file[name]["body"]
    first, last = BODY_EDGES[name]
    assert body.startswith(first)
    assert body.endswith(last)
    for text in NOT_IN_ANY_BODY:
        assert text not in body, f"{text!r} leaked into the body of {name}"
    for line in body.split("\n"):
        assert not is_doubled(line), f"doubled related-link line in the body: {line[:60]}"


@pytest.mark.parametrize("name", FIXTURES)
def test_every_line_has_a_zone(name, ingested, articles_by_file):
    article = articles_by_file[name]
    lines = [ln for ln in ingested["lines"] if ln["article_id"] == article["article_id"]]
    raw_line_count = (RAW_DIR / name).read_bytes().decode("utf-8").count("\n") + 1
    assert len(lines) == article["n_lines"] == raw_line_count
    assert all(ln["zone"] for ln in lines)
    body_lines = [ln for ln in lines if ln["body_start"] is not None]
    assert "\n".join(ln["text"] for ln in body_lines) == article["body"]
    for ln in body_lines:
        assert article["body"][ln["body_start"]:ln["body_end"]] == ln["text"]
    assert Counter(ln["zone"] for ln in lines)["title"] == 1


def test_zones_of_known_lines(ingested, articles_by_file):
    def zone_of(name, line_no):
        aid = articles_by_file[name]["article_id"]
        return next(ln["zone"] for ln in ingested["lines"] if ln["article_id"] == aid and ln["line_no"] == line_no)

    assert zone_of("000_f22b6e4c1b01d16e.txt", 1) == "breadcrumb"
    assert zone_of("000_f22b6e4c1b01d16e.txt", 2) == "timestamp"
    assert zone_of("000_f22b6e4c1b01d16e.txt", 8) == "related_link"   # "X X" under the lead
    assert zone_of("000_f22b6e4c1b01d16e.txt", 15) == "image_alt"     # the headline again, over a photo
    assert zone_of("000_f22b6e4c1b01d16e.txt", 16) == "caption"
    assert zone_of("000_f22b6e4c1b01d16e.txt", 34) == "author"
    assert zone_of("000_f22b6e4c1b01d16e.txt", 35) == "source_credit"
    assert zone_of("001_dcb2878248db2b41.txt", 4) == "related_link"   # three headlines, not doubled
    assert zone_of("001_dcb2878248db2b41.txt", 8) == "image_alt"      # "undefined"
    assert zone_of("003_7b0da2fc71653c30.txt", 36) == "source_credit"  # "Theo VOV"
    assert zone_of("004_aa49084023db9e52.txt", 10) == "image_alt"     # file-name slug
    assert zone_of("004_aa49084023db9e52.txt", 27) == "related_link"  # truncated teaser "..."


def test_lookalike_letters_are_folded_in_002(articles_by_file):
    raw = (RAW_DIR / "002_f75cf5a8c9d54bd2.txt").read_text(encoding="utf-8")
    assert "tiếp tụᴄ" in raw and "ᴠì" in raw
    body = articles_by_file["002_f75cf5a8c9d54bd2.txt"]["body"]
    assert "tiếp tục mở ra một thời kỳ phát triển mới" in body
    assert "\u1d04" not in body and "\u1d20" not in body


def test_tone_marks_are_canonical_in_000(articles_by_file):
    raw = (RAW_DIR / "000_f22b6e4c1b01d16e.txt").read_text(encoding="utf-8")
    assert "Thành uỷ" in raw and "khoá XV" in raw
    body = articles_by_file["000_f22b6e4c1b01d16e.txt"]["body"]
    assert "Thành uỷ" not in body and "Bí thư Thành ủy Đinh Tiến Dũng bày tỏ" in body
    assert "Quốc hội khóa XV" in body and "khoá" not in body


@pytest.mark.parametrize("name", FIXTURES)
def test_body_spans_trace_back_to_raw_bytes(name, articles_by_file):
    article = articles_by_file[name]
    raw = (RAW_DIR / name).read_bytes()
    body = article["body"]
    rules = compile_rules()  # the installed rules, as ingest read them, resolved once rather than per word
    pos = 0
    for word in body.split():
        start = body.index(word, pos)
        end = start + len(word)
        pos = end
        a, b = raw_span_of(article, start, end)
        assert canonical_text(raw[a:b].decode("utf-8"), rules) == word


@given(st.text(alphabet=st.sampled_from(list("aăâeêioôơuưyđAĐHhqQnNgtT .,\n\r\t\u00a0\u200b\ufeff"
                                            "\u0300\u0301\u0309\u0303\u0323ᴄᴠ")), max_size=80))
@settings(max_examples=300, deadline=None)
def test_canonical_offsets_round_trip(text):
    raw = text.encode("utf-8")
    canon = canonicalize(text)
    assert len(canon.raw_start) == len(canon.raw_end) == len(canon.text)
    for start in range(len(canon.text)):
        a, b = canon.raw_span(start, start + 1)
        assert 0 <= a <= b <= len(raw)
    # whole words map back to bytes whose canonical form is the same word
    for word_start, word in _words(canon.text):
        a, b = canon.raw_span(word_start, word_start + len(word))
        assert canonical_text(raw[a:b].decode("utf-8")) == word


def _words(text):
    pos = 0
    for word in text.split():
        start = text.index(word, pos)
        pos = start + len(word)
        yield start, word


# ---------------------------------------------------------------- bad input

BAD_INPUTS = {
    "empty.txt": (b"", "empty_file"),
    "blank.txt": (b"  \n\n \t\n", "empty_file"),
    "image.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary_file"),
    "nul.txt": (b"Trang ch\xe1\xbb\xa7\x00\x00 abc", "binary_file"),
    "cp1258.txt": (b"Th\xe0nh ph\xf4\xec H\xe0 N\xf4\xf2i", "not_utf8"),  # Windows-1258
    "only_furniture.txt": ("Trang chủ Hữu nghị\n14:14 | 27/08/2021 GMT+7\n\nTiêu đề\n\nTin bài liên quan\n\nMột tin khác\n"
                           .encode("utf-8"), "no_body"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_rejected_with_reason(name):
    raw, reason = BAD_INPUTS[name]
    with pytest.raises(Reject) as info:
        ingest_page(raw, name)
    assert info.value.reason == reason
    assert name in info.value.detail


def test_bad_files_do_not_stop_the_batch(tmp_path):
    for name, (raw, _) in BAD_INPUTS.items():
        (tmp_path / name).write_bytes(raw)
    good = (RAW_DIR / "003_7b0da2fc71653c30.txt").read_bytes()
    (tmp_path / "good.txt").write_bytes(good)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "copy of good.txt").write_bytes(good)
    result = ingest_files(tmp_path)
    assert [a["source_file"] for a in result["articles"]] == ["good.txt"]
    reasons = {r["source_file"]: r["reason"] for r in result["rejects"]}
    assert reasons == {**{n: r for n, (_, r) in BAD_INPUTS.items()}, "sub/copy of good.txt": "duplicate_content"}
    inputs = len(BAD_INPUTS) + 2
    assert len(result["articles"]) + len(result["rejects"]) == inputs


def test_article_id_is_stable():
    raw = (RAW_DIR / "000_f22b6e4c1b01d16e.txt").read_bytes()
    assert ingest_page(raw, "a.txt").article["article_id"] == ingest_page(raw, "b.txt").article["article_id"]


def test_crlf_and_bom_pages_give_the_same_body():
    raw = (RAW_DIR / "004_aa49084023db9e52.txt").read_bytes()
    plain = ingest_page(raw, "x.txt").article
    crlf = ingest_page(b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n"), "y.txt").article
    assert crlf["body"] == plain["body"]
    assert crlf["encoding"] == "utf-8-sig"
    a, b = raw_span_of(crlf, 0, 4)
    assert (b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n"))[a:b].decode() == "Ngày"


# ---------------------------------------------------------------- gates on the whole content

ARTICLE_003 = (RAW_DIR / "003_7b0da2fc71653c30.txt").read_text(encoding="utf-8")
PARAGRAPHS = [line for line in ARTICLE_003.splitlines()[6:] if len(line) > 200][:4]

MARKUP = {
    "doctype": "<!DOCTYPE html><html><body><p>" + "</p><p>".join(PARAGRAPHS) + "</p></body></html>",
    "saved-from comment": "<!-- saved from url=(0042)https://tuoitre.vn/thanh-pho-ho-chi-minh.htm -->\n<html><body><p>"
                          + "</p><p>".join(PARAGRAPHS) + "</p></body></html>",
    "xml prolog": '<?xml version="1.0"?>\n<html><body><p>' + "</p><p>".join(PARAGRAPHS) + "</p></body></html>",
    "comment, then a div": "<!-- article -->\n<div>" + PARAGRAPHS[0] + "</div>",
    "fragment": '<div class="article"><p>' + "</p>\n<p>".join(PARAGRAPHS) + "</p></div>",
    "one paragraph": "<p>" + PARAGRAPHS[0] + "</p>",
    "tags after a text line": PARAGRAPHS[0] + "\n<p>" + "</p>\n<p>".join(PARAGRAPHS[1:]) + "</p>\n<br><br>",
}
PROSE_WITH_ANGLES = {
    "a < b": PARAGRAPHS[0] + " Khi a < b và c > d thì a nhỏ hơn.\n" + "\n".join(PARAGRAPHS[1:]),
    "<Hà Nội>": PARAGRAPHS[0] + " Họ gọi đó là <Hà Nội> của Lào.\n" + "\n".join(PARAGRAPHS[1:]),
    "<Hanoi> once": "<Hanoi> là tên gọi quốc tế. " + "\n".join(PARAGRAPHS),
    "book titles": PARAGRAPHS[0] + " Cuốn <<Sapa>> và <<Tây Bắc>>, <<Sapa>> tái bản.\n" + "\n".join(PARAGRAPHS[1:]),
    "arrows": "Giá tăng -> giảm <- tăng.\n" + "\n".join(PARAGRAPHS),
}


@pytest.mark.parametrize("name", sorted(MARKUP))
def test_html_anywhere_is_read_as_an_html_page(name):
    """Markup in a .txt file (a crawler's or a browser's save under another name) is read as the page it is:
    its text, without tags, traced to the bytes of the file."""
    raw = MARKUP[name].encode("utf-8")
    article = ingest_page(raw, f"{name}.txt").article
    assert article["raw_format"] == "html"
    assert "<" not in article["body"] and PARAGRAPHS[0][:120] in article["body"]
    at = article["body"].index(PARAGRAPHS[0][:120])
    a, b = raw_span_of(article, at, at + 120)
    assert raw[a:b].decode("utf-8") == PARAGRAPHS[0][:120]


@pytest.mark.parametrize("name", sorted(PROSE_WITH_ANGLES))
def test_prose_with_an_angle_bracket_is_not_markup(name):
    assert markup_found(PROSE_WITH_ANGLES[name]) is None
    article = ingest_page(PROSE_WITH_ANGLES[name].encode("utf-8"), "x.txt", as_text=True).article
    assert "<" in article["body"]


BINARY_HEADERS = {
    "a PNG image": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "a GIF image": b"GIF89a\x01\x00\x01\x00\x80\x00\x00",
    "a JPEG image": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "a ZIP archive": b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
    "a PDF document": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    "a gzip archive": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
    "a BMP image": b"BM\x36\x0c\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00(\x00",
}
# Text that starts the way a signature does, without the rest of the format.
SIGNATURE_PREFIXED_TEXT = ["BMW X5 được trao tặng cho Bệnh viện Chợ Rẫy.", "BM 2 là mẫu biểu của Bộ Tài chính.",
                           "GIF8 không phải định dạng ảnh.", "%PDF là phần mở rộng của tệp tài liệu.",
                           "PK là ký hiệu của phân khu."]


@pytest.mark.parametrize("name", sorted(BINARY_HEADERS))
def test_a_format_signature_with_its_header_is_binary(name):
    assert binary_format(BINARY_HEADERS[name] + bytes(range(256))) == name


@pytest.mark.parametrize("text", SIGNATURE_PREFIXED_TEXT)
def test_text_starting_like_a_signature_is_text(text):
    raw = (text + "\n" + "\n".join(PARAGRAPHS)).encode("utf-8")
    assert binary_format(raw) is None
    assert ingest_page(raw, "x.txt", as_text=True).article["body"].startswith(text)


def _past_64_kib(text: str) -> str:
    return "\n".join([text] * (65_536 // len(text) + 2))


def test_control_characters_dense_after_64_kib_are_binary():
    good = _past_64_kib(ARTICLE_003)
    raw = (good + "\x01\x02\x1b\x7f" * 40_000).encode("utf-8")
    with pytest.raises(Reject) as info:
        ingest_page(raw, "junk.txt")
    assert info.value.reason == "binary_file" and "from character" in info.value.detail
    start, count, width = dense_control_window(raw.decode("utf-8"))
    assert start >= len(good) and width == 65_536 and count > 0.05 * width


def test_a_few_stray_control_characters_are_removed_not_refused():
    page = _past_64_kib(ARTICLE_003)
    stray = page.replace("Trong khuôn khổ", "Trong \x08khuôn\x01 khổ\x7f").replace("Lào, sáng", "Lào,\x1b sáng")
    assert dense_control_window(stray) is None
    assert ingest_page(stray.encode("utf-8"), "x.txt").article["body"] == \
        ingest_page(page.encode("utf-8"), "y.txt").article["body"]


def test_a_short_text_mostly_control_characters_is_binary():
    with pytest.raises(Reject) as info:
        ingest_page(("Hà Nội " + "\x01" * 10 + " trao tặng").encode("utf-8"), "short.txt")
    assert info.value.reason == "binary_file"


OTHER_SCRIPTS = {
    "Han": "越南政府总理今天在河内会见了来访的老挝万象市代表团。双方就两国合作交换了意见。胡志明市向万象市捐赠了一批医疗物资。",
    "Cyrillic": "Премьер-министр Вьетнама встретился в Ханое с делегацией Вьентьяна. Хошимин передал Вьентьяну "
                "партию медицинских товаров.",
    "Thai": "นายกรัฐมนตรีเวียดนามได้พบกับคณะผู้แทนจากนครหลวงเวียงจันทน์ที่กรุงฮานอยในวันนี้",
}


@pytest.mark.parametrize("script", sorted(OTHER_SCRIPTS))
def test_a_text_in_another_script_is_another_language(script):
    text = "\n".join([OTHER_SCRIPTS[script]] * 30)
    with pytest.raises(Reject) as info:
        ingest_page(text.encode("utf-8"), "other.txt", as_text=True)
    assert info.value.reason == "other_language"
    assert f"({script} " in info.value.detail and "% of letters)" in info.value.detail


def test_latin_script_and_a_few_quoted_han_letters_pass_the_script_gate():
    english = "Ho Chi Minh City handed over medical supplies worth 40,000 USD to Vientiane on Thursday."
    assert other_script(english) is None
    quoting = PARAGRAPHS[0] + " Thủ đô Vientiane (万象) và Thành phố Hồ Chí Minh (胡志明市).\n" + PARAGRAPHS[1]
    assert other_script(quoting) is None
    assert "万象" in ingest_page(quoting.encode("utf-8"), "x.txt", as_text=True).article["body"]
    assert other_script("2021 - 2022: 40.000") is None  # no letters, no script
