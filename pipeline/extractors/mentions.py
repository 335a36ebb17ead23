"""Every typed mention: the lexicon's matches, dates and people, for review and search."""

from __future__ import annotations

MENTION_LABELS = ("PLACE", "TITLE", "ITEM", "GIVE", "RECEIVE", "AGREEMENT_KIND")


def _mention_rows(matches, dates, official_mentions) -> list[dict]:
    rows = []
    for label in MENTION_LABELS:
        for m in matches.get(label, []):
            rows.append({"label": label, "text": m.text, "normalized": m.phrase.normalized,
                         "char_start": m.char_start, "char_end": m.char_end, "rule_id": m.phrase.rule_id})
    for d in dates:
        rows.append({"label": "DATE", "text": d.text, "normalized": d.value.value or "",
                     "char_start": d.start, "char_end": d.end, "rule_id": d.rule_id})
    for m in official_mentions:
        rows.append({"label": "PERSON", "text": m["evidence"], "normalized": m["name"],
                     "char_start": m["char_start"], "char_end": m["char_end"], "rule_id": m["rule_id"]})
    rows.sort(key=lambda r: (r["char_start"], r["char_end"], r["label"]))
    for r in rows:
        r["evidence"] = r["text"]
    return rows

