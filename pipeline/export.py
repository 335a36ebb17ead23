"""Export: publish the analysts' tables with their provenance, and in the shapes tools want.

Every published Parquet file carries key/value metadata: the package version, the
schema version and a hash of the rule files that produced it. Options write the
tables as a Parquet dataset partitioned by publication year and month (read as one
table by pandas, pyarrow and DuckDB), and a DuckDB database file with one view per
table.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa

import pyarrow.dataset as ds
import pyarrow.parquet as pq

from . import __version__
from .config import RULES_DIR
from .rulefiles import iter_rule_files
from .schema import (AGREEMENTS, AID_EVENTS, AID_EVENTS_CONSOLIDATED, ARTICLES, DATES, MENTIONS, OFFICIALS,
                     OFFICIALS_CONSOLIDATED, REJECTS, SCHEMA_VERSION, Table, read_table, write_json, write_table)

PUBLISHED_TABLES: tuple[Table, ...] = (ARTICLES, AID_EVENTS, OFFICIALS, AGREEMENTS, DATES, MENTIONS,
                                       AID_EVENTS_CONSOLIDATED, OFFICIALS_CONSOLIDATED, REJECTS)
DATASET_DIR = "dataset"
DUCKDB_FILE = "facts.duckdb"
MANIFEST_FILE = "manifest.json"
# Named apart from the `month` column of the dates table. Values are text ("2021", "08")
# with "unknown" for undated articles: a null partition value breaks pandas' reader.
PARTITIONING = pa.schema([("published_year", pa.string()), ("published_month", pa.string())])
UNDATED = "unknown"


def rules_sha256(rules_dir: Path = RULES_DIR) -> str:
    digest = hashlib.sha256()
    for path in iter_rule_files(rules_dir):
        digest.update(path.relative_to(rules_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def provenance(rules_dir: Path = RULES_DIR) -> dict[str, str]:
    return {"vnfacts_version": __version__, "schema_version": SCHEMA_VERSION,
            "rules_sha256": rules_sha256(Path(rules_dir))}


def stamp(arrow: pa.Table, table: Table, meta: dict[str, str]) -> pa.Table:
    metadata = dict(table.arrow_schema.metadata or {})
    metadata.update({k.encode(): v.encode() for k, v in meta.items()})
    return arrow.replace_schema_metadata(metadata)


def publication_month(arrow: pa.Table, table: Table, published_by_article: dict[str, object]) -> pa.Table:
    """Add the partition columns from the article's publication time."""
    if "published_at" in arrow.column_names:
        times = arrow.column("published_at").to_pylist()
    elif "earliest_published_at" in arrow.column_names:
        times = arrow.column("earliest_published_at").to_pylist()
    elif "article_id" in arrow.column_names:
        times = [published_by_article.get(a) for a in arrow.column("article_id").to_pylist()]
    else:
        times = [None] * arrow.num_rows
    years = pa.array([f"{t.year:04d}" if t else UNDATED for t in times], pa.string())
    months = pa.array([f"{t.month:02d}" if t else UNDATED for t in times], pa.string())
    return arrow.append_column("published_year", years).append_column("published_month", months)


def _plain_strings(arrow: pa.Table) -> pa.Table:
    """Dictionary columns as plain strings: readers cannot yet unify dictionaries with
    nulls across the files of a dataset."""
    schema = pa.schema([f.with_type(pa.string()) if pa.types.is_dictionary(f.type) else f for f in arrow.schema],
                       metadata=arrow.schema.metadata)
    return arrow.cast(schema)


def write_partitioned(tables: dict[str, pa.Table], out_dir: Path, published_by_article: dict) -> Path:
    target = Path(out_dir) / DATASET_DIR
    staging = Path(tempfile.mkdtemp(prefix=".dataset.", dir=out_dir))
    try:
        for name, arrow in tables.items():
            table = next(t for t in PUBLISHED_TABLES if t.name == name)
            with_month = publication_month(_plain_strings(arrow), table, published_by_article)
            ds.write_dataset(with_month, staging / name, format="parquet",
                             partitioning=ds.partitioning(PARTITIONING, flavor="hive"),
                             basename_template="part-{i}.parquet", existing_data_behavior="error")
        old = None
        if target.exists():
            old = target.with_name(f".{DATASET_DIR}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def write_duckdb(out_dir: Path, table_names: list[str]) -> Path:
    import duckdb

    out_dir = Path(out_dir).resolve()
    fd, tmp = tempfile.mkstemp(prefix=".facts.", suffix=".duckdb", dir=out_dir)
    os.close(fd)
    os.unlink(tmp)  # duckdb creates the file itself
    try:
        con = duckdb.connect(tmp)
        for name in table_names:
            path = (out_dir / f"{name}.parquet").as_posix().replace("'", "''")
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet(\'{path}\')')
        con.close()
        os.replace(tmp, out_dir / DUCKDB_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out_dir / DUCKDB_FILE


def run_export(out_dir: Path, rules_dir: Path = RULES_DIR, partitioned: bool = False,
               duckdb_file: bool = False) -> dict:
    meta = provenance(rules_dir)
    tables = {}
    for table in PUBLISHED_TABLES:
        current = pq.read_schema(Path(out_dir) / table.filename).metadata or {}
        if all(current.get(k.encode()) == v.encode() for k, v in meta.items()) and not partitioned:
            tables[table.name] = None  # already stamped by this rules state (vnfacts run writes it so)
            continue
        arrow = stamp(read_table(table, out_dir), table, meta)
        write_table(table, arrow, out_dir)
        tables[table.name] = arrow
    summary = {"tables": {t.name: pq.read_metadata(Path(out_dir) / t.filename).num_rows for t in PUBLISHED_TABLES},
               **meta}
    if partitioned:
        articles = tables[ARTICLES.name]
        published = dict(zip(articles.column("article_id").to_pylist(),
                             articles.column("published_at").to_pylist()))
        summary["dataset"] = str(write_partitioned(tables, out_dir, published))
    if duckdb_file:
        summary["duckdb"] = str(write_duckdb(out_dir, list(tables)))
    write_json(summary, Path(out_dir) / MANIFEST_FILE)
    return summary



