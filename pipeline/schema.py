"""The schema of every table the pipeline reads or writes, declared once.

Stages never build a pyarrow table or call ``pq.write_table`` themselves: they hand
rows to :func:`write_table` and read with :func:`read_table`, which check the
columns against the declarations below, so column drift fails loudly.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = "1"

TIMESTAMP_TZ = pa.timestamp("ms", tz="+07:00")  # Parquet has no second unit


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    nullable: bool = False

    def field(self) -> pa.Field:
        return pa.field(self.name, self.type, nullable=self.nullable,
                        metadata={"description": self.description})


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.parquet"

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([c.field() for c in self.columns],
                         metadata={"table": self.name, "schema_version": SCHEMA_VERSION,
                                   "description": self.description})

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name, type_, description, nullable=False) -> Column:
    return Column(name, type_, description, nullable)


ARTICLES = Table(
    "articles",
    "One row per ingested page: its metadata and canonical body. Every offset in every "
    "other table indexes into `body`.",
    (
        _c("article_id", pa.string(), "Stable id: first 16 hex digits of the SHA-256 of the raw file bytes."),
        _c("source_file", pa.string(), "Path of the raw file, relative to the raw directory."),
        _c("title", pa.string(), "Headline of the article (canonical text)."),
        _c("published_at", TIMESTAMP_TZ, "Publication time printed on the page (GMT+7); null when the page has none.", True),
        _c("section", pa.string(), "Site section from the breadcrumb, levels joined with ' > '.", True),
        _c("author", pa.string(), "Byline printed after the last paragraph.", True),
        _c("source_credit", pa.string(), "Credit line such as 'Theo VOV'.", True),
        _c("body", pa.string(), "Canonical article text: lead, paragraphs and photo captions, one line each, "
                                "joined by a blank line."),
        _c("body_raw_start", pa.list_(pa.int32()), "For each body character, the first byte of the raw file it comes "
                                                   "from (a line separator points at the raw line break)."),
        _c("body_raw_end", pa.list_(pa.int32()), "For each body character, one past the last raw byte it comes from."),
        _c("encoding", pa.string(), "How the raw bytes were decoded (e.g. 'utf-8', 'utf-8-sig')."),
        _c("raw_sha256", pa.string(), "SHA-256 of the raw file bytes."),
        _c("n_lines", pa.int32(), "Number of lines in the page dump."),
    ),
)

LINES = Table(
    "lines",
    "Every line of every ingested page with the zone it was assigned, so nothing is dropped silently.",
    (
        _c("article_id", pa.string(), "Article the line belongs to."),
        _c("line_no", pa.int32(), "1-based line number in the raw file."),
        _c("zone", pa.dictionary(pa.int8(), pa.string()), "breadcrumb, timestamp, title, lead, body, caption, "
                                                           "image_alt, related_link, author, source_credit, "
                                                           "furniture or blank."),
        _c("text", pa.string(), "Canonical text of the line."),
        _c("raw_start", pa.int32(), "First byte of the line in the raw file."),
        _c("raw_end", pa.int32(), "One past the last byte of the line (line break excluded)."),
        _c("body_start", pa.int32(), "Where the line starts in the article body; null when not part of the body.", True),
        _c("body_end", pa.int32(), "Where the line ends in the article body; null when not part of the body.", True),
    ),
)

TOKENS = Table(
    "tokens",
    "underthesea words of every article body with exact character offsets and POS tags.",
    (
        _c("article_id", pa.string(), "Article the token belongs to."),
        _c("sentence", pa.int32(), "0-based sentence index within the article."),
        _c("token", pa.int32(), "0-based word index within the article (whitespace excluded)."),
        _c("text", pa.string(), "The word; multi-syllable words keep their spaces. Equals body[char_start:char_end]."),
        _c("char_start", pa.int32(), "Start offset in the article body."),
        _c("char_end", pa.int32(), "End offset (exclusive) in the article body."),
        _c("pos", pa.string(), "underthesea POS tag (VLSP tag set: N, Np, V, A, M, Nu, CH, E, …)."),
    ),
)

REJECTS = Table(
    "rejects",
    "Every input file or row that a stage refused, with a stable reason code.",
    (
        _c("source_file", pa.string(), "Raw file concerned, relative to the raw directory.", True),
        _c("article_id", pa.string(), "Article concerned, when one was assigned.", True),
        _c("stage", pa.string(), "Stage that refused it: ingest, tokenize, extract, validate."),
        _c("reason", pa.string(), "Stable reason code (see pipeline/errors.py)."),
        _c("detail", pa.string(), "Human-readable message naming the file and what was wrong."),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (ARTICLES, LINES, TOKENS, REJECTS)}


class SchemaError(ValueError):
    """A table on disk or in memory does not match its declaration."""


def to_arrow(table: Table, rows: Iterable[Mapping]) -> pa.Table:
    rows = list(rows)
    unknown = {k for r in rows for k in r} - set(table.column_names)
    if unknown:
        raise SchemaError(f"[S001] {table.name}: unknown columns {sorted(unknown)}")
    columns = {c.name: [r.get(c.name) for r in rows] for c in table.columns}
    try:
        return pa.Table.from_pydict(columns, schema=table.arrow_schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise SchemaError(f"[S002] {table.name}: {exc}") from exc


def write_table(table: Table, rows: Iterable[Mapping] | pa.Table, out_dir: Path) -> Path:
    """Write rows as ``out_dir/<table>.parquet`` atomically (temp file + rename)."""
    arrow = rows if isinstance(rows, pa.Table) else to_arrow(table, rows)
    check_schema(table, arrow.schema)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / table.filename
    fd, tmp = tempfile.mkstemp(prefix=f".{table.name}.", suffix=".tmp", dir=out_dir)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        pq.write_table(arrow, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_table(table: Table, out_dir: Path) -> pa.Table:
    path = Path(out_dir) / table.filename
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run the stage that writes '{table.name}' first")
    arrow = pq.read_table(path)
    check_schema(table, arrow.schema)
    return arrow


def read_rows(table: Table, out_dir: Path) -> list[dict]:
    return read_table(table, out_dir).to_pylist()


def check_schema(table: Table, schema: pa.Schema) -> None:
    expected = table.arrow_schema
    got = [(f.name, f.type) for f in schema]
    want = [(f.name, f.type) for f in expected]
    if got != want:
        raise SchemaError(f"[S003] {table.name}: columns {got} do not match the declared {want}")
