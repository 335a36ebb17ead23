"""bench/make_corpus.py: synthetic page dumps derived from the fixtures, for benchmarks."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from decimal import Decimal

import pytest

from vnfacts.ingest import ingest_page

from conftest import RAW_DIR, ROOT

N = 12
FIXTURES = sorted(p.name for p in RAW_DIR.iterdir() if p.suffix == ".txt")
FURNITURE = ["Tin bài liên quan", "Các tin bài khác", "Đọc nhiều", "Có thể bạn quan tâm", "Nên xem",
             "Phiên bản di động", "infographic", "Xin chờ trong giây lát", "undefined", "Tô Lâm"]


def _load_module():
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "bench" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mc = _load_module()


def _fmt(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    records = mc.build_corpus(N, out, seed=0, source=RAW_DIR)
    return out, records


@pytest.fixture(scope="module")
def sources():
    return {name: ingest_page((RAW_DIR / name).read_bytes(), name) for name in FIXTURES}


@pytest.fixture(scope="module")
def pages(corpus):
    out, records = corpus
    return {r["file"]: ingest_page((out / r["file"]).read_bytes(), r["file"]) for r in records}


def test_file_names_and_round_robin(corpus):
    out, records = corpus
    expected = [f"corpus_{i:05d}.txt" for i in range(N)]
    assert sorted(p.name for p in out.iterdir()) == expected
    assert [r["file"] for r in records] == expected
    assert [r["source"] for r in records] == [FIXTURES[i % len(FIXTURES)] for i in range(N)]
    assert [r["bytes"] for r in records] == [(out / f).stat().st_size for f in expected]


def test_same_arguments_give_identical_files(corpus, tmp_path, capsys):
    out, records = corpus
    assert mc.main(["--n", str(N), "--out", str(tmp_path), "--seed", "0", "--source", str(RAW_DIR)]) == 0
    for r in records:
        assert (tmp_path / r["file"]).read_bytes() == (out / r["file"]).read_bytes(), r["file"]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"{N} files, {sum(r['bytes'] for r in records)} bytes" in err[0]


def test_another_seed_gives_other_files(corpus, tmp_path):
    out, records = corpus
    mc.build_corpus(N, tmp_path, seed=1, source=RAW_DIR)
    for r in records:
        assert (tmp_path / r["file"]).read_bytes() != (out / r["file"]).read_bytes(), r["file"]


def test_every_file_is_distinct(corpus):
    out, records = corpus
    assert len({(out / r["file"]).read_bytes() for r in records}) == N


def test_every_file_ingests_like_its_source(corpus, pages, sources):
    _, records = corpus
    for r in records:
        page, src = pages[r["file"]], sources[r["source"]]
        article = page.article
        for text in FURNITURE:
            assert text not in article["body"], (r["file"], text)
        assert [row["zone"] for row in page.lines] == [row["zone"] for row in src.lines], r["file"]
        assert article["title"] == src.article["title"]
        assert article["section"] == src.article["section"]
        assert article["source_credit"] == src.article["source_credit"]
        if src.article["published_at"] is None:
            assert article["published_at"] is None
        else:
            assert article["published_at"] == src.article["published_at"] + timedelta(days=r["shift_days"])
        if src.article["author"] is None:
            assert article["author"] is None
        else:
            assert article["author"].startswith(r["author"])
        assert r["related_link_added"] is None  # the fixtures vary enough on their own


def test_amounts_are_scaled_and_other_numbers_kept(corpus, pages):
    _, records = corpus
    from_000 = [r for r in records if r["source"] == FIXTURES[0]]
    assert any(r["factor"] != 1 for r in from_000)
    for r in records:
        body, k = pages[r["file"]].article["body"], r["factor"]
        if r["source"] in FIXTURES[:3]:
            assert f"{_fmt(40_000 * k)} USD" in body and f"{_fmt(20_000 * k)} USD" in body, r["file"]
            assert f"{_fmt(30_000 * k)} khẩu trang" in body and f"{_fmt(15_000 * k)} USD" in body
            assert "SARS-CoV-2" in body
        if r["source"] in FIXTURES[:2]:
            assert f"{_fmt(200_000 * k)} USD" in body and "8 khu vực Bắc Lào" in body
            assert "26/8" in body and "2/9" in body and "2021-2026" in body
        if r["source"] == FIXTURES[0]:
            assert "COVID-19" in body and "tám tỉnh Bắc Lào" in body
        if r["source"] == FIXTURES[1]:
            assert "7,39%" in body and "2016-2020" in body and f"{_fmt(70_000 * k)} giường" in body


@pytest.mark.slow
def test_scaled_aid_amounts_still_reconcile(corpus, pages):
    from vnfacts.extractors import extract_article
    from vnfacts.lexicon import compile_rules
    from vnfacts.tokenize import tokenize_body

    _, records = corpus
    rules = compile_rules()
    checked = 0
    for r in records:
        if r["source"] != FIXTURES[0]:
            continue
        k = r["factor"]
        article = pages[r["file"]].article
        events = extract_article(article, tokenize_body(article["body"]), rules)["aid_events"]
        totals = [e for e in events if e["is_total"]]
        capital = [e for e in events if not e["is_total"] and e["amount"] == Decimal(40_000 * k)]
        provinces = [e for e in events if e["amount_per_recipient"] == Decimal(20_000 * k)
                     and e["recipient_count"] == 8]
        assert len(totals) == 1 and len(capital) == 1 and len(provinces) == 1, (r["file"], events)
        assert provinces[0]["amount"] == Decimal(160_000 * k)
        assert totals[0]["amount"] == Decimal(200_000 * k)
        assert totals[0]["amount"] == capital[0]["amount"] + provinces[0]["amount"]
        checked += 1
    assert checked == len(range(0, N, len(FIXTURES)))


def test_person_names_are_replaced_everywhere(corpus, pages):
    out, records = corpus
    for r in records:
        text = (out / r["file"]).read_text(encoding="utf-8")
        body = pages[r["file"]].article["body"]
        assert r["names"], r["file"]  # every fixture names someone
        for old, new in r["names"].items():
            assert old not in text and mc.slug_form(old) not in text, (r["file"], old)
            assert new in body, (r["file"], new)
            assert mc.KNOWN_NAMES[old] == next(o for o, pool in mc.REPLACEMENT_NAMES.items() if new in pool)
        if r["source"] == FIXTURES[0]:
            assert "Đinh Tiến Dũng" not in body and "Sengphet Houngboungnuang" not in body
        if r["source"] == FIXTURES[4]:  # the image slug names two people too
            slug = next(row["text"] for row in pages[r["file"]].lines if row["text"].startswith("thu tuong "))
            assert mc.slug_form(r["names"]["Nguyễn Xuân Phúc"]) in slug
            assert mc.slug_form(r["names"]["Thongloun Sisoulith"]) in slug


def test_shuffled_paragraphs_keep_their_sentences(corpus):
    out, records = corpus
    shuffled = 0
    for r in records:
        src_lines = (RAW_DIR / r["source"]).read_text(encoding="utf-8").split("\n")
        lines = (out / r["file"]).read_text(encoding="utf-8").split("\n")
        assert len(lines) == len(src_lines)
        for line_no in r["shuffled_lines"]:
            expected = []
            for sentence in mc.split_sentences(src_lines[line_no - 1]):
                sentence = mc.scale_amounts(sentence, r["factor"])
                for old, new in r["names"].items():
                    sentence = sentence.replace(old, new)
                expected.append(sentence)
            got = mc.split_sentences(lines[line_no - 1])
            assert got != expected and sorted(got) == sorted(expected), (r["file"], line_no)
            shuffled += 1
    assert shuffled >= N


def test_sentence_splitting():
    assert mc.split_sentences("Một câu duy nhất.") is None
    assert mc.split_sentences("Câu một. Câu hai.") == ["Câu một.", "Câu hai."]
    # Not inside quotes, not after an abbreviation or before a lower-case word.
    assert mc.split_sentences("Ông nói: “Tốt. Rất tốt.” Sau đó về TP. Hồ Chí Minh. Xong.") == \
        ["Ông nói: “Tốt. Rất tốt.” Sau đó về TP. Hồ Chí Minh.", "Xong."]
    assert mc.split_sentences("Năm 2.000 người. khách đến. Hết.") == ["Năm 2.000 người. khách đến.", "Hết."]
    assert mc.split_sentences("Câu một. Câu hai không có dấu chấm") is None
    assert mc.split_sentences("Câu một. Câu hai...") is None  # "hai... Câu" would not split back


def test_scale_amounts_only_touches_dot_grouped_numbers():
    text = "40.000 USD, 8 tỉnh, 7,39%, 27/08/2021, COVID-19, SARS-CoV-2, 1.234,5 tấn, năm 2020, 200.000."
    assert mc.scale_amounts(text, 5) == (
        "200.000 USD, 8 tỉnh, 7,39%, 27/08/2021, COVID-19, SARS-CoV-2, 1.234,5 tấn, năm 2020, 1.000.000.")


MINIMAL_PAGE = """Trang chủ Hữu nghị
Hà Nội trao quà cho học sinh Lào

