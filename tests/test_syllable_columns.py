"""The plain lists extraction reads token attributes from say what spaCy's Tokens say, and the overlap filter on
pairs keeps what spaCy's filter_spans keeps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc
from spacy.util import filter_spans

from vnfacts.lexicon import longest_first, syllable_doc
from vnfacts.tokenize import shared_vocab, tokenize_body


def test_the_columns_of_a_syllable_doc_are_its_tokens_attributes(ingested):
    article = next(a for a in ingested["articles"] if "40.000 USD" in a["body"])
    body = article["body"]
    words = tokenize_body(body)
    sdoc = syllable_doc(body, words)
    doc = sdoc.doc
    assert sdoc.texts == [t.text for t in doc]
    assert sdoc.token_starts == [t.idx for t in doc]
    assert sdoc.token_ends == [t.idx + len(t) for t in doc]
    assert sdoc.spaces == [t.is_space for t in doc]
    # the tags stay beside the Doc, not in it: each syllable's is its word's, a gap's "_SP"
    tag_at = {c: w.pos for w in words for c in range(w.start, w.end)}
    assert sdoc.tags == [tag_at.get(start, "_SP") for start in sdoc.token_starts]
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



def _reference_syllable_doc(body, words):
    """The syllable Doc as it was made before its lists were built in the same pass: the syllables as Words,
    ``doc_from_words`` (tags in the Doc), the lists read back from the Doc's arrays."""
    from vnfacts.lexicon import _word_breaks_between, _word_pieces
    from vnfacts.tokenize import Word, doc_from_words

    syllables = []
    starts, ends = {w.start for w in words}, {w.end for w in words}
    for w in words:
        pieces = _word_pieces(w.text)
        if pieces is None:
            syllables.append(w)
            continue
        cursor, prev = w.start, None
        for syl in pieces:
            at = body.index(syl, cursor, w.end)
            syllables.append(Word(w.sentence, at, at + len(syl), syl, w.pos))
            if prev is not None and _word_breaks_between(prev[2], syl):
                starts.add(at)
                ends.add(prev[1])
            prev = (at, at + len(syl), syl)
            cursor = at + len(syl)
    doc = doc_from_words(body, syllables)
    sentence_by_start = {s.start: s.sentence for s in syllables}
    sentence_of, current = [], 0
    for t in doc:
        if not t.is_space:
            current = sentence_by_start.get(t.idx, current)
        sentence_of.append(current)
    return (starts, ends, sentence_of, [t.text for t in doc], [t.idx for t in doc],
            [t.idx + len(t) for t in doc], [t.is_space for t in doc], [t.tag_ for t in doc],
            [t.whitespace_ for t in doc])


WORD_TEXTS = ["Hội", "trao", "tặng", "TP.HCM", "ông bà", "Phenikaa trao", "viện trợ", "1,2", "TS.", "EVN Dương",
              "(", ")", ".", "x", "Ủy ban"]
GAPS = ["", " ", " ", "  ", "\n", " \n", "\n\n ", "\t"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(GAPS), st.sampled_from(WORD_TEXTS), st.sampled_from(["N", "Np", "V", ""]),
                          st.booleans()), max_size=20),
       st.sampled_from(GAPS))
def test_syllable_doc_makes_what_doc_from_words_makes(parts, tail):
    from vnfacts.tokenize import Word

    body, words, sentence = "", [], 0
    for gap, text, pos, new_sentence in parts:
        body += gap
        sentence += new_sentence
        words.append(Word(sentence, len(body), len(body) + len(text), text, pos))
        body += text
    body += tail
    sdoc = syllable_doc(body, words)
    starts, ends, sentence_of, texts, idx, token_ends, is_space, tags, whitespace = \
        _reference_syllable_doc(body, words)
    assert (sdoc.word_starts, sdoc.word_ends, sdoc.sentence_of) == (starts, ends, sentence_of)
    assert (sdoc.texts, sdoc.token_starts, sdoc.token_ends, sdoc.spaces, sdoc.tags) == \
        (texts, idx, token_ends, is_space, tags)
    assert [t.whitespace_ for t in sdoc.doc] == whitespace and sdoc.doc.text == body


NUMBER_LIKE = ["12", "1.200", "1,5", "-3", "+4", "±5", "~6", "3/4", "3/4/5", "1/x", "", "٣", "²", "½", "12a", "x",
               "..", "-", "—", "(", ")", "«", "…", "%", "$", "TP.HCM", "2.500,75", "IV"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NUMBER_LIKE), min_size=1, max_size=3).map("".join) | st.text(max_size=6))
def test_like_num_and_is_punct_are_spacys(text):
    from spacy.attrs import IS_PUNCT, LIKE_NUM

    from vnfacts.lexicon import is_punct, like_num

    getters = shared_vocab().lex_attr_getters
    assert like_num(text) == bool(getters[LIKE_NUM](text))
    assert is_punct(text) == bool(getters[IS_PUNCT](text))


@pytest.mark.parametrize("syllable, vietnamese", [
    ("nguyễn", True), ("Huế", True), ("Khuê", True), ("quyết", True), ("giếng", True), ("xoong", True),
    ("Kim", True),
    # a doubled vowel letter other than "o", or letters no syllable has, make a syllable foreign
    ("Gee", False), ("Lee", False), ("Saa", False), ("Cassie", False), ("Smith", False)])
def test_what_a_vietnamese_syllable_may_be(syllable, vietnamese):
    from vnfacts.lexicon import VIETNAMESE_SYLLABLE

    assert (VIETNAMESE_SYLLABLE.match(syllable) is not None) == vietnamese
