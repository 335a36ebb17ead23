"""The stages one by one, as functions from directories to tables: the I/O edge around
the pure per-article functions of ingest, tokenize, extract and validate. (`vnfacts run`
runs a page through all of them at once instead: vnfacts.page, vnfacts.engine.)"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Callable

from .config import CACHE_DIR, CANDIDATES_DIR, RULES_DIR
from .errors import Reject
from .export import provenance, tokens_provenance
from .publish import write_stage_rejects
from .schema import ARTICLES, EXTRACT_TABLES, LINES, TOKENS, read_rows, write_table

# Each stage imports its own modules, so a stage loads (and `make` makes it depend on: vnfacts.make_deps) only
# the code it runs.

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
    with progress("ingest", len(files)) as advance:
        tables = ingest_mod.ingest_files(raw_dir, rules_dir, progress=advance)
    meta = provenance(rules_dir)
    write_table(ARTICLES, tables["articles"], out_dir, meta)
    write_table(LINES, tables["lines"], out_dir, meta)
    write_stage_rejects("ingest", tables["rejects"], out_dir, meta)
    for rej in tables["rejects"]:
        log.warning("rejected %s: [%s] %s", rej["source_file"], rej["reason"], rej["detail"])
    low = [a for a in tables["articles"] if a["prose_kept_low"]]
    for a in low:
        log.warning("%s: the body keeps %.0f%% of the page's prose (see lines.parquet's zone_reason)",
                    a["source_file"], 100 * a["prose_kept"])
    return {"files": len(files), "articles": len(tables["articles"]), "rejected": len(tables["rejects"]),
            "lines": len(tables["lines"]), "prose_kept_low": len(low)}


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


def run_tokenize(out_dir: Path, progress: ProgressFactory = no_progress) -> dict[str, int]:
    from . import tokenize as tokenize_mod
    from .cache import Cache
    from .page import tokens_for

    articles = read_rows(ARTICLES, out_dir)
    cache = Cache(Path(out_dir) / CACHE_DIR)
    with progress("tokenize", len(articles)) as advance:
        tables = tokenize_mod.tokenize_articles(articles, progress=advance,
                                                words_of=lambda body, aid: tokens_for(body, aid, cache))
    meta = tokens_provenance(out_dir)
    write_table(TOKENS, tables["tokens"], out_dir, meta)
    write_stage_rejects("tokenize", tables["rejects"], out_dir, meta)
    for rej in tables["rejects"]:
        log.warning("rejected %s: [%s] %s", rej["source_file"], rej["reason"], rej["detail"])
    return {"articles": len(articles), "tokens": len(tables["tokens"]), "rejected": len(tables["rejects"])}


def run_extract(out_dir: Path, rules_dir: Path = RULES_DIR, progress: ProgressFactory = no_progress) -> dict[str, int]:
    from . import extractors as extract_mod
    from . import tokenize as tokenize_mod
    from .lexicon import compile_rules

    articles = read_rows(ARTICLES, out_dir)
    words_by_article: dict[str, list] = {}
    for row in read_rows(TOKENS, out_dir):
        words_by_article.setdefault(row["article_id"], []).append(row)
    rules = compile_rules(rules_dir)
    tables: dict[str, list[dict]] = {t.name: [] for t in EXTRACT_TABLES}
    rejects = []
    with progress("extract", len(articles)) as advance:
        for article in articles:
            rows = words_by_article.get(article["article_id"])
            if rows is None:  # tokenize rejected it; its reject row says why
                advance()
                continue
            try:
                found = extract_mod.extract_article(article, tokenize_mod.words_from_rows(rows), rules)
            except Exception as exc:  # one bad article never stops the batch
                log.exception("extract failed on %s", article["source_file"])
                rejects.append({"source_file": article["source_file"], "article_id": article["article_id"],
                                "stage": "extract", "reason": "extract_failed",
                                "detail": f"{article['source_file']}: {type(exc).__name__}: {exc}"})
            else:
                for name, found_rows in found.items():
                    tables[name].extend(found_rows)
            advance()
    meta = provenance(rules_dir)
    for table in EXTRACT_TABLES:
        write_table(table, tables[table.name], Path(out_dir) / CANDIDATES_DIR, meta)
    write_stage_rejects("extract", rejects, out_dir, meta)
    return {"articles": len(articles), **{t.name: len(tables[t.name]) for t in EXTRACT_TABLES},
            "rejected": len(rejects)}


def run_validate(raw_dir: Path, out_dir: Path, rules_dir: Path = RULES_DIR) -> dict:
    """Check every candidate row against its source; publish the rows that pass, reject
    the others with the check they failed, consolidate across articles, and report."""
    from . import validate as validate_mod
    from .page import reject_row
    from .publish import consolidate_and_report

    articles = read_rows(ARTICLES, out_dir)
    lines = read_rows(LINES, out_dir)
    candidates = {t.name: read_rows(t, Path(out_dir) / CANDIDATES_DIR) for t in EXTRACT_TABLES}
    # the pages are read again as `run` reads them: a page swapped for a link since is a reject, never followed
    raws = validate_mod.raw_pages(articles, raw_dir)
    unread = [reject_row(a["source_file"], a["article_id"], "validate", raws[a["article_id"]])
              for a in articles if isinstance(raws[a["article_id"]], Reject)]
    for rej in unread:
        log.warning("rejected %s: [%s] %s", rej["source_file"], rej["reason"], rej["detail"])
    ctx = validate_mod.contexts(articles, lines, raw_dir, raws)
    result = validate_mod.validate_tables(candidates, ctx, rules_dir)
    meta = provenance(rules_dir)
    for table in EXTRACT_TABLES:
        write_table(table, result.published[table.name], out_dir, meta)
    write_stage_rejects("validate", unread + result.rejects, out_dir, meta)
    for rej in result.rejects:
        log.warning("rejected row: [%s] %s", rej["check"], rej["detail"])
    return consolidate_and_report(out_dir, result.report, result.published["aid_events"],
                                  result.published["officials"], {a["article_id"]: a for a in articles}, meta)
