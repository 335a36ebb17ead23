"""The Python API: vnfacts.extract on text, vnfacts.read_tables on a run, and the pandas types they give."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import vnfacts
from vnfacts.api import iso_start
from vnfacts.cli import main
from vnfacts.normalize import canonical_text

from conftest import RAW_DIR

ARTICLE = "000_f22b6e4c1b01d16e.txt"


def _paragraph_with(text: str) -> str:
    """The fixture's line holding ``text``: one real paragraph, given as a single-line string."""
    return next(line for line in (RAW_DIR / ARTICLE).read_text(encoding="utf-8").splitlines() if text in line)


def _spec_events_in(spec, paragraph: str) -> list[dict]:
    return [e for e in spec["articles"][ARTICLE]["aid_events"] if e["evidence"] in paragraph]


@pytest.fixture(scope="module")
def one_paragraph(spec):
    paragraph = _paragraph_with("40.000 USD")
    published = spec["articles"][ARTICLE]["published_at"]
    return paragraph, vnfacts.extract(paragraph, published_at=published, source="hanoi.txt")


def test_one_paragraph_yields_the_aid_the_spec_records(one_paragraph, spec):
    paragraph, tables = one_paragraph
    events = tables["aid_events"]
    expected = _spec_events_in(spec, paragraph)
    assert len(expected) >= 4  # masks, kits, 40.000 USD, the eight provinces, the reverse gift
    for event in expected:
        rows = events[events["evidence"].str.contains(event["evidence"], regex=False)
                      | (events["evidence"] == event["evidence"])]
        assert len(rows) >= 1, event
        row = rows.iloc[0]
        assert (row["donor"], row["recipient"], row["item"]) == (event["donor"], event["recipient"], event["item"])
        for column in ("amount", "quantity"):
            if column in event:
                assert row[f"{column}_exact"] == Decimal(event[column])
                assert row[column] == float(event[column])


def test_extracted_rows_trace_to_the_text(one_paragraph):
    paragraph, tables = one_paragraph
    body = canonical_text(paragraph)  # NFC, one tone-mark placement ("uỷ" is "ủy"), look-alike letters mapped
    assert tables["articles"]["body"].tolist() == [body]
    assert tables["articles"]["source_file"].tolist() == ["hanoi.txt"]
    assert len(tables["aid_events"]) and len(tables["mentions"])
    for name in ("aid_events", "officials", "dates", "mentions"):
        for row in tables[name].itertuples():
            assert body[row.char_start:row.char_end] == row.evidence
    assert tables["rejects"].empty


def test_amounts_compute_and_keep_their_exact_value(one_paragraph):
    events = one_paragraph[1]["aid_events"]
    cash = events[events["item"] == "cash"]
    assert str(cash["amount"].dtype) == "Float64"
    assert (cash["amount"] * 1.5).iloc[0] == cash["amount"].iloc[0] * 1.5
    assert cash["amount"].sum() == float(sum(cash["amount_exact"]))
    assert cash["amount"].describe()["count"] == len(cash)
    assert str(events["recipient_count"].dtype) == "Int32"


def test_dates_resolve_against_published_at(spec):
    paragraph = _paragraph_with("Chiều 26/8")
    with_date = vnfacts.extract(paragraph, published_at=date(2021, 8, 27))["dates"]
    row = with_date[with_date["text"] == "Chiều 26/8"].iloc[0]
    expected = next(d for d in spec["articles"][ARTICLE]["dates"] if d["text"] == "Chiều 26/8")
    assert row["value"] == expected["value"]
    assert row["value_start"] == pd.Timestamp(expected["value"])
    without = vnfacts.extract(paragraph)["dates"]
    assert without.loc[without["text"] == "Chiều 26/8", "value"].isna().all()


def test_a_series_of_texts_is_one_call(spec):
    texts = pd.Series({"hanoi": _paragraph_with("40.000 USD"), "empty": "   ", "officials": _paragraph_with(
        "Sengphet Houngboungnuang")})
    tables = vnfacts.extract(texts, published_at="2021-08-27")
    assert sorted(tables["articles"]["source_file"]) == ["hanoi", "officials"]
    assert tables["rejects"][["source_file", "reason"]].values.tolist() == [["empty", "empty_file"]]
    names = set(tables["officials"]["name"])
    assert {o["name"] for o in spec["articles"][ARTICLE]["officials"]} <= names


