"""The named patterns: the interpreter on its own, then every pattern's examples and counterexamples."""

from __future__ import annotations

import pytest

from vnfacts.config import RULES_DIR
from vnfacts.extractors import extract_text
from vnfacts.extractors.patterns import PatternError, compile_pattern
from vnfacts.rule_examples import mismatches
from vnfacts.rulefiles import iter_rule_files, load_rule_file

TABLE_OF_KIND = {"aid": "aid_events", "agreement": "agreements", "official": "officials"}


def _pattern_cases():
    for path in iter_rule_files(RULES_DIR):
        data = load_rule_file(path)
        table = TABLE_OF_KIND.get(data["kind"])
        for spec in data.get("patterns") or ():
            for i, ex in enumerate(spec["examples"]):
                yield pytest.param(table, spec["id"], ex["text"], ex.get("title"), ex["expect"],
                                   id=f"{spec['id']}+{i}")
            for i, ex in enumerate(spec["counterexamples"]):
                text, title = (ex, None) if isinstance(ex, str) else (ex["text"], ex.get("title"))
                yield pytest.param(table, spec["id"], text, title, None, id=f"{spec['id']}-{i}")


PATTERN_CASES = list(_pattern_cases())


def test_the_rule_files_hold_patterns_for_aid():
    ids = {case.values[1] for case in PATTERN_CASES if case.values[0] == "aid_events"}
    assert {"aid.give.amount_to_recipient", "aid.receive.from_donor", "aid.give.passive"} <= ids


@pytest.mark.parametrize("table,pattern_id,text,title,expect", PATTERN_CASES)
def test_pattern_example(table, pattern_id, text, title, expect):
    rows = extract_text(text, title=title)[table]
    if expect is None:
        assert rows == [], f"{pattern_id}: counterexample {text!r} yielded {rows}"
        return
    diffs = [mismatches(expect, row) for row in rows]
    assert any(not d for d in diffs), f"{pattern_id}: {text!r}: {diffs or 'no row'}"


def test_every_role_of_a_pattern_row_holds_its_words():
    text = "Chính phủ Nhật Bản vừa viện trợ khẩn cấp 2 triệu USD cho Lào và Campuchia."
    (row,) = extract_text(text)["aid_events"]
    roles = [(r["role"], r["text"]) for r in row["roles"]]
    assert roles == [("donor", "Chính phủ Nhật Bản"), ("verb", "viện trợ"), ("amount", "2 triệu USD"),
                     ("recipient", "Lào"), ("recipient", "Campuchia")]
    assert all(text[r["char_start"]:r["char_end"]] == r["text"] for r in row["roles"])


def test_an_element_with_two_kinds_is_refused():
    with pytest.raises(PatternError, match="exactly one of"):
        compile_pattern({"id": "x", "pattern": [{"party": "donor", "label": "GIVE"}]}, "test.yaml")


def test_an_unknown_op_is_refused():
    with pytest.raises(PatternError, match="op"):
        compile_pattern({"id": "x", "pattern": [{"party": "donor", "op": "{2}"}]}, "test.yaml")


def test_a_repeated_gap_is_refused():
    with pytest.raises(PatternError, match="skip"):
        compile_pattern({"id": "x", "pattern": [{"party": "donor"}, {"skip": 3, "op": "*"}]}, "test.yaml")


def test_a_long_clause_of_parties_and_verbs_with_no_amount_gives_no_row():
    """Sixty givers and receivers and no amount: every pattern fails at every start, and says so."""
    text = ", ".join(["Quỹ Hy vọng hỗ trợ tỉnh Quảng Nam"] * 60) + "."
    assert extract_text(text)["aid_events"] == []


def test_pattern_labels_are_listed_for_the_schema():
    pattern = compile_pattern({"id": "x", "unless": ["NOT_AID"], "when": ["ITEM"], "pattern": [
        {"party": "donor", "not_after": ["PREP"]}, {"skip": 2, "not": ["SPEECH_VERB"]},
        {"group": [{"label": "TO"}, {"party": "recipient"}], "op": "*"}]}, "test.yaml")
    assert pattern.labels() == {"NOT_AID", "ITEM", "PREP", "SPEECH_VERB", "TO"}


def test_the_construction_table_lists_every_pattern():
    from vnfacts.rule_docs import DOC, rendered

    text = DOC.read_text(encoding="utf-8")
    assert rendered(text) == text, "docs/RULES.md is out of date: run `python -m vnfacts.rule_docs write`"
    for case in PATTERN_CASES:
        assert f"`{case.values[1]}`" in text


def test_a_pattern_gives_up_on_a_sentence_past_its_step_budget(monkeypatch, caplog):
    from vnfacts.extractors import patterns

    sentence = "Quỹ Hy vọng tặng 300 triệu đồng cho tỉnh Quảng Nam."
    assert extract_text(sentence)["aid_events"][0]["rule_id"] == "aid.give.amount_to_recipient"
    monkeypatch.setattr(patterns, "MAX_STEPS", 3)
    with caplog.at_level("WARNING", logger="vnfacts"):
        rows = extract_text(sentence)["aid_events"]
    assert rows == []  # every pattern that could read it gave up: no row, and the log says which
    assert "pattern aid.give.amount_to_recipient gave up on a sentence after 3 tries" in caplog.text


