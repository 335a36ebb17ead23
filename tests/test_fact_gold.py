"""The facts on the hand-annotated articles (docs/ANNOTATION.md) stay at or above the floor each gold set records
in its floor.json: the dev articles the rules were first written against, the held-out ones, and the train and
blind splits of the aid gold and of the bench articles that give or sign. Raise a floor as its scores rise (docs/ACCURACY.md). A blind set's misses are never
printed, not even by a failing test: only its figures."""

import json
from pathlib import Path

import pytest

from vnfacts.config import RULES_DIR
from vnfacts.evaluate import evaluate, fold, is_blind, must_not_hits, name_variants, score_aid, score_dates, \
    folded_with_index, load_gold

GOLD_ROOT = Path(__file__).parent / "gold"
GOLD = GOLD_ROOT / "dev"
GOLD_SETS = {"dev": GOLD, "heldout": GOLD_ROOT / "heldout", "aid-train": GOLD_ROOT / "aid" / "train",
             "aid-blind": GOLD_ROOT / "aid" / "blind", "bench-aid-train": GOLD_ROOT / "bench_aid" / "train",
             "bench-aid-blind": GOLD_ROOT / "bench_aid" / "blind"}
FLOORS = {name: json.loads((path / "floor.json").read_text(encoding="utf-8")) for name, path in GOLD_SETS.items()}
SIZES = {"dev": (80, 20, 200), "heldout": (40, 10, 50), "aid-train": (350, 100, 400), "aid-blind": (180, 40, 200),
         "bench-aid-train": (50, 15, 110), "bench-aid-blind": (25, 9, 60)}


@pytest.fixture(scope="module")
def results():
    return {}


def _result(results, name):
    if name not in results:
        results[name] = evaluate(GOLD_SETS[name])
    return results[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(GOLD_SETS))
def test_the_gold_set_is_large_enough_and_every_article_runs(results, name):
    result = _result(results, name)
    golds = load_gold(GOLD_SETS[name])
    articles, aid_events, officials = SIZES[name]
    assert len(golds) >= articles
    assert result.failures == []
    assert result.articles == len(golds)
    assert result.scores["aid_events"].gold >= aid_events
    assert result.scores["officials"].gold >= officials


# Figures below their floor, each with why: strict, so a figure back at its floor fails here until its entry goes.
# None now: the blind split's aid recall and the train split's event dates are back at theirs.
BELOW_FLOOR: dict[tuple[str, str], str] = {}


def _floor_cases():
    for name in sorted(GOLD_SETS):
        for measure in sorted(FLOORS[name]):
            reason = BELOW_FLOOR.get((name, measure))
            yield pytest.param(name, measure, marks=pytest.mark.xfail(strict=True, reason=reason)) if reason \
                else (name, measure)


@pytest.mark.slow
@pytest.mark.parametrize("name, measure", list(_floor_cases()))
def test_score_is_at_or_above_its_floor(results, name, measure):
    result = _result(results, name)
    figures, floor = result.figures(), FLOORS[name][measure]
    blind = is_blind(GOLD_SETS[name])
    if measure == "must_not_hits":
        assert figures[measure] <= floor, (f"{name}: {figures[measure]} must_not hits > {floor}" if blind
                                           else "\n".join(result.must_not_hits))
    else:
        assert figures[measure] >= floor, f"{name}: {measure} {figures[measure]} < floor {floor}"


def test_the_blind_split_is_marked_blind_and_the_others_are_not():
    assert is_blind(GOLD_SETS["aid-blind"]) and is_blind(GOLD_SETS["bench-aid-blind"])
    assert not any(is_blind(GOLD_SETS[name]) for name in ("dev", "heldout", "aid-train", "bench-aid-train"))


def test_names_match_without_case_diacritics_or_a_generic_head():
    variants = name_variants(["Chính phủ Nhật Bản"], ["Chính phủ", "Tập đoàn"])
    assert fold("nhat ban") in variants and fold("CHÍNH PHỦ NHẬT BẢN") in variants
    assert fold("Nhật") not in variants


