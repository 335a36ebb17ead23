"""The item, flow and kind vocabularies come from the rule files, and docs/tables.md, the README and `vnfacts
schema` list them as the rules name them."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from vnfacts.cli import main
from vnfacts.config import RULES_DIR
from vnfacts.datadict import DICTIONARY_PATH, README_PATH, README_VOCABULARY, readme_with_vocabularies, render
from vnfacts.extractors.aid import _flow
from vnfacts.extractors.money import Anchor
from vnfacts.rulefiles import rule_files_by_kind
from vnfacts.schema import DEFAULT_FLOWS, RULE_VOCABULARIES, TABLES, listed, rule_vocabularies
from vnfacts.validate import table_schemas

from conftest import edit_rule_file

COLUMN_OF_EXAMPLES = {"item": "aid_item", "flow": "aid_flow", "kind": "agreement_kind", "kinds": "agreement_kind"}


@pytest.fixture(scope="module")
def vocabularies() -> dict[str, tuple[str, ...]]:
    return rule_vocabularies(rule_files_by_kind(RULES_DIR))


def _vocabulary_columns():
    return [(table, column) for table in TABLES.values() for column in table.columns if column.vocabulary]


def _listed_values(text: str) -> list[str]:
    """The values a 'Values: a, b, c.' sentence at the end of ``text`` lists."""
    found = re.search(r"Values: (.*)\.\s*$", text)
    assert found, f"no list of values in {text!r}"
    return [v.strip().strip("`") for v in found[1].split(",")]


def _example_values(node, out: dict[str, set]) -> None:
    """Every item, flow and kind value that an expected output in a rule file states."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in COLUMN_OF_EXAMPLES and isinstance(value, (str, list)):
                out[COLUMN_OF_EXAMPLES[key]].update([value] if isinstance(value, str) else value)
            else:
                _example_values(value, out)
    elif isinstance(node, list):
        for value in node:
            _example_values(value, out)


def test_the_vocabularies_are_those_the_rules_name(vocabularies):
    files = rule_files_by_kind(RULES_DIR)
    [aid] = files["aid"]
    assert vocabularies["aid_item"] == ("cash", *aid["items"])
    assert {"scholarships", "goods", "vehicles"} <= set(vocabularies["aid_item"])
    assert set(vocabularies["aid_flow"]) == {"grant", "loan", "in_kind", "pledge", "debt_relief"}
    [agreement] = files["agreement"]
    assert set(vocabularies["agreement_kind"]) == set(agreement["kinds"]) | set(agreement["unnamed_kinds"])
    assert set(RULE_VOCABULARIES) == {column.vocabulary for _, column in _vocabulary_columns()}


def test_every_value_the_rule_examples_expect_is_in_its_vocabulary(vocabularies):
    expected = {name: set() for name in RULE_VOCABULARIES}
    for kind in ("aid", "agreement"):
        for data in rule_files_by_kind(RULES_DIR)[kind]:
            _example_values(data.get("examples"), expected)
            for pattern in data.get("patterns") or []:  # its elements' `kinds` are kinds of parties
                _example_values(pattern.get("examples"), expected)
    assert expected["aid_item"] and expected["aid_flow"] and expected["agreement_kind"]
    for name, values in expected.items():
        assert values <= set(vocabularies[name]), name


def test_the_flow_without_a_cue_is_a_default_flow():
    no_cue = SimpleNamespace(of=lambda label: [])
    assert {_flow(no_cue, Anchor(kind, 0, 1, Decimal(1), None, None)) for kind in ("cash", "masks")} \
        == set(DEFAULT_FLOWS)


def test_validation_accepts_the_vocabularies(vocabularies):
    def allowed(table, column):
        [check] = table_schemas()[table].columns[column].checks
        return set(check.statistics["allowed_values"])

    assert allowed("aid_events", "item") == set(vocabularies["aid_item"])
    assert allowed("agreements", "kind") == set(vocabularies["agreement_kind"])
    assert set(vocabularies["aid_flow"]) <= allowed("aid_events", "flow")


def test_the_data_dictionary_lists_the_rules_vocabularies(vocabularies):
    text = DICTIONARY_PATH.read_text(encoding="utf-8")
    assert text == render(vocabularies), "docs/tables.md is out of date: run `make docs`"
    sections = dict(re.findall(r"^## `(\w+)`\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL))
    for table, column in _vocabulary_columns():
        [row] = [line for line in sections[table.name].splitlines() if line.startswith(f"| `{column.name}` |")]
        assert _listed_values(row.rstrip(" |")) == list(vocabularies[column.vocabulary]), (table.name, column.name)
    for name, values in vocabularies.items():
        assert f"| `{name}` |" in text and listed(values, "`") in text


def test_the_readme_lists_the_rules_vocabularies(vocabularies):
    readme = README_PATH.read_text(encoding="utf-8")
    marked = {m[2]: m[3] for m in README_VOCABULARY.finditer(readme)}
    assert marked == {name: listed(values, "`") for name, values in vocabularies.items()}, \
        "the README's vocabularies are out of date: run `make docs`"
    assert readme_with_vocabularies(readme, vocabularies) == readme


@pytest.mark.parametrize("table", sorted({t.name for t, _ in _vocabulary_columns()}))
def test_vnfacts_schema_lists_the_rules_vocabularies(table, vocabularies):
    result = CliRunner().invoke(main, ["schema", table])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    for column in TABLES[table].columns:
        if column.vocabulary:
            assert _listed_values(lines[column.name]) == list(vocabularies[column.vocabulary]), column.name
        else:
            assert "Values:" not in lines[column.name]


def test_an_item_a_rule_file_adds_reaches_every_listing(rules_copy, monkeypatch, vocabularies):
    edit_rule_file(rules_copy / "aid" / "vi" / "aid.yaml", "  ventilators: [máy thở]",
                   "  ventilators: [máy thở]\n  wheelchairs: [xe lăn]")
    edit_rule_file(rules_copy / "agreements" / "vi" / "agreements.yaml", "  treaty: [hiệp ước, công ước]",
                   "  treaty: [hiệp ước, công ước]\n  charter: [hiến chương]")
    added = rule_vocabularies(rule_files_by_kind(rules_copy))
    assert added["aid_item"].index("wheelchairs") == added["aid_item"].index("ventilators") + 1
    assert "charter" in added["agreement_kind"]
    readme = README_PATH.read_text(encoding="utf-8")
    assert "`wheelchairs`" in readme_with_vocabularies(readme, added) and "`wheelchairs`" not in readme
    assert "`wheelchairs`" in render(added) and render(added) != render(vocabularies)
    monkeypatch.setattr("vnfacts.cli.RULES_DIR", rules_copy)
    printed = CliRunner().invoke(main, ["schema", "agreements"]).stdout
    assert "charter" in next(line for line in printed.splitlines() if line.startswith("kind "))


def test_a_readme_without_a_vocabulary_marker_is_refused(vocabularies):
    readme = README_PATH.read_text(encoding="utf-8")
    without_flow = re.sub(r"<!-- (begin|end) vocabulary aid_flow -->", "", readme)
    with pytest.raises(ValueError, match="aid_flow"):
        readme_with_vocabularies(without_flow, vocabularies)
