"""underthesea tokens aligned exactly to the canonical bodies."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnfacts.tokenize import (align_words, analyse_sentence, doc_from_words, pos_features, sentence_spans,
                              tokenize_body, words_from_rows)


def test_no_article_is_rejected(tokenized):
    assert tokenized["rejects"] == []


def test_token_offsets_are_exact_on_every_fixture(ingested, tokenized):
    bodies = {a["article_id"]: a["body"] for a in ingested["articles"]}
    assert set(bodies) == {t["article_id"] for t in tokenized["tokens"]}
    for token in tokenized["tokens"]:
        body = bodies[token["article_id"]]
        assert body[token["char_start"]:token["char_end"]] == token["text"]


def test_spacy_docs_rebuild_every_body(ingested, tokenized):
    for article in ingested["articles"]:
        rows = [t for t in tokenized["tokens"] if t["article_id"] == article["article_id"]]
        doc = doc_from_words(article["body"], words_from_rows(rows))
        assert doc.text == article["body"]
        words = [t for t in doc if not t.is_space]
        assert len(words) == len(rows)
        for tok, row in zip(words, rows):
            assert article["body"][tok.idx:tok.idx + len(tok)] == tok.text == row["text"]
            assert tok.tag_ == row["pos"]


def test_multi_syllable_words_and_tags(articles_by_file):
    body = articles_by_file["000_f22b6e4c1b01d16e.txt"]["body"]
    words = tokenize_body(body[:200])
    texts = [w.text for w in words]
    assert "Bộ Chính trị" in texts and "Đinh Tiến Dũng" in texts and "26/8" in texts
    assert {w.text: w.pos for w in words}["Đinh Tiến Dũng"] == "Np"


def test_canonical_spelling_survives_tokenization(articles_by_file):
    # underthesea would rewrite "Thành uỷ"; ingest already wrote "Thành ủy", and it stays.
    words = tokenize_body("Bí thư Thành ủy Hà Nội nói. Hòa bình.")
    assert [w.text for w in words][:3] == ["Bí thư", "Thành ủy", "Hà Nội"]


def test_sentences_do_not_cross_paragraphs():
    body = "Câu một ở đây. Câu hai ở đây\nĐoạn hai không có dấu chấm"
    spans = sentence_spans(body)
    assert [body[a:b] for a, b in spans] == ["Câu một ở đây.", "Câu hai ở đây", "Đoạn hai không có dấu chấm"]


def test_a_name_in_initials_is_no_sentence_break():
    # underthesea breaks after "T.Đ." in "ông T.Đ.L – …" (a Vietlott winner in the bench corpus); a real break
    # after an initial, and a break before a full word, stay
    body = ("Ông T.Đ.L – chủ nhân giải Jackpot đã tặng 400 triệu đồng. Sau đó ông về nhà.\n"
            "Thư gửi ông N.V.A. Ở Hà Nội, trời mưa.")
    sentences = [body[a:b] for a, b in sentence_spans(body)]
    assert sentences[0] == "Ông T.Đ.L – chủ nhân giải Jackpot đã tặng 400 triệu đồng."
    assert sentences[1] == "Sau đó ông về nhà."
    assert "Ông T.Đ." not in sentences
    # "Ở" is a word that opens a sentence, no initial: the break after "N.V.A." stays
    assert sentences[2:] == ["Thư gửi ông N.V.A.", "Ở Hà Nội, trời mưa."]


def test_initials_a_lower_case_word_continues_are_no_sentence_break():
    # an An Giang lottery winner in the aid corpus: "… người đàn ông có tên T.Q. đã trích ra số tiền …"
    body = "Người đàn ông có tên T.Q. đã trích ra số tiền 100 triệu đồng ủng hộ từ thiện. Ông T.Q. Sau đó về nhà."
    sentences = [body[a:b] for a, b in sentence_spans(body)]
    assert sentences[0] == "Người đàn ông có tên T.Q. đã trích ra số tiền 100 triệu đồng ủng hộ từ thiện."
    assert sentences[-1] == "Sau đó về nhà."


def test_misaligned_words_fail_loudly():
    with pytest.raises(ValueError, match="not found"):
        align_words("Hà Nội", 0, 6, ["Hà Nộii"])


def test_whitespace_runs_become_space_tokens():
    body = "Hà  Nội\n\nViêng Chăn"
    words = tokenize_body(body)
    doc = doc_from_words(body, words)
    assert doc.text == body
    assert any(t.is_space for t in doc)


def test_the_sentence_cache_changes_nothing(articles_by_file):
    from vnfacts.tokenize import analyse_sentence

    body = articles_by_file["001_dcb2878248db2b41.txt"]["body"]
    analyse_sentence.cache_clear()
    cold = tokenize_body(body)
    repeated = analyse_sentence.cache_info().hits  # 001 states its 200.000 USD sentence twice
    assert repeated == 2
    warm = tokenize_body(body)
    assert analyse_sentence.cache_info().hits - repeated == len(sentence_spans(body))
    assert warm == cold


# ---------------------------------------------------------------- POS features

def _underthesea_features(words: list[str]) -> list[list[str]]:
    from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor
    from underthesea.pipeline.pos_tag.tagged_feature import word2features

    template = CRFPOSTagPredictor.Instance().transformer.template
    rows = [(w, "X") for w in words]
    return [word2features(rows, i, template) for i in range(len(words))]


def test_pos_features_are_underthesea_s_on_every_fixture_sentence(ingested):
    from underthesea import word_tokenize

    sentences = [body[a:b] for body in _fixture_bodies(ingested) for a, b in sentence_spans(body)]
    assert len(sentences) > 50
    for sentence in sentences:
        words = word_tokenize(sentence, use_token_normalize=False)
        assert pos_features(words) == _underthesea_features(words), sentence


def test_pos_tags_are_underthesea_s_own(ingested):
    from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

    model = CRFPOSTagPredictor.Instance()
    for body in _fixture_bodies(ingested):
        for a, b in sentence_spans(body)[:20]:
            words, tags = analyse_sentence.__wrapped__(body[a:b])
            assert list(tags) == [tag for _, tag in model.predict(list(words))]


@given(st.lists(st.text(alphabet=st.sampled_from("aAàẢ đĐ1 .,"), max_size=6), max_size=8))
@settings(max_examples=200, deadline=None)
def test_pos_features_match_underthesea_on_any_words(words):
    assert pos_features(words) == _underthesea_features(words)


def _fixture_bodies(ingested) -> list[str]:
    return [a["body"] for a in ingested["articles"]]
