"""SQL over the published tables with DuckDB: every table in the output directory is
a view named after its file."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa


def connect(out_dir: Path):
    import duckdb

    con = duckdb.connect()
    paths = sorted(Path(out_dir).glob("*.parquet"))
    if not paths:
        raise FileNotFoundError(f"no Parquet tables in {out_dir}: run `vnfacts run` first")
    for path in paths:
        literal = path.resolve().as_posix().replace("'", "''")
        con.execute(f'CREATE VIEW "{path.stem}" AS SELECT * FROM read_parquet(\'{literal}\')')
    return con


def run_query(sql: str, out_dir: Path) -> pa.Table:
    """The result of ``sql`` as an Arrow table: money stays exact decimal, counts integers."""
    con = connect(out_dir)
    try:
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
