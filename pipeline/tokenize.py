"""Tokenize: canonical bodies -> underthesea words with exact offsets, as spaCy Docs.

Sentences are split first (underthesea's POS tagger slows down sharply on long
inputs), then each sentence is segmented into the words of ``word_tokenize`` with its
token normalization switched off (ingest already produced the canonical spelling) and
tagged with underthesea's bundled CRF POS model. Both models are underthesea's own; the
features they read are computed here in one pass (``segment_words``, ``pos_features``),
and tests compare the results to underthesea's. Every word is aligned back to the
body; a word that cannot be aligned is an error, never silently shifted.
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import struct
import sys
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .config import MAX_SENTENCE_CHARS
from .errors import Reject

if TYPE_CHECKING:  # spaCy is imported where a Doc is made: extraction makes none
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

log = logging.getLogger("vnfacts")

_PARAGRAPH = re.compile(r"[^\n]+")
PLAIN_TOKEN = re.compile(r"\w+|[^\w\s]")  # a run of letters and digits, or one other visible character
# Sentences whose analysis is kept in memory; VNFACTS_SENTENCE_CACHE=0 switches it off.
SENTENCE_CACHE_SIZE = int(os.environ.get("VNFACTS_SENTENCE_CACHE", "50000"))


# Not frozen, for speed (extraction makes one per token and syllable, and a frozen dataclass's checked setattr
# tripled the cost of each); treated as immutable all the same, hashed by value as a frozen one is.
@dataclass(unsafe_hash=True, slots=True)
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
    import spacy

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
    """"ông T.Đ.L – chủ nhân giải Jackpot …", "người đàn ông có tên T.Q. đã trích ra …": the splitter breaks after
    an initial of a name written in initials; a break after initials that a lone capital or a lower-case word
    continues (no sentence opens in lower case) is no sentence break."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out:
            prev_a, prev_b = out[-1]
            last = body[prev_a:prev_b].rsplit(maxsplit=1)[-1]
            same_line = "\n" not in body[prev_b:a]
            if same_line and _INITIALS.fullmatch(last) and (_INITIAL_THEN_BREAK.match(body[a:b])
                                                             or body[a:a + 1].islower()):
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


# ---------------------------------------------------------------- word segmentation
# underthesea's word_tokenize runs a CRF over syllables: its Rust featurizer writes 43 feature strings per
# syllable and its tagger looks each one up again, which was most of the time spent tokenizing. The same model is
# read here from underthesea's bundled files and run in one pass: each distinct syllable's values are computed once,
# a feature is an index into the model's weights, and a syllable's score adds the weights of its features in the
# order the tagger adds them (floating-point sums depend on the order), so the words come out identical.

# the model word_tokenize loads, in underthesea/pipeline/word_tokenize/models
SEGMENT_MODEL = "ws_crf_vlsp2013_20230727"
_SEGMENT_TEMPLATE = re.compile(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\.(lower|isdigit|istitle|is_in_dict))?")
_WINDOW = 2  # the farthest a template looks from its syllable
_SYLLABLE_CACHE_SIZE = 1 << 17


@dataclass(frozen=True)
class SegmentTemplate:
    """One feature template: ``T[a]`` is the syllable at offset a, ``T[a,b]`` the syllables a..b joined by spaces,
    ``.function`` a value computed from that text."""
    offset: int
    width: int  # syllables after the first: 0 for T[a], b - a for T[a,b]
    function: str | None


@dataclass(frozen=True, eq=False)  # hashed by identity: it keys a cache
class SegmentModel:
    """underthesea's segmentation CRF, arranged for scoring a sentence with a few array operations.

    The values a template can take form a *column*: one per (width, function), shared by the templates that differ
    only in offset. ``column_values[c]`` maps a value of column c to its index there (0: a value no template knows);
    a text of several syllables is keyed by its syllables, a tuple. ``feature_weights[template_starts[t] + v]`` holds
    the weight for each label of template t with value v (zeros for a feature the model does not know: it adds
    nothing)."""
    templates: tuple[SegmentTemplate, ...]
    columns: tuple[tuple[int, str | None], ...]
    column_values: tuple[dict[str | tuple[str, ...], int], ...]
    column_pads: tuple[tuple[int, int], ...]  # the index of BOS and of EOS in each column
    template_columns: np.ndarray
    template_offsets: np.ndarray
    template_starts: np.ndarray
    feature_weights: np.ndarray  # (template values, labels)
    transitions: tuple[tuple[float, ...], ...]  # transitions[previous label][label]
    dictionary_words: frozenset[tuple[str, ...]]  # the dictionary's words as wide as a window, as syllables
    syllable_featurizer: object  # underthesea_core's featurizer, for each syllable's own values
    syllable_pattern: re.Pattern


