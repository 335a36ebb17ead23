"""SQL over the published tables with DuckDB: every table in the output directory is
a view named after its file. Times are read and shown in the news's zone (UTC+07:00).

A query only reads. It must be exactly one SELECT (or a plain EXPLAIN of one), it runs on a connection that can
read the published files and nothing else (unless ``allow_external``, which lets it read, never write, others),
Ctrl-C or a timeout stop it, and a text result streams out in flat memory."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import select
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO, TypeVar

from .config import NEWS_TIME_ZONE

log = logging.getLogger("vnfacts")
T = TypeVar("T")

TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Query nodes of a statement that only reads; DuckDB also parses COPY, INSERT, UPDATE and DELETE inside a
# SELECT's WITH (`WITH x AS (COPY … TO 'f') SELECT 1` writes f), and any node not named here is refused.
READING_QUERY_NODES = frozenset({"SELECT_NODE", "SET_OPERATION_NODE", "CTE_NODE", "RECURSIVE_CTE_NODE"})
ANALYZE_WORDS = frozenset({"ANALYZE", "ANALYSE"})
TEXT_FORMATS = ("csv", "tsv", "json", "ndjson")
FETCH_ROWS = 10_000  # rows turned into Python values at a time: memory stays flat whatever the result's size
ARROW_BATCH_ROWS = 100_000
QUERY_DONE = b"\0"  # tells the watchdog the query ended (Ctrl-C sends SIGINT's number)


class QueryRefused(ValueError):
    """A statement that would write, attach, install or configure: queries only read the tables."""


class QueryInterrupted(RuntimeError):
    """Ctrl-C or the time limit stopped the query."""


# ---------------------------------------------------------------- the connection

def published_tables(out_dir: Path, warn: Callable[[str], None] = log.warning) -> dict[str, Path]:
    """The Parquet tables of ``out_dir`` by view name. A file whose name is not a plain SQL identifier, or differs
    from another's only in case (SQL names are not case-sensitive), is left out with a warning."""
    paths = sorted(Path(out_dir).glob("*.parquet"))
    if not paths:
        raise FileNotFoundError(f"no Parquet tables in {out_dir}: run `vnfacts run` first")
    tables: dict[str, Path] = {}
    for path in paths:
        name = path.name.removesuffix(".parquet")
        same = next((taken for taken in tables if taken.lower() == name.lower()), None)
        if not TABLE_NAME.fullmatch(name):
            warn(f"[Q002] {path.name!r} left out: a table's file is named NAME.parquet, NAME made of letters, "
                 "digits and _ (not starting with a digit)")
        elif same is not None:
            warn(f"[Q002] {path.name!r} left out: SQL names ignore case, and {same}.parquet already has this one")
        else:
            tables[name] = path
    return tables


def unreadable_table(path: Path, exc: Exception) -> str:
    """The warning for a table file that cannot be read (truncated, corrupt, not Parquet)."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"[Q003] {path.name!r} left out: not a readable Parquet table ({reason})"


def quoted_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quoted_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect(out_dir: Path, allow_external: bool = False, warn: Callable[[str], None] = log.warning):
    """An in-memory DuckDB with one view per readable published table, that can read those files and nothing else:
    no other file, no network, no extension download, and its settings locked (``allow_external`` lifts the
    file and network limits, for a user who wants to join other data; statements still only read).
    Its time zone is the news's, so ``hour(published_at)`` is the hour printed on the page."""
    import duckdb

    from .atomic import complete_tables

    complete_tables(Path(out_dir))  # one run's tables, never a publish half done
    tables = {name: path.resolve() for name, path in published_tables(out_dir, warn).items()}
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        con.execute("SET enable_progress_bar = false")  # DuckDB draws it on stdout, into the data of a long query
        con.execute(f"SET TimeZone = '{NEWS_TIME_ZONE}'")
        if not allow_external:
            # Before any view: from here on, whatever a file's name holds, only the tables can be read.
            con.execute("SET allowed_paths = ?", [[path.as_posix() for path in tables.values()]])
            con.execute("SET enable_external_access = false")
        for name, path in tables.items():
            try:
                con.execute(f"CREATE VIEW {quoted_identifier(name)} AS "
                            f"SELECT * FROM read_parquet({quoted_literal(path.as_posix())})")
            except duckdb.Error as exc:
                warn(unreadable_table(path, exc))
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


