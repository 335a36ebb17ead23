"""A rule file edited in a running process changes the next result: every cache of rule data is keyed on the
content of the rules directory, not on its path or time stamps."""

from __future__ import annotations

from decimal import Decimal

from vnfacts.config import RULES_DIR
from vnfacts.dates import parse_date
from vnfacts.extractors import extract_text
from vnfacts.lexicon import compile_rules
from vnfacts.numbers import parse_number

import pytest

from vnfacts.rulefiles import RuleFileError

from conftest import edit_rule_file


def test_a_number_word_edited_in_the_running_process_reads_its_new_value(rules_copy):
    rules = rules_copy
    assert parse_number("tám", rules) == Decimal(8)
    # the same size, within the same clock tick: only the content tells the edit
    edit_rule_file(rules / "numbers" / "vi" / "numbers.yaml", "tám: 8", "tám: 9")
    assert parse_number("tám", rules) == Decimal(9)
    assert parse_number("tám") == Decimal(8)  # the installed rules are not touched


def test_a_verb_removed_in_the_running_process_gives_no_event_next(rules_copy):
    rules = rules_copy
    sentence = "Quỹ Hy vọng tặng 300 triệu đồng cho tỉnh Quảng Nam."
    [event] = extract_text(sentence, rules_dir=rules)["aid_events"]
    assert (event["donor"], event["amount"]) == ("Quỹ Hy vọng", Decimal(300000000))
    before = compile_rules(rules)
    edit_rule_file(rules / "aid" / "vi" / "aid.yaml", "give_verbs: [hỗ trợ, tặng, trao tặng,", "give_verbs: [hỗ trợ, trao tặng,")
    assert compile_rules(rules) is not before and compile_rules(rules).source.digest != before.source.digest
    assert extract_text(sentence, rules_dir=rules)["aid_events"] == []


def test_a_month_word_edited_in_the_running_process_changes_the_next_date(rules_copy):
    rules = rules_copy
    assert parse_date("tháng ba năm 2021", None, rules).value == "2021-03"
    edit_rule_file(rules / "dates" / "vi" / "dates.yaml", "    3: [ba]", "    3: [bas]")
    assert parse_date("tháng ba năm 2021", None, rules) is None  # "ba" names no month any more


def test_an_unchanged_directory_compiles_once():
    assert compile_rules(RULES_DIR) is compile_rules(RULES_DIR)


def test_a_lookalike_letter_edited_in_the_running_process_changes_the_next_canonical_text(rules_copy):
    from vnfacts.normalize import canonical_text

    assert canonical_text("ᴄhào", rules_copy) == "chào"
    edit_rule_file(rules_copy / "normalize" / "vi" / "canonical.yaml", '"ᴄ": c', '"ᴄ": k')
    assert canonical_text("ᴄhào", rules_copy) == "khào"


def test_a_zone_threshold_edited_in_the_running_process_is_read_at_the_next_load(rules_copy):
    from vnfacts.zoning import load_layout_rules

    layout = rules_copy / "zones" / "vi" / "layout.yaml"
    before = load_layout_rules(rules_copy).prose_min_chars
    edit_rule_file(layout, f"prose_min_chars: {before}", f"prose_min_chars: {before + 1}")
    assert load_layout_rules(rules_copy).prose_min_chars == before + 1
    edit_rule_file(layout, "prose_min_chars:", "prose_min_chars: 1\nold_prose_min_chars:")
    with pytest.raises(RuleFileError, match=r"layout\.yaml: old_prose_min_chars: unknown key"):
        load_layout_rules(rules_copy)


def test_a_compiled_set_reads_the_files_it_was_made_from_not_the_disk_after(rules_copy):
    numbers = rules_copy / "numbers" / "vi" / "numbers.yaml"
    compiled = compile_rules(rules_copy)  # made from "tám: 8"; its number words not read yet
    edit_rule_file(numbers, "tám: 8", "tám: 9")
    assert parse_number("tám", compiled) == Decimal(8)
    edit_rule_file(numbers, "tám: 9", "tám: 8")  # the directory is as the set was made from again
    assert parse_number("tám", rules_copy) == Decimal(8)


def test_a_rule_file_added_after_a_read_is_seen(rules_copy):
    from vnfacts.extractors import resolve_entity

    assert resolve_entity("Attapeu", rules_copy) is None
    (rules_copy / "entities" / "vi" / "extra.yaml").write_text(
        (RULES_DIR / "entities" / "vi" / "provinces.yaml").read_text(encoding="utf-8")
        .replace("id: entities.provinces.vi", "id: entities.extra.vi")
        .replace("canonical: An Giang", "canonical: Attapeu", 1), encoding="utf-8")
    assert resolve_entity("Attapeu", rules_copy)["canonical"] == "Attapeu"


def test_a_page_reads_the_rules_its_run_read_or_none(rules_copy, monkeypatch):
    """A run reads the rules once; its pages read those (in this process, as kept) or, in a worker that no
    longer has them and finds the files changed, are rejected saying so: never a mix of two versions."""
    from vnfacts import rulefiles
    from vnfacts.page import process_raw

    raw = "Quỹ Hy vọng tặng tám triệu đồng cho tỉnh Quảng Nam.\n".encode()
    source = rulefiles.rules_source(rules_copy)
    edit_rule_file(rules_copy / "numbers" / "vi" / "numbers.yaml", "tám: 8", "tám: 9")
    kept = process_raw(raw, "a.txt", str(rules_copy), rules_digest=source.digest)
    assert [r["amount"] for r in kept["aid_events"]] == [Decimal(8_000_000)]
    from vnfacts import lexicon

    monkeypatch.setattr(rulefiles, "_SNAPSHOTS", {})  # a worker process that never read them
    lexicon._compile_cached.cache_clear()
    lost = process_raw(raw, "a.txt", str(rules_copy), rules_digest=source.digest)
    [reject] = lost["rejects"]
    assert "R014" in reject["detail"] and not lost.get("aid_events")
