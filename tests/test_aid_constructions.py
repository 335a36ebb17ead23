"""The aid constructions added for the train split's misses: each pattern is in the rule file with its examples
and look-alikes (tests/test_patterns.py runs them one by one), and the constructions work together in a
sentence: a first 'mỗi' clause read after verbs of visiting is continued by the next one, with its giver."""

from __future__ import annotations

import pytest

from vnfacts.config import RULES_DIR
from vnfacts.extractors import extract_text
from vnfacts.rulefiles import load_rule_file

NEW = ("aid.give.visit_then_each_member", "aid.give.handed_amount_given_by", "aid.give.amount_given_by_passive",
       "aid.give.set_aside_then_give")


@pytest.fixture(scope="module")
def aid_patterns():
    data = load_rule_file(RULES_DIR / "aid" / "vi" / "aid.yaml")
    return {p["id"]: p for p in data["patterns"]}


@pytest.mark.parametrize("pattern_id", NEW)
def test_each_construction_has_examples_and_look_alikes(aid_patterns, pattern_id):
    spec = aid_patterns[pattern_id]
    assert spec["examples"] and len(spec["counterexamples"]) >= 2


def test_a_second_each_clause_continues_the_visiting_giver():
    rows = extract_text("Ngoài ra, huyện Tam Đảo đã tiến hành thăm hỏi và hỗ trợ mỗi trường hợp bị thương "
                        "1 triệu đồng, mỗi nạn nhân tử vong 3 triệu đồng.")["aid_events"]
    got = {(r["donor"], r["recipient"], int(r["amount_per_recipient"]), r["rule_id"]) for r in rows}
    assert got == {("huyện Tam Đảo", "trường hợp bị thương", 1000000, "aid.give.visit_then_each_member"),
                   ("huyện Tam Đảo", "nạn nhân tử vong", 3000000, "aid.give.each_member_next")}


def test_visiting_alone_gives_nothing():
    """Verbs of visiting with no verb of giving after them state no event."""
    rows = extract_text("Lãnh đạo huyện Tam Đảo đã thăm hỏi, động viên mỗi nạn nhân 3 triệu đồng.")["aid_events"]
    assert not [r for r in rows if r["rule_id"] == "aid.give.visit_then_each_member"]


def test_the_giver_after_do_is_no_company_paying():
    rows = extract_text("Ông Tùng trao cho bà Phạm Thị Lan số tiền 25 triệu đồng do công ty trả tiền "
                        "lương.")["aid_events"]
    assert not [r for r in rows if r["rule_id"] == "aid.give.handed_amount_given_by"]


LOAN = ("Ngân hàng Xuất nhập khẩu Trung Quốc (China Eximbank) đã ký kết thỏa thuận cho vay thêm 250 triệu USD "
        "đầu tư tuyến đường sắt Cát Linh - Hà Đông.\n"
        "Chiều 11/5, hai nhà lãnh đạo đã chứng kiến lễ ký Hiệp định vay ưu đãi giữa Chính phủ Việt Nam và China "
        "Eximbank.\n"
        "Năm 2013, Bộ Tài chính và China Eximbank đã ký hiệp định vay cho dự án.")


def test_a_lender_alone_lends_to_the_other_party_of_its_nearest_agreement():
    """The lender's sentence names no borrower; of the two agreements with the lender, the nearer names it."""
    (row,) = extract_text(LOAN)["aid_events"]
    assert (row["donor"], row["recipient"], int(row["amount"]), row["flow"]) == \
        ("Ngân hàng Xuất nhập khẩu Trung Quốc", "Việt Nam", 250000000, "loan")


def test_a_lender_with_no_agreement_of_two_parties_lends_nothing():
    assert extract_text(LOAN.split("\n")[0])["aid_events"] == []
