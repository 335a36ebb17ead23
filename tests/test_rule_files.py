"""Every rule file has the common shape, and every example of every rule file holds."""

from __future__ import annotations

import pytest
import yaml

from vnfacts.config import RULES_DIR
from vnfacts.rule_examples import evaluate, mismatches
from vnfacts.rulefiles import SAFE_LOADER, RuleFileError, check_rule_file, iter_rule_files, load_rule_file

RULE_FILES = iter_rule_files(RULES_DIR)


def _examples():
    for path in RULE_FILES:
        data = load_rule_file(path)
        rel = path.relative_to(RULES_DIR).as_posix()
        for i, ex in enumerate(data["examples"]["positive"]):
            yield pytest.param(path, data, ex["text"], ex.get("title"), ex["expected"], id=f"{rel}+{i}:{ex['text'][:40]}")
        for i, ex in enumerate(data["examples"]["negative"]):
            text, title = (ex, None) if isinstance(ex, str) else (ex["text"], ex.get("title"))
            yield pytest.param(path, data, text, title, None, id=f"{rel}-{i}:{text[:40]}")


def test_there_are_rule_files():
    assert len(RULE_FILES) >= 2


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.relative_to(RULES_DIR).as_posix())
def test_rule_file_has_common_shape(path):
    # parsed here, not taken from the pipeline's cache, with the loader the pipeline reads rule files with
    check_rule_file(yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER), path)


def test_rule_ids_are_unique():
    ids = [load_rule_file(p)["id"] for p in RULE_FILES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("path,data,text,title,expected", list(_examples()))
def test_rule_example(path, data, text, title, expected):
    got = evaluate(data["kind"], text, data, title=title)
    if expected is None:
        assert got is None, f"{path.name}: negative example {text!r} yielded {got}"
    else:
        assert not mismatches(expected, got), f"{path.name}: {text!r}: {mismatches(expected, got)}"


def test_a_rule_file_without_negative_examples_is_refused(tmp_path):
    with pytest.raises(RuleFileError, match="R004"):
        check_rule_file({"id": "x", "kind": "zone", "description": "d", "normalizer": "n",
                         "examples": {"positive": [{"text": "a", "expected": {}}], "negative": []}}, "x.yaml")


def test_rule_files_are_found_by_kind_wherever_they_live(rules_copy):
    from vnfacts.dates import find_dates
    from vnfacts.rulefiles import rule_files_by_kind

    rules = rules_copy
    (rules / "dates" / "vi" / "dates.yaml").rename(rules / "my_dates.yaml")
    assert [d["id"] for d in rule_files_by_kind(rules)["date"]] == ["dates.vi"]
    assert [d.value.value for d in find_dates("Ngày 5/3/2021 hai bên ký.", None, rules)] == ["2021-03-05"]
