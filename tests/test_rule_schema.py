"""Every rule file is checked against the schema of its kind when it loads: a misspelled key, a value of the
wrong type, a pattern naming a label no file defines or a normalizer naming no code is one line naming the file
and the key, and the command exits non-zero."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from vnfacts.cli import main
from vnfacts.lexicon import compile_rules
from vnfacts.rulefiles import RuleFileError

from conftest import RAW_DIR, edit_rule_file


@pytest.fixture
def rules(rules_copy):
    return rules_copy


AID = ("aid", "vi", "aid.yaml")


def test_a_misspelled_word_list_is_refused_naming_the_file_and_the_key(rules):
    edit_rule_file(rules.joinpath(*AID), "\nweak_give_verbs:", "\nweak_give_verb:")
    with pytest.raises(RuleFileError) as caught:
        compile_rules(rules)
    message = str(caught.value)
    assert "[R011]" in message and "aid.yaml" in message and "weak_give_verb" in message
    assert "\n" not in message


def test_a_phrase_list_given_as_text_is_refused(rules):
    edit_rule_file(rules.joinpath(*AID), "lend_verbs: [vay, vay vốn, vay thêm]", "lend_verbs: vay")
    with pytest.raises(RuleFileError, match=r"\[R011\] .*aid\.yaml: lend_verbs: "):
        compile_rules(rules)


def test_a_label_declared_for_no_list_is_refused(rules):
    edit_rule_file(rules.joinpath(*AID), "  lend_verbs: LEND\n", "  lend_verbs: LEND\n  borrow_verbs: BORROW\n")
    with pytest.raises(RuleFileError, match=r"\[R011\] .*aid\.yaml: labels/borrow_verbs: declares a word list"):
        compile_rules(rules)


def test_a_pattern_naming_an_undefined_label_is_refused_naming_both(rules):
    edit_rule_file(rules.joinpath(*AID), "      - {label: LEND, role: verb}", "      - {label: LENDING, role: verb}")
    with pytest.raises(RuleFileError) as caught:
        compile_rules(rules)
    message = str(caught.value)
    assert "[R012]" in message and "aid.yaml" in message and "aid.lend.to_borrower" in message
    assert "LENDING" in message


def test_a_pattern_element_of_two_kinds_is_refused(rules):
    edit_rule_file(rules.joinpath(*AID), "      - {label: LEND, role: verb}", "      - {label: LEND, party: donor}")
    with pytest.raises(RuleFileError, match=r"\[R011\] .*aid\.yaml: patterns/"):
        compile_rules(rules)


def test_a_normalizer_naming_no_code_is_refused(rules):
    edit_rule_file(rules.joinpath(*AID), "normalizer: aid.v1", "normalizer: aid.v7")
    with pytest.raises(RuleFileError, match=r"\[R013\] .*aid\.yaml: normalizer: .*aid\.v7"):
        compile_rules(rules)


def test_the_command_exits_non_zero_with_one_line_naming_file_and_key(rules, tmp_path):
    edit_rule_file(rules.joinpath(*AID), "\nweak_give_verbs:", "\nweak_give_verb:")
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(next(RAW_DIR.glob("*.txt")), raw)
    result = CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(tmp_path / "out"), "--rules", str(rules)])
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "aid.yaml" in lines[0] and "weak_give_verb" in lines[0]
    assert not (tmp_path / "out" / "articles.parquet").exists()


@pytest.mark.parametrize("path, old, new, key", [
    (("entities", "vi", "places.yaml"), "aliases:", "aliase:", "aliase"),
    (("dates", "vi", "dates.yaml"), "year_rollover_days:", "year_rolover_days:", "year_rolover_days"),
    (("numbers", "vi", "numbers.yaml"), "thousands_separator:", "thousand_separator:", "thousand_separator"),
])
def test_a_misspelled_key_inside_a_section_is_refused_too(rules, path, old, new, key):
    edit_rule_file(rules.joinpath(*path), old, new)
    with pytest.raises(RuleFileError, match=rf"\[R011\] .*{path[-1]}: .*{key}"):
        compile_rules(rules)


def test_a_normalizer_of_another_kind_is_refused(rules):
    edit_rule_file(rules.joinpath(*AID), "normalizer: aid.v1", "normalizer: date.v1")
    with pytest.raises(RuleFileError, match=r"\[R013\] .*aid\.yaml: normalizer: .*date\.v1.* kind 'aid'"):
        compile_rules(rules)


def test_a_misspelled_role_in_a_pattern_is_refused(rules):
    edit_rule_file(rules.joinpath(*AID), "      - {party: donor, not_after: [PREP]}\n      - {aside: 8",
                   "      - {party: doner, not_after: [PREP]}\n      - {aside: 8")
    with pytest.raises(RuleFileError, match=r"\[R012\] .*aid\.yaml: patterns/.*role 'doner'"):
        compile_rules(rules)
