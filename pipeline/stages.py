"""The stages one by one, as functions from directories to tables: the I/O edge around
the pure per-article functions of ingest, tokenize, extract and validate. (`vnfacts run`
runs a page through all of them at once instead: vnfacts.page, vnfacts.engine.)"""

from __future__ import annotations

import gc
import logging
from itertools import groupby
from operator import itemgetter
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Callable

from .config import CACHE_DIR, CANDIDATES_DIR, RULES_DIR
from .errors import Reject
from .export import provenance, tokens_provenance
from .publish import write_stage_rejects
from .schema import (AID_EVENTS, ARTICLES, EXTRACT_TABLES, LINES, OFFICIALS, TOKENS, StreamingTable, Table,
                     TableRows, count_rows, iter_row_batches, parquet_file, read_small)

# Each stage imports its own modules, so a stage loads (and `make` makes it depend on: vnfacts.make_deps) only
# the code it runs.

# Articles per batch: each stage reads its inputs and writes its tables this many articles at a time (Parquet row
# groups), so its memory holds a batch and not the corpus.
BATCH_ARTICLES = 200

log = logging.getLogger("vnfacts")

# progress(label, total) is a context manager that yields a function to call per item.
ProgressFactory = Callable[[str, int], AbstractContextManager]


@contextmanager
def no_progress(label: str, total: int):
    yield lambda: None


def run_ingest(raw_dir: Path, out_dir: Path, rules_dir: Path = RULES_DIR,
               progress: ProgressFactory = no_progress) -> dict[str, int]:
    from . import ingest as ingest_mod

    files = ingest_mod.list_raw_files(raw_dir)
    log.info("ingest: %d files in %s", len(files), raw_dir)
    meta = provenance(rules_dir)
    rejects, counts = [], {"articles": 0, "lines": 0}
    with ExitStack() as stack:
        writers = {"articles": StreamingTable(ARTICLES, Path(out_dir) / ARTICLES.filename, meta, stack),
                   "lines": StreamingTable(LINES, Path(out_dir) / LINES.filename, meta, stack)}
        advance = stack.enter_context(progress("ingest", len(files)))
        for found in ingest_mod.ingested_files(raw_dir, rules_dir, progress=advance):
            for name, writer in writers.items():
                writer.add(found[name])
                counts[name] += len(found[name])
            rejects.extend(found["rejects"])
            if len(writers["articles"].buffer) >= BATCH_ARTICLES:
                for writer in writers.values():
                    writer.flush()
        for writer in writers.values():
            writer.flush()
    write_stage_rejects("ingest", rejects, out_dir, meta)
    for rej in rejects:
        log.warning("rejected %s: [%s] %s", rej["source_file"], rej["reason"], rej["detail"])
    low = [a for a in read_small(ARTICLES, out_dir, ("source_file", "prose_kept", "prose_kept_low"))
           if a["prose_kept_low"]]
    for a in low:
        log.warning("%s: the body keeps %.0f%% of the page's prose (see lines.parquet's zone_reason)",
                    a["source_file"], 100 * a["prose_kept"])
    return {"files": len(files), "articles": counts["articles"], "rejected": len(rejects),
            "lines": counts["lines"], "prose_kept_low": len(low)}


def explain_file(path: Path, rules_dir: Path = RULES_DIR) -> str:
    """Each line of one page (of each record of a crawler export) with its zone and the cue that decided it,
    then the metadata read."""
    from . import ingest as ingest_mod
    from .zoning import explain

    path = Path(path)
    sidecar = ingest_mod.load_sidecars(path.parent, [path]).get(path.name)
    try:
        found = ingest_mod.ingest_file(ingest_mod.read_input(path, path.name), path.name, rules_dir, sidecar)
    except Reject as rej:
        return f"{path.name}: rejected [{rej.reason}] {rej.detail}"
    fields = ("title", "published_at", "published_at_grain", "published_at_source", "author", "outlet",
              "source_credit", "url", "doc_id", "raw_format", "text_chars", "body_chars", "prose_chars",
              "prose_kept", "prose_kept_low")
    parts = []
    for page in found:
        if isinstance(page, Reject):
            parts.append(f"{path.name} record {page.record}: rejected [{page.reason}] {page.detail}")
            continue
        a = page.article
        name = path.name if a["record"] is None else f"{path.name} record {a['record']}"
        meta = "\n".join(f"  {k}: {a[k]}" for k in fields)
        parts.append(f"{'line':>6}  {'zone':<13} {'reason':<32} text\n{explain(page.spans)}\n\n{name}:\n{meta}")
    return "\n\n".join(parts)