CRFSUITE_FEATURE = np.dtype([("kind", "<u4"), ("source", "<u4"), ("target", "<u4"), ("weight", "<f8")])


def read_crfsuite(data: bytes) -> tuple[list[str], list[str], np.ndarray]:
    """Labels, attributes and features of a CRFsuite model file. A feature of kind 0 is a state feature (source: an
    attribute, target: a label), one of kind 1 a transition (from label, to label)."""
    magic, _, _, _, _, _, _, at_features, at_labels, at_attributes = struct.unpack_from("<4sI4sIIIIIII", data)
    if magic != b"lCRF":
        raise ValueError("not a CRFsuite model")
    chunk, _, count = struct.unpack_from("<4sII", data, at_features)
    if chunk != b"FEAT":
        raise ValueError("no feature chunk")
    features = np.frombuffer(data, CRFSUITE_FEATURE, count, at_features + 12)
    return _cqdb_strings(data, at_labels), _cqdb_strings(data, at_attributes), features


def _cqdb_strings(data: bytes, start: int) -> list[str]:
    """The strings of a CQDB string table, by id (its backward links give each record's offset)."""
    magic, _, _, _, count, links = struct.unpack_from("<4sIIIII", data, start)
    if magic != b"CQDB":
        raise ValueError("not a CQDB table")
    strings = []
    for ident, (offset,) in enumerate(struct.iter_unpack("<I", data[start + links:start + links + 4 * count])):
        record_id, size = struct.unpack_from("<II", data, start + offset)
        if record_id != ident:
            raise ValueError("CQDB table out of order")
        strings.append(data[start + offset + 8:start + offset + 7 + size].decode("utf-8"))  # size counts a NUL
    return strings


def parse_segment_template(template: str) -> SegmentTemplate | None:
    """A template this module can compute, or None."""
    match = _SEGMENT_TEMPLATE.fullmatch(template)
    if not match:
        return None
    first = int(match[1])
    last = first if match[2] is None else int(match[2])
    if not -_WINDOW <= first <= _WINDOW or last < first:
        return None
    return SegmentTemplate(first, last - first, match[3])


def _value_key(value: str, width: int, function: str | None) -> str | tuple[str, ...]:
    """How ``value_columns`` looks a template's value up: a text of several syllables by its syllables (one that
    does not split into them, such as BOS, by itself: no window of the sentence has it)."""
    if width and function in (None, "lower"):
        syllables = _split_syllables(value)
        return syllables if len(syllables) == width + 1 else value
    return value


def _split_syllables(text: str) -> tuple[str, ...]:
    return tuple(map(sys.intern, text.split(" ")))  # interned: the model's texts share few syllables


def build_segment_model(model_bytes: bytes, templates: list[str], dictionary: set[str], syllable_featurizer,
                        syllable_pattern: re.Pattern) -> SegmentModel | None:
    """The model from underthesea's files (models.bin, features.bin, dictionary.bin); None when they hold something
    this module does not compute, and word_tokenize does all the work."""
    labels, attributes, features = read_crfsuite(model_bytes)
    parsed = [parse_segment_template(t) for t in templates]
    if labels != ["B-W", "I-W"] or not parsed or None in parsed:
        return None
    column_of = [(p.width, p.function) for p in parsed]
    columns = tuple(dict.fromkeys(column_of))
    rows = _attribute_rows(attributes, dict(zip(templates, parsed)))
    column_values = tuple({k: i for i, k in enumerate(dict.fromkeys(
        k for t, c in zip(templates, column_of) if c == column for k in rows[t]), start=1)} for column in columns)
    starts, template_rows = [], []
    for template, column in zip(templates, column_of):
        starts.append(len(template_rows))
        template_rows += [0] + [rows[template].get(k, 0) for k in column_values[columns.index(column)]]
    state, transition = features[features["kind"] == 0], features[features["kind"] == 1]
    weights = np.zeros((len(attributes) + 1, len(labels)))
    weights[state["source"] + 1, state["target"]] = state["weight"]
    transitions = np.zeros((len(labels), len(labels)))
    transitions[transition["source"], transition["target"]] = transition["weight"]
    return SegmentModel(
        templates=tuple(parsed), columns=columns, column_values=column_values,
        column_pads=tuple((values.get("BOS", 0), values.get("EOS", 0)) for values in column_values),
        template_columns=np.array([columns.index(c) for c in column_of]),
        template_offsets=np.array([p.offset for p in parsed]), template_starts=np.array(starts),
        feature_weights=weights[template_rows], transitions=tuple(map(tuple, transitions.tolist())),
        dictionary_words=_dictionary_words(dictionary, 1 + max(p.width for p in parsed)),
        syllable_featurizer=syllable_featurizer, syllable_pattern=syllable_pattern)


