"""One page through every stage: ingest -> tokenize -> extract -> validate.

``process_raw`` is the one place the stages are chained for a page. It is a pure
function of the file's bytes, the rules and the code, so the local engine runs it in
a loop or a process pool, the Dask engine on a cluster, and the golden files, the
evaluator and the Python API call it too.

Two caches under ``<out>/.cache`` make repeat runs cheap: the tokens of a body
(keyed by its hash and the tokenizer's version: a rule change does not re-run
underthesea) and the whole result of a file (keyed by its bytes, the rules and the
code: an unchanged file is not processed again).
"""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .cache import Cache
from .config import CANDIDATES_DIR
from .errors import Reject

if TYPE_CHECKING:
    from .tokenize import Word

log = logging.getLogger("vnfacts")

# The stages (underthesea, spaCy, pandas) are imported where a page is processed, not here: a run whose
# results are all cached, or up to date, never loads them.


@lru_cache(maxsize=1)
def tokenizer_version() -> str:
    """underthesea's version and this package's tokenizing code: either changing changes cached tokens' keys."""
    import underthesea

    code = hashlib.sha256((Path(__file__).parent / "tokenize.py").read_bytes()).hexdigest()[:12]
    return f"underthesea-{underthesea.__version__}-crf-pos-{code}"


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the package's source: a code change invalidates cached results."""
    from .money_rates import rates_version

    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.relative_to(Path(__file__).parent).as_posix().encode() + path.read_bytes())
    digest.update(rates_version().encode())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------- one page

@dataclass(frozen=True)
class PageJob:
    path: str
    source_file: str
    rules_dir: str
    cache_dir: str | None
    sidecar: tuple[tuple[str, str], ...] = ()  # metadata the user keeps beside the file
    rules_digest: str = ""  # the rules as the run read them at its start: every page reads those or none
    timeout: float | None = None  # wall seconds the page may take (``time_budget``); None: no limit


def reject_row(source_file: str, article_id: str | None, stage: str, rej: Reject) -> dict:
    """A rejects-table row for a whole file or a crawler export's record (no table, check or row)."""
    return {"source_file": source_file, "record": rej.record, "article_id": article_id, "stage": stage,
            "reason": rej.reason, "detail": rej.detail, "table": None, "check": None, "row": None}


def tokens_key(body: str) -> str:
    return hashlib.sha256(f"{tokenizer_version()}\0{body}".encode("utf-8")).hexdigest()


def cached_words(body: str, cache: Cache) -> list[Word] | None:
    """A body's words from the tokens cache (each word's text is the body's, at its offsets), or None."""
    from .tokenize import Word

    cached = cache.get("tokens", tokens_key(body))
    if cached is None:
        return None
    try:
        return [Word(sentence, start, end, body[start:end], pos) for sentence, start, end, pos in cached]
    except (TypeError, ValueError):  # an entry of another shape: computed again
        return None


def tokens_for(body: str, article_id: str, cache: Cache) -> list[Word]:
    from .tokenize import tokenize_body

    words = cached_words(body, cache)
    if words is not None:
        return words
    words = tokenize_body(body, article_id)
    cache.put("tokens", tokens_key(body), [(w.sentence, w.start, w.end, w.pos) for w in words])
    return words


TOKENS_IN_CACHE = "tokens_of_bodies"  # a cached result's token rows: the bodies whose tokens the tokens cache holds


def result_to_cache(result: dict[str, list]) -> dict[str, list]:
    """A file's result as its cache entry keeps it: its token rows, most of its size, are left to the tokens
    cache (which holds them once, per body) and named by the articles whose bodies they are."""
    if not result.get("tokens"):
        return result
    tokenized = {row["article_id"] for row in result["tokens"]}
    stored = {name: rows for name, rows in result.items() if name != "tokens"}
    stored[TOKENS_IN_CACHE] = [a["article_id"] for a in result.get("articles", []) if a["article_id"] in tokenized]
    return stored


def result_from_cache(stored: dict[str, list], cache: Cache) -> dict[str, list] | None:
    """A cached result with its token rows back, or None when the tokens cache no longer holds a body's."""
    from .tokenize import token_rows

    if TOKENS_IN_CACHE not in stored:
        return stored
    bodies = {a["article_id"]: a["body"] for a in stored.get("articles", [])}
    tokens = []
    for article_id in stored[TOKENS_IN_CACHE]:
        words = cached_words(bodies[article_id], cache)
        if words is None:
            return None
        tokens.extend(token_rows(article_id, words))
    result = {name: rows for name, rows in stored.items() if name != TOKENS_IN_CACHE}
    result["tokens"] = tokens
    return result


def process_page(job: PageJob) -> dict[str, list[dict]]:
    """Rows of every table for one raw file (rejects included); never raises for bad input. A page that takes
    longer than ``job.timeout`` is only a too_slow reject."""
    from .ingest import read_input

    try:
        with time_budget(job.timeout):
            try:
                raw = read_input(Path(job.path), job.source_file)
            except Reject as rej:
                return {"rejects": [reject_row(job.source_file, None, "ingest", rej)]}
            return process_raw(raw, job.source_file, job.rules_dir, job.cache_dir, dict(job.sidecar),
                               rules_digest=job.rules_digest)
    except PageTooSlow:
        log.warning("%s: left after %g s, the time budget per file", job.source_file, job.timeout)
        return {"rejects": [reject_row(job.source_file, None, "ingest", Reject(
            "too_slow", f"{job.source_file}: not done within the time budget of {job.timeout:g} s per file "
                        "(--page-timeout), left"))]}