class RowsByArticle:
    """The rows of a table grouped by article, read a batch at a time, for the articles of another table in
    the same order (each stage writes its rows in the order of the articles). ``of(article_id)`` gives the next
    article's rows; asked for the articles in order, it reads the table once, holding one batch."""

    def __init__(self, table: Table, out_dir: Path, order: dict[str, int]):
        self.table = table
        self.order = order  # article id -> its place among the articles
        self.runs = self.article_runs(out_dir)
        self.pending = next(self.runs, None)

    def article_runs(self, out_dir: Path):
        """(article id, its rows) for each run of consecutive rows of one article, in file order."""
        for batch in iter_row_batches(self.table, out_dir, 20 * BATCH_ARTICLES):
            for article_id, rows in groupby(batch, key=itemgetter("article_id")):
                yield article_id, list(rows)

    def of(self, article_id: str) -> list:
        place = self.order[article_id]
        found = []
        while self.pending is not None:
            held, rows = self.pending
            at = self.order.get(held)
            if at is None:
                raise ValueError(f"{self.table.filename} has rows of an article that is not in "
                                 f"{ARTICLES.filename} ({held}): run the stages again in order")
            if at > place:
                break
            if at < place:
                raise ValueError(f"{self.table.filename} is not in the order of {ARTICLES.filename} (rows of "
                                 f"{held} after those of a later article): run the stages again in order")
            found.extend(rows)
            self.pending = next(self.runs, None)
        return found


class WordsByArticle(RowsByArticle):
    """The tokens table as each article's words (``tokenize.Word``), made from the table's columns: a dict per
    token row cost more than the words themselves."""

    def __init__(self, out_dir: Path, order: dict[str, int]):
        super().__init__(TOKENS, out_dir, order)

    def article_runs(self, out_dir: Path):
        from .tokenize import Word

        with parquet_file(TOKENS, out_dir) as parquet:
            for batch in parquet.iter_batches(batch_size=20 * BATCH_ARTICLES, columns=[
                    "article_id", "sentence", "char_start", "char_end", "text", "pos"]):
                column = {name: plain_values(batch.column(name)) for name in batch.schema.names}
                words = list(map(Word, column["sentence"], column["char_start"], column["char_end"],
                                 column["text"], column["pos"]))
                at = 0
                for article_id, run in groupby(column["article_id"]):
                    n = sum(1 for _ in run)
                    yield article_id, words[at:at + n]
                    at += n


def plain_values(column) -> list:
    """An Arrow column as Python values; a dictionary-encoded one (the tokens' tags) decoded through its
    dictionary, several times faster than Arrow's own conversion."""
    if hasattr(column, "dictionary"):
        values = column.dictionary.to_pylist()
        return [values[i] for i in column.indices.to_pylist()]
    return column.to_pylist()


def article_order(out_dir: Path) -> dict[str, int]:
    return {row["article_id"]: i for i, row in enumerate(read_small(ARTICLES, out_dir, ("article_id",)))}


def run_tokenize(out_dir: Path, progress: ProgressFactory = no_progress) -> dict[str, int]:
    from . import tokenize as tokenize_mod
    from .cache import Cache
    from .page import tokens_for

    total = count_rows(ARTICLES, out_dir)
    cache = Cache(Path(out_dir) / CACHE_DIR)
    meta = tokens_provenance(out_dir)
    rejects, n_tokens = [], 0
    with ExitStack() as stack:
        tokens = StreamingTable(TOKENS, Path(out_dir) / TOKENS.filename, meta, stack)
        advance = stack.enter_context(progress("tokenize", total))
        for articles in iter_row_batches(ARTICLES, out_dir, BATCH_ARTICLES,
                                         ["article_id", "source_file", "body"]):
            tables = tokenize_mod.tokenize_articles(articles, progress=advance,
                                                    words_of=lambda body, aid: tokens_for(body, aid, cache))
            tokens.add(tables["tokens"])
            n_tokens += len(tables["tokens"])
            tokens.flush()
            rejects.extend(tables["rejects"])
    write_stage_rejects("tokenize", rejects, out_dir, meta)
    for rej in rejects:
        log.warning("rejected %s: [%s] %s", rej["source_file"], rej["reason"], rej["detail"])
    return {"articles": total, "tokens": n_tokens, "rejected": len(rejects)}