# ---------------------------------------------------------------- what a statement does

def _words(sql: str) -> list[tuple[int, str]]:
    """The tokens of ``sql`` other than comments, as (offset, upper-cased text); a string keeps its quotes."""
    import duckdb

    tokens = duckdb.tokenize(sql)
    ends = [offset for offset, _ in tokens[1:]] + [len(sql)]
    return [(offset, sql[offset:end].strip().upper())
            for (offset, kind), end in zip(tokens, ends) if kind != duckdb.token_type.comment]


def _query_nodes(tree) -> Iterator[str]:
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == "type" and isinstance(value, str) and value.endswith("_NODE"):
                yield value
            yield from _query_nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _query_nodes(value)


def _select_kind(con, sql: str) -> str:
    """SELECT when every part of the statement reads; SELECT WITH COPY (INSERT, …) when its WITH writes."""
    [(serialized,)] = con.execute("SELECT json_serialize_sql(?)", [sql]).fetchall()
    tree = json.loads(serialized)
    if tree.get("error"):
        return "SELECT that DuckDB cannot describe"
    writes = sorted({node.removesuffix("_NODE").removesuffix("_QUERY") for node in _query_nodes(tree)}
                    - {node.removesuffix("_NODE") for node in READING_QUERY_NODES})
    return "SELECT WITH " + " AND ".join(writes) if writes else "SELECT"


def _explained_kind(con, sql: str) -> str:
    """EXPLAIN ANALYZE when the EXPLAIN would run its statement (ANALYZE or ANALYSE anywhere outside strings and
    comments: DuckDB runs `EXPLAIN (ANALYZE false)` too; a column named analyze must be quoted), else EXPLAIN and
    the kind of the statement it shows."""
    words = _words(sql)
    if any(word in ANALYZE_WORDS for _, word in words):
        return "EXPLAIN ANALYZE"
    rest = words[1:]
    if rest and rest[0][1] == "(":  # EXPLAIN (FORMAT json) SELECT …
        rest = rest[next((i for i, (_, word) in enumerate(rest) if word == ")"), len(rest)) + 1:]
    shown = con.extract_statements(sql[rest[0][0]:]) if rest else []
    return "EXPLAIN " + (statement_kind(con, shown[0]) if len(shown) == 1 else f"of {len(shown)} statements")


def statement_kind(con, statement) -> str:
    """SELECT or EXPLAIN SELECT for a statement that only reads; what it is (COPY, EXPLAIN ANALYZE, …) otherwise."""
    kind = str(statement.type).rsplit(".", 1)[-1]
    if kind == "SELECT":
        return _select_kind(con, statement.query)
    if kind == "EXPLAIN":
        return _explained_kind(con, statement.query)
    return kind


def check_read_only(con, sql: str) -> None:
    """QueryRefused unless ``sql`` is exactly one SELECT, or an EXPLAIN (without ANALYZE) of one."""
    statements = con.extract_statements(sql)
    if len(statements) != 1:
        raise QueryRefused(f"[Q001] only one SELECT query runs here (this SQL holds {len(statements)} "
                           "statements): the published tables are read, never changed")
    kind = statement_kind(con, statements[0])
    if kind not in ("SELECT", "EXPLAIN SELECT"):
        raise QueryRefused(f"[Q001] only SELECT queries run here (this one is {kind}): "
                           "the published tables are read, never changed")


# ---------------------------------------------------------------- running

