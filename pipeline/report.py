"""Report: static HTML pages to review what the pipeline published, article by article.

``write_report`` reads the published tables of an output directory and writes
``report/index.html`` (every article with its row counts, and the totals) and one
``report/<article_id>.html`` per article: the body with every extracted span
highlighted by type, in the spirit of spaCy's displaCy, next to a table per type and
the article's rejected rows, linked both ways (text -> row and row -> text).

Who gave what to whom: each role of a row (its ``roles`` column: donor, recipient,
amount, verb, …; document, party; name, title) is marked too, wherever it lies in the
body, inside the row's evidence or not, in the colour of its role (``ROLE_COLOURS``),
with a border that sets it apart from the kinds' marks. A role mark has no id; it
carries ``data-role`` and ``data-row`` (the keys of the rows it belongs to: a span that
several rows give the same role is marked once), and its label, drawn by CSS, is those
rows' numbers and links to the first row. A role whose offsets do not give its text is
not marked, only listed in the row's roles cell. Outputs written before the ``roles``
column existed read as rows without roles.

Highlights follow the body's structure: each body line is a paragraph, a span that
contains another is an enclosing mark, and a span that crosses the end of an
enclosing one (or a line break) is cut there and continued in a second mark, so the
HTML stays well formed and each body character appears exactly once. Labels are
drawn by CSS from an attribute, so the text of a mark is exactly its evidence.

Pages are self-contained: every data value escaped, inline CSS, no script, and no URL
but the report's own pages; a Content-Security-Policy forbids loading anything else.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from .atomic import write_text_atomic
from .schema import (AGREEMENTS, AID_EVENTS, AID_EVENTS_CONSOLIDATED, ARTICLES, DATES, LINES, MENTIONS, OFFICIALS,
                     REJECTS, Table, check_schema, read_rows)

REPORT_DIR = "report"
INDEX_FILE = "index.html"
OVERVIEW_FILE = "overview.html"
# An article id that is a plain token names its page; any other is hashed (see page_name).
SAFE_PAGE_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
CODE = re.compile(r"[a-z0-9_.:]+")
LONG_CODE = 12


@dataclass(frozen=True)
class Kind:
    """One type of highlighted span: where its rows come from and how they are shown."""
    label: str
    key: str  # prefix of the ids of its marks and table rows: "aid" -> aid-1, row-aid-1
    heading: str
    table: Table
    colour: str
    columns: tuple[tuple[str, Callable[[dict], object]], ...]
    mention_label: str | None = None  # rows taken from mentions with this label


def _parties(row: dict) -> str:
    return f"{row['donor']} → {row['recipient']}"


def _amount(row: dict) -> str:
    """Amount or quantity, with the per-recipient split and the total/cumulative flags."""
    if row["amount"] is not None:
        text = f"{format_value(row['amount'])} {row['currency'] or ''}".strip()
        if row["amount_per_recipient"] is not None:
            text += f" ({format_value(row['amount_per_recipient'])} × {row['recipient_count']})"
    elif row.get("amount_min") is not None:  # a range: both bounds
        text = f"{format_value(row['amount_min'])}–{format_value(row['amount_max'])} {row['currency'] or ''}".strip()
    elif row["amount_per_recipient"] is not None:  # each one's amount, how many not said
        text = f"{format_value(row['amount_per_recipient'])} {row['currency'] or ''} each".strip()
    else:
        text = format_value(row["quantity"])
    flags = [name for name in ("is_total", "is_cumulative") if row[name]]
    return " · ".join([text, *flags])


def _document(row: dict) -> str:
    return row["title"] if row["count"] is None else f"{row['count_qualifier'] or ''} {row['count']}".strip()


# Outer kinds first: when two spans cover the same characters, the earlier kind encloses.
KINDS = (
    Kind("AID", "aid", "Aid events", AID_EVENTS, "#7aecec", (
        ("donor → recipient", _parties), ("item", lambda r: r["item"]), ("amount / quantity", _amount),
        ("flow", lambda r: r["flow"]), ("date", lambda r: r["event_date"]))),
    Kind("AGREEMENT", "agreement", "Agreements", AGREEMENTS, "#ff8197", (
        ("kind", lambda r: r["kind"]), ("title / count", _document), ("parties", lambda r: r["parties"]),
        ("signed", lambda r: r["signed"]))),
    Kind("PERSON", "person", "Officials", OFFICIALS, "#aa9cfc", (
        ("name", lambda r: r["name"]), ("titles", lambda r: r["titles"]), ("country", lambda r: r["country"]),
        ("n", lambda r: r["n_mentions"]))),
    Kind("DATE", "date", "Dates", DATES, "#bfeeb7", (
        ("value", lambda r: r["value"]), ("grain", lambda r: r["grain"]),
        ("part of day", lambda r: r["part_of_day"]))),
    Kind("PLACE", "place", "Places", MENTIONS, "#feca74", (
        ("place", lambda r: r["normalized"]),), mention_label="PLACE"),
)
KIND_RANK = {kind.label: rank for rank, kind in enumerate(KINDS)}

ROLES_COLUMN = "roles"
# One colour per role (Paul Tol's "light" scheme, distinct for colour-blind readers and
# light enough for black text, then white), in the order roles nest when they share a span;
# the roles after each name share its colour.
ROLE_COLOURS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("donor", ("donor_official",), "#77aadd"),
    ("recipient", (), "#ee8866"),
    ("amount", ("quantity",), "#eedd88"),
    ("item", (), "#ffaabb"),
    ("verb", (), "#dddddd"),
    ("date", (), "#bbcc33"),
    ("document", (), "#99ddff"),
    ("party", ("party_official",), "#44bb99"),
    ("name", (), "#aaaa00"),
    ("title", (), "#ffffff"),
)
OTHER_ROLE = "other"  # a role the palette does not know: marked without a colour of its own
ROLE_CLASS = {role: name for name, also, _ in ROLE_COLOURS for role in (name, *also)}
ROLE_RANK = {name: len(KINDS) + rank for rank, (name, _, _) in enumerate(ROLE_COLOURS)}


# ---------------------------------------------------------------- values

def format_value(value) -> str:
    """A cell value as plain (not yet escaped) text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def esc(value) -> str:
    return escape(format_value(value), quote=True)


