"""Check fact gold files: their form (docs/ANNOTATION.md) and that every quoted text is in the article.

    python tests/gold/aid/check.py tests/gold/aid/train/*.yaml

The article is looked up in the `articles/` folder beside the gold file. Prints one line per problem and exits 1
when there is any.
"""
import re
import sys
from pathlib import Path

import yaml

ITEMS = {"cash", "masks", "test_kits", "medical_equipment", "medical_supplies", "vaccine_doses", "ventilators",
         "vehicles", "food", "scholarships", "goods", "other"}
FLOWS = {"grant", "in_kind", "loan", "pledge", "debt_relief"}
KINDS = {"mou", "cooperation_agreement", "agreement", "loan_agreement", "treaty", "cooperation_plan"}
QUALIFIERS = {"approx", "at_least", "less_than"}
AID_KEYS = {"donor", "donor_aliases", "recipient", "recipient_aliases", "item", "amount", "amount_max", "currency",
            "quantity", "flow", "evidence", "optional", "is_total", "amount_per_recipient", "recipient_count",
            "date", "date_text", "qualifier", "unit", "construction"}
CONSTRUCTIONS = {"give", "lend", "pledge", "debt_relief", "receive", "passive", "per_recipient", "total",
                 "list_item", "valued_goods", "frame", "other"}
AGREEMENT_KEYS = {"kind", "title", "parties", "party_aliases", "signed", "evidence", "optional", "count",
                  "signed_text", "period"}
DATE_VALUE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|--\d{2}(-\d{2})?)$")


def problems(path: Path) -> list[str]:
    out = []
    try:
        gold = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        return [f"{path}: not YAML: {e}".replace("\n", " ")]
    if not isinstance(gold, dict) or "file" not in gold:
        return [f"{path}: a gold file is a mapping with 'file'"]
    article = path.parent / "articles" / str(gold["file"])
    if not article.is_file():
        return [f"{path}: article {article} not found"]
    text = article.read_text(encoding="utf-8", errors="replace")

    def quoted(where: str, value) -> None:
        if value is not None and str(value) not in text:
            out.append(f"{path}: {where}: {value!r} is not in the article")

    def date_value(where: str, value) -> None:
        if value is not None and not DATE_VALUE.match(str(value)):
            out.append(f"{path}: {where}: {value!r} is not YYYY-MM-DD, --MM-DD, YYYY-MM or YYYY")

    for key in ("aid_events", "officials", "agreements", "dates"):
        if not isinstance(gold.get(key) or [], list):
            out.append(f"{path}: {key} is not a list")
    for i, e in enumerate(gold.get("aid_events") or []):
        where = f"aid_events[{i}]"
        if not isinstance(e, dict):
            out.append(f"{path}: {where} is not a mapping")
            continue
        for k in set(e) - AID_KEYS:
            out.append(f"{path}: {where}: unknown key {k!r}")
        for k in ("donor", "recipient", "item", "evidence", "flow"):
            if not e.get(k):
                out.append(f"{path}: {where}: {k} missing")
        if e.get("item") not in ITEMS:
            out.append(f"{path}: {where}: item {e.get('item')!r} not one of {sorted(ITEMS)}")
        if e.get("flow") not in FLOWS:
            out.append(f"{path}: {where}: flow {e.get('flow')!r} not one of {sorted(FLOWS)}")
        if e.get("construction") not in (None, *CONSTRUCTIONS):
            out.append(f"{path}: {where}: construction {e.get('construction')!r} not one of {sorted(CONSTRUCTIONS)}")
        if e.get("qualifier") not in (None, *QUALIFIERS):
            out.append(f"{path}: {where}: qualifier {e.get('qualifier')!r} not one of {sorted(QUALIFIERS)}")
        if e.get("item") == "cash" and (e.get("amount") is None or not e.get("currency")):
            out.append(f"{path}: {where}: cash needs amount and currency")
        if e.get("item") != "cash" and e.get("quantity") is None and e.get("amount") is None:
            out.append(f"{path}: {where}: goods need a quantity or a stated value (amount, currency)")
        for k in ("amount", "amount_max", "quantity", "amount_per_recipient", "recipient_count"):
            if e.get(k) is not None and not isinstance(e[k], (int, float)):
                out.append(f"{path}: {where}: {k} {e[k]!r} is not a number")
        quoted(f"{where}.evidence", e.get("evidence"))
        quoted(f"{where}.date_text", e.get("date_text"))
        date_value(f"{where}.date", e.get("date"))
    for i, o in enumerate(gold.get("officials") or []):
        if not isinstance(o, dict) or not o.get("name"):
            out.append(f"{path}: officials[{i}] needs a name")
    for i, a in enumerate(gold.get("agreements") or []):
        where = f"agreements[{i}]"
        if not isinstance(a, dict):
            out.append(f"{path}: {where} is not a mapping")
            continue
        for k in set(a) - AGREEMENT_KEYS:
            out.append(f"{path}: {where}: unknown key {k!r}")
        if a.get("kind") not in KINDS:
            out.append(f"{path}: {where}: kind {a.get('kind')!r} not one of {sorted(KINDS)}")
        quoted(f"{where}.evidence", a.get("evidence"))
        date_value(f"{where}.signed", a.get("signed"))
    for i, d in enumerate(gold.get("dates") or []):
        if not isinstance(d, dict) or not d.get("text"):
            out.append(f"{path}: dates[{i}] needs text")
            continue
        quoted(f"dates[{i}].text", d.get("text"))
        date_value(f"dates[{i}].value", d.get("value"))
    must_not = gold.get("must_not") or {}
    if not isinstance(must_not, dict):
        out.append(f"{path}: must_not is not a mapping")
    return out


if __name__ == "__main__":
    found = [line for arg in sys.argv[1:] for line in problems(Path(arg))]
    print("\n".join(found) if found else f"{len(sys.argv) - 1} gold files: no problem")
    sys.exit(1 if found else 0)