def _watchdog(con, wakeups: socket.socket, timeout: float | None, stopped: list[str]) -> None:
    """Wait for the query's end, Ctrl-C or its deadline; on the last two, say why in ``stopped``, then interrupt."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        readable, _, _ = select.select([wakeups], [], [], left)
        if not readable:
            stopped.append(f"[Q005] query took longer than {timeout:g} s (--timeout)")
            break
        received = wakeups.recv(64)
        if bytes([signal.SIGINT]) in received:
            stopped.append("[Q004] query interrupted")
            break
        if QUERY_DONE in received or not received:
            return
    con.interrupt()


@contextmanager
def _ctrl_c_wakes(wakeup_end: socket.socket):
    """While the query runs, Ctrl-C writes its signal number to ``wakeup_end`` (Python's C-level handler does so at
    once, even while DuckDB holds this thread, which a KeyboardInterrupt would have to wait for) and raises nothing;
    a second Ctrl-C raises KeyboardInterrupt. Only the main thread can set signal handlers, and an ignored SIGINT
    (a background job) stays ignored."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous in (signal.SIG_IGN, None):
        yield
        return
    presses = []

    def on_ctrl_c(signum, frame):
        presses.append(signum)
        if len(presses) > 1:
            raise KeyboardInterrupt

    previous_fd = signal.set_wakeup_fd(wakeup_end.fileno(), warn_on_full_buffer=False)
    signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGINT, previous)


def run_interruptibly(con, work: Callable[[], T], timeout: float | None = None) -> T:
    """``work()``, which runs SQL on ``con``, watched by a thread that calls ``con.interrupt()`` on Ctrl-C or after
    ``timeout`` seconds; then QueryInterrupted says which, once the work has stopped."""
    stopped: list[str] = []
    wakeups, wakeup_end = socket.socketpair()
    wakeup_end.setblocking(False)
    watchdog = threading.Thread(target=_watchdog, args=(con, wakeups, timeout, stopped), daemon=True)
    watchdog.start()
    try:
        with _ctrl_c_wakes(wakeup_end):
            try:
                value = work()
            except Exception as exc:  # DuckDB's InterruptException, or the error a stopped query left
                if stopped:
                    raise QueryInterrupted(stopped[0]) from exc
                raise
    finally:
        with suppress(OSError):
            wakeup_end.send(QUERY_DONE)
        watchdog.join()
        wakeups.close()
        wakeup_end.close()
    if stopped:  # Ctrl-C or the deadline came as the last rows went out: the user still asked to stop
        raise QueryInterrupted(stopped[0])
    return value


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple]  # Python values: Decimal for money, datetime in UTC+07:00, lists
    total_rows: int  # rows of the whole result; more than len(rows) when a limit cut it

    @property
    def rows_left_out(self) -> int:
        return self.total_rows - len(self.rows)


def _fetch(relation, limit: int | None) -> QueryResult:
    if limit is None:
        rows = relation.fetchall()
        return QueryResult(list(relation.columns), rows, len(rows))
    [(total,)] = relation.aggregate("count(*)").fetchall()
    return QueryResult(list(relation.columns), relation.limit(limit).fetchall(), total)


@contextmanager
def read_only_connection(sql: str, out_dir: Path, allow_external: bool = False,
                         warn: Callable[[str], None] = log.warning):
    """A connection to the published tables on which ``sql`` was checked to be one read; closed after."""
    con = connect(out_dir, allow_external, warn)
    try:
        check_read_only(con, sql)
        yield con
    finally:
        con.close()


def run_query(sql: str, out_dir: Path, allow_external: bool = False, limit: int | None = None,
              timeout: float | None = None, warn: Callable[[str], None] = log.warning) -> QueryResult:
    """The result of ``sql`` (money exact decimal, counts integers, times in UTC+07:00), at most ``limit`` rows
    of it. Rows come back as Python values, so printing needs neither pyarrow nor pandas."""
    with read_only_connection(sql, out_dir, allow_external, warn) as con:
        return run_interruptibly(con, lambda: _fetch(con.sql(sql), limit), timeout)


def _fetched(cursor) -> Iterator[list[tuple]]:
    while rows := cursor.fetchmany(FETCH_ROWS):
        yield rows


