"""HTML pages as input: real saved pages of Vietnamese news sites (tests/html/, byte for byte, SOURCES.tsv) give
their headline, publication time, writer and article text, without the menus and related links around it, and
every body character traces back to the bytes of the file."""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from vnfacts.offset_runs import decode, runs_of_article
from vnfacts.cli import main
from vnfacts.errors import Reject
from vnfacts.html_page import load_html_rules, markup_text, read_html
from vnfacts.ingest import ingest_file, ingest_page, raw_span_of, raw_text
from vnfacts.normalize import canonical_text
from vnfacts.schema import ARTICLES, LINES, REJECTS, read_rows

HTML = Path(__file__).parent / "html"
sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
from make_bad_inputs import to_cp1258  # noqa: E402
VN = timezone(timedelta(hours=7))

# Read by eye from each page: its headline, its time and where the time comes from, its writer, a sentence of the
# article, and text of the page around the article (menus, related links, the footer) that is not in the body.
PAGES = {
    "vnexpress_cach-cac-nuoc-doi-pho-cu-soc-nang-luong.html": {
        "title": "Cách các nước đối phó cú sốc năng lượng từ Trung Đông",
        "published_at": datetime(2026, 3, 7, 0, 5, tzinfo=VN), "source": "html_jsonld",
        "author": "Hà Thu (tổng hợp)",
        "sentence": "Xung đột giữa Mỹ - Israel với Iran đã bước sang ngày thứ 6, song chưa có dấu hiệu chấm dứt.",
        "not_in_body": ["Lãnh tụ Iran bị hạ sát", "Trở lại Kinh doanh"],
    },
    "dantri_gia-vang-giam-van-cao-hon-the-gioi.html": {
        "title": "Giá vàng giảm, vẫn cao hơn thế giới gần 20 triệu đồng/lượng",
        "published_at": datetime(2026, 3, 7, 8, 7, tzinfo=VN), "source": "html_jsonld", "author": "Tri Túc",
        "sentence": "Cụ thể, chốt phiên 6/3, giá vàng miếng SJC được niêm yết tại mức 180,8-183,8 triệu đồng/lượng",
        "not_in_body": ["Theo dõi Dân trí trên:", "Facebook Youtube Tiktok Telegram", "Tri Túc\n"],
    },
    "tuoitre_thanh-tra-chat-cay-xanh-ha-noi_2015.html": {
        "title": "Thanh tra vụ chặt cây xanh Hà Nội trong 30 ngày",
        "published_at": datetime(2015, 3, 23, 8, 6, tzinfo=VN), "source": "html_meta", "author": "XUÂN LONG",
        "sentence": "Ngày 22-3, Chủ tịch UBND TP Hà Nội Nguyễn Thế Thảo đã quyết định thành lập đoàn thanh tra",
        "not_in_body": ["Truyền Hình Tuổi Trẻ", "Đặt Tuoitre.vn làm trang chủ", "Chính trị - Xã hội"],
    },
    "tuoitre_thanh-tra-chat-cay-xanh-ha-noi_2015_mobile.html": {
        "title": "Thanh tra vụ chặt cây xanh Hà Nội trong 30 ngày",
        "published_at": datetime(2015, 3, 23, 8, 6, tzinfo=VN), "source": "html_text", "author": None,
        "sentence": "Ngày 22-3, Chủ tịch UBND TP Hà Nội Nguyễn Thế Thảo đã quyết định thành lập đoàn thanh tra",
        "not_in_body": ["Thời sự - Suy nghĩ", "Chuyện thường ngày", "(84.8)3.997.3838"],
    },
    "baodautu_xu-phat-giam-doc-tai-chinh-tien-son.html": {
        "title": "Xử phạt Giám đốc tài chính Tập đoàn Tiên Sơn Thanh Hóa vì thao túng cổ phiếu",
        "published_at": datetime(2026, 3, 7, 8, 47, tzinfo=VN), "source": "html_text", "author": "Nguyên Minh",
        "sentence": "Ủy ban Chứng khoán Nhà nước vừa có quyết định xử phạt vi phạm hành chính",
        "not_in_body": ["TIN LIÊN QUAN", "Một cá nhân dùng 10 tài khoản thao túng giá cổ phiếu CRC của Create Capital",
                        "Powered by ITMEDIA"],
    },
    "laodong_vu-vu-nhom-cuu-chu-tich-da-nang-sung.html": {
        "title": 'Vụ Vũ "Nhôm": Cựu Chủ tịch Đà Nẵng nói có 5 khẩu súng "do đặc thù công tác"',
        "published_at": datetime(2020, 1, 3, 19, 27, tzinfo=VN), "source": "html_jsonld", "author": "Việt Dũng",
        "sentence": "Ngày 4.1, Tòa tiếp tục phần thẩm vấn.",
        "not_in_body": ['Xử vụ Vũ "Nhôm": Bị cáo khai làm đề xuất giao nhà đất công "theo chỉ đạo"',
                        "Đường dây nóng: 096 8383388"],
    },
    "phapluatplus_mo-xe-bai-thuoc-nam-chua-tri.html": {
        "title": "''Mổ xẻ'' bài thuốc nam chữa khỏi bệnh trĩ bằng Đông y ở Việt Nam",
        "published_at": datetime(2016, 1, 18, 17, 26, tzinfo=VN), "source": "html_text", "author": None,
        "sentence": "Tại Hoài Đức, Hà Nội có vị lương y trẻ rất nổi tiếng với bài thuốc gia truyền chữa trĩ",
        "not_in_body": ["Dự án gần 600 tỷ tại Thanh Hóa có dấu hiệu rút ruột công trình",
                        "GPXB số 303/GP, Bộ TT&TT cấp ngày 8/7/2015"],
    },
}