def cell(value) -> str:
    """A table cell's content; long codes such as rule ids or 'cooperation_agreement' may
    wrap after their dots, colons and underscores, so they fit narrow columns."""
    text = esc(value)
    if len(text) > LONG_CODE and CODE.fullmatch(text):
        return re.sub(r"([._:])", r"\1<wbr>", text)
    return text


# ---------------------------------------------------------------- spans -> nested marks

@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    label: str  # a kind's label (AID, …) or, for a role, the role (donor, …)
    key: str  # "aid-1": id of its first mark; its table row is "row-aid-1" (a role: its first row)
    note: str  # tooltip of its label
    rows: tuple[str, ...] = ()  # a role: the keys of the rows that give this span this role
    tag: str = ""  # a role: its label, drawn by CSS (the rows' numbers, "1,2")

    @property
    def is_role(self) -> bool:
        return bool(self.rows)

    @property
    def rank(self) -> int:
        """Kinds enclose roles; on the same characters, the earlier kind or role encloses."""
        if self.is_role:
            return ROLE_RANK.get(role_class(self.label), len(KINDS) + len(ROLE_COLOURS))
        return KIND_RANK[self.label]


def role_class(role: str) -> str:
    """The colour class of a role: its palette entry, or OTHER_ROLE."""
    return ROLE_CLASS.get(role, OTHER_ROLE)


@dataclass
class Fragment:
    """A piece of a highlight that nests inside its parent fragment."""
    start: int
    end: int
    highlight: Highlight | None
    children: list[Fragment] = field(default_factory=list)


def clip_to_body(start: int, end: int, body: str) -> tuple[int, int] | None:
    """The span inside the body, without line breaks at its edges; None when nothing is left."""
    start, end = max(start, 0), min(end, len(body))
    while start < end and body[start] == "\n":
        start += 1
    while end > start and body[end - 1] == "\n":
        end -= 1
    return (start, end) if start < end else None