def test_an_aid_event_needs_donor_recipient_and_value_to_match():
    gold = [{"donor": "Nhật Bản", "recipient": "Việt Nam", "item": "cash", "amount": 1000000, "currency": "USD"}]
    right = {"donor": "Nhật Bản", "recipient": "Việt Nam", "amount": 1000000, "currency": "USD", "evidence": "x"}
    assert score_aid(gold, [right], [], "f").matched == 1
    for wrong in ({**right, "amount": 2000000}, {**right, "currency": "EUR"}, {**right, "donor": "Hàn Quốc"},
                  {**right, "recipient": "Việt Nam + Lào"}):
        score = score_aid(gold, [wrong], [], "f")
        assert (score.matched, len(score.extras), len(score.misses)) == (0, 1, 1)


def test_an_optional_gold_event_is_neither_missed_nor_extra():
    gold = [{"donor": "A", "recipient": "B", "amount": 5, "currency": "USD", "optional": True}]
    assert score_aid(gold, [], [], "f").gold == 0
    found = score_aid(gold, [{"donor": "A", "recipient": "B", "amount": 5, "currency": "USD"}], [], "f")
    assert (found.predicted, found.extras) == (0, [])


def test_dates_match_in_text_order_and_compare_the_year_only_when_known():
    body = "Ngày 3/4 họp. Ngày 3/4 ký."
    rows = [{"char_start": 0, "char_end": 8, "month": 4, "day": 3, "value": None, "grain": "day"},
            {"char_start": 14, "char_end": 22, "month": 4, "day": 3, "value": None, "grain": "day"}]
    gold = [{"text": "Ngày 3/4", "value": "2021-04-03"}, {"text": "Ngày 3/4", "value": "2021-04-03"}]
    without_year = score_dates(gold, rows, folded_with_index(body), False, "f")
    assert (without_year.matched, without_year.value_correct) == (2, 2)
    with_year = score_dates(gold, rows, folded_with_index(body), True, "f")
    assert with_year.value_correct == 0


def test_a_must_not_amount_is_hit_only_as_a_whole_number():
    tables = {"aid_events": [{"evidence": "1.100.000 USD"}, {"evidence": "khoản hỗ trợ 1,8 tỷ đồng"}]}
    hits = must_not_hits({"aid_amounts": ["1.100", "1,8 tỷ đồng"]}, tables, "f")
    assert len(hits) == 1 and "1,8 tỷ đồng" in hits[0]


def test_a_blind_gold_folder_prints_only_its_summary(tmp_path):
    from click.testing import CliRunner
    from vnfacts.cli import main

    name = "baomoi_21478549"
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / f"{name}.txt").write_bytes((GOLD / "articles" / f"{name}.txt").read_bytes())
    gold = (GOLD / f"{name}.yaml").read_text(encoding="utf-8")
    # an official no article names: a miss that a detailed report would print
    (tmp_path / f"{name}.yaml").write_text(gold.replace("officials:\n", "officials:\n  - {name: Trần Văn Không Có, "
                                                        "titles: [Bộ trưởng], country: VN}\n", 1), encoding="utf-8")
    seen = CliRunner().invoke(main, ["eval", "--gold", str(tmp_path)])
    assert seen.exit_code == 0 and "miss official Trần Văn Không Có" in seen.output
    (tmp_path / "BLIND").write_text("")
    blind = CliRunner().invoke(main, ["eval", "--gold", str(tmp_path)])
    assert blind.exit_code == 0 and "| officials |" in blind.output
    assert "Trần Văn Không Có" not in blind.output and "misses" not in blind.output


def test_an_aid_event_date_is_right_at_the_gold_grain():
    from vnfacts.evaluate import _date_value_matches

    day = {"month": 5, "day": 12, "value": "2017-05-12"}
    assert _date_value_matches("2017-05-12", day, True) and _date_value_matches("--05-12", day, True)
    assert not _date_value_matches("2017", day, True)
    assert not _date_value_matches("2017-05-12", {"month": None, "day": None, "value": None}, True)
    gold = [{"donor": "A", "recipient": "B", "amount": 5, "currency": "USD", "date": "2020-03-04",
             "construction": "give"}, {"donor": "C", "recipient": "B", "amount": 7, "currency": "USD",
                                       "construction": "lend"}]
    row = {"donor": "A", "recipient": "B", "amount": 5, "currency": "USD", "event_date": "2020-03-05"}
    score = score_aid(gold, [row], [], "f")
    assert (score.matched, score.dated, score.date_right) == (1, 1, 0)
    assert score.missed_by_construction == {"lend": 1}
    yearless = {**row, "event_date": None, "event_month": 3, "event_day": 4}
    assert score_aid([{**gold[0], "date": "--03-04"}], [yearless], [], "f").date_right == 1
    assert score_aid([{**gold[0], "date": "2020-03-04"}], [yearless], [], "f").date_right == 0


