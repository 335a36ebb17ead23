"""The overview page of the review pages (``report/overview.html``): who gave what to whom, at a glance.

Totals of the consolidated aid events by flow, donor, recipient and year, in US dollars (``amount_usd``) and in
events; a donor -> recipient picture; the largest events; and every event with the exact words it was read from,
linked to the row on its article's page. The charts are inline SVG drawn here: the page loads nothing. Totals and
restated cumulative figures are listed but never added, since the events they sum are counted already. Bar
lengths use a logarithmic scale, so one very large amount does not flatten every other bar; each bar is labelled
with its exact sum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from .report import KINDS, format_value, html_table, page, page_name, row_key

AID_KIND = next(kind for kind in KINDS if kind.table.name == "aid_events")
TOP_GROUPS = 15  # bars per chart; the other groups are listed below it
TOP_EVENTS = 20
FLOW_NODES = 10  # donors and recipients drawn in the flow picture


@dataclass(frozen=True)
class Evidence:
    text: str
    href: str  # the row on its article's page


@dataclass(frozen=True)
class Event:
    """A consolidated aid event as the overview shows it."""

    anchor: str
    row: dict
    evidence: tuple[Evidence, ...]

    @property
    def usd(self) -> Decimal | None:
        return self.row["amount_usd"]

    @property
    def counted(self) -> bool:
        """Added into totals: not a stated total or a restated cumulative figure of other events."""
        return not self.row["is_total"] and not self.row["is_cumulative"]

    @property
    def year(self) -> str:
        date = self.row["event_date"] or ""
        if date[:4].isdigit():
            return date[:4]
        published = self.row["earliest_published_date"]
        return str(published.year) if published is not None else "undated"


@dataclass
class Group:
    """The counted events of one donor, recipient, year, flow or donor -> recipient pair."""

    name: str
    anchor: str
    events: list[Event] = field(default_factory=list)

    @property
    def usd(self) -> Decimal:
        return sum((e.usd for e in self.events if e.usd is not None), Decimal(0))

    @property
    def cash_events(self) -> int:
        return sum(1 for e in self.events if e.usd is not None)


def row_links(articles) -> dict[str, str]:
    """event_id -> the address of its row on its article's page (the rows as the article pages number them)."""
    links = {}
    for data in articles:
        for number, row in enumerate(data.rows[AID_KIND.label], start=1):
            links[row["event_id"]] = f"{page_name(data.article['article_id'])}#row-{row_key(AID_KIND, number)}"
    return links


def overview_events(consolidated: list[dict], links: dict[str, str]) -> list[Event]:
    events = []
    for n, row in enumerate(consolidated, start=1):
        evidence = tuple(Evidence(text, links.get(event_id, ""))
                         for event_id, text in zip(row["event_ids"], row["evidences"]))
        events.append(Event(f"ev-{n}", row, evidence))
    return events


def groups_by(events: list[Event], key, prefix: str) -> list[Group]:
    """The counted events grouped by ``key(event)``: the largest sum in US dollars first, then the most events."""
    groups: dict[str, Group] = {}
    for event in events:
        if event.counted:
            name = key(event)
            groups.setdefault(name, Group(name, "")).events.append(event)
    ordered = sorted(groups.values(), key=lambda g: (-g.usd, -len(g.events), g.name))
    for n, group in enumerate(ordered, start=1):
        group.anchor = f"{prefix}-{n}"
    return ordered


def short(name: str, limit: int = 36) -> str:
    """A name cut to fit beside a chart (its whole text is in the bar's tooltip and in the list)."""
    return name if len(name) <= limit else name[:limit - 1] + "…"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def money(value: Decimal | None) -> str:
    if value is None:
        return ""
    if value >= 1_000_000_000:
        return f"US$ {value / 1_000_000_000:,.2f} billion"
    if value >= 1_000_000:
        return f"US$ {value / 1_000_000:,.2f} million"
    return f"US$ {value:,.0f}"


def group_label(group: Group) -> str:
    cash = money(group.usd) if group.cash_events else "no cash amount"
    return f"{cash} · {plural(len(group.events), 'event')}"


def bar_lengths(values: list[Decimal], width: float) -> list[float]:
    """Bar lengths on a logarithmic scale: the largest value fills ``width``, the smallest positive one a tenth
    of it; a group with no amount has no bar."""
    positive = [v for v in values if v > 0]
    if not positive:
        return [0.0 for _ in values]
    low, high = math.log10(min(positive)), math.log10(max(positive))
    span = high - low
    return [0.0 if v <= 0 else width * (1.0 if span == 0 else 0.1 + 0.9 * (math.log10(v) - low) / span)
            for v in values]