def _attribute_rows(attributes: list[str], templates: dict[str, SegmentTemplate]) -> dict[str, dict]:
    """For each template, its values (keyed as ``_value_key`` says) and the attribute's row in the weights: the
    attribute's id + 1 (row 0 is a feature the model does not know)."""
    rows: dict[str, dict] = {name: {} for name in templates}
    for row, attribute in enumerate(attributes, start=1):
        name, _, value = attribute.partition("=")
        if name in templates:
            rows[name][_value_key(value, templates[name].width, templates[name].function)] = row
    return rows


def _dictionary_words(dictionary: set[str], longest: int) -> frozenset[tuple[str, ...]]:
    """The dictionary's words of two to ``longest`` syllables, each as its syllables."""
    return frozenset(w for w in map(_split_syllables, dictionary) if 1 < len(w) <= longest)


@lru_cache(maxsize=1)
def segment_model() -> SegmentModel | None:
    """underthesea's bundled segmentation model (the files word_tokenize loads, nothing downloaded)."""
    import underthesea.pipeline.word_tokenize as ws
    from underthesea.pipeline.word_tokenize import regex_tokenize
    from underthesea_core import CRFFeaturizer

    folder = Path(ws.__file__).parent / "models" / SEGMENT_MODEL
    # joblib wrote them, but they are plain pickles of a set and a list, which pickle reads several times faster
    dictionary = pickle.loads((folder / "dictionary.bin").read_bytes())
    featurizer = CRFFeaturizer(["T[0].lower", "T[0].isdigit", "T[0].istitle", "T[0].is_in_dict"], dictionary)
    return build_segment_model((folder / "models.bin").read_bytes(), pickle.loads((folder / "features.bin").read_bytes()),
                               dictionary, featurizer, regex_tokenize.patterns)


def segment_words(sentence: str) -> list[str]:
    """underthesea's ``word_tokenize(sentence, use_token_normalize=False)``: the same words, from the same model,
    several times faster (tests compare the two)."""
    model = segment_model()
    if model is None or not _same_syllable_pattern(model):
        _, word_tokenize, _ = _underthesea()
        return word_tokenize(sentence, use_token_normalize=False)
    syllables = sentence_syllables(sentence)
    if not syllables:
        return []
    labels, _ = best_labels(emission_scores(model, syllables).tolist(), model.transitions)
    return join_syllables(syllables, labels)


def _same_syllable_pattern(model: SegmentModel) -> bool:
    # word_tokenize(..., fixed_words=[...]) replaces underthesea's pattern for the rest of the process
    from underthesea.pipeline.word_tokenize import regex_tokenize

    return regex_tokenize.patterns is model.syllable_pattern


def sentence_syllables(sentence: str) -> list[str]:
    """underthesea's syllables of a sentence (its regex tokenizer, after its character normalization), found per
    whitespace-separated chunk: no match spans whitespace, and a chunk followed by more text is tokenized with one
    space after it, so that the pattern's look-aheads (``(?!$)``, ``(?=\\s)``) see what they see in the sentence."""
    from underthesea.pipeline.text_normalize.character_normalize import normalize_characters_in_text

    text = normalize_characters_in_text(sentence)
    chunks = text.split()
    if not chunks:
        return []
    syllables = [s for chunk in chunks[:-1] for s in _chunk_syllables(chunk + " ")]
    syllables.extend(_chunk_syllables(chunks[-1] + text[len(text.rstrip()):]))
    return syllables


@lru_cache(maxsize=_SYLLABLE_CACHE_SIZE)
def _chunk_syllables(chunk: str) -> tuple[str, ...]:
    # each match of underthesea's pattern is one syllable: its groups are alternatives, one of which matched it all
    return tuple(m.group() for m in segment_model().syllable_pattern.finditer(chunk))


@lru_cache(maxsize=_SYLLABLE_CACHE_SIZE)
def syllable_values(syllable: str) -> tuple[str, bool, tuple[int, ...]]:
    """A syllable's lowercase form, whether it counts as title case, and its value index in each column (0 in the
    columns of wider windows). Its own values (lowercase, digits, title case, in the dictionary) come from
    underthesea_core's featurizer itself, so that they follow Rust's Unicode rules, not Python's."""
    model = segment_model()
    own = [f.partition("=")[2] for f in model.syllable_featurizer.process([[[syllable]]])[0][0]]
    by_function = dict(zip((None, "lower", "isdigit", "istitle", "is_in_dict"), [syllable, *own]))
    indices = tuple(values.get(by_function[function], 0) if width == 0 else 0
                    for (width, function), values in zip(model.columns, model.column_values))
    return by_function["lower"], by_function["istitle"] == "True", indices


