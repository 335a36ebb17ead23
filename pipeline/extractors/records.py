"""Facts as typed records, each part of a fact with the words it was read from.

A role is a part of a fact (donor, recipient, amount, verb; document, party; name, title) and the span of the
body that states it. Rows carry their roles in the ``roles`` column, so validation re-derives each part from
its own words and the review page shows who gave what to whom.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    role: str
    text: str
    char_start: int
    char_end: int

    def as_dict(self) -> dict:
        return {"role": self.role, "text": self.text, "char_start": self.char_start, "char_end": self.char_end}


@dataclass(frozen=True)
class TokenSpan:
    """Tokens start:end of a syllable Doc that no other unit names (a document's title, a person's name)."""

    start: int
    end: int


def role_of(sdoc, role: str, start: int, end: int) -> Role | None:
    """The role of the tokens start:end of a syllable Doc; None for a unit of another text (a headline's
    party carried into the body has no span in the body: start < 0)."""
    if start < 0 or end <= start or end > len(sdoc.doc):
        return None
    c0 = sdoc.doc[start].idx
    c1 = sdoc.doc[end - 1].idx + len(sdoc.doc[end - 1])
    return Role(role, sdoc.text[c0:c1], c0, c1)


def roles_of(sdoc, pairs) -> list[dict]:
    """Role dicts, in text order, for (role, unit) pairs whose unit has token ``start``/``end`` (parties,
    amounts, phrases); units of another text are left out."""
    roles = [role_of(sdoc, name, unit.start, unit.end) for name, unit in pairs if unit is not None]
    return [r.as_dict() for r in sorted((r for r in roles if r is not None),
                                        key=lambda r: (r.char_start, r.char_end, r.role))]


@dataclass
class AidEvent:
    """One aid event as the extractors make it: its parties, its value and where each was read."""

    donor: object  # entities.Party
    recipients: list  # entities.Party
    anchor: object  # money.Anchor
    verb: object | None  # lexicon.Match
    flow: str
    rule_id: str
    sentence: int
    char_start: int
    char_end: int
    evidence: str
    is_total: bool = False
    is_cumulative: bool = False
    from_context: bool = False

    def roles(self, sdoc) -> list[dict]:
        value_role = "amount" if self.anchor.kind == "cash" else "quantity"
        return roles_of(sdoc, [("donor", self.donor), *(("recipient", r) for r in self.recipients),
                               (value_role, self.anchor), ("verb", self.verb)])

    def as_row(self, sdoc) -> dict:
        cash = self.anchor.kind == "cash"
        names = list(dict.fromkeys(r.name for r in self.recipients))
        return {
            "donor": self.donor.name,
            "donor_country": self.donor.country,
            "donor_kind": self.donor.kind,
            "recipient": " + ".join(names),
            "recipient_country": _shared(r.country for r in self.recipients),
            "recipient_kind": _shared(r.kind for r in self.recipients),
            "parties_from": "context" if self.from_context else "sentence",
            "item": "cash" if cash else self.anchor.kind,
            "quantity": None if cash else self.anchor.value,
            "amount": self.anchor.value if cash else None,
            "currency": self.anchor.currency,
            "amount_per_recipient": None,
            "recipient_count": None,
            "is_total": self.is_total and cash,
            "is_cumulative": self.is_cumulative,
            "flow": self.flow,
            "qualifier": self.anchor.qualifier,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "evidence": self.evidence,
            "rule_id": self.rule_id,
            "roles": self.roles(sdoc),
            "_sentence": self.sentence,
        }


def _shared(values) -> str | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None
