"""Aid events: who gives what to whom, anchored on an amount or a counted item."""

from __future__ import annotations

from ..lexicon import CompiledRules, Match, SyllableDoc
from .money import Anchor, find_anchors
from .sentence import Sentence, char_span

def _place_before(places, pos) -> list[Match]:
    return [p for p in places if p.end <= pos]


def _preceded_by(sdoc, matches, place: Match) -> bool:
    return any(m.end == place.start for m in matches)


def _subject(sdoc, sent, verb: Match, places) -> Match | None:
    """The place that is the subject of a verb: the nearest one before it that is not
    in a prepositional phrase (unless a gift noun's "của" marks it as the donor)."""
    preps, markers = sent.of("PREP"), sent.of("DONOR_MARKER")
    for place in sorted(_place_before(places, verb.start), key=lambda p: -p.end):
        if _preceded_by(sdoc, markers, place) or not _preceded_by(sdoc, preps, place):
            return place
    return None


def _frame(sdoc, sent, places) -> tuple[str, Match, Match] | None:
    """(give|receive, verb, subject) from the first verb of the sentence that has a subject."""
    verbs = sorted(sent.of("GIVE") + sent.of("RECEIVE"), key=lambda m: m.start)
    for verb in verbs:
        subject = _subject(sdoc, sent, verb, places)
        if subject is not None:
            return ("receive" if verb.label == "RECEIVE" else "give"), verb, subject
    return None


def _distributive(sent, places, anchor: Anchor) -> tuple[Match, Match] | None:
    for each in sent.of("EACH"):
        if each.end == anchor.start:
            group = next((p for p in places if p.end == each.start and p.phrase.get("count")), None)
            if group is not None:
                return group, each
    return None


def _recipients(sdoc, sent, places, anchor: Anchor, donor: Match) -> list[Match]:
    verbs = [v for v in sent.of("GIVE") + sent.of("RECEIVE") if v.end <= anchor.start]
    after = max((v.end for v in verbs), default=sent.start)
    between = [p for p in places if after <= p.start and p.end <= anchor.start
               and p.phrase.normalized != donor.phrase.normalized]
    if between:
        return between
    for to in sent.of("TO"):
        if to.start >= anchor.end:
            nxt = next((p for p in places if p.start == to.end), None)
            if nxt is not None and nxt.phrase.normalized != donor.phrase.normalized:
                return [nxt]
    return []


def _donor_after_from(sent, places, verb: Match) -> Match | None:
    for marker in sent.of("FROM"):
        if marker.start >= verb.end:
            nxt = next((p for p in places if p.start == marker.end), None)
            if nxt is not None:
                return nxt
    return None


def _unique_names(places: list[Match]) -> list[str]:
    names = []
    for p in places:
        if p.phrase.normalized not in names:
            names.append(p.phrase.normalized)
    return names


def _flow(sent, anchor: Anchor) -> str:
    cues = {m.phrase.normalized for m in sent.of("FLOW_CUE")}
    for flow in ("loan", "pledge"):
        if flow in cues:
            return flow
    return "grant" if anchor.kind == "cash" else "in_kind"


def aid_events_in_sentence(sdoc: SyllableDoc, sent: Sentence, rules: CompiledRules) -> list[dict]:
    places = sent.of("PLACE")
    frame = _frame(sdoc, sent, places)
    if frame is None:
        return []
    mode, verb, subject = frame
    rule_base = rules.first("aid")["id"]
    is_cumulative = bool(sent.of("CUMULATIVE_CUE"))
    events = []
    for anchor in find_anchors(sdoc, sent, rules):
        if anchor.start < verb.start and mode == "give":
            continue  # an amount before the verb is not what the verb gives
        start, end = anchor.start, anchor.end
        per_recipient = recipient_count = None
        distributive = _distributive(sent, places, anchor)
        if mode == "receive":
            donor, recipients, rule = _donor_after_from(sent, places, verb), [subject], "received"
        elif distributive is not None:
            group, _ = distributive
            donor, recipients, rule = subject, [group], "distributive"
            recipient_count = int(group.phrase.get("count"))
            per_recipient = anchor.value
            start = group.start
        else:
            donor, recipients, rule = subject, _recipients(sdoc, sent, places, anchor, subject), anchor.kind
        if donor is None or not recipients:
            continue
        recipient_names = _unique_names(recipients)
        if donor.phrase.normalized in recipient_names:
            continue
        noun = next((m for m in sent.of("AID_NOUN") if m.end == start), None)
        if noun is not None and anchor.kind == "cash":
            start = noun.start
        total = anchor.value * recipient_count if recipient_count else anchor.value
        c0, c1 = char_span(sdoc, start, end)
        events.append({
            "donor": donor.phrase.normalized,
            "recipient": " + ".join(recipient_names),
            "item": "cash" if anchor.kind == "cash" else anchor.kind,
            "quantity": None if anchor.kind == "cash" else anchor.value,
            "amount": total if anchor.kind == "cash" else None,
            "currency": anchor.currency,
            "amount_per_recipient": per_recipient if anchor.kind == "cash" else None,
            "recipient_count": recipient_count,
            "is_total": bool(sent.of("TOTAL_CUE")) and anchor.kind == "cash",
            "is_cumulative": is_cumulative,
            "flow": _flow(sent, anchor),
            "qualifier": anchor.qualifier,
            "char_start": c0,
            "char_end": c1,
            "evidence": sdoc.text[c0:c1],
            "rule_id": f"{rule_base}:{'in_kind' if rule not in ('cash', 'received', 'distributive') else rule}",
            "_sentence": sent.index,
        })
    return events


def reconcile_totals(events: list[dict]) -> None:
    """Mark a cash row as a total when other rows of the same donor and currency, to
    recipients it names, add up to it."""
    for row in events:
        if row["item"] != "cash" or " + " not in row["recipient"]:
            continue
        named = set(row["recipient"].split(" + "))
        parts = [e for e in events if e is not row and e["item"] == "cash" and e["donor"] == row["donor"]
                 and e["currency"] == row["currency"] and set(e["recipient"].split(" + ")) <= named
                 and e["recipient"] != row["recipient"]]
        if parts and sum(e["amount"] for e in parts) == row["amount"]:
            row["is_total"] = True


def merge_repeated_events(events: list[dict]) -> list[dict]:
    """The same event stated twice in an article (a caption and a paragraph) is one row."""
    kept: dict[tuple, dict] = {}
    for e in events:
        key = (e["donor"], e["recipient"], e["item"], e["quantity"], e["amount"], e["currency"])
        if key in kept:
            kept[key]["n_mentions"] += 1
        else:
            kept[key] = {**e, "n_mentions": 1}
    return list(kept.values())
