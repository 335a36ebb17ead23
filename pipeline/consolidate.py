"""One event, many articles: consolidate validated rows that describe the same fact.

Aid events are the same event when donor, recipient, item, amount or quantity,
currency and per-recipient split are equal and their dates are compatible (equal
where both are known; a day/month whose year one article leaves unresolved agrees
with the same day/month of another). Different donors, recipients or items never
merge, even when the amount is the same. Officials are the same person when the
name is the same, or when one name is a short form of the other: its last word(s) ("Trump" of "Donald Trump"),
and the full name of no other person of the same article (else of the run) ends that way; the row keeps the
full name and lists the short forms it merged.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from operator import attrgetter
from typing import Iterable, NamedTuple

from .calendar_days import day_of_iso, news_date
from .extractors import drop_subsumed_titles
from .extractors.officials import full_name_of, names_ending_in
from .money_rates import usd_columns

# The columns consolidation reads of the published tables (read alone: not the roles and offsets of every row).
AID_COLUMNS = ("donor", "recipient", "item", "quantity", "amount", "amount_min", "amount_max", "currency",
               "amount_per_recipient", "is_cumulative", "recipient_count", "is_total", "flow", "event_date",
               "event_month", "event_day", "article_id", "event_id", "evidence")
OFFICIAL_COLUMNS = ("article_id", "name", "country", "titles", "n_mentions", "evidence")

# A background figure restated as cumulative never merges with a new event of the same amount.
EVENT_KEY = ("donor", "recipient", "item", "quantity", "amount", "amount_min", "amount_max", "currency",
             "amount_per_recipient", "is_cumulative")


def _key(row: dict) -> tuple:
    return tuple(str(row.get(k)) if row.get(k) is not None else None for k in EVENT_KEY)


def _date_parts(row: dict) -> tuple[str | None, int | None, int | None]:
    year = row["event_date"][:4] if row["event_date"] else None
    return year, row["event_month"], row["event_day"]


def _compatible(a: tuple, b: tuple) -> bool:
    """Two events' date parts agree wherever both are known."""
    return all(x is None or y is None or x == y for x, y in zip(a, b))


class AidRow(NamedTuple):
    """What consolidation keeps of one aid event: its place in the order, and what its group needs of it."""
    published: str  # the article's publication time as sorted (_published_sort)
    event_id: str
    key: tuple  # _key(row)
    fields: tuple  # the values a consolidated row takes from the first of its group (AID_FIRST_FIELDS)
    dates: tuple  # _date_parts(row)
    event_date: str | None
    article_id: str
    evidence: str
    is_total: bool


# Besides the event key, the columns a consolidated row takes from the first event of its group.
AID_FIRST_FIELDS = (*EVENT_KEY, "recipient_count", "flow")


def aid_row(row: dict, published: str, shared: dict) -> AidRow:
    """A published aid event as consolidation keeps it. Values many events have (keys, dates, article ids) are
    kept once, in ``shared``: a corpus that repeats an event holds it once, not once per article."""
    def once(value, key=None):
        return shared.setdefault(value if key is None else key, value)
    fields = tuple(row.get(k) for k in AID_FIRST_FIELDS)
    # fields are shared by their repr: 40000 and Decimal("40000.00") are equal, yet each row keeps its own
    return AidRow(published, row["event_id"], once(_key(row)), once(fields, ("fields", *map(repr, fields))),
                  once(_date_parts(row)), row["event_date"], once(row["article_id"]), once(row["evidence"]),
                  row["is_total"])


def consolidate_aid_events(events: Iterable[dict], articles: dict[str, dict]) -> list[dict]:
    """Aid events in groups of the same event, one consolidated row each, numbered in the order the groups
    start. ``events`` is read once, one row at a time (a list, or rows read from their table in batches):
    each is kept as a compact AidRow, never as the row itself."""
    published = {aid: _published_sort(a) for aid, a in articles.items()}
    shared: dict = {}
    rows = sorted((aid_row(row, published[row["article_id"]], shared) for row in events),
                  key=attrgetter("published", "event_id"))
    del shared  # the rows hold what it shares; its repr keys go
    groups: list[AidGroup] = []
    by_key: dict[tuple, list[AidGroup]] = defaultdict(list)
    for row in rows:
        for group in by_key[row.key]:
            if group.takes(row):
                group.add(row)
                break
        else:
            group = AidGroup(row)
            by_key[row.key].append(group)
            groups.append(group)
    return [_consolidated_event(n, group, articles) for n, group in enumerate(groups)]