def nest(highlights: list[Highlight], start: int, end: int) -> list[Fragment]:
    """The highlights that meet [start, end), clipped to it, as a forest of fragments where
    each fragment lies inside its parent. Longer spans enclose shorter ones that start at
    the same place; a span that runs past the end of the fragment it starts in is cut
    there and its rest queued again, to be placed where it now starts."""
    queue = [(max(h.start, start), -min(h.end, end), h.rank, i, h)
             for i, h in enumerate(highlights) if max(h.start, start) < min(h.end, end)]
    heapq.heapify(queue)
    root = Fragment(start, end, None)
    open_fragments = [root]
    while queue:
        frag_start, neg_end, rank, i, h = heapq.heappop(queue)
        frag_end = -neg_end
        while open_fragments[-1].end <= frag_start:
            open_fragments.pop()
        parent = open_fragments[-1]
        if frag_end > parent.end:
            heapq.heappush(queue, (parent.end, -frag_end, rank, i, h))
            frag_end = parent.end
        fragment = Fragment(frag_start, frag_end, h)
        parent.children.append(fragment)
        open_fragments.append(fragment)
    return root.children


def render_text(body: str, start: int, end: int, fragments: list[Fragment]) -> str:
    parts, pos = [], start
    for fragment in fragments:
        parts.append(escape(body[pos:fragment.start]))
        parts.append(render_mark(body, fragment))
        pos = fragment.end
    parts.append(escape(body[pos:end]))
    return "".join(parts)


def render_mark(body: str, fragment: Fragment) -> str:
    h = fragment.highlight
    first, last = fragment.start == h.start, fragment.end == h.end
    label, key, note = escape(h.label), escape(h.key), escape(h.note)
    part = "" if first and last else " ent-part"
    if h.is_role:
        attrs = (f'class="ent role role-{role_class(h.label)}{part}" data-role="{label}" '
                 f'data-row="{escape(" ".join(h.rows))}" title="{note}"')
        tag, link_class = escape(h.tag), "label role-label"
    else:
        attrs = f'class="ent ent-{label}{part}" data-row="{key}"'
        if first:
            attrs += f' id="{key}"'
        tag, link_class = label, "label"
    inner = render_text(body, fragment.start, fragment.end, fragment.children)
    # An empty link: its label is drawn by CSS, so the mark's text stays the evidence.
    link = f'<a class="{link_class}" href="#row-{key}" data-label="{tag}" title="{note}"></a>' if last else ""
    return f"<mark {attrs}>{inner}{link}</mark>"