def bar_chart(title: str, groups: list[Group], chart_id: str) -> str:
    """A horizontal bar per group (the largest ``TOP_GROUPS``), each a link to the group's events."""
    shown = groups[:TOP_GROUPS]
    label_width, bar_width, row_height = 280, 300, 24
    height = row_height * len(shown) + 34
    lengths = bar_lengths([g.usd for g in shown], bar_width)
    parts = [f'<svg id="{chart_id}" class="chart" role="img" viewBox="0 0 900 {height}" width="900" '
             f'height="{height}">',
             f"<title>{escape(title)}</title>",
             f'<text x="0" y="16" class="chart-title">{escape(title)}</text>']
    for k, (group, length) in enumerate(zip(shown, lengths)):
        y = 30 + k * row_height
        name = short(group.name)
        parts.append(
            f'<a href="#{group.anchor}"><title>{escape(group.name)}: {escape(group_label(group))}</title>'
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(name)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{max(length, 2):.1f}" height="{row_height - 8}" '
            f'class="bar{"" if group.cash_events else " bar-nocash"}"/>'
            f'<text x="{label_width + max(length, 2) + 6:.1f}" y="{y + 15}" class="value">'
            f"{escape(group_label(group))}</text></a>")
    parts.append("</svg>")
    more = "" if len(groups) <= TOP_GROUPS else \
        f'<p class="empty">{len(groups) - TOP_GROUPS} more below the chart, in the list.</p>'
    return "\n".join(parts) + more


def flow_picture(events: list[Event], by_donor: list[Group],
                 by_recipient: list[Group]) -> tuple[str, list[Group]]:
    """Donors on the left, recipients on the right, a band per pair as wide as its sum (log scale): the
    ``FLOW_NODES`` largest of each. Returns the SVG and the pairs drawn, each a link to its events."""
    donors = [g.name for g in by_donor[:FLOW_NODES]]
    recipients = [g.name for g in by_recipient[:FLOW_NODES]]
    pairs = [p for p in groups_by(events, lambda e: f"{e.row['donor']} → {e.row['recipient']}", "pair")
             if p.events[0].row["donor"] in donors and p.events[0].row["recipient"] in recipients]
    if not pairs:
        return '<p class="empty">No aid event to draw.</p>', []
    row_height, left, right = 30, 280, 620
    height = row_height * max(len(donors), len(recipients)) + 20
    widths = bar_lengths([p.usd for p in pairs], 14)
    y_of_donor = {name: 20 + k * row_height for k, name in enumerate(donors)}
    y_of_recipient = {name: 20 + k * row_height for k, name in enumerate(recipients)}
    parts = [f'<svg id="chart-flows" class="chart" role="img" viewBox="0 0 900 {height}" width="900" '
             f'height="{height}">',
             "<title>Who gave to whom: the largest donors and recipients</title>"]
    for pair, width in zip(pairs, widths):
        first = pair.events[0].row
        y0, y1 = y_of_donor[first["donor"]], y_of_recipient[first["recipient"]]
        middle = (left + right) / 2
        parts.append(f'<a href="#{pair.anchor}"><title>{escape(pair.name)}: {escape(group_label(pair))}</title>'
                     f'<path d="M{left},{y0} C{middle},{y0} {middle},{y1} {right},{y1}" class="band" '
                     f'stroke-width="{max(width, 1.5):.1f}"/></a>')
    for name, y in y_of_donor.items():
        parts.append(f'<text x="{left - 8}" y="{y + 5}" text-anchor="end">{escape(short(name))}</text>')
    for name, y in y_of_recipient.items():
        parts.append(f'<text x="{right + 8}" y="{y + 5}">{escape(short(name))}</text>')
    parts.append("</svg>")
    return "\n".join(parts), pairs


def amount_text(row: dict) -> str:
    if row["amount"] is not None:
        return f"{format_value(row['amount'])} {row['currency'] or ''}".strip()
    if row.get("amount_min") is not None:  # a range: both bounds
        return f"{format_value(row['amount_min'])}–{format_value(row['amount_max'])} {row['currency'] or ''}".strip()
    return f"{format_value(row['quantity'])} {row['item']}" if row["quantity"] is not None else row["item"]


def evidence_cell(event: Event) -> str:
    return "<br>".join(f'<a href="{escape(e.href)}">{escape(e.text)}</a>' if e.href else escape(e.text)
                       for e in event.evidence)


