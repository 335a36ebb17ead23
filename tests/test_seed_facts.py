"""Every fact of tests/spec/seed_facts.yaml is found on the fixtures with its values,
and nothing under `must_not` appears. One test per article and fact, so a miss
names what is wrong. Each check runs twice: on a fresh extraction, and on the golden
files, so the goldens cannot drift from the spec unnoticed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import golden_documents

SPEC = yaml.safe_load((Path(__file__).parent / "spec" / "seed_facts.yaml").read_text(encoding="utf-8"))


SOURCES = ("extracted", "golden_tables")


@pytest.fixture(params=SOURCES)
def tables_of(request):
    """Tables per fixture file: from a fresh extraction, or from the golden files."""
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="session")
def golden_tables():
    return {d["source_file"]: d["tables"] for d in golden_documents()}


def _facts(table: str):
    for name, article in SPEC["articles"].items():
        for i, fact in enumerate(article.get(table) or []):
            yield pytest.param(name, fact, id=f"{name[:3]}-{table}-{i}")


def _eq(expected, got) -> bool:
    if isinstance(expected, bool) or expected is None:
        return got == expected
    if isinstance(expected, (int, float)):
        return got is not None and Decimal(str(got)) == Decimal(str(expected))
    return str(got) == str(expected)


def _describe(rows, keys):
    return "\n".join("  " + ", ".join(f"{k}={r.get(k)!r}" for k in keys) for r in rows) or "  (none)"


AID_KEYS = ("quantity", "amount", "currency", "amount_per_recipient", "recipient_count", "is_total", "evidence")


@pytest.mark.parametrize("name,fact", list(_facts("aid_events")))
def test_aid_event(name, fact, tables_of):
    rows = tables_of[name]["aid_events"]
    recipient = " + ".join(fact["recipient"]) if isinstance(fact["recipient"], list) else fact["recipient"]
    candidates = [r for r in rows if r["donor"] == fact["donor"] and r["recipient"] == recipient
                  and r["item"] == fact["item"]]
    if fact.get("optional") and not candidates:
        assert not [r for r in rows if r["item"] == fact["item"]], "extracted, but with other parties"
        return
    wanted = {k: fact[k] for k in AID_KEYS if k in fact}
    if "date" in fact:
        wanted_date = fact["date"]
    else:
        wanted_date = None
    matching = [r for r in candidates if all(_eq(v, r[k]) for k, v in wanted.items())
                and (wanted_date is None or r["event_date"] == wanted_date)]
    assert len(matching) == 1, (
        f"{name}: {fact['donor']} -> {recipient} {fact['item']} {wanted} not found once; aid rows:\n"
        + _describe(rows, ("donor", "recipient", "item") + AID_KEYS + ("event_date",)))


@pytest.mark.parametrize("name,fact", list(_facts("officials")))
def test_official(name, fact, tables_of):
    rows = {r["name"]: r for r in tables_of[name]["officials"]}
    assert fact["name"] in rows, f"{name}: {fact['name']} not found; officials: {sorted(rows)}"
    row = rows[fact["name"]]
    assert set(row["titles"]) == set(fact["titles"]), f"{name}: {fact['name']} titles {row['titles']}"
    assert row["country"] == fact["country"]
    assert fact["name"] in row["evidence"]


@pytest.mark.parametrize("name,fact", list(_facts("dates")))
def test_date(name, fact, tables_of):
    rows = [r for r in tables_of[name]["dates"] if r["text"] == fact["text"]]
    assert rows, f"{name}: date {fact['text']!r} not found; dates: {[r['text'] for r in tables_of[name]['dates']]}"
    row = rows[0]
    checks = {"value": fact.get("value"), "grain": fact.get("grain"), "part_of_day": fact.get("part_of_day"),
              "qualifier": fact.get("qualifier")}
    if "value_year" in fact:  # the article has no publication date: the year stays unresolved
        checks["value"] = None
        checks.update(month=fact["month"], day=fact["day"], year_unresolved=fact["year_unresolved"])
    for key, value in checks.items():
        if value is not None or key == "value":
            assert row[key] == value, f"{name}: {fact['text']!r}: {key} = {row[key]!r}, expected {value!r}"


@pytest.mark.parametrize("name,fact", list(_facts("agreements")))
def test_agreement(name, fact, tables_of):
    rows = tables_of[name]["agreements"]
    kinds = set(fact["kind"]) if isinstance(fact["kind"], list) else {fact["kind"]}
    candidates = [r for r in rows if set(r["kinds"]) == kinds]
    assert candidates, f"{name}: no agreement of kinds {kinds}: {_describe(rows, ('kinds', 'title', 'evidence'))}"
    checks = {k: fact[k] for k in ("title", "signed", "signed_grain", "valid_from", "valid_to", "place", "count",
                                   "count_qualifier", "since", "evidence") if k in fact}
    matching = [r for r in candidates if set(r["parties"]) == set(fact["parties"])
                and all(_eq(v, r[k]) for k, v in checks.items())]
    assert len(matching) == 1, f"{name}: {fact} not found once:\n" + _describe(
        candidates, ("kinds", "parties") + tuple(checks))


@pytest.mark.parametrize("name", sorted(SPEC["articles"]))
def test_tables_the_spec_leaves_empty_are_empty(name, tables_of):
    spec = SPEC["articles"][name]
    for table in ("aid_events", "agreements", "officials"):
        if spec.get(table) == []:
            assert tables_of[name][table] == [], f"{name}: {table} should be empty: {tables_of[name][table]}"


@pytest.mark.parametrize("name", sorted(SPEC["articles"]))
def test_must_not(name, tables_of, articles_by_file):
    body_of = {n: a["body"] for n, a in articles_by_file.items()}
    must_not = SPEC["articles"][name].get("must_not") or {}
    tables = tables_of[name]
    names = {r["name"] for r in tables["officials"]}
    for person in must_not.get("officials", []):
        assert person not in names, f"{name}: {person} must not be an official"
    body = body_of[name]
    for amount in must_not.get("aid_amounts", []):
        places = [i for i in range(len(body)) if body.startswith(amount, i)]
        hits = [r["evidence"] for r in tables["aid_events"] if amount in r["evidence"]
                or any(r["char_start"] < i + len(amount) and i < r["char_end"] for i in places)]
        assert not hits, f"{name}: {amount!r} must not be aid: {hits}"
    for text in must_not.get("agreements", []):
        hits = [r for r in tables["agreements"] if text in (r["evidence"] + " ".join(r["parties"]))]
        assert not hits, f"{name}: {text!r} must not be an agreement"
    for text in must_not.get("dates", []):
        hits = [r["text"] for r in tables["dates"] if text in r["text"]]
        assert not hits, f"{name}: {text!r} must not be a date: {hits}"


def test_every_row_quotes_the_body(ingested, tables_of):
    bodies = {a["source_file"]: a["body"] for a in ingested["articles"]}
    for name, tables in tables_of.items():
        for table, rows in tables.items():
            for row in rows:
                assert bodies[name][row["char_start"]:row["char_end"]] == row["evidence"], (name, table, row)
                assert row["rule_id"]
