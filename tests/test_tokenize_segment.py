"""Word segmentation: ``segment_words`` gives exactly the words of underthesea's
``word_tokenize(sentence, use_token_normalize=False)``, on real sentences and on odd strings."""

from __future__ import annotations

import inspect
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from vnfacts import tokenize
from vnfacts.tokenize import (best_labels, emission_scores, parse_segment_template, segment_model, segment_words,
                              sentence_spans, sentence_syllables)

GOLD_ARTICLES = [ROOT / "tests" / "gold" / name / "articles" for name in ("dev", "heldout", "zones")]


def _word_tokenize(sentence: str) -> list[str]:
    from underthesea import word_tokenize

    return word_tokenize(sentence, use_token_normalize=False)


@pytest.fixture(scope="module")
def gold_sentences() -> list[str]:
    """Every sentence of the gold sets' real articles (baomoi 2017, Dân trí 2020–21), split as the pipeline does."""
    from vnfacts.ingest import ingest_files

    return [a["body"][s:e] for folder in GOLD_ARTICLES for a in ingest_files(folder)["articles"]
            for s, e in sentence_spans(a["body"])]


def test_segment_words_are_word_tokenize_s_on_real_sentences(gold_sentences, ingested):
    fixtures = [a["body"][s:e] for a in ingested["articles"] for s, e in sentence_spans(a["body"])]
    sample = gold_sentences[::8] + fixtures
    assert len(sample) > 800
    for sentence in sample:
        assert segment_words(sentence) == _word_tokenize(sentence), sentence


@pytest.mark.slow
def test_segment_words_are_word_tokenize_s_on_every_gold_sentence(gold_sentences):
    assert len(gold_sentences) > 5000
    for sentence in gold_sentences:
        assert segment_words(sentence) == _word_tokenize(sentence), sentence


def test_segment_scores_are_underthesea_core_s_to_the_last_bit(gold_sentences):
    # the weights come from the model file and are added in the tagger's order: the best path scores the same
    import underthesea.pipeline.word_tokenize as ws

    _word_tokenize("Khởi động.")
    tagger = ws.word_tokenize_model
    model = segment_model()
    for sentence in gold_sentences[::25]:
        syllables = sentence_syllables(sentence)
        tags, score = tagger.estimator.tag_with_score(tagger.featurizer.process([[[s] for s in syllables]])[0])
        labels, own_score = best_labels(emission_scores(model, syllables).tolist(), model.transitions)
        assert own_score == score, sentence
        assert [("B-W", "I-W")[label] for label in labels] == tags


def test_the_model_read_is_the_one_word_tokenize_loads():
    from underthesea.pipeline.word_tokenize import word_tokenize

    assert f'"{tokenize.SEGMENT_MODEL}"' in inspect.getsource(word_tokenize)
    assert segment_model() is not None  # its templates are all ones computed here


# ---------------------------------------------------------------- odd strings

PIECES = ["Hà", "Nội", "hà", "NỘI", "Bộ", "Chính", "trị", "T.Ư", "TP.", "Tp.", "v.v", "v.v...", "...", "--", "->",
          "=>", ">>", "3x4", "°C", "H&M", "H'Mông", "N’Thôn", "Mr.", "ThS.", "Th.S", "e-mail", "43H-0530", "NĐ-CP",
          "http://vnexpress.net/a(b)c", "https://x.vn/a?b=1", "www.abc.com", "abc.com.vn/", "foo@gmail.com",
          "a.b+c@x-y.z", "03-5730-2357", "02/05/2014", "02/2014", "08-2014", "20.08.2014", "10:20:50", "4K",
          "4.123,2", "60.542.000", "100,000,000", "1_2", ":))", ":D", "<3", "(", ")", ",", ".", "ʺ",
          "1.600m-2.000m", "+", "×", "÷", "::", "%", "$", "“", "”", "A.", "Đ.", "T.Đ.L", "2147483647",
          "2147483648", "007", "BOS", "EOS", "True",
          # letters whose case or digit rules differ between Python and Rust, or that normalization rewrites
          "Σ", "ΑΣ", "İ", "ß", "ǅ", "Ⅻ", "²", "١٢", "ð", "Ð", "e\u0301", "中国", "Москва", "ﬁ", "🙂", "\u00ad",
          "\u200b"]
GAPS = ["", " ", "  ", "\t", "\n", "\u00a0", "\u3000", "\x1c"]
ODD_SENTENCES = st.one_of(
    st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(GAPS)), max_size=12)
    .map(lambda pairs: "".join(piece + gap for piece, gap in pairs)),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Z", "S", "M", "Cc")), max_size=30),
)


@given(ODD_SENTENCES)
@settings(max_examples=200, deadline=None)
def test_segment_words_are_word_tokenize_s_on_odd_strings(sentence):
    assert segment_words(sentence) == _word_tokenize(sentence)


@given(ODD_SENTENCES)
@settings(max_examples=300, deadline=None)
def test_syllables_are_underthesea_s(sentence):
    # found chunk by chunk, they are those of underthesea's tokenizer over the whole sentence
    from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize as regex_tokenize

    assert sentence_syllables(sentence) == regex_tokenize(sentence, use_token_normalize=False)


def test_look_aheads_see_the_rest_of_the_sentence():
    # "A." is one abbreviation only when text follows; ":D" is a smiley before a space or at the end
    for sentence in ["A.", "A. ", "A.\n", "A. \n", "Ông A. B.", ":D", "x:D y", "", "  "]:
        assert segment_words(sentence) == _word_tokenize(sentence), repr(sentence)


# ---------------------------------------------------------------- when underthesea does the work

def test_without_a_model_it_computes_underthesea_runs_word_tokenize(monkeypatch):
    monkeypatch.setattr(tokenize, "segment_model", lambda: None)
    assert segment_words("Bộ Chính trị họp.") == ["Bộ Chính trị", "họp", "."]


def test_a_template_it_cannot_compute_leaves_the_work_to_underthesea():
    assert parse_segment_template("T[-1,1].lower") is not None
    for template in ["T[-3]", "T[0][1]", "T[1,0]", "T[0].isupper", "W[0]"]:
        assert parse_segment_template(template) is None


def test_a_replaced_syllable_pattern_leaves_the_work_to_underthesea(monkeypatch):
    # word_tokenize(..., fixed_words=[...]) leaves its own pattern in underthesea for the rest of the process
    from underthesea.pipeline.word_tokenize import regex_tokenize

    fixed = re.compile(r"(?P<fixed_words>\bhọp\ bàn\b)|" + regex_tokenize.patterns.pattern, re.VERBOSE | re.UNICODE)
    monkeypatch.setattr(regex_tokenize, "patterns", fixed)
    sentence = "Bộ Chính trị họp bàn."
    assert segment_words(sentence) == _word_tokenize(sentence)
    assert any("họp bàn" in word for word in segment_words(sentence))  # one syllable now, whatever the model says


def test_ties_go_to_the_first_label_as_in_the_tagger():
    assert best_labels([[0.0, 0.0], [0.0, 0.0]], ((0.0, 0.0), (0.0, 0.0))) == ([0, 0], 0.0)
    assert best_labels([[0.0, 1.0], [0.0, 0.0]], ((0.0, 0.0), (0.0, 0.0))) == ([1, 0], 1.0)
