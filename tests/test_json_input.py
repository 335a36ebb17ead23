"""Crawler exports as input: news-please's and trafilatura's JSON records are articles, with their metadata from
their fields and every body character traced to the bytes of its JSON string (escapes decoded); a line that is
not JSON and a record without text are rejects naming the record."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from vnfacts.cli import main
from vnfacts.crawler_export import json_string_text, string_characters
from vnfacts.errors import Reject
from vnfacts.ingest import IngestedPage, ingest_file, raw_span_of, raw_text
from vnfacts.normalize import canonical_text
from vnfacts.schema import AID_EVENTS, ARTICLES, REJECTS, read_rows

from conftest import RAW_DIR

VN = timezone(timedelta(hours=7))
# The text of two real articles (the fixtures' Hà Nội aid to Laos), as a crawler exports it: paragraphs joined
# by line breaks.
PAGE_000 = (RAW_DIR / "000_f22b6e4c1b01d16e.txt").read_text(encoding="utf-8")
PARAGRAPHS_000 = [line for line in PAGE_000.splitlines() if len(line) > 150][:6]
PAGE_001 = (RAW_DIR / "001_dcb2878248db2b41.txt").read_text(encoding="utf-8")
PARAGRAPHS_001 = [line for line in PAGE_001.splitlines() if len(line) > 150][:5]

NEWS_PLEASE = {
    "authors": ["Mai Anh"],
    "date_download": "2021-08-28 09:00:00",
    "date_publish": "2021-08-27 14:14:00",
    "description": PARAGRAPHS_000[0],
    "language": "vi",
    "maintext": "\n".join(PARAGRAPHS_000),
    "source_domain": "hanoimoi.com.vn",
    "title": "Hà Nội hỗ trợ Thủ đô Viêng Chăn và một số địa phương của Lào phòng, chống dịch COVID-19",
    "url": "https://hanoimoi.com.vn/tin-tuc/Chinh-tri/1011455/ha-noi-ho-tro-thu-do-vieng-chan",
}
TRAFILATURA = {
    "title": "Thủ đô Hà Nội hỗ trợ Thủ đô Viêng Chăn ứng phó dịch Covid-19",
    "author": "Hoàng Phúc",
    "hostname": "vov.vn",
    "date": "2021-08-26",
    "url": "https://vov.vn/chinh-tri/thu-do-ha-noi-ho-tro-thu-do-vieng-chan-ung-pho-dich-covid-19-888888.vov",
    "description": "Hà Nội luôn dành ưu tiên cao cho quan hệ với Viêng Chăn.",
    "text": "\n".join(PARAGRAPHS_001),
}


def news_please_file() -> bytes:
    # news-please writes with json.dumps' defaults: every Vietnamese letter a \u escape
    return json.dumps(NEWS_PLEASE, indent=4).encode("utf-8")


def trafilatura_lines() -> bytes:
    lines = [json.dumps(TRAFILATURA, ensure_ascii=False),
             '{"title": "Cắt ngang", "text": "Một dòng bị cắt',
             json.dumps({"title": "Chỉ có tiêu đề", "text": "   ", "url": "https://vov.vn/x"}, ensure_ascii=False),
             "",
             json.dumps({**TRAFILATURA, "text": "Hà Nội 😀 trao 40.000 USD cho Viêng Chăn.\r\nĐó là \"quà\" \\ tặng.",
                         "url": "https://vov.vn/y"})]
    return ("\n".join(lines) + "\n").encode("utf-8")


def check_traced(page: IngestedPage, raw: bytes) -> None:
    article = page.article
    for line in page.lines:
        if line["body_start"] is None:
            continue
        start, end = line["body_start"], line["body_end"]
        a, b = raw_span_of(article, start, end)
        assert canonical_text(raw_text(article, raw, a, b)) == article["body"][start:end] == line["text"]


def test_a_news_please_record_is_an_article_with_its_fields():
    raw = news_please_file()
    assert b"\\u1ed9" in raw  # 'ộ' escaped, as news-please writes it
    [page] = ingest_file(raw, "hanoimoi.json")
    article = page.article
    assert article["record"] == 1 and article["raw_format"] == "json" and article["encoding"] == "utf-8"
    assert article["title"] == NEWS_PLEASE["title"]
    assert article["published_at"] == datetime(2021, 8, 27, 14, 14, tzinfo=VN)
    assert article["published_at_source"] == "export_field"
    assert article["author"] == "Mai Anh" and article["outlet"] == "hanoimoi.com.vn"
    assert article["url"] == NEWS_PLEASE["url"]
    assert article["body"] == canonical_text(NEWS_PLEASE["maintext"])  # the description is the first paragraph
    assert "Đinh Tiến Dũng đã có buổi tiếp Đại sứ CHDCND Lào" in article["body"]
    assert {(ln["zone"], ln["zone_reason"]) for ln in page.lines} == {("title", "export.title"),
                                                                       ("body", "export.maintext")}
    check_traced(page, raw)


def test_every_character_maps_to_its_escape():
    raw = news_please_file()
    [page] = ingest_file(raw, "hanoimoi.json")
    article = page.article
    at = article["body"].index("Đinh Tiến Dũng")
    a, b = raw_span_of(article, at, at + len("Đinh Tiến Dũng"))
    assert raw[a:b] == b"\\u0110inh Ti\\u1ebfn D\\u0169ng"
    first, last = raw_span_of(article, at, at + 1)
    assert raw[first:last] == b"\\u0110"


def test_a_trafilatura_export_gives_an_article_per_record_and_a_reject_per_bad_line():
    raw = trafilatura_lines()
    found = ingest_file(raw, "vov.jsonl")
    assert [type(x).__name__ for x in found] == ["IngestedPage", "Reject", "Reject", "IngestedPage"]
    first, broken, empty, emoji = found
    assert (broken.reason, broken.record) == ("not_json", 2) and "vov.jsonl record 2" in broken.detail
    assert (empty.reason, empty.record) == ("record_without_text", 3) and "vov.jsonl record 3" in empty.detail
    article = first.article
    assert article["record"] == 1 and article["title"] == TRAFILATURA["title"]
    assert article["published_at"] == datetime(2021, 8, 26, tzinfo=VN) and article["published_at_grain"] == "day"
    assert article["author"] == "Hoàng Phúc" and article["outlet"] == "vov.vn"
    lead = [ln for ln in first.lines if ln["zone"] == "lead"]
    assert [ln["text"] for ln in lead] == [TRAFILATURA["description"]]  # not in the text: it leads the body
    assert article["body"].startswith(TRAFILATURA["description"] + "\n" + PARAGRAPHS_001[0][:40])
    check_traced(first, raw)
    assert emoji.article["record"] == 5
    assert emoji.article["body"] == "Hà Nội luôn dành ưu tiên cao cho quan hệ với Viêng Chăn.\n" \
                                    "Hà Nội 😀 trao 40.000 USD cho Viêng Chăn.\nĐó là \"quà\" \\ tặng."
    check_traced(emoji, raw)
    at = emoji.article["body"].index("😀")
    a, b = raw_span_of(emoji.article, at, at + 1)
    assert raw[a:b] == b"\\ud83d\\ude00"  # a surrogate pair is one character


def test_a_json_array_holds_records_numbered_from_one():
    raw = json.dumps([NEWS_PLEASE, {"title": "Trống"}, TRAFILATURA], ensure_ascii=False).encode("utf-8")
    found = ingest_file(raw, "both.json")
    assert [getattr(x, "record", None) or x.article["record"] for x in found] == [1, 2, 3]
    assert isinstance(found[1], Reject) and found[1].reason == "record_without_text"
    check_traced(found[2], raw)


@pytest.mark.parametrize("raw, reason", [(b"", "empty_file"), (b"\n \n", "empty_file"),
                                         (b"{\"title\": \"x\",", "not_json"), (b"[1, 2]", None),
                                         (b"[" * 100_000, "not_json")])
def test_a_file_that_is_no_export_is_rejected(raw, reason):
    if reason is None:  # an array of numbers: each a record that is no object
        assert [r.reason for r in ingest_file(raw, "x.json")] == ["not_json", "not_json"]
        return
    with pytest.raises(Reject) as info:
        ingest_file(raw, "x.json")
    assert info.value.reason == reason and "x.json" in info.value.detail


def test_json_string_pieces_read_as_their_escapes():
    assert json_string_text("H\\u00e0 N\\u1ed9i\\n\\\"x\\\"") == 'Hà Nội\n"x"'
    quoted = '"a\\u00e0\\ud83d\\ude00\\udc00"'
    text, starts, ends = string_characters(quoted, 0, len(quoted))
    assert text == "aà😀\ufffd" and list(zip(starts, ends)) == [(1, 2), (2, 8), (8, 20), (20, 26)]
    assert text[:3] == json.loads(quoted)[:3]


def test_explain_shows_each_record(tmp_path):
    path = tmp_path / "vov.jsonl"
    path.write_bytes(trafilatura_lines())
    result = CliRunner().invoke(main, ["ingest", "--explain", str(path)])
    assert result.exit_code == 0, result.output
    assert "vov.jsonl record 1:" in result.output and "export.text" in result.output
    assert "vov.jsonl record 2: rejected [not_json]" in result.output


@pytest.mark.slow
def test_run_and_the_stage_commands_read_exports(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "hanoimoi.json").write_bytes(news_please_file())
    (raw / "vov.ndjson").write_bytes(trafilatura_lines())
    (raw / "again.jsonl").write_bytes(trafilatura_lines().split(b"\n")[0] + b"\n")  # vov's record 1, read first
    runner = CliRunner()
    out = tmp_path / "run"
    result = runner.invoke(main, ["run", "--raw", str(raw), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    articles = sorted((a["source_file"], a["record"]) for a in read_rows(ARTICLES, out))
    assert articles == [("again.jsonl", 1), ("hanoimoi.json", 1), ("vov.ndjson", 5)]
    rejects = sorted((r["source_file"], r["record"], r["reason"]) for r in read_rows(REJECTS, out)
                     if r["stage"] == "ingest")
    assert rejects == [("vov.ndjson", 1, "duplicate_content"), ("vov.ndjson", 2, "not_json"),
                       ("vov.ndjson", 3, "record_without_text")]
    assert not [r for r in read_rows(REJECTS, out) if r["check"] == "raw_trace"]
    aid = read_rows(AID_EVENTS, out)
    hanoi = {a["article_id"] for a in read_rows(ARTICLES, out) if a["source_file"] == "hanoimoi.json"}
    assert any(e["article_id"] in hanoi and e["evidence"] for e in aid), "the aid of the record is found"

    staged = tmp_path / "staged"
    for command in (["ingest", "--raw", str(raw)], ["tokenize"], ["extract"], ["validate", "--raw", str(raw)]):
        result = runner.invoke(main, [*command, "--out", str(staged)])
        assert result.exit_code == 0, result.output
    assert sorted((a["source_file"], a["record"]) for a in read_rows(ARTICLES, staged)) == articles
    assert sorted((r["source_file"], r["record"], r["reason"]) for r in read_rows(REJECTS, staged)
                  if r["stage"] == "ingest") == rejects
    assert not [r for r in read_rows(REJECTS, staged) if r["check"] == "raw_trace"]


def test_a_folder_mixing_every_input_format_runs_into_one_set_of_tables(tmp_path):
    """Text dumps, HTML pages (UTF-8, windows-1258, gzip), a JSON file and a JSON Lines file in one folder: one run,
    the same tables, every article's body re-validated against its raw bytes."""
    import gzip
    import sys
    from pathlib import Path

    html_dir = Path(__file__).parent / "html"
    sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
    from make_bad_inputs import to_cp1258

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "dump.txt").write_bytes((RAW_DIR / "000_f22b6e4c1b01d16e.txt").read_bytes())
    utf8_page = "vnexpress_cach-cac-nuoc-doi-pho-cu-soc-nang-luong.html"
    (raw / utf8_page).write_bytes((html_dir / utf8_page).read_bytes())
    gz_page = "dantri_gia-vang-giam-van-cao-hon-the-gioi.html"
    (raw / (gz_page + ".gz")).write_bytes(gzip.compress((html_dir / gz_page).read_bytes()))
    (raw / "legacy.html").write_bytes(to_cp1258(
        "<html><head><meta charset=\"windows-1258\"><title>Hà Nội hỗ trợ Lào</title></head><body><h1>Hà Nội hỗ trợ "
        "Lào</h1><div class=\"content\"><p>Thành phố Hà Nội trao 40.000 USD cho thủ đô Viêng Chăn để phòng, chống "
        "dịch bệnh trong những tháng tới.</p><p>Đại diện hai bên đã ký biên bản bàn giao tại trụ sở Ủy ban nhân dân "
        "thành phố.</p></div></body></html>"))
    (raw / "news-please.json").write_bytes(news_please_file())
    (raw / "trafilatura.jsonl").write_bytes(trafilatura_lines())
    result = CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    articles = read_rows(ARTICLES, out)
    formats = {(a["source_file"], a["encoding"]) for a in articles}
    assert {f for f, _ in formats} == {"dump.txt", utf8_page, gz_page + ".gz", "legacy.html", "news-please.json",
                                       "trafilatura.jsonl"}
    assert ("legacy.html", "cp1258") in formats
    assert len([a for a in articles if a["source_file"] == "trafilatura.jsonl"]) == 2
    by_file = {a["source_file"]: a for a in articles}
    assert by_file[utf8_page]["title"] == "Cách các nước đối phó cú sốc năng lượng từ Trung Đông"
    assert by_file[utf8_page]["published_at_source"] == "html_jsonld"
    rejects = read_rows(REJECTS, out)
    assert {r["reason"] for r in rejects if r["stage"] == "ingest"} == {"not_json", "record_without_text"}
    assert not [r for r in rejects if r["stage"] == "validate"], "a row failed its check against its raw bytes"
    aid = read_rows(AID_EVENTS, out)
    assert {"dump.txt", "legacy.html", "news-please.json"} <= {
        next(a["source_file"] for a in articles if a["article_id"] == row["article_id"]) for row in aid}
