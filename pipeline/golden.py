"""Golden files: the validated rows of every table for each fixture article, as sorted,
readable YAML under ``tests/golden/``, and a comparison that says what changed.

``python -m vnfacts.golden write`` (``make golden``) rewrites them on purpose;
the test suite compares a fresh run with them.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import yaml

from .config import PROJECT_ROOT
from .schema import EXTRACT_TABLES

GOLDEN_DIR = PROJECT_ROOT / "tests" / "golden"
RAW_FIXTURES = PROJECT_ROOT / "data" / "raw"
KEY_FIELDS = ("char_start", "char_end")


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def golden_document(article: dict, tables: dict[str, list[dict]]) -> dict:
    doc = {"source_file": article["source_file"], "article_id": article["article_id"], "tables": {}}
    for table in EXTRACT_TABLES:
        rows = [{k: _plain(v) for k, v in row.items() if k != "article_id"} for row in tables.get(table.name, [])]
        rows.sort(key=lambda r: (r["char_start"], r["char_end"], yaml.safe_dump(r, allow_unicode=True)))
        doc["tables"][table.name] = rows
    return doc


def golden_path(source_file: str, golden_dir: Path = GOLDEN_DIR) -> Path:
    return Path(golden_dir) / (Path(source_file).stem + ".yaml")


def dump(doc: dict) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=True, width=120)


def load(path: Path) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def load_all(golden_dir: Path = GOLDEN_DIR) -> list[dict]:
    """Every golden document, one per fixture article, in file-name order."""
    return [load(path) for path in sorted(Path(golden_dir).glob("*.yaml"))]


def row_counts(docs: list[dict]) -> dict[str, int]:
    """Rows per table over the given golden documents: what a run on the fixtures publishes."""
    return {table.name: sum(len(doc["tables"].get(table.name, [])) for doc in docs) for table in EXTRACT_TABLES}


def _row_key(row: dict) -> tuple:
    return tuple(row[k] for k in KEY_FIELDS) + (row.get("label"),)


def _rows_by_key(rows: list[dict]) -> dict[tuple, list[dict]]:
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(_row_key(row), []).append(row)
    return groups


def _unmatched(rows: list[dict], others: list[dict]) -> list[dict]:
    """The rows of ``rows`` left over once each row of ``others`` has cancelled one equal row."""
    left = list(rows)
    for row in others:
        if row in left:
            left.remove(row)
    return left


def differences(old: dict, new: dict) -> list[str]:
    """Readable differences: article, table, field, old and new value, evidence.

    Rows are compared as a multiset per span: a row duplicated, or one of two equal rows
    gone, is a difference too."""
    out = []
    name = new["source_file"]
    for table in sorted(set(old["tables"]) | set(new["tables"])):
        old_rows = _rows_by_key(old["tables"].get(table, []))
        new_rows = _rows_by_key(new["tables"].get(table, []))
        for key in sorted(set(old_rows) | set(new_rows), key=lambda k: (k[0], k[1], str(k[2]))):
            a_rows, b_rows = old_rows.get(key, []), new_rows.get(key, [])
            if len(a_rows) == len(b_rows) == 1:
                out += _field_differences(name, table, a_rows[0], b_rows[0])
                continue
            out += [f"{name} {table}: row gone {a.get('evidence')!r}: {a}" for a in _unmatched(a_rows, b_rows)]
            out += [f"{name} {table}: new row {b.get('evidence')!r}: {b}" for b in _unmatched(b_rows, a_rows)]
    return out


def _field_differences(name: str, table: str, a: dict, b: dict) -> list[str]:
    return [f"{name} {table}.{field}: {a.get(field)!r} -> {b.get(field)!r} (evidence {b.get('evidence')!r})"
            for field in sorted(set(a) | set(b)) if a.get(field) != b.get(field)]


def fresh_documents(raw_dir: Path = RAW_FIXTURES) -> list[dict]:
    """Run every stage on each fixture (the one per-page function the engine runs) and return their golden
    documents."""
    from .config import RULES_DIR
    from .ingest import list_raw_files, read_input
    from .page import process_raw

    docs = []
    for path in list_raw_files(raw_dir):
        source_file = path.relative_to(raw_dir).as_posix()
        result = process_raw(read_input(path, source_file), source_file, str(RULES_DIR))
        [article] = result["articles"]
        docs.append(golden_document(article, {t.name: result[t.name] for t in EXTRACT_TABLES}))
    return docs


def write(golden_dir: Path = GOLDEN_DIR) -> list[Path]:
    golden_dir = Path(golden_dir)
    golden_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc in fresh_documents():
        path = golden_path(doc["source_file"], golden_dir)
        path.write_text(dump(doc), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    if sys.argv[1:] != ["write"]:
        sys.exit("usage: python -m vnfacts.golden write")
    for p in write():
        print(p.relative_to(PROJECT_ROOT))
