"""The plain lists extraction reads token attributes from say what spaCy's Tokens say, and the overlap filter on
pairs keeps what spaCy's filter_spans keeps."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc
from spacy.util import filter_spans

from vnfacts.lexicon import longest_first, syllable_doc
from vnfacts.tokenize import shared_vocab, tokenize_body


def test_the_columns_of_a_syllable_doc_are_its_tokens_attributes(ingested):
    article = next(a for a in ingested["articles"] if "40.000 USD" in a["body"])
    body = article["body"]
    sdoc = syllable_doc(body, tokenize_body(body))
    doc = sdoc.doc
    assert sdoc.texts == [t.text for t in doc]
    assert sdoc.token_starts == [t.idx for t in doc]
    assert sdoc.token_ends == [t.idx + len(t) for t in doc]
    assert sdoc.spaces == [t.is_space for t in doc]
    assert sdoc.tags == [t.tag_ for t in doc]
    assert "Np" in sdoc.tags and True in sdoc.spaces  # names tagged, line breaks kept as tokens
    assert len(sdoc.sentence_of) == len(doc) and sdoc.sentence_of == sorted(sdoc.sentence_of)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 6)), max_size=25))
def test_longest_first_keeps_what_filter_spans_keeps(starts_and_lengths):
    doc = Doc(shared_vocab(), words=["x"] * 40)
    pairs = [(start, start + length) for start, length in starts_and_lengths]
    expected = [(s.start, s.end) for s in filter_spans([doc[a:b] for a, b in pairs])]
    assert longest_first(pairs) == expected


def test_the_text_of_a_token_range_is_its_spans_text(ingested):
    body = next(a for a in ingested["articles"] if "40.000 USD" in a["body"])["body"]
    sdoc = syllable_doc(body, tokenize_body(body))
    n = len(sdoc.doc)
    for start, end in [(0, 0), (0, 1), (0, n), (3, 9), (n - 5, n), (7, 7)]:
        assert sdoc.span_text(start, end) == sdoc.doc[start:end].text