def value_columns(model: SegmentModel, syllables: list[str]) -> list[tuple[int, ...]]:
    """For each column, the value index of every window of the sentence, padded with BOS and EOS: entry
    ``p + _WINDOW`` is the window starting at syllable p, for p from -_WINDOW to len(syllables) - 1 + _WINDOW.
    As underthesea's featurizer writes it, a window starting before the sentence is BOS and one ending after it EOS;
    the text of a wider window is its syllables joined by spaces, lowercase syllable by syllable, title case when
    every syllable is."""
    n = len(syllables)
    known = [syllable_values(s) for s in syllables]
    lowers, titles = [k[0] for k in known], [k[1] for k in known]
    one_syllable = list(zip(*(k[2] for k in known)))
    out = []
    for c, ((width, function), values) in enumerate(zip(model.columns, model.column_values)):
        if width == 0:
            inner = one_syllable[c]
        else:
            inner = _window_values(function, values, width, syllables, lowers, titles, model.dictionary_words)
        before, after = model.column_pads[c]
        out.append((before,) * _WINDOW + tuple(inner) + (after,) * (n + _WINDOW - len(inner)))
    return out


def _windows(items: list, width: int):
    """Each run of width + 1 consecutive items, as a tuple."""
    return zip(*(items[k:] for k in range(width + 1)))


def _window_values(function: str | None, values: dict, width: int, syllables: list[str], lowers: list[str],
                   titles: list[bool], dictionary_words: frozenset[tuple[str, ...]]) -> list[int]:
    """The value indices of a template function on the windows of more than one syllable."""
    if function is None:
        return list(map(values.get, _windows(syllables, width), repeat(0)))
    if function == "lower":
        return list(map(values.get, _windows(lowers, width), repeat(0)))
    yes, no = values.get("True", 0), values.get("False", 0)
    if function == "istitle":
        return [yes if all(w) else no for w in _windows(titles, width)]
    if function == "is_in_dict":
        return [yes if w in dictionary_words else no for w in _windows(lowers, width)]
    return [no] * (len(syllables) - width)  # isdigit: a text with a space is no integer


def emission_scores(model: SegmentModel, syllables: list[str]) -> np.ndarray:
    """Each syllable's score for each label: the weights of its features added one template after another, in the
    model's template order, as underthesea_core's tagger adds them."""
    n = len(syllables)
    columns = np.fromiter(chain(*value_columns(model, syllables)), dtype=np.intp,
                          count=len(model.columns) * (n + 2 * _WINDOW))
    values = columns[_template_cells(model, n)]  # (templates, syllables)
    terms = model.feature_weights.take(model.template_starts[:, None] + values, axis=0)  # (..., labels)
    return np.add.accumulate(terms, axis=0)[-1]  # running sums add in sequence, as the tagger does


@lru_cache(maxsize=1024)
def _template_cells(model: SegmentModel, n: int) -> np.ndarray:
    """For each template and syllable, where its value is in the value columns of an n-syllable sentence, flattened."""
    column_starts = model.template_columns[:, None] * (n + 2 * _WINDOW)
    return column_starts + model.template_offsets[:, None] + np.arange(n) + _WINDOW


def best_labels(emissions: list[list[float]], transitions: tuple[tuple[float, ...], ...]) -> tuple[list[int], float]:
    """The best sequence of the two labels and its score (Viterbi), computed as underthesea_core's tagger does,
    ties included: of two equal scores, label 0's wins."""
    (to_0_from_0, to_1_from_0), (to_0_from_1, to_1_from_1) = transitions
    score_0, score_1 = emissions[0]
    back = []
    for emission_0, emission_1 in emissions[1:]:
        via_0, via_1 = score_0 + to_0_from_0, score_1 + to_0_from_1
        previous_0, best_0 = (1, via_1) if via_1 > via_0 else (0, via_0)
        via_0, via_1 = score_0 + to_1_from_0, score_1 + to_1_from_1
        previous_1, best_1 = (1, via_1) if via_1 > via_0 else (0, via_0)
        back.append((previous_0, previous_1))
        score_0, score_1 = best_0 + emission_0, best_1 + emission_1
    last = 1 if score_1 > score_0 else 0
    path = [last]
    for pointers in reversed(back):
        path.append(pointers[path[-1]])
    return path[::-1], score_1 if last else score_0


def join_syllables(syllables: list[str], labels: list[int]) -> list[str]:
    """Words from syllables labelled B-W (0) and I-W (1): a syllable labelled I-W continues the word before it."""
    words: list[str] = []
    for syllable, label in zip(syllables, labels):
        if label and words:
            words[-1] += " " + syllable
        else:
            words.append(syllable)
    return words


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
    segmented = segment_words(sentence)
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
        if gap == " " and doc_words and not spaces[-1]:  # most gaps: the one space after the word before
            spaces[-1] = True
        elif gap:
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
    from spacy.tokens import Doc

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