def test_a_missed_aid_event_says_which_step_failed_and_what_the_rows_lack():
    # sentences of the seed facts' kind: each miss is put down to the first step of reading that fails
    body = ("Quỹ Hy vọng cho biết giá gạo tăng 300 triệu đồng.\n"
            "Ngân hàng Thế giới cho Việt Nam vay 500 triệu USD.\n"
            "Theo kế hoạch, Quỹ ABC tặng 200 suất quà cho các hộ nghèo.")
    no_verb = {"donor": "Quỹ Hy vọng", "recipient": "X", "amount": 300000000, "currency": "VND",
               "evidence": "300 triệu đồng"}
    joined = {"donor": "Ngân hàng Thế giới", "recipient": "Việt Nam", "amount": 500000000, "currency": "USD",
              "evidence": "500 triệu USD"}
    no_giver = {"donor": "Quỹ Hy vọng", "recipient": "các hộ nghèo", "quantity": 200, "evidence": "200 suất quà"}
    score = score_aid([no_verb, joined, no_giver], [], [], "f", RULES_DIR, body)
    assert score.missed_by_step == {"no verb of giving, lending or receiving": 1,
                                    "every part read, no pattern joined them": 1,
                                    "its giver is no party of its sentence": 1}
    # a row with the value but another giver
    row = {"donor": "Quỹ ABC", "recipient": "các hộ nghèo", "quantity": 200}
    assert score_aid([no_giver], [row], [], "f", RULES_DIR, body).missed_by_part == {"its value, another giver": 1}


def test_a_range_row_matches_a_gold_that_names_either_bound():
    row = {"donor": "ADB", "recipient": "Việt Nam", "amount": None, "amount_min": 600000000,
           "amount_max": 800000000, "currency": "USD"}
    # the dev gold names the upper bound; the aid gold, as docs/ANNOTATION.md asks, the lower one and amount_max
    upper = {"donor": "ADB", "recipient": "Việt Nam", "amount": 800000000, "currency": "USD"}
    both = {**upper, "amount": 600000000, "amount_max": 800000000}
    assert score_aid([upper], [row], [], "f").matched == 1
    assert score_aid([both], [row], [], "f").matched == 1
    assert score_aid([{**both, "amount_max": 900000000}], [row], [], "f").matched == 0
    assert score_aid([{**upper, "amount": 700000000}], [row], [], "f").matched == 0
    assert score_aid([{**upper, "currency": "EUR"}], [row], [], "f").matched == 0


def test_a_missed_event_is_put_down_to_the_first_step_that_fails_on_its_sentence():
    from vnfacts.evaluate import _failed_step

    body = "Hội Phụ nữ TP đã trao 7.073 sổ tiết kiệm với tổng số tiền 6,153 tỷ đồng cho phụ nữ nghèo."
    gold = {"evidence": "6,153 tỷ đồng"}
    donor = name_variants(["Hội Phụ nữ TP"], [])
    # the amount is read, as what the books are worth; the giver is a party; "phụ nữ nghèo" is no party but a
    # noun phrase a pattern reads; a receiver the sentence does not name is neither
    assert _failed_step(gold, body, donor, [name_variants(["phụ nữ nghèo"], [])], RULES_DIR) == \
        "every part read, no pattern joined them"
    assert _failed_step(gold, body, donor, [name_variants(["trẻ em mồ côi"], [])], RULES_DIR) == \
        "a receiver is neither a party nor a phrase of its sentence"
    assert _failed_step(gold, body, name_variants(["Công ty Hòa Phát"], []), [], RULES_DIR) == \
        "its giver is no party of its sentence"
    assert _failed_step({"evidence": "7.073 sổ"}, body.replace("trao", "bán"), donor, [], RULES_DIR) == \
        "no verb of giving, lending or receiving"
    assert _failed_step({"evidence": "tỷ phú"}, body, donor, [], RULES_DIR) == "evidence not in the body"
