"""Export: publish the analysts' tables with their provenance, and in the shapes tools want.

Every published Parquet file carries key/value metadata: the package version, the
schema version and a hash of the rule files that produced it. Options write the
tables as a Parquet dataset partitioned by publication year and month (read as one
table by pandas, pyarrow and DuckDB), and a DuckDB database file holding a copy of
every table.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import __version__
from .config import MANIFEST_FILE, NEWS_TIME_ZONE, RULES_DIR
from .rulefiles import rules_source
from .schema import (AGREEMENTS, AID_EVENTS, AID_EVENTS_CONSOLIDATED, ARTICLES, DATES, MENTIONS, OFFICIALS,
                     OFFICIALS_CONSOLIDATED, REJECTS, SCHEMA_VERSION, TABLES, TOKENS, Table, read_table,
                     parquet_options, write_json, write_table)

PUBLISHED_TABLES: tuple[Table, ...] = (ARTICLES, AID_EVENTS, OFFICIALS, AGREEMENTS, DATES, MENTIONS,
                                       AID_EVENTS_CONSOLIDATED, OFFICIALS_CONSOLIDATED, REJECTS)
PROVENANCE_KEYS = ("vnfacts_version", "schema_version", "rules_sha256")
DATASET_DIR = "dataset"
DUCKDB_FILE = "facts.duckdb"
# Folder of the rows of undated articles in the partitioned dataset.
UNDATED = "undated"
NEWS_ZONE = ZoneInfo(NEWS_TIME_ZONE)


def rules_sha256(rules_dir: Path = RULES_DIR) -> str:
    """The digest of the rule files: of a directory as it is now, or of the rules a run read (a RulesSource)."""
    return rules_source(rules_dir).digest


def provenance(rules_dir: Path = RULES_DIR) -> dict[str, str]:
    return {"vnfacts_version": __version__, "schema_version": SCHEMA_VERSION,
            "rules_sha256": rules_sha256(rules_dir)}


def tokens_provenance(out_dir: Path) -> dict[str, str]:
    """Tokens depend on no rule file: they carry the provenance of the articles they were read from."""
    return provenance_of(Path(out_dir) / ARTICLES.filename)


def provenance_of(path: Path) -> dict[str, str]:
    """The provenance keys a table file carries (empty when it carries none)."""
    metadata = pq.read_schema(path).metadata or {}
    return {k: metadata[k.encode()].decode() for k in PROVENANCE_KEYS if k.encode() in metadata}


def publication_month(arrow: pa.Table, table: Table, published_by_article: dict[str, object]) -> pa.Table:
    """Add ``published_year`` and ``published_month`` (integers, null when undated) from the article's
    publication time (in the news's zone)."""
    if "published_at" in arrow.column_names:
        times = arrow.column("published_at").to_pylist()
    elif "earliest_published_at" in arrow.column_names:
        times = arrow.column("earliest_published_at").to_pylist()
    elif "article_id" in arrow.column_names:
        times = [published_by_article.get(a) for a in arrow.column("article_id").to_pylist()]
    else:
        times = [None] * arrow.num_rows
    local = [t.astimezone(NEWS_ZONE) if t else None for t in times]
    years = pa.array([t.year if t else None for t in local], pa.int16())
    months = pa.array([t.month if t else None for t in local], pa.int8())
    return arrow.append_column("published_year", years).append_column("published_month", months)


def _plain_strings(arrow: pa.Table) -> pa.Table:
    """Dictionary columns as plain strings: readers cannot yet unify dictionaries with
    nulls across the files of a dataset."""
    schema = pa.schema([f.with_type(pa.string()) if pa.types.is_dictionary(f.type) else f for f in arrow.schema],
                       metadata=arrow.schema.metadata)
    return arrow.cast(schema)


def partition_folder(year: int | None, month: int | None) -> str:
    """``2021/08``, or ``undated``. The folders are plain names, not ``key=value``: the typed columns inside the
    files are what readers see, so no reader turns an undated partition into a null dictionary value."""
    return f"{year:04d}/{month:02d}" if year is not None else UNDATED


def write_partitioned(tables: dict[str, pa.Table], out_dir: Path, published_by_article: dict) -> Path:
    target = Path(out_dir) / DATASET_DIR
    staging = Path(tempfile.mkdtemp(prefix=".dataset.", dir=out_dir))
    try:
        for name, arrow in tables.items():
            with_month = publication_month(_plain_strings(arrow), TABLES[name], published_by_article)
            keys = sorted(set(zip(with_month.column("published_year").to_pylist(),
                                  with_month.column("published_month").to_pylist())),
                          key=lambda k: (k[0] is None, k))
            for year, month in keys:
                mask = pc.and_kleene(_equal_or_null(with_month.column("published_year"), year),
                                     _equal_or_null(with_month.column("published_month"), month))
                folder = staging / name / partition_folder(year, month)
                folder.mkdir(parents=True)
                pq.write_table(with_month.filter(mask), folder / "part-0.parquet", **parquet_options(TABLES[name]))
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


def _equal_or_null(column: pa.ChunkedArray, value) -> pa.ChunkedArray:
    return pc.is_null(column) if value is None else pc.fill_null(pc.equal(column, value), False)


def write_duckdb(out_dir: Path, table_names: list[str]) -> Path:
    """facts.duckdb with a copy of every table: it opens anywhere (moved, shared, sent) without the Parquet
    files beside it, and its times are shown in the news's zone when the reader sets it."""
    import duckdb

    out_dir = Path(out_dir).resolve()
    fd, tmp = tempfile.mkstemp(prefix=".facts.", suffix=".duckdb", dir=out_dir)
    os.close(fd)
    os.unlink(tmp)  # duckdb creates the file itself
    try:
        con = duckdb.connect(tmp)
        for name in table_names:
            path = (out_dir / f"{name}.parquet").as_posix().replace("'", "''")
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(\'{path}\')')
        con.close()
        os.replace(tmp, out_dir / DUCKDB_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out_dir / DUCKDB_FILE


def run_export(out_dir: Path, rules_dir: Path = RULES_DIR, partitioned: bool = False,
               duckdb_file: bool = False) -> dict:
    """Check that every table carries the provenance of these rules (the stages stamp what they write, so
    normally nothing is rewritten and no make target goes stale), write manifest.json, and the extra shapes."""
    meta = provenance(rules_dir)
    present = [t for t in TABLES.values() if (Path(out_dir) / t.filename).exists()]
    missing = [t.name for t in PUBLISHED_TABLES if t not in present]
    if missing:
        raise FileNotFoundError(f"{Path(out_dir) / (missing[0] + '.parquet')} does not exist: run `vnfacts run` "
                                "(or the stages before export) first")
    for table in present:
        expected = tokens_provenance(out_dir) if table is TOKENS else meta
        if provenance_of(Path(out_dir) / table.filename) != expected:
            write_table(table, read_table(table, out_dir), out_dir, expected)
    summary = {"tables": {t.name: pq.read_metadata(Path(out_dir) / t.filename).num_rows for t in PUBLISHED_TABLES},
               **meta}
    if partitioned:
        tables = {t.name: read_table(t, out_dir) for t in PUBLISHED_TABLES}
        articles = tables[ARTICLES.name]
        published = dict(zip(articles.column("article_id").to_pylist(),
                             articles.column("published_at").to_pylist()))
        summary["dataset"] = str(write_partitioned(tables, out_dir, published))
    if duckdb_file:
        summary["duckdb"] = str(write_duckdb(out_dir, [t.name for t in present]))
    write_json(summary, Path(out_dir) / MANIFEST_FILE)
    return summary