def run_extract(out_dir: Path, rules_dir: Path = RULES_DIR, progress: ProgressFactory = no_progress) -> dict[str, int]:
    from . import extractors as extract_mod
    from .lexicon import compile_rules

    rules = compile_rules(rules_dir)
    # What is loaded by now (modules, the compiled rules) lives as long as the process: the garbage collector's
    # passes, frequent while the extractors make their many small objects, need not walk it again each time
    # (about 15 % of this stage's time on 250 articles).
    gc.freeze()
    total = count_rows(ARTICLES, out_dir)
    tokens = WordsByArticle(out_dir, article_order(out_dir))
    meta = provenance(rules_dir)
    counts = {t.name: 0 for t in EXTRACT_TABLES}
    rejects = []
    with ExitStack() as stack:
        writers = {t.name: StreamingTable(t, Path(out_dir) / CANDIDATES_DIR / t.filename, meta, stack)
                   for t in EXTRACT_TABLES}
        advance = stack.enter_context(progress("extract", total))
        for articles in iter_row_batches(ARTICLES, out_dir, BATCH_ARTICLES):
            for article in articles:
                words = tokens.of(article["article_id"])
                if not words:  # tokenize rejected it; its reject row says why
                    advance()
                    continue
                try:
                    found = extract_mod.extract_article(article, words, rules)
                except Exception as exc:  # one bad article never stops the batch
                    log.exception("extract failed on %s", article["source_file"])
                    rejects.append({"source_file": article["source_file"], "article_id": article["article_id"],
                                    "stage": "extract", "reason": "extract_failed",
                                    "detail": f"{article['source_file']}: {type(exc).__name__}: {exc}"})
                else:
                    for name, found_rows in found.items():
                        writers[name].add(found_rows)
                        counts[name] += len(found_rows)
                advance()
            for writer in writers.values():
                writer.flush()
    write_stage_rejects("extract", rejects, out_dir, meta)
    return {"articles": total, **counts, "rejected": len(rejects)}


def log_rejects(rejects: list[dict]) -> None:
    for rej in rejects:
        if rej.get("check"):
            log.warning("rejected row: [%s] %s", rej["check"], rej["detail"])
        else:
            log.warning("rejected %s: [%s] %s", rej["source_file"], rej["reason"], rej["detail"])


def run_validate(raw_dir: Path, out_dir: Path, rules_dir: Path = RULES_DIR) -> dict:
    """Check every candidate row against its source; publish the rows that pass, reject
    the others with the check they failed, consolidate across articles, and report."""
    from . import validate as validate_mod
    from .page import reject_row
    from .consolidate import AID_COLUMNS, OFFICIAL_COLUMNS
    from .publish import StageRejects, consolidate_and_report, merge_reports, publish_rejects

    order = article_order(out_dir)
    lines = RowsByArticle(LINES, out_dir, order)
    candidates = {t.name: RowsByArticle(t, Path(out_dir) / CANDIDATES_DIR, order) for t in EXTRACT_TABLES}
    meta = provenance(rules_dir)
    report = {}
    with ExitStack() as stack:
        writers = {t.name: StreamingTable(t, Path(out_dir) / t.filename, meta, stack) for t in EXTRACT_TABLES}
        rejects = StageRejects("validate", out_dir, stack)
        for articles in iter_row_batches(ARTICLES, out_dir, BATCH_ARTICLES):
            # the pages are read again as `run` reads them: a page swapped for a link since is a reject, never
            # followed
            raws = validate_mod.raw_pages(articles, raw_dir)
            unread = [reject_row(a["source_file"], a["article_id"], "validate", raws[a["article_id"]])
                      for a in articles if isinstance(raws[a["article_id"]], Reject)]
            batch_lines = [row for a in articles for row in lines.of(a["article_id"])]
            batch = {name: [row for a in articles for row in rows.of(a["article_id"])]
                     for name, rows in candidates.items()}
            ctx = validate_mod.contexts(articles, batch_lines, raw_dir, raws)
            result = validate_mod.validate_tables(batch, ctx, rules_dir)
            for name, writer in writers.items():
                writer.add(result.published[name])
                writer.flush()
            log_rejects(unread + result.rejects)
            rejects.add(unread + result.rejects)
            merge_reports(report, result.report)
    rejects.sort_if_needed()
    publish_rejects(out_dir, meta)
    articles_by_id = {a["article_id"]: a for a in read_small(ARTICLES, out_dir, (
        "article_id", "source_file", "published_at", "prose_kept", "prose_kept_low"))}
    return consolidate_and_report(out_dir, report, TableRows(AID_EVENTS, out_dir, AID_COLUMNS),
                                  TableRows(OFFICIALS, out_dir, OFFICIAL_COLUMNS),
                                  articles_by_id, meta)