def line_spans(body: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in body.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def render_body(body: str, highlights: list[Highlight], zones: dict[int, str] | None = None) -> str:
    """The body as one paragraph per line (joined by the body's own line breaks) with the
    highlights as nested marks; ``zones`` maps a line's start offset to its zone."""
    zones = zones or {}
    paragraphs = []
    for start, end in line_spans(body):
        zone = zones.get(start, "body")
        text = render_text(body, start, end, nest(highlights, start, end))
        paragraphs.append(f'<p class="line zone-{escape(zone)}" title="{escape(zone)}">{text}</p>')
    return "\n".join(paragraphs)


# ---------------------------------------------------------------- gathering rows

@dataclass
class ArticleData:
    article: dict
    rows: dict[str, list[dict]]  # kind label -> published rows, in text order
    rejects: list[dict]
    zones: dict[int, str]

    def count(self, label: str) -> int:
        return len(self.rows[label])


def _by_article(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        out.setdefault(row["article_id"], []).append(row)
    return out


def read_published(table: Table, out_dir: Path) -> list[dict]:
    """The rows of a table. A table written before its ``roles`` column was declared reads
    with that column null; any other difference from the declared schema still fails."""
    path = Path(out_dir) / table.filename
    if ROLES_COLUMN not in table.column_names or not path.exists() \
            or ROLES_COLUMN in pq.read_schema(path).names:
        return read_rows(table, out_dir)
    arrow = pq.read_table(path)
    declared = table.arrow_schema.field(ROLES_COLUMN)
    arrow = arrow.add_column(table.column_names.index(ROLES_COLUMN), declared.with_nullable(True),
                             pa.nulls(arrow.num_rows, declared.type))
    check_schema(table, arrow.schema)
    return arrow.to_pylist()


def load_articles(out_dir: Path) -> tuple[list[ArticleData], list[dict]]:
    """Every article with its rows, and the rejects that belong to no article (whole files)."""
    tables: dict[str, dict[str, list[dict]]] = {}
    for kind in KINDS:
        rows = read_published(kind.table, out_dir)
        if kind.mention_label:
            rows = [r for r in rows if r["label"] == kind.mention_label]
        tables[kind.label] = _by_article(rows)
    rejects = read_rows(REJECTS, out_dir)
    rejects_by_article = _by_article([r for r in rejects if r["article_id"] is not None])
    zones_by_article = {aid: {ln["body_start"]: ln["zone"] for ln in lines if ln["body_start"] is not None}
                        for aid, lines in _by_article(read_rows(LINES, out_dir)).items()}
    articles = []
    for article in sorted(read_rows(ARTICLES, out_dir), key=lambda a: a["source_file"]):
        aid = article["article_id"]
        rows = {kind.label: sorted(tables[kind.label].get(aid, []), key=lambda r: (r["char_start"], r["char_end"]))
                for kind in KINDS}
        articles.append(ArticleData(article, rows, rejects_by_article.get(aid, []), zones_by_article.get(aid, {})))
    return articles, [r for r in rejects if r["article_id"] is None]


def row_key(kind: Kind, number: int) -> str:
    return f"{kind.key}-{number}"


def roles_of(row: dict) -> list[dict]:
    """The row's roles: none when its table has no roles column, or the row none yet."""
    return row.get(ROLES_COLUMN) or []


def role_in_body(role: dict, body: str) -> bool:
    """The role's offsets give its text."""
    start, end = role["char_start"], role["char_end"]
    return start is not None and end is not None and 0 <= start < end <= len(body) and body[start:end] == role["text"]


def highlights_for(data: ArticleData) -> list[Highlight]:
    """A highlight per row (its evidence) and per role span: a span several rows of a kind
    give the same role is one highlight of all those rows."""
    body = data.article["body"]
    out = []
    roles: dict[tuple[int, int, str, str], list[int]] = {}  # (start, end, kind, role) -> row numbers
    for kind in KINDS:
        for number, row in enumerate(data.rows[kind.label], start=1):
            span = clip_to_body(row["char_start"], row["char_end"], body)
            if span is not None:
                out.append(Highlight(*span, kind.label, row_key(kind, number),
                                     f"{row_key(kind, number)} · {kind.table.name} · {row['rule_id']}"))
            for role in roles_of(row):
                span = clip_to_body(role["char_start"], role["char_end"], body) if role_in_body(role, body) else None
                if span is not None:
                    numbers = roles.setdefault((*span, kind.label, format_value(role["role"])), [])
                    if number not in numbers:
                        numbers.append(number)
    kinds = {kind.label: kind for kind in KINDS}
    for (start, end, label, role), numbers in roles.items():
        keys = tuple(row_key(kinds[label], n) for n in numbers)
        out.append(Highlight(start, end, role, keys[0], f"{role} of {', '.join(keys)}", keys,
                             ",".join(map(str, numbers))))
    return out


# ---------------------------------------------------------------- pages

CSS = """
body { font-family: "DejaVu Sans", "Noto Sans", "Segoe UI", Arial, sans-serif; margin: 0 1.5rem 2rem;
       color: #222; background: #fafafa; }
header { border-bottom: 1px solid #ddd; margin-bottom: 1rem; }
h1 { font-size: 1.4rem; margin: 1rem 0 .4rem; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; }
a { color: #1d4ed8; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; font-size: .85rem;
          margin: .4rem 0 .8rem; }
dl.meta dt { color: #666; }
dl.meta dd { margin: 0; }
main.article { display: grid; grid-template-columns: minmax(0, 9fr) minmax(0, 11fr); gap: 1.5rem;
               align-items: start; }
@media (max-width: 900px) { main.article { grid-template-columns: minmax(0, 1fr); } }
.scroll { overflow-x: auto; }
.body { background: #fff; border: 1px solid #ddd; border-radius: .4rem; padding: .4rem 1.2rem; line-height: 2.3; }
.body p { margin: .5rem 0; }
.zone-lead { font-weight: 600; }
.low-prose { background: #fde2e1; font-weight: 600; }
.zone-caption { font-style: italic; color: #555; font-size: .93em; }
.ent { padding: .25em .35em; border-radius: .35em; color: inherit; box-decoration-break: clone;
       -webkit-box-decoration-break: clone; }
.ent .ent { padding: .1em .25em; }
.ent .ent .ent { padding: 0 .15em; }
.role { border: 1px solid #555; }
.ent-part { border: 1px dashed #777; }
.label { text-decoration: none; color: #333; }
.label::after { content: attr(data-label); font-size: .62em; font-weight: bold; font-style: normal;
                letter-spacing: .03em; margin-left: .4em; vertical-align: middle; }
.role-label::after { font-weight: normal; letter-spacing: 0; margin-left: .15em; vertical-align: sub; }
.roles-cell { min-width: 12em; }
.roles-cell .swatch { font-size: .75rem; padding: 0 .3em; white-space: nowrap; }
.role-off { color: #b91c1c; }
.swatch { padding: .1em .5em; border-radius: .35em; font-size: .8rem; font-weight: bold; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem .9rem; align-items: center; font-size: .85rem;
          margin: .5rem 0; }
table { border-collapse: collapse; font-size: .8rem; background: #fff; width: 100%; }
th, td { border: 1px solid #ddd; padding: .2rem .4rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; }
.chars { color: #666; font-size: .9em; white-space: nowrap; }
tr.rejected td { background: #fff1f1; }
.status-passed { color: #15803d; font-weight: bold; }
.status-rejected { color: #b91c1c; font-weight: bold; }
.empty { color: #888; font-size: .85rem; }
:target { outline: 3px solid #e11d48; outline-offset: 1px; scroll-margin-top: 4rem; }
"""

CSS += "".join(f".ent-{kind.label} {{ background: {kind.colour}; }}\n" for kind in KINDS)
CSS += "".join(f".role-{name} {{ background: {colour}; }}\n" for name, _, colour in ROLE_COLOURS)
CSS += f".role-{OTHER_ROLE} {{ background: transparent; }}\n"

# Nothing may load: no script, image, font or stylesheet, only the inline CSS.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def page(title: str, content: str, css: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{CSS}{css}</style>\n</head>\n<body>\n{content}\n</body>\n"
            "</html>\n")


def legend() -> str:
    items = "".join(f'<span><span class="swatch ent-{k.label}">{k.label}</span> {escape(k.heading.lower())}</span>'
                    for k in KINDS)
    return (f'<div class="legend">{items}<span><span class="swatch ent-part">cut</span> '
            f'span continued in the next mark</span></div>')


def role_legend() -> str:
    """The colour of every role; a swatch names each role that shares it ("amount / quantity")."""
    items = "".join(f'<span class="swatch role role-{name}" data-role="{escape(name)}">'
                    f'{escape(" / ".join((name, *also)))}</span>' for name, also, _ in ROLE_COLOURS)
    return (f'<div class="legend" id="role-legend"><span>roles:</span>{items}'
            f'<span>the small number after a role: its rows (donor<sub>2</sub>: of row 2)</span></div>')


def roles_cell(row: dict, body: str) -> str:
    """``role: text`` for each role of the row, one a line; a role whose offsets do not
    give its text is flagged."""
    lines = []
    for role in roles_of(row):
        name = format_value(role["role"])
        line = f'<span class="swatch role role-{role_class(name)}">{escape(name)}</span>: {esc(role["text"])}'
        if not role_in_body(role, body):
            where = f'{esc(role["char_start"])}–{esc(role["char_end"])}'
            line += f' <span class="role-off">(not the body at {where})</span>'
        lines.append(line)
    return "<br>".join(lines)


def html_table(headers: list[str], rows: list[str], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return (f'<div class="scroll"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n' + "\n".join(rows)
            + "\n</tbody>\n</table></div>")


def kind_section(kind: Kind, rows: list[dict], highlighted: set[str], body: str) -> str:
    with_roles = ROLES_COLUMN in kind.table.column_names
    headers = ["# / chars", *[name for name, _ in kind.columns], *(["roles"] if with_roles else []), "evidence",
               "rule_id", "status"]
    body_rows = []
    for number, row in enumerate(rows, start=1):
        key = row_key(kind, number)
        ref = f'<a href="#{key}">{key}</a>' if key in highlighted else key
        chars = f'<span class="chars">{row["char_start"]}–{row["char_end"]}</span>'
        cells = [f"{ref}<br>{chars}", *[cell(get(row)) for _, get in kind.columns], esc(row["evidence"]),
                 cell(row["rule_id"]), '<span class="status-passed">passed</span>']
        tds = [f"<td>{c}</td>" for c in cells]
        if with_roles:
            tds.insert(1 + len(kind.columns), f'<td class="roles-cell">{roles_cell(row, body)}</td>')
        body_rows.append(f'<tr id="row-{key}">' + "".join(tds) + "</tr>")
    title = f'<span class="swatch ent-{kind.label}">{kind.label}</span> {escape(kind.heading)} ({len(rows)})'
    return (f'<section id="table-{kind.key}">\n<h2>{title}</h2>\n'
            + html_table(headers, body_rows, f"No {kind.heading.lower()} published.") + "\n</section>")


def _rejected_evidence(reject: dict) -> str:
    """Evidence and offsets of a rejected row, read from its JSON."""
    try:
        row = json.loads(reject["row"]) if reject["row"] else {}
    except json.JSONDecodeError:
        return ""
    if not isinstance(row, dict):
        return ""
    span = f' [{row.get("char_start")}–{row.get("char_end")}]' if "char_start" in row else ""
    return f"{format_value(row.get('evidence'))}{span}"


def rejects_section(rejects: list[dict]) -> str:
    headers = ["#", "stage", "reason", "table", "check", "detail", "evidence", "status"]
    rows = []
    for number, rej in enumerate(rejects, start=1):
        cells = [f"rejected-{number}", *[cell(rej[c]) for c in ("stage", "reason", "table", "check")],
                 esc(rej["detail"]), escape(_rejected_evidence(rej)), '<span class="status-rejected">rejected</span>']
        rows.append(f'<tr class="rejected" id="rejected-{number}">' + "".join(f"<td>{c}</td>" for c in cells)
                    + "</tr>")
    return (f'<section id="table-rejected">\n<h2>Rejected rows ({len(rejects)})</h2>\n'
            + html_table(headers, rows, "No row of this article was rejected.") + "\n</section>")


def metadata(article: dict) -> str:
    fields = ("article_id", "source_file", "published_at", "published_at_source", "section", "author",
              "source_credit", "outlet", "url", "doc_id", "encoding", "n_lines", "body_chars", "prose_kept",
              "raw_sha256")
    items = "".join(f"<dt>{name}</dt><dd>{esc(article.get(name))}</dd>" for name in fields)
    return f'<dl class="meta">{items}</dl>'


def article_page(data: ArticleData) -> str:
    article = data.article
    highlights = highlights_for(data)
    highlighted = {h.key for h in highlights if not h.is_role}
    tables = "\n".join(kind_section(kind, data.rows[kind.label], highlighted, article["body"]) for kind in KINDS)
    content = (f'<header>\n<p><a href="{INDEX_FILE}">← all articles</a></p>\n'
               f"<h1>{escape(display_title(article))}</h1>\n{metadata(article)}\n{legend()}\n{role_legend()}\n"
               f"</header>\n"
               f'<main class="article">\n<section>\n<h2>Body</h2>\n'
               f'<div class="body" id="body">{render_body(article["body"], highlights, data.zones)}</div>\n'
               f"</section>\n<aside>\n{tables}\n{rejects_section(data.rejects)}\n</aside>\n</main>")
    return page(display_title(article), content)


def display_title(article: dict) -> str:
    return article.get("title") or f"(no title) {article['source_file']}"


def index_page(articles: list[ArticleData], file_rejects: list[dict]) -> str:
    headers = ["title", "published_at", "source_file", "prose kept", *[k.label for k in KINDS], "rejected rows"]
    rows, low = [], []
    for data in articles:
        a = data.article
        link = f'<a href="{escape(page_name(a["article_id"]))}">{escape(display_title(a))}</a>'
        counts = [data.count(k.label) for k in KINDS] + [len(data.rejects)]
        kept = a.get("prose_kept")
        flag = ' class="num low-prose" title="the body keeps little of the page\'s prose"' \
            if a.get("prose_kept_low") else ' class="num"'
        rows.append(f"<tr><td>{link}</td><td>{esc(a['published_at'])}</td><td>{esc(a['source_file'])}</td>"
                    f"<td{flag}>{'' if kept is None else f'{kept:.0%}'}</td>"
                    + "".join(f'<td class="num">{n}</td>' for n in counts) + "</tr>")
        if a.get("prose_kept_low"):
            low.append(f"<tr><td>{link}</td><td>{esc(a['source_file'])}</td><td class=\"num\">{kept:.0%}</td></tr>")
    totals = [("articles", len(articles)),
              *[(k.heading.lower(), sum(d.count(k.label) for d in articles)) for k in KINDS],
              ("rejected rows", sum(len(d.rejects) for d in articles)), ("rejected files", len(file_rejects))]
    summary = "".join(f"<dt>{escape(name)}</dt><dd>{n}</dd>" for name, n in totals)
    file_rows = ["<tr>" + "".join(f"<td>{esc(r[c])}</td>" for c in ("source_file", "stage", "reason", "detail"))
                 + "</tr>" for r in file_rejects]
    content = (f"<header>\n<h1>vnfacts review: {len(articles)} articles</h1>\n"
               f'<p><a href="{OVERVIEW_FILE}">Overview: who gave what to whom</a></p>\n{legend()}\n</header>\n'
               f'<h2>Totals</h2>\n<dl class="meta" id="totals">{summary}</dl>\n'
               f"<h2>Articles</h2>\n{html_table(headers, rows, 'No article was ingested.')}\n"
               f'<h2 id="low-prose">Articles whose body keeps little of their prose</h2>\n'
               f"{html_table(['title', 'source_file', 'prose kept'], low, 'Every body keeps most of its prose.')}\n"
               f"<h2>Rejected files</h2>\n"
               f"{html_table(['source_file', 'stage', 'reason', 'detail'], file_rows, 'No input file was rejected.')}")
    return page("vnfacts review", content)


# ---------------------------------------------------------------- files

def page_name(article_id: str) -> str:
    """File name of an article's page. An id that is not a plain token (or is "index") is
    replaced by a hash of itself, so no id can name a path outside the report directory."""
    if SAFE_PAGE_ID.fullmatch(article_id) and article_id != Path(INDEX_FILE).stem:
        return f"{article_id}.html"
    return f"article-{hashlib.sha256(article_id.encode('utf-8')).hexdigest()[:16]}.html"


def write_report(out_dir: Path, report_dir: Path | None = None) -> Path:
    """Write the review pages of the tables in ``out_dir`` to ``report_dir`` (default:
    ``out_dir/report``); return the path of the index page."""
    out_dir = Path(out_dir)
    report_dir = Path(report_dir) if report_dir is not None else out_dir / REPORT_DIR
    articles, file_rejects = load_articles(out_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    for data in articles:
        target = report_dir / page_name(data.article["article_id"])
        if target.parent != report_dir:  # page_name only makes plain names; never write elsewhere
            raise ValueError(f"refusing to write {target} outside {report_dir}")
        write_text_atomic(target, article_page(data))
    index = write_text_atomic(report_dir / INDEX_FILE, index_page(articles, file_rejects))
    from .overview import overview_events, overview_page, row_links

    consolidated = read_published(AID_EVENTS_CONSOLIDATED, out_dir) \
        if (out_dir / AID_EVENTS_CONSOLIDATED.filename).exists() else []
    write_text_atomic(report_dir / OVERVIEW_FILE, overview_page(overview_events(consolidated, row_links(articles))))
    current = {page_name(d.article["article_id"]) for d in articles} | {INDEX_FILE, OVERVIEW_FILE}
    for stale in report_dir.glob("*.html"):  # pages of articles no longer in the tables
        if stale.name not in current:
            stale.unlink()
    return index
