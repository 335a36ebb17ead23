"""Hostile input, second wave: odd metadata and names never stop a batch, sidecars apply row by row, inputs and
outputs never overlap, and figures written the way other conventions write them are read exactly."""

from __future__ import annotations

import json
import logging
import os
import unicodedata

import pytest
from click.testing import CliRunner

from vnfacts import extract
from vnfacts.cli import main
from vnfacts.ingest import ingest_files, ingest_page
from vnfacts.numbers import parse_money, parse_number
from vnfacts.schema import ARTICLES, REJECTS, read_rows

from conftest import RAW_DIR

PAGE = (RAW_DIR / "003_7b0da2fc71653c30.txt").read_bytes()
TIME_LINE = b"17:02 | 26/05/2022 GMT+7"


def _variant(n: int) -> bytes:
    """The fixture page with a different minute, so that each input has its own bytes."""
    return PAGE.replace(TIME_LINE, f"17:{n:02d} | 26/05/2022 GMT+7".encode())


def _page_with_header(date: str) -> bytes:
    return b"# doc_id = 1\n# date = " + date.encode() + b"\n" + PAGE.replace(TIME_LINE + b"\n", b"")


@pytest.mark.parametrize("raw", [
    _page_with_header("00010101"), _page_with_header("99991231"),
    PAGE.replace(TIME_LINE, b"17:02 | 26/05/0001 GMT+7"), PAGE.replace(TIME_LINE, b"17:02 | 31/12/9999 GMT+7"),
], ids=["header year 1", "header year 9999", "time line year 1", "time line year 9999"])
def test_a_date_outside_the_years_of_news_is_ignored_with_a_warning_naming_the_file(raw, caplog):
    with caplog.at_level(logging.WARNING, logger="vnfacts"):
        article = ingest_page(raw, "odd date.txt").article
    assert article["published_at"] is None and article["body"]
    assert any("odd date.txt" in r.getMessage() and "not a date" in r.getMessage() for r in caplog.records)


def test_a_batch_with_odd_dates_names_and_nesting_publishes_every_other_file(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "year 1.txt").write_bytes(_page_with_header("00010101"))
    (raw / "sidecar year 9999.txt").write_bytes(_variant(10))
    (raw / "sidecar year 9999.txt.meta.json").write_text(json.dumps({"published_at": "9999-12-31T23:59:00+07:00"}))
    (raw / "offset 25h.txt").write_bytes(_variant(11))
    (raw / "offset 25h.txt.meta.json").write_text(json.dumps({"published_at": "2017-04-03T10:00:00+25:00"}))
    (raw / "offset 5h30.txt").write_bytes(_variant(12))
    (raw / "offset 5h30.txt.meta.json").write_text(json.dumps({"published_at": "2017-04-03T10:00:00+05:30"}))
    (raw / "deep.txt").write_bytes(_variant(13))
    (raw / "deep.txt.meta.json").write_text("[" * 100_000 + "]" * 100_000)
    (raw / "deep object.txt").write_bytes(_variant(14))
    (raw / "deep object.txt.meta.json").write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    os.close(os.open(os.fsencode(raw) + b"/bad\xff name.txt", os.O_CREAT | os.O_WRONLY))
    with open(os.fsencode(raw) + b"/bad\xff name.txt", "wb") as fh:
        fh.write(_variant(15))
    result = CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    articles = {a["source_file"]: a for a in read_rows(ARTICLES, out)}
    rejects = {r["source_file"]: r for r in read_rows(REJECTS, out) if r["stage"] == "ingest"}
    assert set(articles) == {"year 1.txt", "sidecar year 9999.txt", "offset 25h.txt", "offset 5h30.txt",
                             "deep.txt", "deep object.txt"}
    assert rejects["bad\\xff name.txt"]["reason"] == "file_name_not_utf8"
    assert "bad\\xff name.txt" in rejects["bad\\xff name.txt"]["detail"]
    assert articles["year 1.txt"]["published_at"] is None
    # a sidecar's date that cannot be used leaves the page's own time line in charge
    assert articles["sidecar year 9999.txt"]["published_at_source"] == "timestamp_line"
    assert articles["offset 25h.txt"]["published_at_source"] == "timestamp_line"
    kept_minutes = articles["offset 5h30.txt"]["published_at"]
    assert (kept_minutes.hour, kept_minutes.minute) == (11, 30)  # 10:00 at +05:30 is 11:30 at +07:00
    assert articles["deep.txt"]["published_at_source"] == "timestamp_line"


