"""The lexicon's phrase trie finds what spaCy's PhraseMatcher on LOWER finds with the same phrases."""

from __future__ import annotations

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from vnfacts.lexicon import compile_rules, phrase_doc, syllable_doc
from vnfacts.tokenize import shared_vocab, tokenize_body


def _phrases(node, prefix=()):
    """(key, syllables) of every phrase the trie holds."""
    for syllable, child in node.items():
        if syllable is None:
            yield from ((key, prefix) for key in child)
        else:
            yield from _phrases(child, prefix + (syllable,))


def test_the_trie_matches_what_the_phrase_matcher_matches(ingested):
    lexicon = compile_rules().lexicon
    matcher = PhraseMatcher(shared_vocab(), attr="LOWER")
    for key, syllables in _phrases(lexicon.trie):
        matcher.add(key, [Doc(shared_vocab(), words=list(syllables))])
    strings = shared_vocab().strings
    texts = [a["body"] for a in ingested["articles"]][:40]
    sdocs = [syllable_doc(text, tokenize_body(text)) for text in texts]
    sdocs += [phrase_doc("Hội Chữ thập đỏ trao 300 triệu đồng cho xã Tân Lập, TP.HCM")]
    for sdoc in sdocs:
        expected = sorted((strings[key], start, end) for key, start, end in matcher(sdoc.doc))
        assert sorted(lexicon._phrase_spans(sdoc.lowers)) == expected
        assert expected  # the texts hold phrases


def test_a_look_alike_hides_the_shorter_phrase_of_its_label_inside_it():
    # rules/agreements: "không" is a negation, "không hoàn lại" (a grant) a look-alike of one
    rules = compile_rules()
    text = "Hai bên không ký hiệp định viện trợ không hoàn lại."
    found = rules.lexicon.find(syllable_doc(text, tokenize_body(text)))
    assert [m.text for m in found["NEGATION"]] == ["không"]
    assert found["NEGATION"][0].char_start == text.index("không")
    alone = "Hiệp định viện trợ không hoàn lại."
    assert "NEGATION" not in rules.lexicon.find(syllable_doc(alone, tokenize_body(alone)))
