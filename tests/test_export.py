"""Export: provenance, Arrow types, partitioned dataset, DuckDB, `vnfacts query`, data dictionary."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner

from vnfacts.cli import main
from vnfacts.datadict import DICTIONARY_PATH, render
from vnfacts.export import PUBLISHED_TABLES, rules_sha256
from vnfacts.schema import TABLES, column_example

from vnfacts.golden import row_counts

from conftest import RAW_DIR, SPEC_PATH, golden_documents

CASH_BY_PAIR = ("SELECT donor, recipient, currency, SUM(amount) AS total FROM aid_events_consolidated "
                "WHERE item = 'cash' AND NOT is_total GROUP BY ALL ORDER BY total DESC")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    runner = CliRunner()
    assert runner.invoke(main, ["run", "--raw", str(RAW_DIR), "--out", str(out)]).exit_code == 0
    result = runner.invoke(main, ["export", "--out", str(out), "--partitioned", "--duckdb"])
    assert result.exit_code == 0, result.output
    return out


def test_every_published_file_carries_its_provenance(out):
    for table in PUBLISHED_TABLES:
        meta = pq.read_schema(out / table.filename).metadata
        assert meta[b"vnfacts_version"] and meta[b"schema_version"] == b"1"
        assert meta[b"rules_sha256"].decode() == rules_sha256()
        assert meta[b"table"].decode() == table.name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # the goldens' aid rows, less those the spec says several articles report (merged into one event)
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    merged_away = sum(len(event["articles"]) - 1 for event in spec["cross_article"])
    assert manifest["tables"]["aid_events_consolidated"] == row_counts(golden_documents())["aid_events"] - merged_away


def test_types_an_analyst_expects(out):
    events = pq.read_table(out / "aid_events.parquet")
    assert pa.types.is_decimal(events.schema.field("amount").type)
    assert pa.types.is_dictionary(events.schema.field("item").type)
    assert pa.types.is_int32(events.schema.field("recipient_count").type)
    frame = pd.read_parquet(out / "articles.parquet")
    assert str(frame["published_at"].dt.tz) == "UTC+07:00"
    assert frame.loc[frame.source_file == "000_f22b6e4c1b01d16e.txt", "published_at"].iloc[0] == \
        pd.Timestamp("2021-08-27 14:14:00+07:00")
    officials = pd.read_parquet(out / "officials.parquet")
    assert isinstance(officials.loc[officials.name == "Đinh Tiến Dũng", "titles"].iloc[0].tolist(), list)
    assert isinstance(pd.read_parquet(out / "aid_events.parquet")["item"].dtype, pd.CategoricalDtype)


def test_the_partitioned_dataset_reads_as_one_table(out):
    flat = pq.read_table(out / "aid_events.parquet").to_pandas()
    articles = pq.read_table(out / "articles.parquet").to_pandas().set_index("article_id")
    years = flat["article_id"].map(articles["published_at"]).dt.year  # pages print their time in UTC+07:00
    path = out / "dataset" / "aid_events"
    for year, month in set(zip(years.dropna().astype(int), flat["article_id"].map(articles["published_at"])
                               .dt.month.dropna().astype(int))):
        assert (path / f"{year:04d}" / f"{month:02d}" / "part-0.parquet").is_file()
    assert (path / "undated" / "part-0.parquet").is_file() == bool(years.isna().any())
    assert ds.dataset(path).count_rows() == len(flat)
    read = pd.read_parquet(path, dtype_backend="numpy_nullable")
    assert len(read) == len(flat) and str(read["published_year"].dtype) == "Int16"
    by_year = duckdb.sql(f"SELECT published_year, COUNT(*) FROM read_parquet('{path}/**/*.parquet') "
                         "GROUP BY ALL ORDER BY 1 NULLS LAST").fetchall()
    expected = years.astype("Int64").value_counts(dropna=False)
    assert dict(by_year) == {(None if pd.isna(y) else int(y)): int(n) for y, n in expected.items()}
    assert by_year[-1][0] is None and len(by_year) > 2  # the fixtures have dated and undated articles
    assert all(isinstance(y, int) for y, _ in by_year if y is not None)


def test_the_duckdb_file_holds_every_table_and_opens_when_moved(out, tmp_path):
    moved = tmp_path / "elsewhere.duckdb"
    shutil.copy(out / "facts.duckdb", moved)
    con = duckdb.connect(str(moved), read_only=True)
    names = {row[0] for row in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert set(TABLES) <= names
    for name in TABLES:
        [(n,)] = con.execute(f'SELECT COUNT(*) FROM "{name}"').fetchall()
        assert n == pq.read_metadata(out / f"{name}.parquet").num_rows, name


def _cash_by_pair(out) -> list[tuple]:
    """CASH_BY_PAIR computed in pandas from the Parquet file, with exact decimals."""
    events = pq.read_table(out / "aid_events_consolidated.parquet").to_pandas()
    cash = events[(events["item"] == "cash") & ~events["is_total"]]
    sums = cash.groupby(["donor", "recipient", "currency"], observed=True)["amount"].apply(lambda s: sum(s, Decimal(0)))
    return sorted(((d, r, str(c), t) for (d, r, c), t in sums.items()), key=lambda row: -row[3])


def test_query_prints_a_table(out):
    result = CliRunner().invoke(main, ["query", CASH_BY_PAIR, "--out", str(out)])
    assert result.exit_code == 0, result.output
    donor, recipient, currency, total = _cash_by_pair(out)[0]
    first = result.stdout.splitlines()[1].split()
    assert " ".join(first[:-2]) == f"{donor} {recipient}" and first[-2:] == [currency, f"{total.normalize():f}"]


def test_query_formats_for_scripts(out, tmp_path):
    donor, recipient, currency, total = _cash_by_pair(out)[0]
    as_json = CliRunner().invoke(main, ["query", CASH_BY_PAIR, "--out", str(out), "--format", "json"])
    rows = json.loads(as_json.stdout)
    assert rows[0] == {"donor": donor, "recipient": recipient, "currency": currency, "total": int(total)}
    as_ndjson = CliRunner().invoke(main, ["query", CASH_BY_PAIR, "--out", str(out), "--format", "ndjson"])
    assert [json.loads(line) for line in as_ndjson.stdout.splitlines()] == rows
    as_csv = CliRunner().invoke(main, ["query", CASH_BY_PAIR, "--out", str(out), "--format", "csv"])
    assert as_csv.stdout.splitlines()[:2] == ["donor,recipient,currency,total",
                                              f"{donor},{recipient},{currency},{total.normalize():f}"]
    as_tsv = CliRunner().invoke(main, ["query", CASH_BY_PAIR, "--out", str(out), "--format", "tsv"])
    assert as_tsv.stdout.splitlines()[1].split("\t") == [donor, recipient, currency, f"{total.normalize():f}"]
    target = tmp_path / "cash.parquet"
    as_parquet = CliRunner().invoke(main, ["query", CASH_BY_PAIR, "--out", str(out), "--format", "parquet",
                                           "--output", str(target)])
    assert as_parquet.exit_code == 0
    assert pq.read_table(target).column("total").to_pylist()[0] == total


@pytest.mark.slow
def test_query_shows_times_in_the_news_zone_on_a_utc_machine(out, spec):
    """The page says 14:14 GMT+7; the machine's zone is UTC; SQL and every format say 14:14+07:00."""
    sql = "SELECT source_file, published_at, hour(published_at) AS h FROM articles WHERE published_at IS NOT NULL"
    env = {**os.environ, "TZ": "UTC"}
    printed = {}
    for fmt in ("table", "csv", "json"):
        result = subprocess.run([sys.executable, "-m", "vnfacts", "query", sql, "--out", str(out), "--format", fmt],
                                capture_output=True, text=True, env=env, check=True)
        printed[fmt] = result.stdout
    rows = {r["source_file"]: r for r in json.loads(printed["json"])}
    for name, article in spec["articles"].items():
        stamp = article.get("published_at")
        if not stamp or "T" not in stamp:
            continue
        expected = pd.Timestamp(stamp)
        assert pd.Timestamp(rows[name]["published_at"]) == expected and rows[name]["published_at"].endswith("+07:00")
        assert rows[name]["h"] == expected.hour
        assert f"{expected:%Y-%m-%d %H:%M:%S}+07:00" in printed["table"]
        assert f"{expected:%Y-%m-%d %H:%M:%S}+07:00" in printed["csv"]