class AidGroup:
    """The events of one consolidated event so far, as what its row needs: the first event, the first stating
    a day, the date parts and articles seen, and each event's id and evidence in order."""

    def __init__(self, first: AidRow):
        self.first = first
        self.stated: AidRow | None = None
        self.dates: set[tuple] = set()
        self.article_ids: list[str] = []
        self.articles: set[str] = set()  # article_ids, to look up
        self.event_ids: list[str] = []
        self.evidences: list[str] = []
        self.is_total = False
        self.has_month = False  # some event states a month
        self.unresolved_month = False  # some event states a month but no resolved day
        self.add(first)

    def takes(self, row: AidRow) -> bool:
        """The event is compatible with every event of the group, and from an article the group has none of."""
        return all(_compatible(row.dates, d) for d in self.dates) and row.article_id not in self.articles

    def add(self, row: AidRow) -> None:
        month = row.dates[1]
        if self.stated is None and row.event_date:
            self.stated = row
        self.dates.add(row.dates)
        self.article_ids.append(row.article_id)
        self.articles.add(row.article_id)
        self.event_ids.append(row.event_id)
        self.evidences.append(row.evidence)
        self.is_total = self.is_total or bool(row.is_total)
        self.has_month = self.has_month or month is not None
        self.unresolved_month = self.unresolved_month or (row.event_date is None and month is not None)


def _published_sort(article: dict) -> str:
    published = article.get("published_at")
    return published.isoformat() if published is not None else "9999"


def _consolidated_event(n: int, group: AidGroup, articles: dict[str, dict]) -> dict:
    first = dict(zip(AID_FIRST_FIELDS, group.first.fields))
    event_date, source = None, None
    if group.stated is not None:
        event_date = group.stated.event_date
        source = "filled_from_corroborating_article" if group.unresolved_month else "stated"
    elif group.has_month:
        source = "year_unresolved"
    published = [articles[a].get("published_at") for a in group.article_ids]
    published = [p for p in published if p is not None]
    earliest = min(published) if published else None
    return {
        "consolidated_id": f"aid-{n:04d}",
        **{k: first[k] for k in EVENT_KEY},
        **usd_columns(first["amount"], first["currency"], event_date, news_date(earliest)),
        "recipient_count": first["recipient_count"],
        "is_total": group.is_total,
        "flow": first["flow"],
        "event_date": event_date,
        "event_day_date": day_of_iso(event_date),
        "event_date_source": source,
        "date_from_article": group.stated.article_id if source == "filled_from_corroborating_article" else None,
        "n_articles": len(group.article_ids),
        "article_ids": list(group.article_ids),
        "event_ids": list(group.event_ids),
        "evidences": list(group.evidences),
        "earliest_published_at": earliest,
        "earliest_published_date": news_date(earliest),
    }


def consolidate_officials(officials: Iterable[dict]) -> list[dict]:
    """One row per person. ``officials`` is read twice, one row at a time (a list, or rows read again from
    their table in batches): once for the names, once to add each row to its person's Person."""
    full_names = full_names_of_short_forms(officials)
    people: dict[str, Person] = {}
    for row in officials:
        name = full_names.get((row["article_id"], row["name"]), row["name"])
        people.setdefault(name, Person()).add(row)
    return [people[name].row(name) for name in sorted(people)]


class Person:
    """What a consolidated official's row needs of the rows naming the person, gathered one row at a time."""

    def __init__(self):
        self.countries: Counter[str] = Counter()
        self.titles: dict[str, None] = {}  # every title, in the order first met
        self.article_ids: set[str] = set()
        self.n_mentions = 0
        self.evidences: list[str] = []
        self.names: set[str] = set()

    def add(self, row: dict) -> None:
        if row["country"]:
            self.countries[row["country"]] += 1
        self.titles.update(dict.fromkeys(row["titles"]))
        self.article_ids.add(row["article_id"])
        self.n_mentions += row["n_mentions"]
        self.evidences.append(row["evidence"])
        self.names.add(row["name"])

    def row(self, name: str) -> dict:
        # the most frequent country; of equally frequent ones, the first in sorted order
        country = max(sorted(self.countries), key=self.countries.__getitem__) if self.countries else None
        return {
            "name": name, "titles": drop_subsumed_titles(list(self.titles)), "country": country,
            "n_articles": len(self.article_ids),
            "article_ids": sorted(self.article_ids),
            "n_mentions": self.n_mentions,
            "evidences": self.evidences,
            "merged_names": sorted(self.names - {name}),
        }


def full_names_of_short_forms(officials: list[dict]) -> dict[tuple[str, str], str]:
    """(article id, name) -> the full name of the person a short form names, for the names that are one.

    The article's own people decide first: "Clinton" beside "Hillary Clinton" is her even when the run also
    names "Bill Clinton"; only a short form whose article names no one it could be is looked up in the run.
    """
    names_by_article: dict[str, set[str]] = defaultdict(set)
    for row in officials:
        names_by_article[row["article_id"]].add(row["name"])
    in_run = names_ending_in(set().union(*names_by_article.values()))
    full_names = {}
    for article_id, names in names_by_article.items():
        in_article = names_ending_in(names)
        for name in names:
            full = full_name_of(name, in_article, in_run)
            if full != name:
                full_names[article_id, name] = full
    return full_names