def test_a_page_dump_is_zoned_when_asked():
    page = (RAW_DIR / ARTICLE).read_text(encoding="utf-8")
    as_page = vnfacts.extract(page, page=True)["articles"].iloc[0]
    as_text = vnfacts.extract(page)["articles"].iloc[0]
    assert as_page["title"].startswith("Hà Nội hỗ trợ Thủ đô Viêng Chăn")
    assert len(as_page["body"]) < len(as_text["body"])  # menus and teasers left out of the body


ZERO_AID = "Chiều 26/8, Thành phố Hà Nội trao tặng Thủ đô Viêng Chăn 0 USD để phòng, chống dịch Covid-19."


def test_rows_are_validated_as_in_a_run(tmp_path):
    """A gift of 0 USD fails the aid table's schema (amounts are positive): `vnfacts run` rejects it, and so does
    extract, with the same check, instead of publishing an amount of 0."""
    found = vnfacts.extract(ZERO_AID, source="zero.txt")
    assert found["aid_events"].empty
    rejects = found["rejects"]
    assert rejects[["source_file", "reason", "table", "check"]].values.tolist() == [
        ["zero.txt", "validation_failed", "aid_events", "schema.amount"]]
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "zero.txt").write_text(ZERO_AID, encoding="utf-8")
    vnfacts.run(raw, out, jobs=1, use_cache=False)
    published = vnfacts.read_tables(out)
    assert published["aid_events"].empty
    run_rejects = published["rejects"][published["rejects"]["stage"] == "validate"]
    assert run_rejects[["table", "check", "detail"]].values.tolist() == rejects[["table", "check", "detail"]].values.tolist()


@pytest.mark.parametrize("given, says", [
    ({"hanoi": "Hà Nội trao tặng 40.000 USD."}, "not dict .*pd.Series"),
    ("Hà Nội trao tặng 40.000 USD.".encode("utf-8"), "not bytes .*decode"),
    (None, "not NoneType"),
    (42, "not int"),
    (["Hà Nội trao tặng 40.000 USD.", 7], "text '1' is int, not str"),
    (("Hà Nội", None), "text '1' is NoneType, not str"),
    (pd.Series({"a": "Hà Nội", "b": float("nan")}), "text 'b' is float, not str"),
    (["Hà Nội", b"bytes"], "text '1' is bytes, not str"),
    (iter(["Hà Nội"]), "not list_iterator"),
])
def test_only_text_is_taken(given, says):
    with pytest.raises(TypeError, match=says):
        vnfacts.extract(given)


def test_texts_in_a_list_are_named_by_position_or_by_source():
    tables = vnfacts.extract(["   ", "\t"])
    assert tables["rejects"]["source_file"].tolist() == ["0", "1"]
    named = vnfacts.extract(("   ", "\t"), source=["a.txt", "b.txt"])
    assert named["rejects"]["source_file"].tolist() == ["a.txt", "b.txt"]


def test_a_text_in_another_script_is_rejected():
    chinese = "越南政府总理今天在河内会见了来访的老挝万象市代表团。胡志明市向万象市捐赠了价值四万美元的医疗物资。\n" * 20
    tables = vnfacts.extract(chinese, source="zh.txt")
    assert tables["articles"].empty
    assert tables["rejects"][["source_file", "reason"]].values.tolist() == [["zh.txt", "other_language"]]
    assert tables["rejects"]["detail"].iloc[0].endswith("mostly in another script (Han 100% of letters)")


@pytest.mark.parametrize("value, start", [("2021-08-26", "2021-08-26"), ("2022-04", "2022-04-01"),
                                          ("1998", "1998-01-01"), ("2021-Q3", "2021-07-01"),
                                          ("2022/2025", "2022-01-01")])
def test_iso_values_of_every_grain_start_on_a_day(value, start):
    assert iso_start(value) == pd.Timestamp(start)
    assert iso_start(None) is None


# ---------------------------------------------------------------- a run's tables

@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("api-run")
    summary = vnfacts.run(RAW_DIR, out, jobs=1)
    assert summary["run"]["files"] == len(list(RAW_DIR.glob("*.txt")))
    return out