def test_query_limits_what_a_terminal_gets(out):
    tokens = pq.read_metadata(out / "tokens.parquet").num_rows
    shown = CliRunner().invoke(main, ["query", "SELECT * FROM tokens", "--out", str(out)])
    assert shown.exit_code == 0
    assert len(shown.stdout.splitlines()) == 1 + 50
    assert f"{tokens - 50} more rows of {tokens} not shown" in shown.stderr
    three = CliRunner().invoke(main, ["query", "SELECT * FROM tokens", "--out", str(out), "--limit", "3"])
    assert len(three.stdout.splitlines()) == 4
    every = CliRunner().invoke(main, ["query", "SELECT token FROM tokens", "--out", str(out), "--format", "csv"])
    assert len(every.stdout.splitlines()) == 1 + tokens


def test_tables_and_schema_describe_the_output(out):
    listed = CliRunner().invoke(main, ["tables", "--out", str(out)])
    assert listed.exit_code == 0
    counts = {line.split()[0]: int(line.split()[1]) for line in listed.stdout.splitlines()}
    assert counts == {p.stem: pq.read_metadata(p).num_rows for p in out.glob("*.parquet")}
    schema = CliRunner().invoke(main, ["schema", "aid_events"])
    assert schema.exit_code == 0
    assert [line.split()[0] for line in schema.stdout.splitlines()[2:]] == TABLES["aid_events"].column_names


def test_query_errors_are_clear(out, tmp_path):
    bad = CliRunner().invoke(main, ["query", "SELECT nope FROM aid_events", "--out", str(out)])
    assert bad.exit_code == 1 and "query failed" in bad.output
    empty = CliRunner().invoke(main, ["query", "SELECT 1", "--out", str(tmp_path)])
    assert empty.exit_code == 1 and "run `vnfacts run` first" in empty.output
    no_file = CliRunner().invoke(main, ["query", "SELECT 1", "--out", str(out), "--format", "parquet"])
    assert no_file.exit_code == 2


def test_the_data_dictionary_matches_the_schema():
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == render(), \
        "docs/tables.md is out of date: run `make docs`"
    text = DICTIONARY_PATH.read_text(encoding="utf-8")
    for table in TABLES.values():
        assert f"## `{table.name}`" in text
        for column in table.columns:
            example, unit = column_example(table, column)
            assert f"| `{column.name}` |" in text and unit
