"""The zoner against hand-annotated pages of three layouts (docs/ANNOTATION.md), and the layouts'
metadata: header blocks, URL slugs, bylines glued to the last paragraph, sidecars."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from vnfacts.errors import Reject
from vnfacts.ingest import ingest_files, ingest_page, list_raw_files
from vnfacts.zone_gold import gold_spans, score_gold
from vnfacts.zoning import load_zone_rules, split_lines, zone_lines

from conftest import RAW_DIR

GOLD_DIR = Path(__file__).parent / "gold" / "zones"
ARTICLES_DIR = GOLD_DIR / "articles"
GOLD_FILES = sorted(GOLD_DIR.glob("*.yaml"))


@pytest.fixture(scope="module")
def gold_score():
    return score_gold(GOLD_DIR, [ARTICLES_DIR, RAW_DIR])


def test_the_gold_covers_both_corpora_and_the_fixtures():
    names = [yaml.safe_load(p.read_text(encoding="utf-8"))["file"] for p in GOLD_FILES]
    assert sum(n.startswith("baomoi_") for n in names) >= 20
    assert sum(n.startswith("dantri_") for n in names) >= 20
    assert sum((RAW_DIR / n).is_file() for n in names) == 5
    assert len(names) >= 45


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_gold_file_annotates_every_line_once(path):
    gold = yaml.safe_load(path.read_text(encoding="utf-8"))
    page = next(d / gold["file"] for d in (ARTICLES_DIR, RAW_DIR) if (d / gold["file"]).is_file())
    text = page.read_bytes().decode("utf-8")
    lines = text.split("\n")
    annotated = {int(e["line"]) for e in gold["zones"]}
    content = {i for i, ln in enumerate(lines, start=1) if ln.strip()}
    assert annotated == content
    spans = gold_spans(gold, text)  # every span's text is found in its line
    assert len(spans) == len(gold["zones"])


def test_articles_carry_their_sources():
    sources = (ARTICLES_DIR / "SOURCES.tsv").read_text(encoding="utf-8").splitlines()
    listed = {row.split("\t")[0] for row in sources[1:]}
    assert listed == {p.name for p in ARTICLES_DIR.glob("*.txt")}


@pytest.mark.slow
def test_line_zone_accuracy(gold_score):
    assert gold_score.accuracy >= 0.97, "\n".join(gold_score.errors)


@pytest.mark.slow
def test_body_character_recall(gold_score):
    assert gold_score.body_recall >= 0.99, "\n".join(gold_score.errors)


@pytest.mark.slow
def test_furniture_leak(gold_score):
    assert gold_score.furniture_leak <= 0.01, "\n".join(gold_score.errors)


# ---------------------------------------------------------------- the layouts, one phenomenon each

def _page(name: str):
    path = ARTICLES_DIR / name
    return ingest_page(path.read_bytes(), name)


def test_baomoi_body_line_is_kept_and_its_glued_byline_split_off():
    page = _page("baomoi_21472512.txt")
    a = page.article
    assert a["title"] == "TT Trump tiếp tục nói đỡ khi TT Putin bị chỉ trích"
    assert a["author"] == "Quốc Vinh"
    assert a["body"].endswith("để trình bày thêm thông tin.")
    assert "Quốc Vinh" not in a["body"]
    line3 = [r for r in page.lines if r["line_no"] == 3]
    assert [(r["span"], r["zone"], r["zone_reason"]) for r in line3] == [
        (0, "body", "layout.prose"), (1, "author", "layout.trailing_byline")]
    assert line3[1]["text"] == "Quốc Vinh"
    assert a["prose_kept"] == 1.0 and not a["prose_kept_low"]


def test_baomoi_slash_byline_names_writer_and_outlet():
    a = _page("baomoi_21494474.txt").article
    assert (a["author"], a["outlet"]) == ("Nguyễn Hùng", "VOV.VN")
    assert not a["body"].endswith("VOV.VN")


def test_dantri_headers_are_metadata_never_text():
    page = _page("dantri_news_business_003.txt")
    a = page.article
    assert a["doc_id"] == "news_business_003"
    assert a["url"].startswith("https://dantri.com.vn/kinh-doanh/lai-suat-ngan-hang-giam-sau")
    assert a["published_at"].isoformat() == "2020-10-01T00:00:00+07:00"
    assert (a["published_at_grain"], a["published_at_source"]) == ("day", "header")
    assert a["title"] == "Lãi suất ngân hàng giảm sâu, xuống thấp nhất 10 năm"
    assert a["outlet"] == "dantri.com.vn"
    assert "#" not in a["body"] and "dantri.com.vn" not in a["body"]
    assert [r["zone"] for r in page.lines[:3]] == ["header"] * 3


def test_dantri_first_line_that_is_not_the_headline_is_not_the_title():
    # The first text line is a photo caption; the URL's slug names another headline.
    a = _page("dantri_news_world_071.txt").article
    assert a["title"] is None
    assert a["body"].startswith("Tổng thống Biden phát biểu bên ngoài Nhà Trắng")
    assert a["author"] == "Nguyễn Nhâm"


def test_every_dev_layout_page_keeps_its_prose():
    for path in sorted(ARTICLES_DIR.glob("*.txt")):
        a = ingest_page(path.read_bytes(), path.name).article
        assert a["prose_kept"] >= 0.9, path.name
        if path.name.startswith("dantri_"):
            assert a["published_at"] is not None and a["published_at_source"] == "header", path.name
            assert not (a["title"] or "").startswith("#"), path.name


# ---------------------------------------------------------------- cues, with negative examples

def _zones(text: str, url: str | None = None) -> list[tuple[str, str]]:
    zoned = zone_lines(split_lines(text), load_zone_rules(), url=url)
    return [(s.zone, s.text) for s in zoned.spans]


def test_a_long_prose_line_is_body_even_when_it_does_not_end_a_sentence():
    prose = ("Hai bên đã thảo luận về hợp tác kinh tế, thương mại và đầu tư, đồng thời nhất trí tăng cường "
             "trao đổi đoàn các cấp. Ông cho biết thêm rằng hai nước sẽ ký kết nhiều văn kiện quan trọng")
    zones = _zones(f"Việt Nam và Lào tăng cường hợp tác\nTóm tắt bài viết ngắn gọn.\n{prose}")
    assert zones[2] == ("body", prose)


def test_a_sentence_ending_in_a_name_is_not_split():
    text = ("Tiêu đề của bài báo\nTóm tắt bài viết.\nHai bên nhất trí hợp tác lâu dài trong nhiều lĩnh vực. "
            "Sau đó ông gặp Tổng thống Putin")
    assert [z for z, _ in _zones(text)] == ["title", "lead", "body"]


def test_a_related_box_under_a_furniture_heading_alone_is_no_body():
    text = "Tin liên quan\nBài thứ nhất về hợp tác Việt – Lào\nBài thứ hai về viện trợ cho Campuchia\n"
    with pytest.raises(Reject) as exc:
        ingest_page(text.encode(), "box.txt")
    assert exc.value.reason == "no_body"


def test_header_block_only_at_the_top():
    text = "Tiêu đề bài\nThân bài có một câu.\n# date = 20200101\n"
    zones = _zones(text)
    assert zones[2][0] != "header"


def test_a_headline_that_disagrees_with_the_url_is_not_the_title():
    url = "https://example.vn/the-gioi/my-cam-ket-vien-tro-viet-nam-20210101.htm"
    assert _zones("Ảnh tư liệu buổi lễ ký kết tại Hà Nội\nMỹ cam kết viện trợ.", url=url)[0][0] != "title"
    assert _zones("Mỹ cam kết viện trợ Việt Nam\nMỹ cam kết viện trợ.", url=url)[0][0] == "title"


# ---------------------------------------------------------------- sidecars

def test_sidecars_give_metadata_and_are_not_articles(tmp_path):
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    page = (ARTICLES_DIR / "baomoi_21472512.txt").read_bytes()
    (raw / "a.txt").write_bytes(page)
    (raw / "sub" / "b.txt").write_bytes((ARTICLES_DIR / "baomoi_21480404.txt").read_bytes())
    (raw / "_metadata.csv").write_text("file,url,published_at,outlet\n"
                                       "a.txt,https://baomoi.com/a.epi,2017-02-06 08:30,Dân Việt\n",
                                       encoding="utf-8")
    (raw / "sub" / "b.txt.meta.json").write_text(json.dumps({"published_at": "20170207", "outlet": "VTC"}),
                                                  encoding="utf-8")
    assert [p.name for p in list_raw_files(raw)] == ["a.txt", "b.txt"]
    out = ingest_files(raw)
    assert out["rejects"] == []
    by_file = {a["source_file"]: a for a in out["articles"]}
    a, b = by_file["a.txt"], by_file["sub/b.txt"]
    assert a["published_at"].isoformat() == "2017-02-06T08:30:00+07:00"
    assert (a["published_at_grain"], a["published_at_source"]) == ("minute", "sidecar")
    assert (a["url"], a["outlet"]) == ("https://baomoi.com/a.epi", "Dân Việt")
    assert b["published_at"].isoformat() == "2017-02-07T00:00:00+07:00"
    assert (b["published_at_grain"], b["outlet"]) == ("day", "VTC")


def test_a_broken_sidecar_is_skipped_not_fatal(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes((ARTICLES_DIR / "baomoi_21472512.txt").read_bytes())
    (raw / "a.txt.meta.json").write_text("{not json", encoding="utf-8")
    (raw / "_metadata.csv").write_text("file,published_at\na.txt,not a date\n", encoding="utf-8")
    out = ingest_files(raw)
    assert len(out["articles"]) == 1 and out["articles"][0]["published_at"] is None


# ---------------------------------------------------------------- prose lost to a cue is flagged, not silent

LOSSY_PAGE = (
    "Hợp tác Việt Nam – Lào trong năm mới\n"
    "Hai bên gặp nhau tại Hà Nội.\n"
    + " ".join(["Hai bên nhất trí đẩy mạnh hợp tác kinh tế, thương mại và đầu tư trong năm tới."] * 2) + "\n"
    + " ".join(["Các bộ, ngành sẽ ký nhiều văn kiện hợp tác quan trọng trong thời gian sắp tới."] * 2) + "\n"
)


def test_a_page_whose_prose_a_cue_removed_is_flagged_and_counted(tmp_path):
    from vnfacts import publish, stages
    from vnfacts.schema import ARTICLES, read_rows

    a = ingest_page(LOSSY_PAGE.encode(), "lossy.txt").article
    assert a["prose_kept"] == 0.0 and a["prose_kept_low"]
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "lossy.txt").write_text(LOSSY_PAGE, encoding="utf-8")
    (raw / "kept.txt").write_bytes((ARTICLES_DIR / "baomoi_21472512.txt").read_bytes())
    summary = stages.run_ingest(raw, tmp_path / "out")
    assert summary["articles"] == 2 and summary["prose_kept_low"] == 1
    flagged = {r["source_file"] for r in read_rows(ARTICLES, tmp_path / "out") if r["prose_kept_low"]}
    assert flagged == {"lossy.txt"}
    report = publish.consolidate_and_report(tmp_path / "out", {}, [], [],
                                           {r["article_id"]: r for r in read_rows(ARTICLES, tmp_path / "out")})
    assert report["articles_prose_kept_low"] == ["lossy.txt"]