def test_read_tables_types(run_dir, spec):
    tables = vnfacts.read_tables(run_dir)
    articles = tables["articles"].set_index("source_file")
    assert articles.loc[ARTICLE, "published_at"] == pd.Timestamp(spec["articles"][ARTICLE]["published_at"])
    assert articles.loc[ARTICLE, "published_at"].hour == 14  # as printed on the page, not UTC
    assert str(articles["published_at"].dt.tz) == "Asia/Ho_Chi_Minh"
    officials = tables["officials"]
    dung = officials[officials["name"] == "Đinh Tiến Dũng"].iloc[0]
    expected = next(o for o in spec["articles"][ARTICLE]["officials"] if o["name"] == "Đinh Tiến Dũng")
    assert isinstance(dung["titles"], tuple) and set(expected["titles"]) <= set(dung["titles"])
    assert len(officials.drop_duplicates()) <= len(officials)  # list columns hash
    events = tables["aid_events"]
    assert events["amount"].dtype == "Float64" and events["amount_exact"].dropna().map(type).eq(Decimal).all()
    assert events["event_date_start"].dtype.kind == "M"
    dates = tables["dates"]
    assert dates["month"].dtype == "Int32" and dates["year_unresolved"].dtype == "boolean"


def test_read_tables_matches_the_parquet_files(run_dir):
    aid = vnfacts.read_table("aid_events", run_dir)
    raw = pq.read_table(run_dir / "aid_events.parquet").to_pylist()
    assert [r["amount"] for r in raw] == [None if pd.isna(v) else v for v in aid["amount_exact"]]


def test_raw_span_takes_an_aid_row_back_to_the_bytes_of_its_page(run_dir, spec):
    """The spec's 40.000 USD of the Hanoi article, from a row of read_table to the bytes of the file it came from,
    with a row of the Parquet table read by pyarrow too."""
    articles = vnfacts.read_table("articles", run_dir).set_index("article_id")
    aid = vnfacts.read_table("aid_events", run_dir)
    hanoi = articles.index[articles["source_file"] == ARTICLE][0]
    row = aid[(aid["article_id"] == hanoi) & (aid["evidence"] == "40.000 USD")].iloc[0]
    assert any(e["evidence"] == row["evidence"] for e in spec["articles"][ARTICLE]["aid_events"])
    article = articles.loc[row["article_id"]]
    first, last = vnfacts.raw_span(article, row["char_start"], row["char_end"])
    assert (RAW_DIR / ARTICLE).read_bytes()[first:last].decode("utf-8") == "40.000 USD"
    as_read = next(a for a in pq.read_table(run_dir / "articles.parquet").to_pylist()
                   if a["article_id"] == row["article_id"])
    assert vnfacts.raw_span(as_read, row["char_start"], row["char_end"]) == (first, last)


def test_the_api_is_listed_by_dir_and_help():
    """The functions load when first used (a fast start), yet dir() and tab completion show them."""
    listed = set(dir(vnfacts))
    assert {"extract", "raw_span", "read_table", "read_tables", "run"} <= listed
    assert set(vnfacts.__all__) <= listed
    assert all(callable(getattr(vnfacts, name)) for name in vnfacts.__all__ if name != "__version__")


def test_read_tables_says_what_to_do_when_nothing_is_there(tmp_path):
    with pytest.raises(FileNotFoundError, match="vnfacts run"):
        vnfacts.read_tables(tmp_path)


def test_a_csv_round_trip_keeps_the_titles(run_dir, tmp_path):
    sql = "SELECT name, titles FROM officials ORDER BY name"
    result = CliRunner().invoke(main, ["query", sql, "--out", str(run_dir), "--format", "csv"])
    assert result.exit_code == 0, result.output
    target = tmp_path / "officials.csv"
    target.write_text(result.stdout, encoding="utf-8")
    back = pd.read_csv(target, converters={"titles": json.loads})
    expected = pq.read_table(run_dir / "officials.parquet").to_pandas().sort_values("name")
    assert back["titles"].tolist() == [list(t) for t in expected["titles"]]


def test_the_readme_examples_work_as_shown(run_dir, tmp_path, monkeypatch):
    """The README's Python examples (>>> lines) run against `data/processed` made from the fixtures, and
    print what the README shows; its `vnfacts query` examples print what it shows too."""
    import doctest
    import re
    import shlex

    from conftest import ROOT

    (tmp_path / "data").mkdir()
    shutil.copytree(run_dir, tmp_path / "data" / "processed")
    monkeypatch.chdir(tmp_path)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE,
                              verbose=False, report=True)
    assert result.attempted >= 5 and result.failed == 0
    shown = re.findall(r"^\$ (vnfacts query .*)\n((?:(?!\$ |```).*\n)*)", readme, flags=re.M)
    assert len(shown) >= 3
    for command, output in shown:
        printed = CliRunner().invoke(main, shlex.split(command)[1:])
        assert printed.exit_code == 0, printed.output
        assert printed.stdout.strip() == output.strip(), command
