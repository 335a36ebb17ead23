"""An article's raw offsets stored as runs give exactly the spans one pair of integers per character gave."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vnfacts.ingest import ingest_files, raw_span_of, raw_text
from vnfacts.lexicon import compile_rules
from vnfacts.normalize import canonical_text
from vnfacts.offset_runs import MAX_RUN, as_column, decode, encode, raw_span, runs_of_article

from conftest import RAW_DIR, ROOT

HTML_DIR = ROOT / "tests" / "html"


@st.composite
def bodies_with_spans(draw):
    """A body and a raw span per character: mostly each character's UTF-8 bytes one after another, with jumps
    (skipped lines), characters of another width (escapes, folded look-alikes) and empty ones (line breaks)."""
    body = draw(st.text(alphabet=st.sampled_from("aăâđêôơư ÁỆỮ\nᴄ😀.,0123"), min_size=1, max_size=60))
    starts, ends, at = [], [], draw(st.integers(0, 50))
    for ch in body:
        at += draw(st.sampled_from([0, 0, 0, 0, 1, 7]))  # a jump: bytes not in the body
        width = draw(st.sampled_from([len(ch.encode("utf-8"))] * 4 + [0, 1, 6]))
        starts.append(at)
        ends.append(at + width)
        at += width
    return body, starts, ends


@settings(max_examples=300, deadline=None)
@given(bodies_with_spans())
def test_runs_give_back_every_characters_span(case):
    body, starts, ends = case
    runs = encode(body, starts, ends)
    assert decode(body, runs) == (starts, ends)
    for start in range(len(body)):
        for end in range(start + 1, min(len(body), start + 5) + 1):
            assert raw_span(body, runs, start, end) == (starts[start], ends[end - 1])


def test_a_run_is_cut_so_a_lookup_on_a_one_line_page_stays_cheap():
    body = "ă" * (3 * MAX_RUN + 10)
    starts = [2 * i for i in range(len(body))]
    runs = encode(body, starts, [s + 2 for s in starts])
    assert len(runs.body_start) == 4
    assert raw_span(body, runs, len(body) - 1, len(body)) == (starts[-1], starts[-1] + 2)


def test_the_column_reads_back_as_runs():
    body = "Hà Nội"
    runs = encode(body, [0, 1, 3, 4, 5, 6], [1, 3, 4, 5, 6, 9])
    assert runs_of_article({"body": body, "body_raw_runs": as_column(runs)}) == runs


def test_ingest_stores_exactly_the_spans_it_computed_per_character(monkeypatch):
    """Ingest works out each body character's raw span; what it stores gives every one of them back."""
    import vnfacts.offset_runs as offset_runs

    given_spans = []
    real_encode = offset_runs.encode

    def recording_encode(body, starts, ends):
        given_spans.append((body, list(starts), list(ends)))
        return real_encode(body, starts, ends)

    monkeypatch.setattr(offset_runs, "encode", recording_encode)
    articles = ingest_files(RAW_DIR)["articles"] + ingest_files(HTML_DIR)["articles"]
    assert len(given_spans) == len(articles) >= 10
    for article, (body, starts, ends) in zip(articles, given_spans):
        assert article["body"] == body
        assert decode(body, runs_of_article(article)) == (starts, ends)
        for i in range(0, len(body), 7):
            j = min(len(body), i + 13)
            assert raw_span_of(article, i, j) == (starts[i], ends[j - 1])


def test_every_character_of_the_fixtures_comes_from_bytes_that_read_as_it(ingested):
    """Each body character's bytes, read as ingest reads them, hold it (a tone mark moved to its vowel maps both
    letters to the pair they were written as: "uỷ" gives "ủ" and "y"); the line breaks joining lines are empty."""
    rules = compile_rules()  # the installed rules, as ingest read them, resolved once rather than per character
    checked = 0
    for article in ingested["articles"]:
        raw = (RAW_DIR / article["source_file"]).read_bytes()
        for i, ch in enumerate(article["body"]):
            if ch.isascii() and ch != "\n" and i % 10:
                continue  # every letter with a mark, every line break, and a tenth of the rest
            a, b = raw_span_of(article, i, i + 1)
            if ch == "\n":
                assert a == b
                continue
            assert ch in canonical_text(raw_text(article, raw, a, b), rules), (article["source_file"], i)
            checked += 1
    assert checked > 3_000


def test_runs_take_a_small_part_of_what_a_list_per_character_took(ingested):
    """A few runs per line of text, where the lists held two integers for each character."""
    for article in ingested["articles"]:
        runs = len(article["body_raw_runs"])
        assert runs * 3 <= len(article["body"]) * 2 / 20, (article["source_file"], runs, len(article["body"]))
        assert runs <= 3 * (article["body"].count("\n") + 1) + 20
