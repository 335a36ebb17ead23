"""Export: provenance, Arrow types, partitioned dataset, DuckDB, `vnfacts query`, data dictionary."""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vnfacts.cli import main
from vnfacts.datadict import DICTIONARY_PATH, render
from vnfacts.export import PUBLISHED_TABLES, rules_sha256
from vnfacts.schema import TABLES, column_example

from conftest import RAW_DIR

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
    assert manifest["tables"]["aid_events_consolidated"] == 6


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
    flat = pq.read_table(out / "aid_events.parquet").num_rows
    path = out / "dataset" / "aid_events"
    assert (path / "published_year=2021" / "published_month=08").is_dir()
    assert (path / "published_year=unknown" / "published_month=unknown").is_dir()
    assert ds.dataset(path, partitioning="hive").count_rows() == flat
    assert len(pd.read_parquet(path)) == flat
    [(n,)] = duckdb.sql(f"SELECT COUNT(*) FROM read_parquet('{path}/**/*.parquet', hive_partitioning = true)"
                        ).fetchall()
    assert n == flat
    by_year = duckdb.sql(f"SELECT published_year, COUNT(*) FROM read_parquet('{path}/**/*.parquet', "
                         "hive_partitioning = true, hive_types_autocast = false) GROUP BY ALL ORDER BY 1").fetchall()
    assert by_year == [("2021", 6), ("2022", 5), ("unknown", 6)]


def test_the_duckdb_file_has_a_view_per_table(out):
    con = duckdb.connect(str(out / "facts.duckdb"), read_only=True)
    views = {row[0] for row in con.sql("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert {t.name for t in PUBLISHED_TABLES} <= views
    assert con.execute("SELECT COUNT(*) FROM officials_consolidated").fetchall() == [(10,)]


def test_query_prints_a_table(out):
    result = CliRunner().invoke(main, ["query", CASH_BY_PAIR, "--out", str(out)])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[1].split()
    assert first[:4] == ["Hà", "Nội", "8", "tỉnh"] and first[-2:] == ["USD", "160000.000000"]


def test_query_formats_for_scripts(out, tmp_path):
    as_json = CliRunner().invoke(main, ["query", CASH_BY_PAIR, "--out", str(out), "--format", "json"])
    rows = json.loads(as_json.stdout)
    assert rows[0] == {"donor": "Hà Nội", "recipient": "8 tỉnh Bắc Lào", "currency": "USD", "total": "160000.000000"}
    as_csv = CliRunner().invoke(main, ["query", CASH_BY_PAIR, "--out", str(out), "--format", "csv"])
    assert as_csv.stdout.splitlines()[:2] == ["donor,recipient,currency,total", "Hà Nội,8 tỉnh Bắc Lào,USD,160000.000000"]
    target = tmp_path / "cash.parquet"
    as_parquet = CliRunner().invoke(main, ["query", CASH_BY_PAIR, "--out", str(out), "--format", "parquet",
                                           "--output", str(target)])
    assert as_parquet.exit_code == 0
    assert pq.read_table(target).column("total").to_pylist()[0] == Decimal("160000")


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
