"""Extraction behaviour beyond the seed facts: rules as data, robustness."""

from __future__ import annotations

import shutil

from hypothesis import given, settings
from hypothesis import strategies as st

from vnfacts.extractors import extract_text

NEW_PLACES = """\
id: entities.extra.vi
kind: entity
description: A place added by dropping a file into the rules directory.
normalizer: entity.v1
label: PLACE
entries:
  - {canonical: Attapeu, kind: province, country: LA, aliases: [Attapeu, tỉnh Attapeu, Át-ta-pư]}
examples:
  positive:
    - {text: "Át-ta-pư", expected: {canonical: Attapeu}}
  negative:
    - "Hà Giang"
"""


def test_a_new_rule_file_takes_effect_without_code(rules_copy):
    rules = rules_copy
    sentence = "Tỉnh Quảng Nam hỗ trợ tỉnh Attapeu 2 tỷ đồng."
    [unknown] = extract_text(sentence, rules_dir=rules)["aid_events"]
    # a party no list knows is still a party, with no country
    assert (unknown["recipient"], unknown["recipient_country"], unknown["recipient_kind"]) == ("Attapeu", None, None)
    (rules / "entities" / "vi" / "extra.yaml").write_text(NEW_PLACES, encoding="utf-8")
    [event] = extract_text(sentence, rules_dir=rules)["aid_events"]
    assert (event["donor"], event["recipient"], event["amount"], event["currency"]) == \
        ("Quảng Nam", "Attapeu", 2000000000, "VND")
    assert (event["recipient_country"], event["recipient_kind"], event["donor_country"]) == ("LA", "province", "VN")
    assert event["rule_id"] == "aid.give.recipient_then_amount"  # the named pattern "X hỗ trợ Y <amount>"


def test_a_new_verb_in_a_rule_file_takes_effect(rules_copy):
    rules = rules_copy
    sentence = "Nhật Bản biếu Lào 100 máy thở."
    assert extract_text(sentence, rules_dir=rules)["aid_events"] == []
    aid = rules / "aid" / "vi" / "aid.yaml"
    aid.write_text(aid.read_text(encoding="utf-8").replace("\ngive_verbs: [", "\ngive_verbs: [biếu, "), encoding="utf-8")
    [event] = extract_text(sentence, rules_dir=rules)["aid_events"]
    assert (event["donor"], event["recipient"], event["item"], event["quantity"]) == ("Nhật Bản", "Lào", "ventilators", 100)


def test_without_the_entity_lists_parties_are_found_by_shape_but_not_resolved(rules_copy):
    rules = rules_copy
    shutil.rmtree(rules / "entities")
    [event] = extract_text("Hà Nội hỗ trợ Viêng Chăn 40.000 USD.", rules_dir=rules)["aid_events"]
    assert (event["donor"], event["recipient"], event["amount"]) == ("Hà Nội", "Viêng Chăn", 40000)
    assert (event["donor_country"], event["recipient_country"]) == (None, None)


@given(st.text(alphabet=st.sampled_from(list("Hà Nội hỗ trợ Viêng Chăn 40.000 USD 30.000 khẩu trang, mỗi tỉnh.;()"
                                            "ĐđBí thư Thành ủy Ông 0123456789/-\n")), max_size=120))
@settings(max_examples=60, deadline=None)
def test_extraction_never_raises_and_quotes_its_input(text):
    tables = extract_text(text)
    for rows in tables.values():
        for row in rows:
            assert 0 <= row["char_start"] <= row["char_end"] <= len(text)
            assert text[row["char_start"]:row["char_end"]] == row["evidence"]


def test_a_person_named_in_full_and_then_by_surname_is_one_official_whose_evidence_names_him():
    text = "Tổng thống Trump phát biểu. Trước đó, Tổng thống Mỹ Donald Trump đã ký sắc lệnh."
    [person] = extract_text(text)["officials"]
    assert (person["name"], person["country"]) == ("Donald Trump", "US")
    assert person["name"] in person["evidence"] and text[person["char_start"]:person["char_end"]] == person["evidence"]


def test_extract_text_refuses_decomposed_text_with_a_clear_message():
    import pytest

    with pytest.raises(ValueError, match="NFC"):
        extract_text("Ông Nguyễn Văn A\u0301n")


def test_signing_parties_stop_where_their_list_ends():
    text = "Hai bên ký kết biên bản ghi nhớ giữa Nhật Bản và Việt Nam, Mỹ viện trợ 10 triệu USD cho Lào."
    [agreement] = extract_text(text)["agreements"]
    assert agreement["parties"] == ["Nhật Bản", "Việt Nam"]


def test_mentions_of_an_official_count_whole_names_only():
    [person] = extract_text("Thủ tướng Nguyễn Văn An phát biểu. Nguyễn Văn Anh và Nguyễn Văn Ana dự.")["officials"]
    assert (person["name"], person["n_mentions"]) == ("Nguyễn Văn An", 1)
