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

from collections import defaultdict

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


def _compatible(a: dict, b: dict) -> bool:
    for x, y in zip(_date_parts(a), _date_parts(b)):
        if x is not None and y is not None and x != y:
            return False
    return True


def consolidate_aid_events(events: list[dict], articles: dict[str, dict]) -> list[dict]:
    groups: list[list[dict]] = []
    by_key: dict[tuple, list[list[dict]]] = defaultdict(list)
    for row in sorted(events, key=lambda r: (_published_sort(articles[r["article_id"]]), r["event_id"])):
        for group in by_key[_key(row)]:
            if all(_compatible(row, member) for member in group) and \
                    row["article_id"] not in {m["article_id"] for m in group}:
                group.append(row)
                break
        else:
            group = [row]
            by_key[_key(row)].append(group)
            groups.append(group)
    return [_consolidated_event(n, group, articles) for n, group in enumerate(groups)]


def _published_sort(article: dict) -> str:
    published = article.get("published_at")
    return published.isoformat() if published is not None else "9999"


def _consolidated_event(n: int, group: list[dict], articles: dict[str, dict]) -> dict:
    first = group[0]
    stated = next((r for r in group if r["event_date"]), None)
    partial = next((r for r in group if r["event_month"] is not None), None)
    event_date, source = None, None
    if stated is not None:
        event_date = stated["event_date"]
        unresolved_elsewhere = any(r["event_date"] is None and r["event_month"] is not None for r in group)
        source = "filled_from_corroborating_article" if unresolved_elsewhere else "stated"
    elif partial is not None:
        source = "year_unresolved"
    published = [articles[r["article_id"]].get("published_at") for r in group]
    published = [p for p in published if p is not None]
    earliest = min(published) if published else None
    return {
        "consolidated_id": f"aid-{n:04d}",
        **{k: first.get(k) for k in EVENT_KEY},
        **usd_columns(first["amount"], first["currency"], event_date, news_date(earliest)),
        "recipient_count": first["recipient_count"],
        "is_total": any(r["is_total"] for r in group),
        "flow": first["flow"],
        "event_date": event_date,
        "event_day_date": day_of_iso(event_date),
        "event_date_source": source,
        "date_from_article": stated["article_id"] if source == "filled_from_corroborating_article" else None,
        "n_articles": len(group),
        "article_ids": [r["article_id"] for r in group],
        "event_ids": [r["event_id"] for r in group],
        "evidences": [r["evidence"] for r in group],
        "earliest_published_at": earliest,
        "earliest_published_date": news_date(earliest),
    }


def consolidate_officials(officials: list[dict]) -> list[dict]:
    full_names = full_names_of_short_forms(officials)
    people: dict[str, list[dict]] = defaultdict(list)
    for row in officials:
        people[full_names.get((row["article_id"], row["name"]), row["name"])].append(row)
    out = []
    for name in sorted(people):
        rows = people[name]
        countries = [r["country"] for r in rows if r["country"]]
        country = max(sorted(set(countries)), key=countries.count) if countries else None
        titles = drop_subsumed_titles([t for r in rows for t in r["titles"]])
        out.append({
            "name": name, "titles": titles, "country": country,
            "n_articles": len({r["article_id"] for r in rows}),
            "article_ids": sorted({r["article_id"] for r in rows}),
            "n_mentions": sum(r["n_mentions"] for r in rows),
            "evidences": [r["evidence"] for r in rows],
            "merged_names": sorted({r["name"] for r in rows} - {name}),
        })
    return out


def full_names_of_short_forms(officials: list[dict]) -> dict[tuple[str, str], str]:
    """(article id, name) -> the full name of the person a short form names, for the names that are one.

    The article's own people decide first: "Clinton" beside "Hillary Clinton" is her even when the run also
    names "Bill Clinton"; only a short form whose article names no one it could be is looked up in the run.
    """
    names_by_article: dict[str, set[str]] = defaultdict(set)
    for row in officials:
        names_by_article[row["article_id"]].add(row["name"])
    in_run = names_ending_in({row["name"] for row in officials})
    full_names = {}
    for article_id, names in names_by_article.items():
        in_article = names_ending_in(names)
        for name in names:
            full = full_name_of(name, in_article, in_run)
            if full != name:
                full_names[article_id, name] = full
    return full_names
