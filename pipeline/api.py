"""The Python API: extract facts from text in a notebook, read a run's tables as typed DataFrames, run a folder.

    import vnfacts
    tables = vnfacts.extract("Hà Nội trao tặng Thủ đô Viêng Chăn 40.000 USD.", published_at="2021-08-26")
    tables["aid_events"][["donor", "recipient", "amount", "currency", "evidence"]]

    aid = vnfacts.read_tables("data/processed")["aid_events"]
    aid["amount"] * 1.5                   # Float64, computes; aid["amount_exact"] keeps the exact Decimal

Every frame has the columns of its table in docs/tables.md, typed for pandas (see ``typed_frame``).
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .config import DEFAULT_OUT_DIR, NEWS_TIME_ZONE, RULES_DIR
from .schema import EXTRACT_TABLES, TABLES, SchemaError, Table, fits_arrow, to_arrow

# What extract() returns: the article, its lines and tokens, the published facts and what was rejected.
EXTRACT_RESULT_TABLES = ("articles", "lines", "tokens", "aid_events", "officials", "agreements", "dates",
                         "mentions", "rejects")
ISO_START = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2}))(?:-(\d{2}))?)?")


def iso_start(value: str | None) -> pd.Timestamp | None:
    """First day of an ISO value of any grain: 2022-04 -> 2022-04-01, 2021-Q3 -> 2021-07-01, 2022/2025 ->
    2022-01-01; None for None or a value without a year."""
    match = ISO_START.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    year, quarter, month, day = match.groups()
    month = int(month) if month else (3 * int(quarter) - 2 if quarter else 1)
    return pd.Timestamp(int(year), month, int(day) if day else 1)


def _integer_dtype(arrow_type: pa.DataType):
    return {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
            pa.int64(): pd.Int64Dtype()}.get(arrow_type)


def typed_frame(table: Table, arrow: pa.Table) -> pd.DataFrame:
    """A table as a DataFrame analysts can compute with:

    - exact decimals (``amount``, ``quantity``, ``amount_per_recipient``) become ``Float64`` numbers, and the
      exact ``Decimal`` stays beside them as ``<column>_exact``;
    - integers are nullable integers (``Int32``), booleans ``boolean``;
    - times are in the news's zone (Asia/Ho_Chi_Minh, UTC+07:00);
    - ISO dates of any grain stay text and gain ``<column>_start``, the first day of the period (datetime64);
    - list columns hold tuples, so rows hash (``drop_duplicates``) and compare; the ``roles`` of a fact are
      named tuples (``role``, ``text``, ``char_start``, ``char_end``), an article's ``body_raw_runs`` too
      (``body_start``, ``raw_start``, ``raw_end``: ``vnfacts.raw_span`` reads them);
    - vocabulary columns are plain strings.
    """
    frame = arrow.to_pandas(types_mapper=_integer_dtype)
    out = {}
    for column in table.columns:
        if column.name not in frame:
            continue
        values = frame[column.name]
        kind = arrow.schema.field(column.name).type
        if pa.types.is_decimal(kind):
            out[column.name] = pd.array([None if v is None else float(v) for v in values], dtype="Float64")
            out[f"{column.name}_exact"] = values.astype(object)
        elif pa.types.is_boolean(kind):
            out[column.name] = values.astype("boolean")
        elif pa.types.is_timestamp(kind):
            stamps = pd.to_datetime(values, utc=True)
            out[column.name] = stamps.dt.tz_convert(NEWS_TIME_ZONE)
        elif pa.types.is_list(kind) and pa.types.is_struct(kind.value_type):
            record = _record_type(kind.value_type, column.name.rsplit("_", 1)[-1].removesuffix("s").title())
            out[column.name] = pd.Series([None if v is None else tuple(record(**x) for x in v) for v in values],
                                         dtype=object)
        elif pa.types.is_list(kind):
            out[column.name] = pd.Series([None if v is None else tuple(v) for v in values], dtype=object)
        elif pa.types.is_dictionary(kind):
            out[column.name] = values.astype("str")
        else:
            out[column.name] = values
        if column.iso_date:
            out[f"{column.name}_start"] = pd.to_datetime(pd.Series([iso_start(v) for v in values], dtype=object))
    return pd.DataFrame({k: pd.Series(v).reset_index(drop=True) for k, v in out.items()})


@lru_cache(maxsize=None)
def _record_type(struct: pa.StructType, name: str):
    """A named tuple of a struct's fields, named for its column: ``Role(role, text, char_start, …)`` of
    ``roles``, ``Run(body_start, raw_start, raw_end)`` of ``body_raw_runs``."""
    return namedtuple(name, [f.name for f in struct])


def read_table(name: str, out_dir: Path | str = DEFAULT_OUT_DIR) -> pd.DataFrame:
    """One published table of a run, typed (see ``typed_frame``)."""
    from .atomic import complete_tables

    complete_tables(Path(out_dir))  # one run's tables, never a publish half done
    table = TABLES[name]
    path = Path(out_dir) / table.filename
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run `vnfacts run --out {out_dir}` first")
    return typed_frame(table, pq.read_table(path))


def read_tables(out_dir: Path | str = DEFAULT_OUT_DIR, tables: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """The published tables of a run as typed DataFrames, by name (every table found in ``out_dir``, or the
    ones named)."""
    names = list(tables) if tables is not None else [n for n in TABLES if (Path(out_dir) / f"{n}.parquet").exists()]
    if not names:
        raise FileNotFoundError(f"no published tables in {out_dir}: run `vnfacts run --out {out_dir}` first")
    return {name: read_table(name, out_dir) for name in names}


def _as_text(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _per_text(value, n: int, name: str) -> list:
    """A keyword argument given once for all texts, or once per text."""
    if isinstance(value, (str, bytes, datetime, date)) or value is None or not isinstance(value, Iterable):
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise ValueError(f"{name}: {len(values)} values for {n} texts")
    return values


def texts_and_names(text, source) -> tuple[list[str], list[str]]:
    """The texts ``extract`` was given and the name of each: one str (named ``source``, default ``text``), a list
    or tuple of str (named by position, or by ``source``), a pandas Series of str (named by its index, or by
    ``source``). Anything else is a TypeError: a dict's keys, the ints of bytes, None are not articles."""
    if isinstance(text, str):
        return [text], [str(source or "text")]
    if isinstance(text, pd.Series):
        texts, names = list(text), [str(i) for i in text.index]
    elif isinstance(text, Sequence) and not isinstance(text, (bytes, bytearray)):
        texts, names = list(text), [str(i) for i in range(len(text))]
    else:
        raise TypeError(f"extract() takes text: a str, a list or tuple of str, or a pandas Series of str; not "
                        f"{type(text).__name__}{_hint(text)}")
    for name, value in zip(names, texts):
        if not isinstance(value, str):
            raise TypeError(f"extract(): text {name!r} is {type(value).__name__}, not str{_hint(value)}")
    if source is not None:
        names = [str(n) for n in _per_text(source, len(texts), "source")]
    return texts, names


