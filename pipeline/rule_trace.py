"""Why a sentence gives the rows it gives: its tokens with their labels, the parties and amounts the extractors
see, and for every named pattern of a kind how far it got (the element where it stopped, or the match).

    vnfacts rules-trace "Quỹ ABC trao 500 triệu đồng cho tỉnh Quảng Nam."

For rule writers: a new phrasing that gives nothing shows here which word lacks a label, which party was not
found, or which element of the closest pattern did not match."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from .config import RULES_DIR
from .extractors.patterns import SentenceUnits, _match_elements, compiled_patterns, TooManySteps
from .extractors.sentence import char_span, sentences_of


def _describe(element) -> str:
    if element.kind == "group":
        return "group(" + ", ".join(_describe(e) for e in element.value) + ")" + (element.op or "")
    text = f"{element.kind}:{element.value}"
    if element.role:
        text += f"[{element.role}]"
    return text + (element.op or "")


def _furthest(units: SentenceUnits, elements) -> tuple[int, int | None]:
    """(how many leading elements match somewhere, the token where the longest such prefix starts)."""
    for k in range(len(elements), 0, -1):
        for i in range(units.sent.start, units.sent.end):
            units.steps = 0
            try:
                if next(_match_elements(units, elements[:k], i, ()), None) is not None:
                    return k, i
            except TooManySteps:
                continue
    return 0, None


def trace(text: str, kind: str = "aid", rules_dir: Path = RULES_DIR) -> str:
    from .extractors.aid import phrase_finder
    from .extractors.article import extract_text
    from .extractors.entities import analysed_text
    from .extractors.money import find_anchors
    from .extractors.officials import OfficialParser

    text = unicodedata.normalize("NFC", text)
    rules, sdoc, matches, finder = analysed_text(text, rules_dir)
    lines = []
    for sent in sentences_of(sdoc, matches):
        if sent.end - sent.start < 2:
            continue
        c0, c1 = char_span(sdoc, sent.start, sent.end)
        lines += [f"sentence {sent.index}: {text[c0:c1]}", "  tokens:"]
        labels_at: dict[int, list[str]] = {}
        for label, found in matches.items():
            for m in found:
                if sent.start <= m.start < sent.end:
                    labels_at.setdefault(m.start, []).append(f"{label}({m.end - m.start})")
        for i in range(sent.start, sent.end):
            tok = sdoc.doc[i]
            lines.append(f"    {i:>4} {tok.text:<16} {sdoc.tags[i]:<4} {' '.join(sorted(labels_at.get(i, [])))}")
        parties = finder.find(sent.start, sent.end)
        anchors = find_anchors(sdoc, sent, rules)
        lines.append("  parties: " + ("; ".join(f"{p.text!r} [{p.start}:{p.end}] {p.kind or '-'}/{p.source}"
                                                for p in parties) or "none"))
        lines.append("  amounts: " + ("; ".join(f"{sdoc.doc[a.start:a.end].text!r} [{a.start}:{a.end}] {a.kind} "
                                                f"{a.value} {a.currency or ''}" for a in anchors) or "none"))
        if kind == "official":  # titles and names, read by the officials' own finders
            units = OfficialParser(sdoc, sent, rules, finder).units()
        else:
            units = SentenceUnits(sdoc, sent, parties, anchors, phrase_finder(sdoc, sent, parties))
        lines.append(f"  patterns ({kind}):")
        for pattern in compiled_patterns(rules, kind):
            missing = [label for label in pattern.required_labels() if not sent.of(label)]
            blocked = [label for label in pattern.unless if sent.of(label)]
            if missing:
                lines.append(f"    {pattern.id}: needs {', '.join(missing)}")
                continue
            if blocked:
                lines.append(f"    {pattern.id}: blocked by {', '.join(blocked)} in the sentence")
                continue
            if pattern.when and not any(sent.of(label) for label in pattern.when):
                lines.append(f"    {pattern.id}: needs one of {', '.join(pattern.when)}")
                continue
            k, at = _furthest(units, pattern.elements)
            if k == len(pattern.elements):
                near = [label for label in pattern.unless_near if sent.of(label)]
                lines.append(f"    {pattern.id}: MATCHES from token {at}"
                             + (f" (dropped if {', '.join(near)} stands near it)" if near else ""))
            else:
                lines.append(f"    {pattern.id}: {k} of {len(pattern.elements)} elements"
                             + (f" from token {at}" if at is not None else "")
                             + f"; stops at {_describe(pattern.elements[k])}")
    rows = extract_text(text, rules_dir=rules_dir)
    table = {"aid": "aid_events", "agreement": "agreements", "official": "officials"}.get(kind, kind)
    lines.append(f"rows ({table}):")
    for row in rows.get(table, []):
        if kind == "official":
            lines.append(f"  {row.get('rule_id')}: {row.get('name')} {list(row.get('titles') or [])} "
                         f"{row.get('country') or ''} {row.get('evidence')!r}")
            continue
        lines.append(f"  {row.get('rule_id')}: {row.get('donor') or row.get('parties')} -> "
                     f"{row.get('recipient') or ''} {row.get('evidence')!r}")
    return "\n".join(lines)
