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


def test_a_pattern_naming_an_undefined_label_is_refused_naming_both(rules):
    edit_rule_file(rules.joinpath(*AID), "      - {label: LEND, role: verb}", "      - {label: LENDING, role: verb}")
    with pytest.raises(RuleFileError) as caught:
        compile_rules(rules)
    message = str(caught.value)
    assert "[R012]" in message and "aid.yaml" in message and "aid.lend.to_borrower" in message
    assert "LENDING" in message


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


@pytest.mark.parametrize("old, new, refusal", [
    pytest.param("lend_verbs: [vay, vay vốn, vay thêm]", "lend_verbs: vay", r"\[R011\] .*aid\.yaml: lend_verbs: ",
                 id="a phrase list given as text"),
    pytest.param("  lend_verbs: {label: LEND, after_a_name: true}\n",
                 "  lend_verbs: {label: LEND, after_a_name: true}\n  borrow_verbs: BORROW\n",
                 r"\[R011\] .*aid\.yaml: labels/borrow_verbs: declares a word list", id="a label declared for no list"),
    pytest.param("      - {label: LEND, role: verb}", "      - {label: LEND, party: donor}",
                 r"\[R011\] .*aid\.yaml: patterns/", id="a pattern element of two kinds"),
    pytest.param("      - {party: donor, not_after: [PREP, GIVING_GROUP]}\n      - *giver_aside",
                 "      - {party: doner, not_after: [PREP, GIVING_GROUP]}\n      - *giver_aside",
                 r"\[R012\] .*aid\.yaml: patterns/.*role 'doner'", id="a misspelled role in a pattern"),
    pytest.param("normalizer: aid.v1", "normalizer: aid.v7", r"\[R013\] .*aid\.yaml: normalizer: .*aid\.v7",
                 id="a normalizer naming no code"),
    pytest.param("normalizer: aid.v1", "normalizer: date.v1",
                 r"\[R013\] .*aid\.yaml: normalizer: .*date\.v1.* kind 'aid'", id="a normalizer of another kind"),
])
def test_an_aid_rule_file_mistake_is_refused_naming_file_and_key(rules, old, new, refusal):
    edit_rule_file(rules.joinpath(*AID), old, new)
    with pytest.raises(RuleFileError, match=refusal):
        compile_rules(rules)


OFFICIALS = ("officials", "vi", "titles.yaml")


@pytest.mark.parametrize("old, new, refusal", [
    pytest.param("      - {name: name, min_tokens: 2, fewer_after: [SURNAME_ALONE_TITLE]}",
                 "      - {name: name, min_token: 2, fewer_after: [SURNAME_ALONE_TITLE]}",
                 r"\[R011\] .*titles\.yaml: patterns/", id="a misspelled option of a name"),
    pytest.param("      - {name: name, min_tokens: 2, fewer_after: [SURNAME_ALONE_TITLE]}",
                 "      - {name: name, min_tokens: 2, fewer_after: [SURNAME_ALONE]}",
                 r"\[R012\] .*titles\.yaml: patterns/official\.title_then_name: label SURNAME_ALONE",
                 id="a label no file defines"),
    pytest.param("      - {title: title, needs_complement: [BARE_ROLE]}\n      - {label: NAME_DASH",
                 "      - {title: office, needs_complement: [BARE_ROLE]}\n      - {label: NAME_DASH",
                 r"\[R012\] .*titles\.yaml: patterns/official\.title_then_name: role 'office'",
                 id="a role the officials extractor does not read"),
])
def test_an_officials_pattern_mistake_is_refused_naming_file_and_key(rules, old, new, refusal):
    edit_rule_file(rules.joinpath(*OFFICIALS), old, new)
    with pytest.raises(RuleFileError, match=refusal):
        compile_rules(rules)
