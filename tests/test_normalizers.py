"""Every normalizer a rule file cites is code that runs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vnfacts.config import RULES_DIR
from vnfacts.normalizers import UnknownNormalizer, normalizer
from vnfacts.rulefiles import iter_rule_files, load_rule_file


@pytest.mark.parametrize("path", iter_rule_files(RULES_DIR), ids=lambda p: p.relative_to(RULES_DIR).as_posix())
def test_the_normalizer_a_rule_file_cites_resolves(path):
    assert callable(normalizer(load_rule_file(path)["normalizer"]))


def test_the_number_normalizer_reads_vietnamese_numbers():
    assert normalizer("number.v1")("tám") == Decimal(8)
    assert normalizer("number.v1")("30.000") == Decimal(30000)


def test_an_unknown_normalizer_is_refused():
    with pytest.raises(UnknownNormalizer, match="aid.v9"):
        normalizer("aid.v9")
