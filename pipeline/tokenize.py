"""Tokenize: canonical bodies -> underthesea words with exact offsets, as spaCy Docs.

Sentences are split first (underthesea's POS tagger slows down sharply on long
inputs), then each sentence is segmented with ``word_tokenize`` with its token
normalization switched off (ingest already produced the canonical spelling) and
tagged with underthesea's bundled CRF POS model. Every word is aligned back to the
body; a word that cannot be aligned is an error, never silently shifted.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.tokens import Doc
from spacy.vocab import Vocab

from .config import MAX_SENTENCE_CHARS
from .errors import Reject

log = logging.getLogger("vnfacts")

_PARAGRAPH = re.compile(r"[^\n]+")
PLAIN_TOKEN = re.compile(r"\w+|[^\w\s]")  # a run of letters and digits, or one other visible character
# Sentences whose analysis is kept in memory; VNFACTS_SENTENCE_CACHE=0 switches it off.
SENTENCE_CACHE_SIZE = int(os.environ.get("VNFACTS_SENTENCE_CACHE", "50000"))


@dataclass(frozen=True)
class Word:
    sentence: int
    start: int
    end: int
    text: str
    pos: str


@lru_cache(maxsize=1)
def _underthesea():
    from underthesea import sent_tokenize, word_tokenize
    from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

    return sent_tokenize, word_tokenize, CRFPOSTagPredictor.Instance()


@lru_cache(maxsize=1)
def shared_vocab() -> Vocab:
    # Not spacy.blank("vi"): its tokenizer needs pyvi, and our words come from underthesea.
    # The multi-language vocab gives lexeme attributes (is_space, like_num, ...).
    return spacy.blank("xx").vocab


def sentence_spans(body: str) -> list[tuple[int, int]]:
    """Sentence boundaries: paragraphs (lines) split by underthesea's sentence splitter."""
    sent_tokenize, _, _ = _underthesea()
    spans = []
    for para in _PARAGRAPH.finditer(body):
        cursor = para.start()
        for sent in sent_tokenize(para.group()):
            sent = sent.strip()
            if not sent:
                continue
            at = body.find(sent, cursor, para.end())
            if at < 0:  # the splitter changed the text: fall back to the whole paragraph rest
                spans.append((cursor, para.end()))
                cursor = para.end()
                break
            if body[cursor:at].strip():  # text the splitter skipped stays in a sentence of its own
                spans.append((cursor, at))
            spans.append((at, at + len(sent)))
            cursor = at + len(sent)
        if body[cursor:para.end()].strip():
            spans.append((cursor, para.end()))
    trimmed = [(a + _lead_ws(body[a:b]), b - _trail_ws(body[a:b])) for a, b in spans if body[a:b].strip()]
    return [piece for a, b in _join_initials(body, trimmed) for piece in _cut_long(body, a, b)]