def test_a_metadata_csv_applies_row_by_row_and_says_what_it_did_not_use(tmp_path, caplog):
    raw = tmp_path / "raw"
    raw.mkdir()
    nfd_name = unicodedata.normalize("NFD", "bài viết.txt")
    for i, name in enumerate(["a.txt", "b.txt", nfd_name, "d.txt"]):
        (raw / name).write_bytes(_variant(20 + i))
    (raw / "sub").mkdir()
    (raw / "sub" / "e.txt").write_bytes(_variant(30))
    (raw / "sub" / "_metadata.csv").write_text(
        "file,outlet\n"
        "e.txt,Báo Một,extra cell\n"
        "nothing here.txt,Báo Hai\n"
        "e.txt,Báo Ba\n", encoding="utf-8")
    (raw / "_metadata.csv").write_text(
        "filename,title,author,colour\n"
        "a.txt,Tiêu đề từ tệp siêu dữ liệu,Người Viết,đỏ\n"
        f"{unicodedata.normalize('NFC', 'bài viết.txt')},Tên NFC,,\n"
        "d.txt,Tiêu đề D\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="vnfacts"):
        out = ingest_files(raw)
    by_file = {unicodedata.normalize("NFC", a["source_file"]): a for a in out["articles"]}
    assert by_file["a.txt"]["title"] == "Tiêu đề từ tệp siêu dữ liệu"  # the sidecar wins over the page
    assert by_file["a.txt"]["author"] == "Người Viết"
    assert by_file["bài viết.txt"]["title"] == "Tên NFC"
    assert by_file["d.txt"]["title"] == "Tiêu đề D"
    assert by_file["sub/e.txt"]["outlet"] == "Báo Ba"  # the row after a bad one still applies
    said = "\n".join(r.getMessage() for r in caplog.records)
    assert "'colour'" in said and "nothing here.txt" in said and "3 cells for 2 columns" in said


def test_a_csv_row_that_cannot_be_parsed_spares_the_rows_before_and_after_it(tmp_path, caplog):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i, name in enumerate(["a.txt", "b.txt", "c.txt"]):
        (raw / name).write_bytes(_variant(40 + i))
    (raw / "_metadata.csv").write_bytes(
        b"file,outlet\na.txt,Outlet A\nb.txt,\"x\"y\"\x00\nc.txt,Outlet C\n")
    with caplog.at_level(logging.WARNING, logger="vnfacts"):
        out = ingest_files(raw)
    outlets = {a["source_file"]: a["outlet"] for a in out["articles"]}
    assert outlets["a.txt"] == "Outlet A" and outlets["c.txt"] == "Outlet C"


@pytest.mark.parametrize("where", ["out inside raw", "out is raw", "raw inside out"])
def test_inputs_and_outputs_never_share_a_folder(tmp_path, where):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(PAGE)
    out = {"out inside raw": raw / "out", "out is raw": raw, "raw inside out": tmp_path}[where]
    result = CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(out)])
    assert result.exit_code == 2 and "input folder" in result.output
    assert sorted(p.name for p in raw.iterdir()) == ["a.txt"]
    with pytest.raises(ValueError, match="input folder"):
        from vnfacts import run
        run(raw, out)


@pytest.mark.parametrize("text, value", [
    ("40 000", 40000), ("40\u00a0000", 40000), ("40\u202f000", 40000), ("1 250 000", 1250000),
    ("1,000.50", 1000.5), ("2,500,000.75", 2500000.75),
    ("30.000", 30000), ("7,39", 7.39), ("1.234,5", 1234.5),
])
def test_digit_groups_in_any_convention_read_exactly(text, value):
    from decimal import Decimal

    assert parse_number(text) == Decimal(str(value))


@pytest.mark.parametrize("text", ["40 00", "2017 100", "1,000.50.3"])
def test_look_alikes_of_spaced_groups_are_not_one_number(text):
    assert parse_number(text) is None


def test_an_amount_with_a_no_break_space_is_extracted_whole():
    rows = extract("Nhật Bản viện trợ 40\u00a0000 USD cho tỉnh Quảng Nam.")["aid_events"]
    assert rows[["amount", "currency"]].values.tolist() == [[40000, "USD"]]
    assert rows["evidence"].tolist() == ["40\u00a0000 USD"] or rows["evidence"].tolist() == ["40 000 USD"]
    english = extract("Nhật Bản viện trợ 1,000.50 USD cho tỉnh Quảng Nam.")["aid_events"]
    assert english["amount"].tolist() == [1000.5]
    assert parse_money("40 000 USD").amount == 40000


def test_a_figure_is_a_word_of_its_own():
    from vnfacts.tokenize import numbers_apart

    assert numbers_apart(("viện trợ 1,000", ".", "50")) == ("viện trợ", "1,000", ".", "50")
    assert numbers_apart(("Hà Nội", "5")) == ("Hà Nội", "5")


def test_a_sentence_the_tokenizer_rewrites_is_cut_at_spaces_not_lost(monkeypatch):
    from vnfacts import tokenize

    real = tokenize.analyse_sentence

    def rewriting(sentence):
        words, tags = real(sentence)
        return tuple(w.replace("Thụỵ", "Thụy") for w in words), tags

    monkeypatch.setattr(tokenize, "analyse_sentence", rewriting)
    body = "Ông Nguyễn Văn Thụỵ nhận 5 triệu đồng. Hà Nội mưa to."
    words = tokenize.tokenize_body(body, "x")
    assert [w.text for w in words if w.sentence == 0] == ["Ông", "Nguyễn", "Văn", "Thụỵ", "nhận", "5", "triệu",
                                                          "đồng", "."]
    assert all(body[w.start:w.end] == w.text for w in words)
    assert [w.text for w in words if w.sentence == 1] == ["Hà Nội", "mưa", "to", "."]