class PageTooSlow(BaseException):
    """A page's time budget ran out. Not an Exception: the handlers that turn a failure of one stage into a
    reject (``except Exception``) must let it through to ``process_page``."""


@contextmanager
def time_budget(seconds: float | None):
    """Raise PageTooSlow in the block after ``seconds`` of wall time. A timer signal (SIGALRM) interrupts the
    Python code wherever it is, in the process that runs the page (a worker, or the run itself with --jobs 1);
    signals reach only a process's main thread, so in another thread (a Dask worker's) the block is not timed,
    nor is it when the program that calls us has a timer of its own running."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread() \
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield
        return

    def expire(signum, frame):
        raise PageTooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def process_raw(raw: bytes, source_file: str, rules_dir: str, cache_dir: str | None = None,
                sidecar: dict[str, str] | None = None, as_text: bool = False,
                rules_digest: str = "") -> dict[str, list[dict]]:
    """``process_page`` for bytes already read (a cluster worker need not see the files); ``as_text``: they are
    an article's text, not a page dump (see ``ingest_page``)."""
    from .rulefiles import RulesSource, rules_source

    cache = Cache(cache_dir)
    key = None
    # the rules the run read at its start (a page reads those or is rejected), else as they are now
    source = RulesSource(str(Path(rules_dir).resolve()), rules_digest) if rules_digest else \
        rules_source(Path(rules_dir))
    if cache.root is not None:
        meta = json.dumps(sorted((sidecar or {}).items()), ensure_ascii=False)
        head = f"{code_version()}\0{source.digest}\0{source_file}\0{meta}\0{as_text}\0"
        key = hashlib.sha256(head.encode() + raw).hexdigest()
        cached = cache.get("results", key)
        if cached is not None:
            restored = result_from_cache(cached, cache)
            if restored is not None:
                return restored
    try:
        result = _process(raw, source_file, source, cache, sidecar, as_text)
    except Exception as exc:  # a bug must not stop the batch: the file is rejected, saying where
        log.exception("failed on %s", source_file)
        return {"rejects": [reject_row(source_file, None, "ingest", Reject(
            "internal_error", f"{source_file}: {type(exc).__name__}: {exc}"))]}
    if key is not None:
        cache.put("results", key, result_to_cache(result))
    return result


def _process(raw: bytes, source_file: str, rules_dir, cache: Cache,
             sidecar: dict[str, str] | None = None, as_text: bool = False) -> dict[str, list[dict]]:
    from .ingest import ingest_file, ingest_page
    from .lexicon import compile_rules

    rules = compile_rules(rules_dir)  # once per page: every stage below reads this one set of rules
    try:
        found = [ingest_page(raw, source_file, rules, sidecar, as_text)] if as_text else \
            ingest_file(raw, source_file, rules, sidecar)
    except Reject as rej:
        return {"rejects": [reject_row(source_file, None, "ingest", rej)]}
    out: dict[str, list[dict]] = {}
    for page in found:  # a page is one article; a crawler export one per record
        rows = {"rejects": [reject_row(source_file, None, "ingest", page)]} if isinstance(page, Reject) else \
            _process_article(page, raw, source_file, rules, cache)
        for name, part in rows.items():
            out.setdefault(name, []).extend(part)
    return out


def _process_article(page, raw: bytes, source_file: str, rules, cache: Cache) -> dict[str, list[dict]]:
    from .extractors import extract_article
    from .schema import EXTRACT_TABLES
    from .tokenize import token_rows
    from .validate import article_context, fits_columns, validate_tables

    article = page.article
    aid = article["article_id"]
    out: dict[str, list[dict]] = {"articles": [article], "lines": page.lines}
    try:
        words = tokens_for(article["body"], aid, cache)
    except Reject as rej:
        out["rejects"] = [reject_row(source_file, aid, "tokenize", rej)]
        return out
    out["tokens"] = token_rows(aid, words)
    try:
        candidates = extract_article(article, words, rules)
    except Exception as exc:  # one bad article never stops the batch
        log.exception("extract failed on %s", source_file)
        out["rejects"] = [reject_row(source_file, aid, "extract",
                                  Reject("extract_failed", f"{source_file}: {type(exc).__name__}: {exc}",
                                         article.get("record")))]
        return out
    ctx = {aid: article_context(article, page.lines, raw)}
    result = validate_tables(candidates, ctx, rules, check_schemas=False)  # the driver checks per batch
    for table in EXTRACT_TABLES:
        # a candidate no column can hold (a 40-digit amount) is only in rejects: it could not be written
        out[f"{CANDIDATES_DIR}/{table.name}"] = [r for r in candidates[table.name] if fits_columns(table.name, r)]
        out[table.name] = result.published[table.name]
    out["rejects"] = result.rejects
    out["report"] = [result.report]
    return out