def _hint(value) -> str:
    if isinstance(value, dict):
        return " (pd.Series(a_dict) names each text by its key)"
    if isinstance(value, (bytes, bytearray)):
        return " (decode the bytes first, or run `vnfacts run` on the files)"
    return ""


def extract(text: str | Sequence[str] | pd.Series, *, published_at=None, title=None, source=None, url=None,
            outlet=None, page: bool = False, rules_dir: Path | str = RULES_DIR) -> dict[str, pd.DataFrame]:
    """Facts of one article's text, or of many (a list or a pandas Series), as typed DataFrames by table name.

    ``published_at`` (a date, a datetime or ISO text) resolves dates that lack a year; ``title``, ``url``,
    ``outlet`` are recorded on the article; ``source`` names it (default: ``text``, or the Series' index). Any
    keyword may be one value or one per text. The text is the article's: every line is body, a single
    paragraph included; ``page=True`` reads it as a page dump instead (menus, teasers and credits zoned away).
    Rows are validated as in a run, the table schemas included: what fails is in ``rejects``, not in the fact
    tables. Only text is taken (see ``texts_and_names``); anything else is a TypeError.
    """
    from .page import process_raw
    from .validate import table_schemas

    texts, names = texts_and_names(text, source)
    n = len(texts)
    fields = {"published_at": _per_text(published_at, n, "published_at"), "title": _per_text(title, n, "title"),
              "url": _per_text(url, n, "url"), "outlet": _per_text(outlet, n, "outlet")}
    rows: dict[str, list[dict]] = {name: [] for name in EXTRACT_RESULT_TABLES}
    for i, body in enumerate(texts):
        sidecar = {k: v for k, values in fields.items() if (v := _as_text(values[i])) is not None}
        result = process_raw(body.encode("utf-8"), names[i], str(rules_dir), None, sidecar, as_text=not page)
        for name in EXTRACT_RESULT_TABLES:
            rows[name].extend(result.get(name, []))
    schemas = table_schemas(Path(rules_dir))
    source_of = {a["article_id"]: a["source_file"] for a in rows["articles"]}
    for table in EXTRACT_TABLES:
        rows[table.name], rejects = schema_checked(table, rows[table.name], schemas[table.name], source_of)
        rows["rejects"].extend(rejects)
    return {name: typed_frame(TABLES[name], to_arrow(TABLES[name], rows[name])) for name in EXTRACT_RESULT_TABLES}