def _join_initials(body: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """"ông T.Đ.L – chủ nhân giải Jackpot …": the splitter breaks after an initial of a name written in
    initials; a break after initials that a lone capital continues is no sentence break."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out:
            prev_a, prev_b = out[-1]
            last = body[prev_a:prev_b].rsplit(maxsplit=1)[-1]
            same_line = "\n" not in body[prev_b:a]
            if same_line and _INITIALS.fullmatch(last) and _INITIAL_THEN_BREAK.match(body[a:b]):
                out[-1] = (prev_a, b)
                continue
        out.append((a, b))
    return out


_INITIALS = re.compile(r"(?:[^\W\d_]\.){2,}")  # "T.Đ.": two or more initials, each a letter and a full stop
# the next piece opens with one Latin capital (not "Ở", "Ý": one-letter Vietnamese words that open sentences)
_INITIAL_THEN_BREAK = re.compile(r"[A-Z\u0110](?:\W|$)")  # \u0110: "D" with a stroke


def _cut_long(body: str, start: int, end: int, limit: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """A run-on "sentence" (a crawler's giant line) cut at spaces into pieces of at most
    ``limit`` characters: underthesea's tagger slows down sharply on long inputs."""
    pieces = []
    while end - start > limit:
        cut = body.rfind(" ", start + 1, start + limit)
        if cut <= start:
            cut = start + limit  # no space at all: cut inside the run
        pieces.append((start, cut))
        start = cut + _lead_ws(body[cut:end])
    pieces.append((start, end))
    return [(a, b) for a, b in pieces if body[a:b].strip()]


def _lead_ws(s: str) -> int:
    return len(s) - len(s.lstrip())


def _trail_ws(s: str) -> int:
    return len(s) - len(s.rstrip())


def align_words(body: str, start: int, end: int, words: list[str]) -> list[tuple[int, int]]:
    """Offsets of each word in body[start:end]; the syllables of a word may be separated
    by any whitespace in the body. Raises ValueError when a word is not where expected."""
    spans, cursor = [], start
    for word in words:
        word_start = None
        for syllable in word.split():
            while cursor < end and body[cursor].isspace():
                cursor += 1
            if body.startswith(syllable, cursor) and cursor + len(syllable) <= end:
                word_start = cursor if word_start is None else word_start
                cursor += len(syllable)
            else:
                raise ValueError(f"word {word!r} (syllable {syllable!r}) not found at offset {cursor}: "
                                 f"{body[cursor:cursor + 20]!r}")
        if word_start is None:
            continue
        spans.append((word_start, cursor))
    if body[cursor:end].strip():
        raise ValueError(f"text left over after the last word: {body[cursor:end]!r}")
    return spans


def _is_title(word: str) -> bool:
    """underthesea's ``istitle`` feature: every space-separated part starts with a title-case letter."""
    return bool(word) and all(part and part[0].istitle() for part in word.split(" "))


def pos_features(words: list[str]) -> list[list[str]]:
    """The features underthesea's CRF POS model reads for each word, exactly as its own ``word2features``
    writes them (tests compare the two), computed in one pass: underthesea's version rebuilds the sentence's
    columns and parses a template for every feature of every word, and that was most of the pipeline's time.
    The model was trained on (word, tag) rows; tagging text, the tag column holds "X"."""
    n = len(words)
    if n == 0:
        return []
    pad = ["BOS", "BOS", "BOS"]
    word = pad + list(words) + ["EOS", "EOS", "EOS"]
    lower = pad + [w.lower() for w in words] + ["EOS", "EOS", "EOS"]
    title = pad + [str(_is_title(w)) for w in words] + ["EOS", "EOS", "EOS"]
    tag = pad + ["X"] * n + ["EOS", "EOS", "EOS"]

    def pair(column: list[str], k: int) -> str:
        # "T[k,k+1]": BOS when k is before the sentence, EOS when either word is past its end
        if k < 3:
            return "BOS"
        return "EOS" if k + 1 >= n + 3 else f"{column[k]} {column[k + 1]}"

    features = []
    for i in range(3, n + 3):
        features.append([
            f"T[-2].lower={lower[i - 2]}", f"T[-1].lower={lower[i - 1]}", f"T[0].lower={lower[i]}",
            f"T[1].lower={lower[i + 1]}", f"T[2].lower={lower[i + 2]}",
            f"T[0].istitle={title[i]}", f"T[-1].istitle={title[i - 1]}", f"T[1].istitle={title[i + 1]}",
            f"T[-2]={word[i - 2]}", f"T[-1]={word[i - 1]}", f"T[0]={word[i]}", f"T[1]={word[i + 1]}",
            f"T[2]={word[i + 2]}",
            f"T[-2,-1]={pair(word, i - 2)}", f"T[-1,0]={pair(word, i - 1)}", f"T[0,1]={pair(word, i)}",
            f"T[1,2]={pair(word, i + 1)}",
            f"T[-3][1]={tag[i - 3]}", f"T[-2][1]={tag[i - 2]}", f"T[-1][1]={tag[i - 1]}",
            f"T[-3,-2][1]={pair(tag, i - 3)}", f"T[-2,-1][1]={pair(tag, i - 2)}",
        ])
    return features


def pos_tags(words: list[str]) -> tuple[str, ...]:
    """underthesea's CRF POS tags for segmented words (its bundled model, the features of ``pos_features``)."""
    if not words:
        return ()
    _, _, pos_model = _underthesea()
    return tuple(pos_model.model.tag(pos_features(words)))


@lru_cache(maxsize=SENTENCE_CACHE_SIZE)
def analyse_sentence(sentence: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """underthesea's words and POS tags of one sentence. Both models work within a
    sentence, so a sentence seen before (boilerplate, captions, agency credits repeated
    across articles) is not analysed again: the result is the same."""
    _, word_tokenize, _ = _underthesea()
    segmented = word_tokenize(sentence, use_token_normalize=False)
    return tuple(segmented), pos_tags(segmented)


def numbers_apart(words: tuple[str, ...]) -> tuple[str, ...]:
    """A figure is a word of its own: underthesea sometimes joins one to the words before it
    (``viện trợ 1,000``), and an amount must start where its digits do."""
    if not any(" " in w and any(ch.isdigit() for ch in w) for w in words):
        return words
    out: list[str] = []
    for word in words:
        syllables = word.split(" ")
        if len(syllables) == 1 or not any(s[:1].isdigit() for s in syllables):
            out.append(word)
            continue
        run: list[str] = []
        for s in syllables:
            if s[:1].isdigit():
                if run:
                    out.append(" ".join(run))
                    run = []
                out.append(s)
            else:
                run.append(s)
        if run:
            out.append(" ".join(run))
    return tuple(out)


def tokenize_body(body: str, article_id: str = "") -> list[Word]:
    words: list[Word] = []
    for sent_no, (a, b) in enumerate(sentence_spans(body)):
        segmented, tags = analyse_sentence(body[a:b])
        try:
            spans = align_words(body, a, b, list(numbers_apart(segmented)))
        except ValueError as exc:
            # underthesea rewrites some spellings (two tone marks on one word); the sentence is kept, cut at
            # spaces and punctuation instead of by its word model
            log.warning("article %s, sentence %d: %s; segmented at spaces and punctuation", article_id, sent_no, exc)
            spans = [(m.start(), m.end()) for m in PLAIN_TOKEN.finditer(body, a, b)]
        texts = [body[s:e] for s, e in spans]
        if list(texts) != list(segmented):  # words cut or spaced differently from the model's: tag what they are
            tags = pos_tags(texts)
        words.extend(Word(sent_no, s, e, t, tag) for (s, e), t, tag in zip(spans, texts, tags))
    return words


def token_rows(article_id: str, words: list[Word]) -> list[dict]:
    return [{"article_id": article_id, "sentence": w.sentence, "token": i, "text": w.text,
             "char_start": w.start, "char_end": w.end, "pos": w.pos} for i, w in enumerate(words)]


def doc_from_words(body: str, words: list[Word], vocab: Vocab | None = None) -> Doc:
    """A spaCy Doc whose text is exactly ``body``: gaps between words other than one
    space become whitespace tokens, as spaCy's own tokenizers do."""
    vocab = vocab or shared_vocab()
    doc_words, spaces, tags, sent_starts = [], [], [], []
    cursor, last_sentence = 0, None
    for w in words:
        gap = body[cursor:w.start]
        if gap:
            _attach_gap(gap, doc_words, spaces, tags, sent_starts)
        doc_words.append(w.text)
        spaces.append(False)
        tags.append(w.pos)
        sent_starts.append(w.sentence != last_sentence)
        last_sentence = w.sentence
        cursor = w.end
    if body[cursor:]:
        _attach_gap(body[cursor:], doc_words, spaces, tags, sent_starts)
    # the text the Doc will hold, built from its words (Doc.text would make a Token per word to say the same)
    if "".join(w + " " if space else w for w, space in zip(doc_words, spaces)) != body:
        raise Reject("token_misaligned", "spaCy Doc text differs from the body")
    return Doc(vocab, words=doc_words, spaces=spaces, tags=tags, sent_starts=sent_starts)


def _attach_gap(gap: str, doc_words, spaces, tags, sent_starts) -> None:
    if doc_words and gap[0] == " " and not spaces[-1]:
        spaces[-1] = True
        gap = gap[1:]
    if gap:
        doc_words.append(gap)
        spaces.append(False)
        tags.append("_SP")
        sent_starts.append(len(doc_words) == 1)  # a gap opens a sentence only when it opens the Doc


def words_from_rows(rows: list[dict]) -> list[Word]:
    return [Word(r["sentence"], r["char_start"], r["char_end"], r["text"], r["pos"]) for r in rows]


def tokenize_articles(articles: list[dict], progress=None, words_of=tokenize_body) -> dict[str, list[dict]]:
    """Token rows of every article; ``words_of(body, article_id)`` may serve them from a cache."""
    tokens, rejects = [], []
    for article in articles:
        try:
            words = words_of(article["body"], article["article_id"])
            doc_from_words(article["body"], words)  # proves the offsets rebuild the body exactly
            tokens.extend(token_rows(article["article_id"], words))
        except Reject as rej:
            rejects.append({"source_file": article["source_file"], "article_id": article["article_id"],
                            "stage": "tokenize", "reason": rej.reason, "detail": rej.detail})
        if progress:
            progress()
    return {"tokens": tokens, "rejects": rejects}