@pytest.fixture(scope="module")
def ingested():
    return {name: ingest_page((HTML / name).read_bytes(), name) for name in PAGES}


def test_every_test_page_is_listed_with_its_source():
    listed = [line.split("\t")[0] for line in (HTML / "SOURCES.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    assert sorted(listed) == sorted(p.name for p in HTML.glob("*.html")) == sorted(PAGES)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_real_page_gives_its_headline_time_writer_and_text(name, ingested):
    expected, article = PAGES[name], ingested[name].article
    assert article["raw_format"] == "html" and article["encoding"] == "utf-8" and article["record"] is None
    assert article["title"] == expected["title"]
    assert article["published_at"] == expected["published_at"]
    assert article["published_at_source"] == expected["source"]
    if expected["author"] is not None:
        assert article["author"] == expected["author"]
    assert expected["sentence"] in article["body"]
    for text in expected["not_in_body"]:
        assert text not in article["body"], f"{text!r} is the page's furniture, not the article's"
    assert not article["prose_kept_low"]


def test_the_desktop_and_mobile_pages_of_one_article_give_one_body(ingested):
    desktop = ingested["tuoitre_thanh-tra-chat-cay-xanh-ha-noi_2015.html"].article["body"]
    mobile = ingested["tuoitre_thanh-tra-chat-cay-xanh-ha-noi_2015_mobile.html"].article["body"]
    assert desktop.split("\n")[-1] == mobile.split("\n")[-1]
    assert desktop.split("\n")[1:] == mobile.split("\n")[1:]  # the mobile page's lead is outside its template's box


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_body_character_traces_back_to_the_bytes_of_the_page(name, ingested):
    raw = (HTML / name).read_bytes()
    article = ingested[name].article
    body = article["body"]
    starts, ends = decode(body, runs_of_article(article))
    assert len(starts) == len(ends) == len(body)
    for line in ingested[name].lines:
        if line["body_start"] is None:
            continue
        start, end = line["body_start"], line["body_end"]
        a, b = raw_span_of(article, start, end)
        assert canonical_text(raw_text(article, raw, a, b)) == body[start:end] == line["text"]
    assert all(x <= y for x, y in zip(starts, starts[1:])), "raw offsets follow the body's order"


def test_the_zones_say_why(ingested):
    spans = ingested["dantri_gia-vang-giam-van-cao-hon-the-gioi.html"].spans
    reasons = {(s.zone, s.reason) for s in spans}
    assert ("title", "html.h1") in reasons
    assert ("author", "html.author_name") in reasons
    assert ("timestamp", "html.time") in reasons
    assert ("furniture", "html.outside_article") in reasons
    baodautu = {(s.zone, s.reason, s.text) for s in ingested["baodautu_xu-phat-giam-doc-tai-chinh-tien-son.html"].spans}
    assert ("furniture", "html.box_heading", "TIN LIÊN QUAN") in baodautu
    assert ("caption", "html.class_caption", "Diễn biến cổ phiếu AAT trong giai đoạn 2021 - 2023") in baodautu


def test_a_gzip_compressed_page_reads_as_the_page(tmp_path, ingested):
    name = "vnexpress_cach-cac-nuoc-doi-pho-cu-soc-nang-luong.html"
    raw = gzip.compress((HTML / name).read_bytes())
    article = ingest_page(raw, name + ".gz").article
    assert article["raw_format"] == "html_gzip"
    assert article["body"] == ingested[name].article["body"]
    assert article["body_raw_runs"] == ingested[name].article["body_raw_runs"]  # offsets of the decompressed bytes
    at = article["body"].index("Xung đột giữa Mỹ")
    a, b = raw_span_of(article, at, at + 20)
    assert canonical_text(raw_text(article, raw, a, b)) == article["body"][at:at + 20] == "Xung đột giữa Mỹ - I"
    with pytest.raises(Reject) as cut:
        ingest_page(raw[:1000], name + ".gz")
    assert cut.value.reason == "corrupt_gzip"


def test_a_gzip_bomb_is_too_large():
    with pytest.raises(Reject) as info:
        ingest_page(gzip.compress(b"<p>" + b" " * (11 * 1024 * 1024) + b"</p>"), "bomb.html.gz")
    assert info.value.reason == "too_large"


PAGE = ("<html><head><meta charset=\"{charset}\"><title>Hà Nội hỗ trợ Lào - Báo X</title>"
        "<meta property=\"og:title\" content=\"Hà Nội hỗ trợ Lào\"></head><body>"
        "<nav><a href=\"/\">Trang chủ</a> <a href=\"/the-gioi\">Thế giới</a></nav>"
        "<h1>Hà Nội hỗ trợ Lào</h1><div class=\"content\"><p>Thành phố Hà Nội trao 40.000 USD cho thủ đô "
        "Viêng Chăn để phòng, chống dịch bệnh trong những tháng tới.</p><p>Đại diện hai bên đã ký biên bản "
        "bàn giao tại trụ sở Ủy ban nhân dân thành phố.</p></div><footer>Bản quyền thuộc Báo X</footer>"
        "</body></html>")


def test_the_declared_charset_decodes_a_windows_1258_page():
    raw = to_cp1258(PAGE.format(charset="windows-1258"))
    article = ingest_page(raw, "cp1258.html").article
    assert article["encoding"] == "cp1258" and article["title"] == "Hà Nội hỗ trợ Lào"
    assert "Thành phố Hà Nội trao 40.000 USD cho thủ đô Viêng Chăn" in article["body"]
    at = article["body"].index("Viêng Chăn")
    a, b = raw_span_of(article, at, at + len("Viêng Chăn"))
    assert canonical_text(raw[a:b].decode("cp1258")) == "Viêng Chăn"
    assert "Trang chủ" not in article["body"] and "Bản quyền" not in article["body"]


def test_a_page_declaring_latin_1_but_saved_as_utf8_reads_as_utf8():
    article = ingest_page(PAGE.format(charset="iso-8859-1").encode("utf-8"), "wrong.html").article
    assert article["encoding"] == "utf-8" and article["title"] == "Hà Nội hỗ trợ Lào"


def test_references_hidden_text_and_scripts():
    page = ("<html><body><h1>Hà Nội hỗ trợ Lào</h1><div><p>Th&agrave;nh ph&#7889; H&#xE0; N&ocirc;̣i trao "
            "40.000&nbsp;USD <span style=\"display:none\">ẩn</span>cho Vi&ecirc;ng Ch&#259;n, AT&T nói.<script>"
            "var x = '<p>không</p>';</script></p><p hidden>Ẩn đi.</p><template><p>Mẫu.</p></template></div>"
            "</body></html>")
    raw = page.encode("utf-8")
    article = ingest_page(raw, "refs.html").article
    assert article["body"] == "Thành phố Hà Nội trao 40.000 USD cho Viêng Chăn, AT&T nói."
    for word in ("Thành phố", "Hà Nội", "40.000 USD", "Viêng Chăn", "AT&T"):
        at = article["body"].index(word)
        a, b = raw_span_of(article, at, at + len(word))
        assert canonical_text(raw_text(article, raw, a, b)) == word


def test_markup_text_reads_a_stretch_of_source_as_read_html_does():
    rules = load_html_rules()
    source = "<p>Hà <b>Nội</b>\r\n  &amp; <i>Viêng</i>&#32;Chăn</p><p>Lào</p>"
    assert markup_text(source, rules) == "Hà Nội & Viêng Chăn\nLào"
    assert read_html(source, list(range(len(source) + 1)), rules).text == "Hà Nội & Viêng Chăn\nLào"


def test_explain_shows_how_an_html_page_was_zoned():
    page = HTML / "dantri_gia-vang-giam-van-cao-hon-the-gioi.html"
    result = CliRunner().invoke(main, ["ingest", "--explain", str(page)])
    assert result.exit_code == 0, result.output
    assert "html.h1" in result.output and "html.outside_article" in result.output
    assert "raw_format: html" in result.output and "published_at_source: html_jsonld" in result.output


@pytest.mark.slow
def test_run_and_the_stage_commands_read_html_pages(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(HTML / "baodautu_xu-phat-giam-doc-tai-chinh-tien-son.html", raw / "a.html")
    (raw / "b.htm.gz").write_bytes(gzip.compress((HTML / "tuoitre_thanh-tra-chat-cay-xanh-ha-noi_2015_mobile.html")
                                                 .read_bytes()))
    (raw / "c.html.gz").write_bytes(b"\x1f\x8b\x08 not really")
    runner = CliRunner()
    out = tmp_path / "run"
    result = runner.invoke(main, ["run", "--raw", str(raw), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    articles = {a["source_file"]: a for a in read_rows(ARTICLES, out)}
    assert sorted(articles) == ["a.html", "b.htm.gz"]
    assert articles["b.htm.gz"]["raw_format"] == "html_gzip"
    rejects = read_rows(REJECTS, out)
    ingest_rejects = [(r["source_file"], r["reason"]) for r in rejects if r["stage"] == "ingest"]
    assert ingest_rejects == [("c.html.gz", "corrupt_gzip")]
    assert not [r for r in rejects if r["check"] == "raw_trace"], "every fact traces back to the page's bytes"
    report = json.loads((out / "validation_report.json").read_text(encoding="utf-8"))
    assert report["rows_passed"] > 0

    staged = tmp_path / "staged"
    for command in (["ingest", "--raw", str(raw)], ["tokenize"], ["extract"], ["validate", "--raw", str(raw)]):
        result = runner.invoke(main, [*command, "--out", str(staged)])
        assert result.exit_code == 0, result.output
    assert {a["source_file"] for a in read_rows(ARTICLES, staged)} == {"a.html", "b.htm.gz"}
    assert read_rows(LINES, staged)
    assert not [r for r in read_rows(REJECTS, staged) if r["check"] == "raw_trace"]


def test_ingest_file_of_a_page_is_its_one_article():
    found = ingest_file((HTML / "dantri_gia-vang-giam-van-cao-hon-the-gioi.html").read_bytes(), "d.html")
    assert len(found) == 1 and found[0].article["record"] is None