def test_a_repeated_group_that_can_skip_everything_is_refused():
    with pytest.raises(PatternError, match="repeated group"):
        compile_pattern({"id": "x.y", "pattern": [{"party": "donor"}, {"group": [{"skip": 3}], "op": "*"}]}, "t")


def test_a_repeated_element_keeps_its_kinds():
    from vnfacts.extractors.entities import party_finder
    from vnfacts.extractors.patterns import SentenceUnits, match_sentence
    from vnfacts.extractors.sentence import sentences_of
    from vnfacts.lexicon import compile_rules, syllable_doc
    from vnfacts.tokenize import tokenize_body

    text = "Họ tặng Lào UNICEF tiền."
    pattern = compile_pattern({"id": "x.y", "pattern": [
        {"label": "GIVE"}, {"party": "p", "kinds": ["country"], "op": "+"}]}, "t")
    rules = compile_rules(RULES_DIR)
    words = tokenize_body(text)
    sdoc = syllable_doc(text, words)
    matches = rules.lexicon.find(sdoc)
    sent = sentences_of(sdoc, matches)[0]
    parties = party_finder(sdoc, matches, rules, set()).find(sent.start, sent.end)
    [match] = match_sentence(SentenceUnits(sdoc, sent, parties, []), (pattern,))
    assert [p.name for p in match.all("p")] == ["Lào"]  # UNICEF is no country, second time round neither


def test_the_rule_trace_shows_labels_parties_amounts_and_where_each_pattern_stopped():
    from vnfacts.rule_trace import trace

    shown = trace("Quỹ ABC chuyển 500 triệu đồng cho tỉnh Quảng Nam.")
    assert "'Quỹ ABC' [0:2] fund" in shown and "'tỉnh Quảng Nam'" in shown
    assert "'500 triệu đồng' [3:6] cash 500000000 VND" in shown
    assert "aid.handover.named_giver: MATCHES from token 0" in shown
    assert "aid.give.amount_to_recipient: 7 of 20 elements from token 0; stops at label:GIVE[verb]" in shown
    assert "aid.lend.to_borrower: needs LEND" in shown
    assert shown.rstrip().endswith("aid.handover.named_giver: Quỹ ABC -> Quảng Nam '500 triệu đồng'")
    assert "WEAK_GIVE(1)" in shown  # "chuyển" moves money for pay too: only some givers make it aid


def test_rules_trace_is_a_command():
    from click.testing import CliRunner
    from vnfacts.cli import main

    result = CliRunner().invoke(main, ["rules-trace", "Hai bên đã ký biên bản ghi nhớ về hợp tác y tế.",
                                       "--kind", "agreement"])
    assert result.exit_code == 0 and "patterns (agreement):" in result.output


def test_the_rule_files_hold_patterns_for_officials():
    ids = {case.values[1] for case in PATTERN_CASES if case.values[0] == "officials"}
    assert {"official.title_then_name", "official.names_then_title", "official.addressed_comma_title"} <= ids


def test_an_official_is_read_once_from_the_left():
    """The inner title of "Phó Thủ tướng" is no second person: the reading goes on after the first match."""
    rows = extract_text("Phó Thủ tướng Trung Quốc Uông Dương đón đoàn.")["officials"]
    assert [(r["name"], r["titles"], r["rule_id"]) for r in rows] == [
        ("Uông Dương", ["Phó Thủ tướng Trung Quốc"], "official.title_then_name")]


def test_an_official_carries_the_spans_of_name_and_title():
    text = "Ông Thèn Văn Páo, Chủ tịch UBND huyện Mường Khương cho biết nước đã rút."
    (row,) = extract_text(text)["officials"]
    assert row["rule_id"] == "official.addressed_comma_title"
    assert [(r["role"], r["text"]) for r in row["roles"]] == [
        ("name", "Thèn Văn Páo"), ("title", "Chủ tịch UBND huyện Mường Khương")]
    assert text[row["char_start"]:row["char_end"]] == "Ông Thèn Văn Páo, Chủ tịch UBND huyện Mường Khương"


def test_the_left_to_right_reading_keeps_a_pattern_s_blocking_labels():
    """``leftmost_matches`` (the officials' reading) drops a match a label of ``unless_in_clause`` stands before in
    its clause, as ``match_sentence`` does."""
    from vnfacts.extractors.entities import analysed_text
    from vnfacts.extractors.officials import OfficialParser
    from vnfacts.extractors.patterns import leftmost_matches
    from vnfacts.extractors.sentence import sentences_of

    spec = {"id": "official.x", "pattern": [{"title": "title"}, {"name": "name", "min_tokens": 2}]}
    rules, sdoc, matches, finder = analysed_text("Ông nói Thủ tướng Nguyễn Xuân Phúc phát biểu.", RULES_DIR)
    sent = sentences_of(sdoc, matches)[0]

    def read(pattern):
        return [m.pattern.id for m in leftmost_matches(OfficialParser(sdoc, sent, rules, finder).units(), (pattern,))]

    assert read(compile_pattern(spec, "t")) == ["official.x"]
    assert read(compile_pattern({**spec, "unless_in_clause": ["HONORIFIC"]}, "t")) == []
