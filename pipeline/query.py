"""SQL over the published tables with DuckDB: every table in the output directory is
a view named after its file."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa


READ_ONLY_STATEMENTS = ("SELECT", "EXPLAIN")


class QueryRefused(ValueError):
    """A statement that would write, attach, install or configure: queries only read the tables."""


def connect(out_dir: Path, allow_external: bool = False):
    """An in-memory DuckDB with one view per published table, that can read those files and nothing else:
    no other file, no network, no extension download, and its settings locked (``allow_external`` lifts the
    file and network limits, for a user who wants to join other data; statements still only read)."""
    import duckdb

    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    paths = sorted(p.resolve() for p in Path(out_dir).glob("*.parquet"))
    if not paths:
        raise FileNotFoundError(f"no Parquet tables in {out_dir}: run `vnfacts run` first")
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


def run_query(sql: str, out_dir: Path, allow_external: bool = False) -> pa.Table:
    """The result of ``sql`` as an Arrow table: money stays exact decimal, counts integers."""
    con = connect(out_dir, allow_external)
    try:
        check_read_only(con, sql)
        relation = con.sql(sql)
        if relation is None:  # a statement without a result
            return pa.table({})
        # duckdb 2 names it to_arrow_table; 1.x arrow()
        to_arrow = getattr(relation, "to_arrow_table", None) or relation.arrow
        return to_arrow()
    finally:
        con.close()


def to_frame(table: pa.Table):
    """pandas view that keeps nullable integers as integers."""
    import pandas as pd

    integer = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
               pa.int64(): pd.Int64Dtype()}
    return table.to_pandas(types_mapper=integer.get)