def schema_checked(table: Table, rows: list[dict], schema, source_of: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """The checks ``vnfacts run`` applies to each batch of published rows: (the rows that pass, reject rows for the
    others). A row fails on a value outside its table's vocabulary or range (pandera, ``schema.<column>``) or one
    the table's Arrow types cannot hold (``schema_type``)."""
    from .validate import schema_failures, schema_reject

    failures = schema_failures(table.name, rows, schema)
    kept = [i for i in range(len(rows)) if i not in failures]
    failures.update({i: "schema_type" for i in unwritable(table, [rows[i] for i in kept], kept)})
    rejects = [schema_reject(table.name, rows[i], check, source_of.get(rows[i]["article_id"]))
               for i, check in sorted(failures.items())]
    return [row for i, row in enumerate(rows) if i not in failures], rejects


def unwritable(table: Table, rows: list[dict], positions: list[int]) -> list[int]:
    """The positions of the rows the table's Arrow types cannot hold (looked for row by row only when the whole
    batch cannot be written, as a run's writer does)."""
    try:
        to_arrow(table, rows)
        return []
    except SchemaError:
        return [at for at, row in zip(positions, rows) if not fits_arrow(table, row)]


def run(raw_dir: Path | str, out_dir: Path | str = DEFAULT_OUT_DIR, *, rules_dir: Path | str = RULES_DIR,
        jobs: int | None = None, use_cache: bool = True) -> dict:
    """``vnfacts run`` from a script: every stage on the pages in ``raw_dir``, the tables written to ``out_dir``
    (then ``read_tables(out_dir)``). Returns the run's summary."""
    from .engine import run_and_export
    from .ingest import overlap_of_inputs_and_outputs

    problem = overlap_of_inputs_and_outputs(Path(raw_dir), Path(out_dir))
    if problem:
        raise ValueError(problem)
    return run_and_export(Path(raw_dir), Path(out_dir), Path(rules_dir), jobs=jobs, use_cache=use_cache)


def raw_span(article, start: int, end: int) -> tuple[int, int]:
    """The bytes of the raw file that body characters ``[start, end)`` of an article come from, as
    ``(first, one past the last)``: ``raw_bytes[first:last]`` is what the page held there. ``article`` is a row of
    ``read_table("articles")`` (or of the Parquet table read any way)."""
    from .offset_runs import article_raw_span

    return article_raw_span(article, start, end)