aa
Sáng nay, Hà Nội trao quà cho học sinh Lào.

Buổi lễ diễn ra trang trọng.
Nguồn:
"""


def test_pages_that_would_repeat_get_a_distinct_related_link(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    # Nothing on these pages varies: no timestamp, byline, name, amount or multi-sentence paragraph.
    (source / "a.txt").write_text(MINIMAL_PAGE + "\nTin bài liên quan\n\nMột tin khác\n", encoding="utf-8")
    (source / "b.txt").write_text(MINIMAL_PAGE, encoding="utf-8")  # no page furniture at all
    (source / "empty.txt").write_bytes(b"")  # not an article: skipped
    out = tmp_path / "out"
    records = mc.build_corpus(8, out, seed=3, source=source)
    assert {r["source"] for r in records} == {"a.txt", "b.txt"}
    data = [(out / r["file"]).read_bytes() for r in records]
    assert len(set(data)) == 8
    assert [r["related_link_added"] is None for r in records] == [True, True] + [False] * 6
    for r, raw in zip(records, data):
        page = ingest_page(raw, r["file"])
        assert page.article["body"] == "Sáng nay, Hà Nội trao quà cho học sinh Lào.\nBuổi lễ diễn ra trang trọng."
        if r["related_link_added"]:
            line = f"{r['related_link_added']} {r['related_link_added']}"
            assert [row["zone"] for row in page.lines if row["text"] == line] == ["furniture"]


def test_stale_corpus_files_are_removed(tmp_path):
    (tmp_path / "notes.txt").write_text("kept", encoding="utf-8")
    mc.build_corpus(7, tmp_path, source=RAW_DIR)
    mc.build_corpus(3, tmp_path, source=RAW_DIR)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "corpus_00000.txt", "corpus_00001.txt", "corpus_00002.txt", "notes.txt"]


def test_output_inside_the_source_is_refused(tmp_path):
    (tmp_path / "page.txt").write_text(MINIMAL_PAGE, encoding="utf-8")
    with pytest.raises(ValueError, match="inside"):
        mc.build_corpus(2, tmp_path / "corpus", source=tmp_path)
    with pytest.raises(ValueError, match="no page"):
        mc.build_corpus(2, tmp_path / "out", source=tmp_path / "missing")