def event_row(event: Event, with_id: bool = True) -> str:
    row = event.row
    flags = " · ".join(name for name in ("is_total", "is_cumulative") if row[name])
    cells = [f'<a href="#{event.anchor}">{event.anchor}</a>', escape(row["donor"]), escape(row["recipient"]),
             escape(row["item"]), escape(amount_text(row)) + (f" <em>{flags}</em>" if flags else ""),
             escape(money(event.usd)), escape(row["flow"]), escape(row["event_date"] or ""), evidence_cell(event)]
    ident = f' id="{event.anchor}"' if with_id else ""
    return f"<tr{ident}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


EVENT_HEADERS = ["event", "donor", "recipient", "item", "amount", "in US$", "flow", "date",
                 "evidence (a link to its article)"]


def group_list(title: str, groups: list[Group]) -> str:
    items = [f'<li id="{g.anchor}"><strong>{escape(g.name)}</strong>: {escape(group_label(g))} — '
             + ", ".join(f'<a href="#{e.anchor}">{e.anchor}</a>' for e in g.events) + "</li>"
             for g in groups]
    return f"<details><summary>{escape(title)}: every group and its events</summary><ul>{''.join(items)}</ul></details>"


OVERVIEW_CSS = """
.chart { display: block; max-width: 100%; height: auto; font-size: 12px; margin: .5rem 0 1rem; }
.chart text { fill: #222; }
.chart .chart-title { font-weight: bold; font-size: 13px; }
.chart .bar { fill: #0e7490; }
.chart .bar-nocash { fill: #cbd5e1; }
.chart .value { fill: #444; }
.chart .band { fill: none; stroke: #0e7490; stroke-opacity: .45; }
.chart a:hover .bar, .chart a:hover .band { stroke: #e11d48; stroke-opacity: .9; }
"""


def overview_page(events: list[Event]) -> str:
    counted = [e for e in events if e.counted]
    by_flow = groups_by(events, lambda e: e.row["flow"], "flow")
    by_donor = groups_by(events, lambda e: e.row["donor"], "donor")
    by_recipient = groups_by(events, lambda e: e.row["recipient"], "recipient")
    by_year = sorted(groups_by(events, lambda e: e.year, "year"), key=lambda g: g.name)
    flows_svg, pairs = flow_picture(events, by_donor, by_recipient)
    largest = sorted((e for e in counted if e.usd is not None), key=lambda e: -e.usd)[:TOP_EVENTS]
    total = sum((e.usd for e in counted if e.usd is not None), Decimal(0))
    summary = (f"{plural(len(events), 'aid event')} after merging the articles that report the same one; "
               f"{len(counted)} counted in the totals ({len(events) - len(counted)} stated totals or restated "
               f"cumulative figures are listed but not added); {sum(1 for e in counted if e.usd is not None)} in "
               f"cash with an amount in US dollars, {money(total) or 'US$ 0'} in all. Amounts in other currencies are converted at the "
               "rate of the event's day or year (the usd_rate columns); bars are on a logarithmic scale and "
               "labelled with their exact sums; every bar and band links to its events.")
    content = (f"<header>\n<h1>vnfacts overview: aid</h1>\n"
               f'<p><a href="index.html">All articles</a></p>\n</header>\n<p id="summary">{escape(summary)}</p>\n'
               f'<section id="by-flow"><h2>By flow</h2>\n{bar_chart("Grants, loans, pledges, in kind", by_flow, "chart-flow")}'
               f"{group_list('Flows', by_flow)}</section>\n"
               f'<section id="flows"><h2>Who gave to whom</h2>\n{flows_svg}{group_list("Donor → recipient", pairs)}'
               "</section>\n"
               f'<section id="by-donor"><h2>By donor</h2>\n{bar_chart("Donors", by_donor, "chart-donor")}'
               f"{group_list('Donors', by_donor)}</section>\n"
               f'<section id="by-recipient"><h2>By recipient</h2>\n'
               f'{bar_chart("Recipients", by_recipient, "chart-recipient")}'
               f"{group_list('Recipients', by_recipient)}</section>\n"
               f'<section id="by-year"><h2>By year</h2>\n'
               f'{bar_chart("Year of the event (else of its first article)", by_year, "chart-year")}'
               f"{group_list('Years', by_year)}</section>\n"
               f'<section id="largest"><h2>The largest events</h2>\n'
               f"{html_table(EVENT_HEADERS, [event_row(e, with_id=False) for e in largest], 'No cash event.')}"
               "</section>\n"
               f'<section id="events"><h2>Every event</h2>\n'
               f"{html_table(EVENT_HEADERS, [event_row(e) for e in events], 'No aid event was found.')}</section>")
    return page("vnfacts overview", content, OVERVIEW_CSS)