def _write_text(con, sql: str, fmt: str, stream: TextIO) -> int:
    # DuckDB's own Python values, as run_query's: Arrow's differ for intervals, maps, times with a zone and
    # infinite dates, and the streamed text must be the text of the whole result
    cursor = con.execute(sql)
    return write_rows([column[0] for column in cursor.description], _fetched(cursor), fmt, stream)


def write_query(sql: str, out_dir: Path, fmt: str, stream: TextIO, allow_external: bool = False,
                timeout: float | None = None, warn: Callable[[str], None] = log.warning) -> int:
    """Write the whole result of ``sql`` to ``stream`` in a text format (csv, tsv, json, ndjson) as its rows come,
    FETCH_ROWS at a time, so that memory stays flat: the text format_result gives. Returns the rows written."""
    with read_only_connection(sql, out_dir, allow_external, warn) as con:
        return run_interruptibly(con, lambda: _write_text(con, sql, fmt, stream), timeout)


def _write_parquet(relation, target: Path) -> int:
    import pyarrow.parquet as pq

    # duckdb 2 names it to_arrow_reader; 1.x fetch_arrow_reader
    reader = (getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader)(ARROW_BATCH_ROWS)
    rows = 0
    with pq.ParquetWriter(target, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def query_to_parquet(sql: str, out_dir: Path, target: Path, allow_external: bool = False,
                     timeout: float | None = None, warn: Callable[[str], None] = log.warning) -> int:
    """Write the whole result of ``sql`` to a Parquet file (through Arrow: exact decimals, zoned times), one
    record batch at a time."""
    with read_only_connection(sql, out_dir, allow_external, warn) as con:
        return run_interruptibly(con, lambda: _write_parquet(con.sql(sql), target), timeout)


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


def json_record(columns: list[str], row: tuple) -> str:
    return json.dumps({name: json_value(value) for name, value in zip(columns, row)}, ensure_ascii=False)


def _write_delimited(columns: list[str], chunks: Iterable[list[tuple]], stream: TextIO, delimiter: str) -> int:
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    rows = 0
    for chunk in chunks:
        writer.writerows([text_value(v) for v in row] for row in chunk)
        rows += len(chunk)
    return rows


def _write_ndjson(columns: list[str], chunks: Iterable[list[tuple]], stream: TextIO) -> int:
    rows = 0
    for chunk in chunks:
        stream.write("".join(json_record(columns, row) + "\n" for row in chunk))
        rows += len(chunk)
    return rows


def _write_json(columns: list[str], chunks: Iterable[list[tuple]], stream: TextIO) -> int:
    """One JSON array, written element by element: the text json.dumps gives for the whole list."""
    rows = 0
    stream.write("[")
    for chunk in chunks:
        stream.write("".join((", " if rows or i else "") + json_record(columns, row) for i, row in enumerate(chunk)))
        rows += len(chunk)
    stream.write("]\n")
    return rows


def write_rows(columns: list[str], chunks: Iterable[list[tuple]], fmt: str, stream: TextIO) -> int:
    """Write rows, as their chunks come, in a text format (csv, tsv, json, ndjson); returns how many."""
    if fmt in ("csv", "tsv"):
        return _write_delimited(columns, chunks, stream, "," if fmt == "csv" else "\t")
    if fmt == "ndjson":
        return _write_ndjson(columns, chunks, stream)
    if fmt == "json":
        return _write_json(columns, chunks, stream)
    raise ValueError(f"{fmt!r} is not one of the text formats {', '.join(TEXT_FORMATS)}")


def format_result(columns: list[str], rows: list[tuple], fmt: str) -> str:
    if fmt in TEXT_FORMATS:
        buffer = io.StringIO()
        write_rows(columns, [rows], fmt, buffer)
        return buffer.getvalue()
    if not rows:
        return "(no rows) " + ", ".join(columns) + "\n"
    cells = [[text_value(v, "null") for v in row] for row in rows]
    widths = [max(len(name), *(len(row[i]) for row in cells)) for i, name in enumerate(columns)]
    lines = [" ".join(name.rjust(w) for name, w in zip(columns, widths))]
    lines += [" ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in cells]
    return "\n".join(lines) + "\n"
