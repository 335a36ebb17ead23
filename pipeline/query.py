"""SQL over the published tables with DuckDB: every table in the output directory is
a view named after its file. Times are read and shown in the news's zone (UTC+07:00)."""

from __future__ import annotations

import csv
import io
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from .config import NEWS_TIME_ZONE

READ_ONLY_STATEMENTS = ("SELECT", "EXPLAIN")


class QueryRefused(ValueError):
    """A statement that would write, attach, install or configure: queries only read the tables."""


def connect(out_dir: Path, allow_external: bool = False):
    """An in-memory DuckDB with one view per published table, that can read those files and nothing else:
    no other file, no network, no extension download, and its settings locked (``allow_external`` lifts the
    file and network limits, for a user who wants to join other data; statements still only read).
    Its time zone is the news's, so ``hour(published_at)`` is the hour printed on the page."""
    import duckdb

    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    paths = sorted(p.resolve() for p in Path(out_dir).glob("*.parquet"))
    if not paths:
        raise FileNotFoundError(f"no Parquet tables in {out_dir}: run `vnfacts run` first")
    con.execute(f"SET TimeZone = '{NEWS_TIME_ZONE}'")
    for path in paths:
        literal = path.as_posix().replace("'", "''")
        con.execute(f'CREATE VIEW "{path.stem}" AS SELECT * FROM read_parquet(\'{literal}\')')
    if not allow_external:
        allowed = ", ".join("'" + p.as_posix().replace("'", "''") + "'" for p in paths)
        con.execute(f"SET allowed_paths = [{allowed}]")
        con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def check_read_only(con, sql: str) -> None:
    for statement in con.extract_statements(sql):
        kind = str(statement.type).rsplit(".", 1)[-1]
        if kind not in READ_ONLY_STATEMENTS:
            raise QueryRefused(f"[Q001] only SELECT queries run here (this one is {kind}): "
                               "the published tables are read, never changed")


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple]  # Python values: Decimal for money, datetime in UTC+07:00, lists
    total_rows: int  # rows of the whole result; more than len(rows) when a limit cut it

    @property
    def rows_left_out(self) -> int:
        return self.total_rows - len(self.rows)


@contextmanager
def read_only_relation(sql: str, out_dir: Path, allow_external: bool = False):
    """The relation of a statement checked to only read the published tables (None for a statement without a
    result); the connection closes after it."""
    con = connect(out_dir, allow_external)
    try:
        check_read_only(con, sql)
        yield con.sql(sql)
    finally:
        con.close()


def run_query(sql: str, out_dir: Path, allow_external: bool = False, limit: int | None = None) -> QueryResult:
    """The result of ``sql`` (money exact decimal, counts integers, times in UTC+07:00), at most ``limit`` rows
    of it. Rows come back as Python values, so printing needs neither pyarrow nor pandas."""
    with read_only_relation(sql, out_dir, allow_external) as relation:
        if relation is None:
            return QueryResult([], [], 0)
        if limit is None:
            rows = relation.fetchall()
            return QueryResult(list(relation.columns), rows, len(rows))
        [(total,)] = relation.aggregate("count(*)").fetchall()
        return QueryResult(list(relation.columns), relation.limit(limit).fetchall(), total)


def query_to_parquet(sql: str, out_dir: Path, target: Path, allow_external: bool = False) -> int:
    """Write the whole result of ``sql`` to a Parquet file (through Arrow: exact decimals, zoned times)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with read_only_relation(sql, out_dir, allow_external) as relation:
        # duckdb 2 names it to_arrow_table; 1.x arrow()
        table = pa.table({}) if relation is None else (getattr(relation, "to_arrow_table", None) or relation.arrow)()
    pq.write_table(table, target)
    return table.num_rows


# ---------------------------------------------------------------- printing

def plain_decimal(value: Decimal) -> str:
    """40000.000000 -> "40000", 7.390000 -> "7.39": the exact value, without the column's padding."""
    return f"{value.normalize():f}"


def json_value(value):
    """A cell as JSON: exact integers for whole amounts, numbers for the others, ISO times with their zone,
    lists as arrays."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    return value


def text_value(value, null: str = "") -> str:
    """A cell as text for CSV, TSV and the table format: lists as JSON arrays, so they read back."""
    if value is None:
        return null
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(json_value(value), ensure_ascii=False)
    return str(value)


def format_result(columns: list[str], rows: list[tuple], fmt: str) -> str:
    records = [dict(zip(columns, row)) for row in rows]
    if fmt == "json":
        return json.dumps([{k: json_value(v) for k, v in r.items()} for r in records], ensure_ascii=False) + "\n"
    if fmt == "ndjson":
        return "".join(json.dumps({k: json_value(v) for k, v in r.items()}, ensure_ascii=False) + "\n"
                       for r in records)
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([text_value(v) for v in row] for row in rows)
        return buffer.getvalue()
    if not rows:
        return "(no rows) " + ", ".join(columns) + "\n"
    cells = [[text_value(v, "null") for v in row] for row in rows]
    widths = [max(len(name), *(len(row[i]) for row in cells)) for i, name in enumerate(columns)]
    lines = [" ".join(name.rjust(w) for name, w in zip(columns, widths))]
    lines += [" ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in cells]
    return "\n".join(lines) + "\n"
