"""Runs the examples that every rule file carries beside its rules.

Each rule file's ``kind`` names the function that evaluates its examples: it takes
the example text (and the file's data) and returns a dict of outputs, or None when
the text yields nothing. A positive example passes when every expected key matches;
a negative example passes when the function returns None.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from .config import RULES_DIR

Evaluator = Callable[[str, dict, Path], "dict | None"]


def _canonical(text: str, data: dict, rules_dir: Path) -> dict | None:
    from .normalize import canonical_text

    out = canonical_text(text, rules_dir)
    return None if out == text else {"text": out}


def _zone(text: str, data: dict, rules_dir: Path) -> dict | None:
    from .zoning import classify_line_alone, load_page_rules, parse_section, parse_timestamp

    rules = load_page_rules(rules_dir)
    zone = classify_line_alone(text, rules)
    if zone == "body":
        return None
    out: dict[str, Any] = {"zone": zone}
    if zone == "breadcrumb":
        out["section"] = parse_section(text, rules)
    if zone == "timestamp":
        stamp = parse_timestamp(text, rules)
        out["published_at"] = stamp.isoformat() if stamp else None
    return out


def _zone_layout(text: str, data: dict, rules_dir: Path) -> dict | None:
    from .zoning import classify_layout_alone, load_layout_rules

    return classify_layout_alone(text, load_layout_rules(rules_dir))


def _zone_html(text: str, data: dict, rules_dir: Path) -> dict | None:
    from .html_page import load_html_rules, markup_cue, read_html, time_in_line

    rules = load_html_rules(rules_dir)
    page = read_html(text, list(range(len(text) + 1)), rules)
    cue = markup_cue(page, 0, rules) if page.line_elements else None
    if cue is None:
        return None
    out = {"zone": cue[0], "reason": cue[1]}
    if cue[0] in ("timestamp", "author"):
        out["published_at"] = time_in_line(page.text.split("\n")[0], rules)
    return out


def _stoplist(text: str, data: dict, rules_dir: Path) -> dict | None:
    from .zoning import is_prose, load_layout_rules, stopword_share

    layout = load_layout_rules(rules_dir)
    return {"prose_like": True, "share": round(stopword_share(text, layout), 2)} if is_prose(text, layout) else None


def _number(text: str, data: dict, rules_dir: Path) -> dict | None:
    from .numbers import normalize_number_example

    return normalize_number_example(text)


def _money(text: str, data: dict, rules_dir: Path) -> dict | None:
    from .numbers import normalize_money_example

    return normalize_money_example(text)


def _date(text: str, data: dict, rules_dir: Path) -> dict | None:
    from .dates import normalize_date_example

    ref = data.get("reference_date")
    return normalize_date_example(text, date.fromisoformat(str(ref)) if ref else None)


def _reference(data: dict):
    from datetime import datetime, timedelta, timezone

    ref = data.get("reference_date")
    if not ref:
        return None
    day = date.fromisoformat(str(ref))
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=timezone(timedelta(hours=7)))


def _extracted(table: str, key: str):
    def evaluate(text: str, data: dict, rules_dir: Path, title: str | None = None) -> dict | None:
        from .extractors import extract_text

        rows = extract_text(text, _reference(data), rules_dir, title=title)[table]
        return {key: rows} if rows else None
    return evaluate


def _entity(text: str, data: dict, rules_dir: Path) -> dict | None:
    from .extractors import resolve_entity

    return resolve_entity(text, rules_dir)


def _parties(text: str, data: dict, rules_dir: Path) -> dict | None:
    from .extractors import parties_in_text

    parties = parties_in_text(text, rules_dir)
    return {"parties": parties} if parties else None


EVALUATORS: dict[str, Evaluator] = {
    "aid": _extracted("aid_events", "events"),
    "official": _extracted("officials", "officials"),
    "agreement": _extracted("agreements", "agreements"),
    "entity": _entity,
    "entity_countries": _entity,
    "entity_shape": _parties,
    "canonical": _canonical,
    "zone": _zone,
    "zone_layout": _zone_layout,
    "zone_html": _zone_html,
    "stoplist": _stoplist,
    "number": _number,
    "money": _money,
    "date": _date,
}


def register(kind: str, evaluator: Evaluator) -> None:
    EVALUATORS[kind] = evaluator


def evaluate(kind: str, text: str, data: dict, rules_dir: Path = RULES_DIR, title: str | None = None) -> dict | None:
    """What a rule file's kind makes of an example text; ``title`` is the headline of an article example, for
    rules that read the headline with the body (extractors only)."""
    if kind not in EVALUATORS:
        raise KeyError(f"[R010] no evaluator for rule kind {kind!r}; known: {sorted(EVALUATORS)}")
    return EVALUATORS[kind](text, data, rules_dir, **({"title": title} if title is not None else {}))


def same_value(expected: Any, got: Any) -> bool:
    if isinstance(expected, bool) or expected is None:
        return got is expected or got == expected
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        try:
            return Decimal(str(expected)) == Decimal(str(got))
        except Exception:
            return False
    if isinstance(expected, list):
        return isinstance(got, (list, tuple)) and len(got) == len(expected) and \
            all(same_value(e, g) for e, g in zip(expected, got))
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(k in got and same_value(v, got[k]) for k, v in expected.items())
    return str(expected) == str(got)


def mismatches(expected: dict, got: dict | None) -> list[str]:
    """Readable differences between an example's expected output and what the rules gave."""
    if got is None:
        return [f"expected {expected}, the rules yielded nothing"]
    return [f"{k}: expected {v!r}, got {got.get(k)!r}" for k, v in expected.items()
            if k not in got or not same_value(v, got[k])]
