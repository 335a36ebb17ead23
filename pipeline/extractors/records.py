"""Facts as typed records, each part of a fact with the words it was read from.

A role is a part of a fact (donor, recipient, amount, verb; document, party; name, title) and the span of the
body that states it. Rows carry their roles in the ``roles`` column, so validation re-derives each part from
its own words and the review page shows who gave what to whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..calendar_days import day_of_iso
from ..money_rates import usd_columns


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
    if start < 0 or end <= start or end > len(sdoc.texts):
        return None
    c0, c1 = sdoc.token_starts[start], sdoc.token_ends[end - 1]
    return Role(role, sdoc.text[c0:c1], c0, c1)


def in_text_order(role: dict) -> tuple:
    """The sort key of role dicts: where they start, where they end, then their name."""
    return role["char_start"], role["char_end"], role["role"]


def roles_of(sdoc, pairs) -> list[dict]:
    """Role dicts, in text order, for (role, unit) pairs whose unit has token ``start``/``end`` (parties,
    amounts, phrases); units of another text are left out."""
    roles = [role_of(sdoc, name, unit.start, unit.end) for name, unit in pairs if unit is not None]
    return sorted((r.as_dict() for r in roles if r is not None), key=in_text_order)


@dataclass
class AidEvent:
    """One aid event as the extractors make it: its parties, its value and where each was read. Article-level
    steps change it (a borrower found in an agreement, a total, a head of state giving for the state, the date);
    ``as_row`` makes the published row."""

    donor: object  # entities.Party
    recipients: list  # entities.Party; empty for a loan whose borrower the sentence does not name
    anchor: object  # money.Anchor
    verb: object | None  # lexicon.Match
    flow: str
    rule_id: str
    sentence: int
    char_start: int
    char_end: int
    evidence: str
    recipient_count: int | None = None  # "mỗi tỉnh 20.000 USD" to so many: the amount is each one's
    per_recipient: bool = False  # "mỗi nạn nhân 2 triệu đồng", how many not said: each one's amount, no total
    is_total: bool = False
    is_cumulative: bool = False
    from_context: bool = False
    n_mentions: int = 1
    date: object | None = None  # the dates.DateMention the event is dated by
    state: tuple[str, str] | None = None  # (name, country) of the state a head of state gives for

    @property
    def is_cash(self) -> bool:
        return self.anchor.kind == "cash"

    @property
    def donor_name(self) -> str:
        return self.state[0] if self.state else self.donor.name

    @property
    def recipient_names(self) -> list[str]:
        return list(dict.fromkeys(r.name for r in self.recipients))

    @property
    def recipient(self) -> str:
        return " + ".join(self.recipient_names)

    @property
    def recipient_country(self) -> str | None:
        return shared(r.country for r in self.recipients)

    @property
    def recipient_kind(self) -> str | None:
        return shared(r.kind for r in self.recipients)

    @property
    def is_range(self) -> bool:
        return self.anchor.low is not None

    @property
    def amount(self):
        worth = self.anchor.worth
        if worth is not None and not self.is_cash:  # goods, with what they are worth
            return None if worth.low is not None else worth.value * self.anchor.value if self.anchor.worth_each \
                else worth.value
        if not self.is_cash or self.is_range:
            return None
        if self.per_recipient and not self.recipient_count:
            return None
        return self.anchor.value * self.recipient_count if self.recipient_count else self.anchor.value

    @property
    def currency(self) -> str | None:
        worth = self.anchor.worth
        return worth.currency if worth is not None and not self.is_cash else self.anchor.currency

    def key(self) -> tuple:
        """What makes two statements one event."""
        return (self.donor_name, self.recipient, self.anchor.kind, None if self.is_cash else self.anchor.value,
                self.amount, self.currency, self.anchor.value if self.per_recipient else None,
                self.anchor.low)

    def roles(self, sdoc) -> list[dict]:
        value_role = "amount" if self.is_cash else "quantity"
        pairs = [("donor_official" if self.state else "donor", self.donor),
                 *(("recipient", r) for r in self.recipients), (value_role, self.anchor), ("verb", self.verb),
                 ("worth", None if self.is_cash else self.anchor.worth)]
        roles = roles_of(sdoc, pairs)
        if self.date is not None:
            roles.append(Role("date", self.date.text, self.date.start, self.date.end).as_dict())
            roles.sort(key=in_text_order)
        return roles

    def as_row(self, sdoc, published_on: date | None = None) -> dict:
        """The published row; ``published_on`` (the article's day in Vietnam's calendar) dates the USD rate of an
        event without a day of its own."""
        value = self.date.value if self.date is not None else None
        event_date = value.value if value is not None else None
        return {
            "donor": self.donor_name,
            "donor_country": self.state[1] if self.state else self.donor.country,
            "donor_kind": "country" if self.state else self.donor.kind,
            "recipient": self.recipient,
            "recipient_country": self.recipient_country,
            "recipient_kind": self.recipient_kind,
            "parties_from": "context" if self.from_context else "sentence",
            "item": self.anchor.kind,
            "quantity": None if self.is_cash else self.anchor.value,
            "amount": self.amount,
            "amount_min": self.anchor.low if self.is_range else None,
            "amount_max": self.anchor.value if self.is_range else None,
            "currency": self.currency,
            **usd_columns(self.amount, self.currency, event_date, published_on),
            "amount_per_recipient": self.anchor.value if self.is_cash and not self.is_range
            and (self.recipient_count or self.per_recipient) else None,
            "recipient_count": self.recipient_count,
            "is_total": self.is_total and self.is_cash,
            "is_cumulative": self.is_cumulative,
            "flow": self.flow,
            "qualifier": self.anchor.qualifier or (self.anchor.worth.qualifier if self.amount is not None
                                                   and not self.is_cash else None),
            "event_date": event_date,
            "event_day_date": day_of_iso(event_date),
            "event_month": value.month if value is not None else None,
            "event_day": value.day if value is not None else None,
            "n_mentions": self.n_mentions,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "evidence": self.evidence,
            "rule_id": self.rule_id,
            "roles": self.roles(sdoc),
        }


@dataclass
class SignedDocument:
    """An agreement as the extractors make it: its published columns (roles among them) and what the
    article-level merge needs to know of how it was named."""

    row: dict
    definite: bool = False  # "các văn kiện hợp tác": documents the article names elsewhere
    unnamed: bool = False  # "ký kết hợp tác": a signing with no document noun

    @property
    def parties(self) -> list[str]:
        return self.row["parties"]

    def as_row(self) -> dict:
        return dict(self.row)


def shared(values) -> str | None:
    """The one value all of ``values`` share, else None."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None
