"""Validation: the fixtures pass; every kind of corrupted row is caught by the right check."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from click.testing import CliRunner

import vnfacts
from vnfacts.cli import main
from vnfacts.extractors import extract_article
from vnfacts.golden import row_counts
from vnfacts.ingest import ingest_page
from vnfacts.lexicon import compile_rules
from vnfacts.schema import AID_EVENTS, REJECTS, read_rows, write_table
from vnfacts.tokenize import tokenize_body
from vnfacts.validate import contexts, validate_tables

from conftest import FUTURE_PAGE, RAW_DIR, golden_documents

GOLDEN_DOCS = golden_documents()
GOLDEN_ROWS = row_counts(GOLDEN_DOCS)


@pytest.fixture(scope="module")
def candidates(extracted):
    out: dict[str, list[dict]] = {}
    for tables in extracted.values():
        for name, rows in tables.items():
            out.setdefault(name, []).extend(rows)
    return out


@pytest.fixture(scope="module")
def ctx(ingested):
    return contexts(ingested["articles"], ingested["lines"], RAW_DIR)


def test_every_fixture_row_passes(candidates, ctx):
    result = validate_tables(candidates, ctx)
    assert result.rejects == []
    for name, counts in result.report.items():
        assert counts["balanced"] and counts["rejected"] == 0, (name, counts)
        assert counts["passed"] == len(candidates[name])


def _only(candidates, table, pick, change):
    """Candidates holding one row of `table` (the first that `pick` accepts), changed by `change`."""
    row = copy.deepcopy(next(r for r in candidates[table] if pick(r)))
    change(row)
    return {table: [row]}, row


def _check_failed(rows, ctx, table):
    result = validate_tables(rows, ctx)
    assert result.report[table]["checked"] == 1
    assert result.report[table]["passed"] + result.report[table]["rejected"] == 1
    [reject] = result.rejects
    assert reject["stage"] == "validate" and reject["table"] == table
    assert json.loads(reject["row"])["char_start"] is not None
    return reject["check"]


def _is(evidence):
    return lambda r: r["evidence"] == evidence


def _shift(r):
    r["char_start"] += 1
    r["char_end"] += 1


def _role(name, change):
    """Change the first role called ``name`` of a row."""
    def apply(row):
        role = next(r for r in row["roles"] if r["role"] == name)
        change(role)
    return apply


CORRUPTIONS = {
    "shifted offsets": ("aid_events", _is("40.000 USD"), _shift, "evidence"),
    "offsets outside the body": ("dates", _is("Chiều 26/8"), lambda r: r.update(char_end=10 ** 6), "offsets"),
    "altered evidence": ("officials", lambda r: r["name"] == "Đinh Tiến Dũng",
                         lambda r: r.update(evidence=r["evidence"].replace("Dũng", "Dung")), "evidence"),
    "wrong amount": ("aid_events", _is("40.000 USD"), lambda r: r.update(amount=Decimal(45000)), "value"),
    "wrong quantity": ("aid_events", _is("30.000 khẩu trang y tế"), lambda r: r.update(quantity=Decimal(3000)), "value"),
    "wrong currency": ("aid_events", _is("40.000 USD"), lambda r: r.update(currency="EUR"), "value"),
    "a single amount claimed as a range": ("aid_events", _is("40.000 USD"),
                                           lambda r: r.update(amount_min=Decimal(30000), amount_max=Decimal(40000)),
                                           "value"),
    "wrong item": ("aid_events", _is("30.000 khẩu trang y tế"), lambda r: r.update(item="test_kits"), "value"),
    "wrong per-recipient split": ("aid_events", lambda r: r["recipient_count"] == 8,
                                  lambda r: r.update(recipient_count=9), "value"),
    "wrong date value": ("dates", _is("Chiều 26/8"), lambda r: r.update(value="2021-08-25"), "value"),
    "wrong date grain": ("dates", _is("Chiều 26/8"), lambda r: r.update(grain="month"), "value"),
    "name not in evidence": ("officials", lambda r: r["name"] == "Đinh Tiến Dũng",
                             lambda r: r.update(name="Đinh Tiến Dung"), "value"),
    "wrong agreement count": ("agreements", lambda r: r["count"] == 20, lambda r: r.update(count=21), "value"),
    "wrong place resolution": ("mentions", lambda r: r["label"] == "PLACE" and r["text"] == "Thủ đô Viêng Chăn",
                               lambda r: r.update(normalized="Hà Nội"), "value"),
    "unreconciled total": ("aid_events", _is("40.000 USD"), lambda r: r.update(is_total=True), "total_reconciles"),
    "bad country vocabulary": ("officials", lambda r: r["name"] == "Đinh Tiến Dũng",
                               lambda r: r.update(country="Vietnam"), "schema.country"),
    "bad agreement kind": ("agreements", lambda r: r["count"] == 20, lambda r: r.update(kind="contract"),
                           "schema.kind"),
    "bad flow vocabulary": ("aid_events", _is("40.000 USD"), lambda r: r.update(flow="gift"), "schema.flow"),
    "donor span off its words": ("aid_events", _is("40.000 USD"),
                                 _role("donor", lambda x: x.update(char_start=x["char_start"] + 1,
                                                                   char_end=x["char_end"] + 1)), "role_span"),
    "donor role naming another party": ("aid_events", _is("40.000 USD"),
                                        lambda r: r.update(donor="Thủ đô Viêng Chăn"), "role_value"),
    "recipient role naming another party": ("aid_events", _is("40.000 USD"),
                                            lambda r: r.update(recipient="Lào"), "role_value"),
    "sentence row without a donor role": ("aid_events", _is("40.000 USD"),
                                          lambda r: r.update(roles=[x for x in r["roles"] if x["role"] != "donor"]),
                                          "role_value"),
    "amount role saying another amount": ("aid_events", _is("40.000 USD"), lambda r: r.update(roles=[
        {**x, "role": "amount"} if x["role"] == "verb" else x for x in r["roles"]]), "role_value"),
    "event date not what its role says": ("aid_events", _is("40.000 USD"),
                                          lambda r: r.update(event_date="2021-08-27", event_day=27), "role_value"),
    "signing date not what its role says": ("agreements", lambda r: any(x["role"] == "date" for x in r["roles"]),
                                            lambda r: r.update(signed="2022-05"), "role_value"),
    "a stray recipient role": ("aid_events", _is("40.000 USD"), lambda r: r.update(roles=r["roles"] + [
        {**next(x for x in r["roles"] if x["role"] == "donor"), "role": "recipient"}]), "role_value"),
    "a role no aid row has": ("aid_events", _is("40.000 USD"), lambda r: r.update(roles=[
        {**x, "role": "beneficiary"} if x["role"] == "recipient" else x for x in r["roles"]]), "role_value"),
    "agreement document role naming no document": (
        "agreements", lambda r: any(x["role"] == "document" for x in r["roles"]) and r["count"] is None,
        lambda r: r.update(roles=[{**x, "role": "document"} if x["role"] == "party" else x
                                  for x in r["roles"] if x["role"] != "document"]), "role_value"),
    "agreement party role naming no party": ("agreements", lambda r: any(x["role"] == "party" for x in r["roles"]),
                                             lambda r: r.update(parties=["Campuchia"]), "role_value"),
    "official title role not among the titles": ("officials", lambda r: r["name"] == "Đinh Tiến Dũng",
                                                 lambda r: r.update(titles=["Bí thư"]), "role_value"),
    "dollars that are not amount / usd_rate": ("aid_events", _is("40.000 USD"),
                                               lambda r: r.update(amount_usd=Decimal(40001)), "derived"),
    "a rate the shipped rates do not give": ("aid_events", _is("40.000 USD"),
                                             lambda r: r.update(usd_rate=Decimal("0.8"), amount_usd=Decimal(50000)),
                                             "derived"),
    "a rate of another day": ("aid_events", _is("40.000 USD"),
                              lambda r: r.update(usd_rate_date=date(2021, 8, 27)), "derived"),
    "a reason for a rate that is there": ("aid_events", _is("40.000 USD"),
                                          lambda r: r.update(usd_rate_source="no_rate"), "derived"),
    "an event day that is not the event date": ("aid_events", _is("40.000 USD"),
                                                lambda r: r.update(event_day_date=date(2021, 8, 27)), "derived"),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_corrupted_row_is_caught_by_the_right_check(case, candidates, ctx):
    table, pick, change, check = CORRUPTIONS[case]
    rows, _ = _only(candidates, table, pick, change)
    assert _check_failed(rows, ctx, table) == check


def test_a_span_across_two_lines_is_outside_the_body_zones(candidates, ctx, articles_by_file):
    article = articles_by_file["000_f22b6e4c1b01d16e.txt"]
    body = article["body"]
    cut = body.index("\n")
    row = {"article_id": article["article_id"], "label": "PLACE", "text": body[cut - 3:cut + 4],
           "normalized": "x", "char_start": cut - 3, "char_end": cut + 4, "evidence": body[cut - 3:cut + 4],
           "rule_id": "test"}
    assert _check_failed({"mentions": [row]}, ctx, "mentions") == "body_zone"


def test_evidence_that_does_not_trace_to_the_raw_bytes_is_caught(candidates, ctx, ingested):
    rows, row = _only(candidates, "aid_events", _is("40.000 USD"), lambda r: None)
    article_ctx = copy.copy(ctx[row["article_id"]])
    article_ctx.raw = article_ctx.raw.replace("40.000 USD".encode(), "41.000 USD".encode())
    assert _check_failed(rows, {row["article_id"]: article_ctx}, "aid_events") == "raw_trace"




def test_a_date_far_after_publication_is_flagged(tmp_path):
    (tmp_path / "future.txt").write_text(FUTURE_PAGE, encoding="utf-8")
    page = ingest_page(FUTURE_PAGE.encode(), "future.txt")
    article = page.article
    found = extract_article(article, tokenize_body(article["body"]), compile_rules())
    assert [d["value"] for d in found["dates"]] == ["2031-07-05"]
    result = validate_tables(found, contexts([article], page.lines, tmp_path))
    checks = {(r["table"], r["check"]) for r in result.rejects}
    assert checks == {("dates", "date_plausible"), ("aid_events", "date_plausible")}


def test_a_month_or_year_ahead_that_the_text_states_is_a_plan_not_a_typo():
    # a 2021 article: a deadline and a target ahead stand; a day years ahead, or a year taken from the publication
    # date that lands far ahead, does not
    published = datetime(2021, 7, 5, tzinfo=timezone(timedelta(hours=7)))
    got = vnfacts.extract("Hỗ trợ lãi suất 0% đến tháng 2/2024. Mục tiêu đến năm 2030 đạt 50%. Hạn chót là ngày "
                          "31/12/2023. Ngày 5/7/2031, Hà Nội hỗ trợ Viêng Chăn.", published_at=published)
    assert list(got["dates"]["value"]) == ["2024-02", "2030", "2023-12-31"]
    assert list(got["rejects"]["detail"].str.contains("2031-07-05 is far after publication")) == [True]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["run", "--raw", str(RAW_DIR), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_run_writes_the_report_and_consolidated_tables(run_dir, spec):
    report = json.loads((run_dir / "validation_report.json").read_text(encoding="utf-8"))
    assert report["rows_rejected"] == 0
    assert report["rows_checked"] == report["rows_passed"]
    assert report["consolidated"] == {"aid_events_consolidated": _spec_consolidated_aid_events(spec),
                                      "officials_consolidated": _golden_official_names()}


def _spec_consolidated_aid_events(spec) -> int:
    """The golden aid rows, each event the spec reports in several articles counted once."""
    merged_away = sum(len(event["articles"]) - 1 for event in spec["cross_article"])
    return GOLDEN_ROWS["aid_events"] - merged_away


def _golden_official_names() -> int:
    return len({row["name"] for doc in GOLDEN_DOCS for row in doc["tables"]["officials"]})


def test_strict_fails_on_a_rejected_row_and_the_row_is_kept_in_rejects(run_dir):
    rows = read_rows(AID_EVENTS, run_dir / "candidates")
    rows[0]["amount"] = Decimal(1) if rows[0]["amount"] is None else rows[0]["amount"] + 1
    write_table(AID_EVENTS, rows, run_dir / "candidates")
    lenient = CliRunner().invoke(main, ["validate", "--raw", str(RAW_DIR), "--out", str(run_dir)])
    assert lenient.exit_code == 0
    total = sum(GOLDEN_ROWS.values())
    assert f"input rows {total} = published {total - 1} + rejected 1" in lenient.stderr
    strict = CliRunner().invoke(main, ["validate", "--raw", str(RAW_DIR), "--out", str(run_dir), "--strict"])
    assert strict.exit_code == 1 and "1 rows rejected" in strict.output
    rejected = [r for r in read_rows(REJECTS, run_dir) if r["stage"] == "validate"]
    assert [(r["table"], r["check"]) for r in rejected] == [("aid_events", "value")]
    assert len(read_rows(AID_EVENTS, run_dir)) == len(rows) - 1


def _written_files(out_dir):
    """Each output file with its inode: an atomic rewrite gives a file a new one."""
    return {p.name: p.stat().st_ino for p in out_dir.iterdir() if p.is_file() and not p.name.startswith(".")}


def test_a_table_that_breaks_its_schema_stops_validate(run_dir):
    import pyarrow.parquet as pq

    broken = pq.read_table(run_dir / "candidates" / "aid_events.parquet").drop(["currency"])
    pq.write_table(broken, run_dir / "candidates" / "aid_events.parquet")
    before = _written_files(run_dir)
    result = CliRunner().invoke(main, ["validate", "--raw", str(RAW_DIR), "--out", str(run_dir)])
    assert result.exit_code == 1
    assert "S003" in result.output and "aid_events" in result.output
    assert _written_files(run_dir) == before, "validate published, rejected or reported before it stopped"


@pytest.mark.parametrize("words, name, names", [
    ("hãng Wendy's", "Wendy's", True),
    ("Chuỗi nhà hàng Smith & Wollensky", "Smith & Wollensky", True),  # capitalised at a sentence's start
    ("quỹ từ thiện Glide", "từ thiện Glide", False),  # a lower-case word after the head: no name follows it
    ("Công ty ABC", "ABC", False),  # a head written with a capital is part of the name
])
def test_a_lower_case_head_only_says_what_the_named_party_is(words, name, names):
    from vnfacts.config import RULES_DIR
    from vnfacts.validate import words_name

    assert words_name(words, name, compile_rules(RULES_DIR), words) is names


def test_a_range_keeps_both_bounds_through_validation(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "range.txt").write_text(
        "Ngân hàng Thế giới hỗ trợ Lào\n"
        "Trong giai đoạn 2021 - 2025, Ngân hàng Thế giới sẽ hỗ trợ Lào từ 300 – 500 triệu USD cho ngành y tế.\n",
        encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(out), "--no-cache", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    [row] = read_rows(AID_EVENTS, out)
    assert (row["donor"], row["recipient"], row["currency"]) == ("Ngân hàng Thế giới", "Lào", "USD")
    assert row["amount"] is None and row["amount_usd"] is None
    assert (row["amount_min"], row["amount_max"]) == (Decimal(300000000), Decimal(500000000))
    assert row["evidence"] == "từ 300 – 500 triệu USD"
    assert read_rows(REJECTS, out) == []


def test_a_stated_total_beside_a_range_is_checked_against_the_single_amounts():
    from vnfacts.validate import check_totals

    def row(recipient, amount, is_total=False, **more):
        return {"article_id": "a", "donor": "Nhật Bản", "currency": "USD", "item": "cash", "recipient": recipient,
                "amount": None if amount is None else Decimal(amount), "is_total": is_total, **more}
    rows = [row("Lào", 2000000), row("Campuchia", None, amount_min=Decimal(1000000), amount_max=Decimal(3000000)),
            row("Lào + Campuchia", 2000000, is_total=True)]
    assert check_totals(rows) == {}
    assert check_totals(rows[:2] + [row("Lào + Campuchia", 5000000, is_total=True)]) == {
        2: "rows to ['Campuchia', 'Lào'] add up to 2000000, not 5000000"}


def test_goods_carry_what_they_are_said_to_be_worth_and_a_wrong_worth_is_rejected(tmp_path):
    from vnfacts.validate import CheckFailed, _check_worth

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "worth.txt").write_text(
        "Hội Chữ thập đỏ tặng quà cho hộ nghèo\n"
        "Hội Chữ thập đỏ tỉnh Nghệ An đã trao tặng các hộ nghèo 300 suất quà, mỗi suất trị giá 500.000 đồng. "
        "Công ty CP Tập đoàn Phúc Lộc cũng tài trợ cho Tỉnh ủy Đắk Nông 1 xe ô tô nhãn hiệu Toyota Land Cruiser VX "
        "trị giá 2,8 tỷ đồng.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(out), "--no-cache", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    gifts, car = read_rows(AID_EVENTS, out)
    # 300 gifts, each worth 500.000 đồng: 150 million in all; one car worth 2,8 tỷ đồng
    assert (gifts["item"], gifts["quantity"], gifts["amount"], gifts["currency"]) == \
        ("food", Decimal(300), Decimal(150000000), "VND")
    assert [r["text"] for r in gifts["roles"] if r["role"] == "worth"] == ["mỗi suất trị giá 500.000 đồng"]
    assert (car["item"], car["quantity"], car["amount"]) == ("vehicles", Decimal(1), Decimal(2800000000))
    assert gifts["evidence"] == "300 suất quà" and read_rows(REJECTS, out) == []
    rules = compile_rules(vnfacts.config.RULES_DIR)
    with pytest.raises(CheckFailed, match="gives 150000000"):
        _check_worth({**gifts, "amount": Decimal(500000)}, rules)
    with pytest.raises(CheckFailed, match="0 worth roles"):
        _check_worth({**car, "roles": [r for r in car["roles"] if r["role"] != "worth"]}, rules)
