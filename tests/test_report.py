"""The HTML review pages: highlights on the fixtures, nesting of overlapping spans, the
roles of each row, escaping of hostile text, and the page as headless Chromium parses
and draws it."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from vnfacts.cli import main
from vnfacts.offset_runs import as_column, encode
from vnfacts.report import ROLE_COLOURS, Highlight, clip_to_body, page_name, render_body, write_report
from vnfacts.schema import (AGREEMENTS, AID_EVENTS, ARTICLES, DATES, LINES, MENTIONS, OFFICIALS, REJECTS,
                             read_rows, to_arrow, write_table)

from conftest import RAW_DIR, ROOT, golden_documents

ARTICLE_000 = "000_f22b6e4c1b01d16e.txt"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")
SCREENSHOT_ARTIFACT = ROOT / "tests" / "artifacts" / "report_000.png"


def one_byte_per_character(body: str) -> list[dict]:
    return as_column(encode(body, list(range(len(body))), list(range(1, len(body) + 1))))


# ---------------------------------------------------------------- a strict little DOM

@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list = field(default_factory=list)  # Element or str

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()


class StrictTreeBuilder(HTMLParser):
    """Builds an Element tree; fails on an end tag that does not close the open element,
    so a page only parses when it is well formed without the parser's repairs."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = StrictTreeBuilder()
    builder.feed(html)
    builder.close()
    assert [e.tag for e in builder.stack] == ["#document"], f"unclosed: {[e.tag for e in builder.stack]}"
    return builder.root


def by_id(root: Element, element_id: str) -> Element:
    found = [e for e in root.iter() if e.attrs.get("id") == element_id]
    assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
    return found[0]


def marks(root: Element, label: str) -> list[Element]:
    return [e for e in by_id(root, "body").iter() if e.tag == "mark" and f"ent-{label}" in e.classes]


def role_marks(root: Element, role: str) -> list[Element]:
    return [e for e in by_id(root, "body").iter() if e.tag == "mark" and e.attrs.get("data-role") == role]


def mark_texts(root: Element, label: str) -> list[str]:
    return [m.text for m in marks(root, label)]


# ---------------------------------------------------------------- the fixtures

@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["run", "--raw", str(RAW_DIR), "--out", str(out)])
    assert result.exit_code == 0, result.output
    index = write_report(out)
    return out, index


@pytest.fixture(scope="module")
def article_000(report) -> tuple[dict, Path]:
    out, index = report
    article = next(a for a in read_rows(ARTICLES, out) if a["source_file"] == ARTICLE_000)
    return article, index.parent / page_name(article["article_id"])


def test_article_page_highlights_the_facts(article_000):
    _, page = article_000
    root = parse(page.read_text(encoding="utf-8"))
    aid = mark_texts(root, "AID")
    assert "40.000 USD" in aid
    assert "tám tỉnh Bắc Lào mỗi tỉnh 20.000 USD" in aid
    assert any("Đinh Tiến Dũng" in text for text in mark_texts(root, "PERSON"))
    assert "Chiều 26/8" in mark_texts(root, "DATE")


def test_contained_spans_are_nested_marks(article_000):
    _, page = article_000
    root = parse(page.read_text(encoding="utf-8"))
    distributive = next(m for m in marks(root, "AID") if m.text == "tám tỉnh Bắc Lào mỗi tỉnh 20.000 USD")
    inner = [c for c in distributive.children if isinstance(c, Element) and c.tag == "mark" and "role" not in c.classes]
    assert [(m.text, "ent-PLACE" in m.classes) for m in inner] == [("tám tỉnh Bắc Lào", True)]
    official = next(m for m in marks(root, "PERSON") if "Đinh Tiến Dũng" in m.text)
    assert "Hà Nội" in [m.text for m in official.iter() if "ent-PLACE" in m.classes]


def test_body_text_is_the_article_body(report):
    """Without its tags the body section is the body, character for character (line
    breaks are the text between the paragraphs)."""
    out, index = report
    for article in read_rows(ARTICLES, out):
        root = parse((index.parent / page_name(article["article_id"])).read_text(encoding="utf-8"))
        assert by_id(root, "body").text == article["body"], article["source_file"]


def test_every_row_and_its_highlight_link_to_each_other(report):
    out, index = report
    for article in read_rows(ARTICLES, out):
        root = parse((index.parent / page_name(article["article_id"])).read_text(encoding="utf-8"))
        ids = [e.attrs["id"] for e in root.iter() if "id" in e.attrs]
        assert len(ids) == len(set(ids)), "duplicate ids"
        targets = [e.attrs["href"][1:] for e in root.iter() if e.attrs.get("href", "").startswith("#")]
        assert set(targets) <= set(ids), f"dangling links: {set(targets) - set(ids)}"
        for mark in by_id(root, "body").iter():
            if mark.tag == "mark" and "id" in mark.attrs:
                assert f"row-{mark.attrs['id']}" in targets and mark.attrs["id"] in targets
        n_rows = sum(1 for row in read_rows(AID_EVENTS, out) if row["article_id"] == article["article_id"])
        assert len([m for m in marks(root, "AID") if "id" in m.attrs]) == n_rows


def test_index_links_every_article(report):
    out, index = report
    root = parse(index.read_text(encoding="utf-8"))
    pages = {e.attrs["href"] for e in root.iter() if e.tag == "a" and e.attrs.get("href", "").endswith(".html")}
    assert "overview.html" in pages and (index.parent / "overview.html").is_file()
    pages.discard("overview.html")
    assert pages == {page_name(doc["article_id"]) for doc in golden_documents()}  # one golden document per fixture
    assert pages == {page_name(a["article_id"]) for a in read_rows(ARTICLES, out)}
    assert all((index.parent / name).is_file() for name in pages)


def test_pages_load_nothing_from_anywhere(report):
    _, index = report
    files = sorted(index.parent.iterdir())
    assert len(files) == 2 + len(golden_documents())  # the index, the overview and a page per fixture article
    assert not [f for f in files if f.name.endswith(".tmp")]
    for path in files:
        html = path.read_text(encoding="utf-8")
        assert "http://" not in html and "https://" not in html, path.name
        assert "<script" not in html.lower() and "url(" not in html and "@import" not in html, path.name
        for element in parse(html).iter():
            for name in ("href", "src", "action", "srcset"):
                value = element.attrs.get(name)
                if value is not None:
                    assert "//" not in value and ":" not in value, f"{path.name}: {name}={value!r}"


# ---------------------------------------------------------------- overlapping spans

KIND_LABELS = ("AID", "PERSON", "DATE", "PLACE")


@st.composite
def body_and_spans(draw):
    """A body and spans on it, of kinds and of roles (a role the palette does not know too)."""
    body = draw(st.text(alphabet="ab <&\n", min_size=1, max_size=40))
    spans = draw(st.lists(st.tuples(st.integers(0, len(body)), st.integers(0, len(body)),
                                    st.sampled_from([*KIND_LABELS, "donor", "recipient", "amount", "verb",
                                                     "<role&>"])), max_size=8))
    highlights = []
    for n, (start, end, label) in enumerate(spans):
        span = clip_to_body(min(start, end), max(start, end), body)
        if span is None:
            continue
        if label in KIND_LABELS:
            highlights.append(Highlight(*span, label, f"h-{n}", "note"))
        else:
            highlights.append(Highlight(*span, label, f"h-{n}", "note", rows=(f"h-{n}", "other-1"), tag=str(n)))
    return body, highlights


@settings(max_examples=300, deadline=None)
@given(body_and_spans())
def test_any_overlap_renders_well_formed_with_each_character_once(case):
    body, highlights = case
    root = parse(f'<div id="body">{render_body(body, highlights)}</div>')
    assert by_id(root, "body").text == body
    for h in highlights:
        pieces = [e for e in root.iter() if e.tag == "mark" and e.attrs["data-row"].split()[0] == h.key]
        assert "".join(p.text for p in pieces) == body[h.start:h.end].replace("\n", "")
        if h.is_role:
            assert all(p.attrs["data-role"] == h.label and "role" in p.classes and "id" not in p.attrs
                       for p in pieces)
        else:
            assert pieces[0].attrs.get("id") == h.key and not any("id" in p.attrs for p in pieces[1:])
        labels = [p for p in pieces if any(isinstance(c, Element) and "label" in c.classes for c in p.children)]
        assert labels == [pieces[-1]]


def test_partial_overlap_is_cut_at_the_enclosing_end():
    body = "Hà Nội tặng Lào 40.000 USD"
    person, aid = Highlight(0, 15, "PERSON", "person-1", ""), Highlight(12, 26, "AID", "aid-1", "")
    root = parse(f'<div id="body">{render_body(body, [person, aid])}</div>')
    assert mark_texts(root, "PERSON") == ["Hà Nội tặng Lào"]
    assert mark_texts(root, "AID") == ["Lào", " 40.000 USD"]
    assert [m.text for m in marks(root, "PERSON")[0].iter() if m.tag == "mark"][1:] == ["Lào"]


# ---------------------------------------------------------------- roles

ROLE_BODY = "Quỹ Hy vọng trao 500 triệu đồng cho tỉnh Quảng Nam.\nTỉnh Quảng Nam cảm ơn."


def role(body: str, name: str, text: str) -> dict:
    start = body.index(text)
    return {"role": name, "text": text, "char_start": start, "char_end": start + len(text)}


def aid_row(body: str, evidence: str, roles: list[dict] | None, article_id: str = "0123456789abcdef") -> dict:
    start = body.index(evidence)
    return {"event_id": f"{article_id}-aid-001", "article_id": article_id, "donor": "Quỹ Hy vọng",
            "donor_kind": "fund", "recipient": "Quảng Nam", "recipient_kind": "province", "parties_from": "sentence",
            "item": "cash", "amount": Decimal(500_000_000), "currency": "VND", "is_total": False, "is_cumulative": False,
            "flow": "grant", "event_date": None, "n_mentions": 1, "roles": roles, "char_start": start,
            "char_end": start + len(evidence), "evidence": evidence, "rule_id": "aid.give.active"}


def write_role_out(out: Path, aid_rows: list[dict], body: str = ROLE_BODY, article_id: str = "0123456789abcdef",
                   without_roles: bool = False) -> dict:
    """An article, a PLACE mention on its recipient and the given aid rows; ``without_roles`` writes
    aid_events as an output made before the roles column existed."""
    article = {"article_id": article_id, "source_file": "roles.txt", "title": "Quỹ Hy vọng trao tiền",
               "body": body, "body_raw_runs": one_byte_per_character(body),
               "encoding": "utf-8", "raw_format": "text", "raw_sha256": "0" * 64, "n_lines": 2,
               "text_chars": len(body) - 1,
               "body_chars": len(body) - 1, "prose_chars": 0, "prose_kept": 1.0, "prose_kept_low": False}
    place = body.index("tỉnh Quảng Nam")
    write_table(ARTICLES, [article], out)
    for table in (LINES, DATES, OFFICIALS, AGREEMENTS, REJECTS):
        write_table(table, [], out)
    write_table(MENTIONS, [{"article_id": article_id, "label": "PLACE", "text": "tỉnh Quảng Nam",
                            "normalized": "Quảng Nam", "char_start": place, "char_end": place + len("tỉnh Quảng Nam"),
                            "evidence": "tỉnh Quảng Nam", "rule_id": "entities.places.vi"}], out)
    if without_roles:
        pq.write_table(to_arrow(AID_EVENTS, aid_rows).drop_columns(["roles"]), out / AID_EVENTS.filename)
    else:
        write_table(AID_EVENTS, aid_rows, out)
    return article


def render_page(out: Path, article: dict) -> Element:
    index = write_report(out)
    root = parse((index.parent / page_name(article["article_id"])).read_text(encoding="utf-8"))
    assert by_id(root, "body").text == article["body"]
    return root


def test_roles_are_marked_in_their_colours_with_their_row(tmp_path):
    """Donor and recipient lie outside the evidence ("trao 500 triệu đồng"), verb and amount
    inside it; the recipient is also a PLACE mention. Each role's words are one mark of that
    role, which names its row and links to it."""
    body = ROLE_BODY
    roles = [role(body, "donor", "Quỹ Hy vọng"), role(body, "verb", "trao"),
             role(body, "amount", "500 triệu đồng"), role(body, "recipient", "tỉnh Quảng Nam")]
    article = write_role_out(tmp_path, [aid_row(body, "trao 500 triệu đồng", roles)])
    root = render_page(tmp_path, article)

    for r in roles:
        found = role_marks(root, r["role"])
        assert [m.text for m in found] == [r["text"]], r["role"]
        mark = found[0]
        assert f"role-{r['role']}" in mark.classes and "ent-part" not in mark.classes
        assert mark.attrs["data-row"] == "aid-1" and "aid-1" in mark.attrs["title"] and "id" not in mark.attrs
        label = [c for c in mark.children if isinstance(c, Element) and "role-label" in c.classes]
        assert [(a.attrs["href"], a.attrs["data-label"]) for a in label] == [("#row-aid-1", "1")]
    evidence = marks(root, "AID")[0]
    assert evidence.text == "trao 500 triệu đồng"
    assert [m.attrs["data-role"] for m in evidence.iter() if "role" in m.classes] == ["verb", "amount"]
    place = marks(root, "PLACE")[0]
    assert [m.attrs["data-role"] for m in place.iter() if "role" in m.classes] == ["recipient"]

    legend = by_id(root, "role-legend")
    listed = {s.attrs["data-role"] for s in legend.iter() if "data-role" in s.attrs}
    assert {"donor", "recipient", "amount", "verb", "item", "date", "document", "party", "name", "title"} <= listed
    assert "quantity" in legend.text and "donor_official" in legend.text
    colours = [colour for _, _, colour in ROLE_COLOURS]
    assert len(set(colours)) == len(colours)

    cell = [td for td in by_id(root, "row-aid-1").children if "roles-cell" in td.classes]
    assert len(cell) == 1
    assert cell[0].text == "donor: Quỹ Hy vọngverb: traoamount: 500 triệu đồngrecipient: tỉnh Quảng Nam"


def test_a_span_rows_share_is_one_role_mark_and_roles_may_overlap(tmp_path):
    """Two rows with the same donor words: one donor mark for both. A role that crosses
    another is cut and continued, and the body stays the body."""
    body = ROLE_BODY
    first = [role(body, "donor", "Quỹ Hy vọng"), role(body, "amount", "500 triệu đồng")]
    second = [role(body, "donor", "Quỹ Hy vọng"), role(body, "item", "triệu đồng cho")]
    article = write_role_out(tmp_path, [aid_row(body, "500 triệu đồng", first),
                                        aid_row(body, "500 triệu đồng cho tỉnh", second)])
    root = render_page(tmp_path, article)
    donors = role_marks(root, "donor")
    assert [(m.text, m.attrs["data-row"]) for m in donors] == [("Quỹ Hy vọng", "aid-1 aid-2")]
    assert "aid-1, aid-2" in donors[0].attrs["title"]
    assert "".join(m.text for m in role_marks(root, "item")) == "triệu đồng cho"
    assert len(role_marks(root, "item")) == 2 and "ent-part" in role_marks(root, "item")[0].classes


def test_rows_without_roles_still_render(tmp_path):
    body = ROLE_BODY
    rows = [aid_row(body, "500 triệu đồng", None), aid_row(body, "trao 500 triệu đồng", [])]
    article = write_role_out(tmp_path, rows)
    root = render_page(tmp_path, article)
    assert sorted(mark_texts(root, "AID")) == ["500 triệu đồng", "trao 500 triệu đồng"]
    assert not [e for e in root.iter() if "data-role" in e.attrs and e.tag == "mark"]
    assert [td.text for tr in by_id(root, "table-aid").iter() if tr.tag == "tr" and "id" in tr.attrs
            for td in tr.children if "roles-cell" in td.classes] == ["", ""]


def test_an_output_made_before_the_roles_column_still_renders(tmp_path):
    article = write_role_out(tmp_path, [aid_row(ROLE_BODY, "500 triệu đồng", None)], without_roles=True)
    assert "roles" not in pq.read_schema(tmp_path / AID_EVENTS.filename).names
    root = render_page(tmp_path, article)
    assert mark_texts(root, "AID") == ["500 triệu đồng"]
    assert not [e for e in root.iter() if "data-role" in e.attrs and e.tag == "mark"]


def test_a_role_whose_offsets_miss_its_text_is_listed_not_marked(tmp_path):
    body = ROLE_BODY
    wrong = {**role(body, "donor", "Quỹ Hy vọng"), "text": "<b>Quỹ khác</b>"}
    outside = {"role": "recipient", "text": "Đà Nẵng", "char_start": len(body) + 5, "char_end": len(body) + 12}
    article = write_role_out(tmp_path, [aid_row(body, "500 triệu đồng", [wrong, outside])])
    index = write_report(tmp_path)
    html = (index.parent / page_name(article["article_id"])).read_text(encoding="utf-8")
    assert "<b>" not in html and "&lt;b&gt;Quỹ khác&lt;/b&gt;" in html
    root = parse(html)
    assert not role_marks(root, "donor") and not role_marks(root, "recipient")
    cell = next(td for td in by_id(root, "row-aid-1").children if "roles-cell" in td.classes)
    assert cell.text.count("not the body at") == 2


def test_hostile_role_text_is_shown_as_text(tmp_path):
    body = 'Quỹ <script>alert(1)</script> trao 500 triệu đồng cho tỉnh Quảng Nam "x" & y.'
    roles = [{**role(body, "donor", "Quỹ <script>alert(1)</script>"), "role": '"><img src=x onerror=alert(5)>'},
             role(body, "amount", "500 triệu đồng")]
    article = write_role_out(tmp_path, [aid_row(body, "500 triệu đồng", roles)], body=body)
    index = write_report(tmp_path)
    html = (index.parent / page_name(article["article_id"])).read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    root = parse(html)
    assert by_id(root, "body").text == body
    hostile = role_marks(root, '"><img src=x onerror=alert(5)>')
    assert [m.text for m in hostile] == ["Quỹ <script>alert(1)</script>"] and "role-other" in hostile[0].classes


# ---------------------------------------------------------------- hostile data

HOSTILE_BODY = 'Chiều 26/8 <script>alert(1)</script> & "x"\nHà Nội tặng <b>40.000 USD</b>.'


def write_tiny_out(out: Path, article_id: str = "0123456789abcdef") -> dict:
    body = HOSTILE_BODY
    article = {"article_id": article_id, "source_file": "<img src=x onerror=alert(3)>.txt",
               "title": '<script>alert("title")</script>', "body": body,
               "body_raw_runs": one_byte_per_character(body),
               "encoding": "utf-8", "raw_format": "text", "raw_sha256": "0" * 64, "n_lines": 2,
               "text_chars": len(body) - 1,
               "body_chars": len(body) - 1, "prose_chars": 0, "prose_kept": 1.0, "prose_kept_low": False}
    script = body.index("<script>")
    script_end = body.index("</script>") + len("</script>")
    write_table(ARTICLES, [article], out)
    write_table(LINES, [], out)
    write_table(DATES, [{"article_id": article_id, "text": "Chiều 26/8", "value": "2021-08-26", "grain": "day",
                         "year_unresolved": False, "month": 8, "day": 26, "part_of_day": "afternoon",
                         "char_start": 0, "char_end": 10, "evidence": "Chiều 26/8", "rule_id": "dates.vi.day_month"}],
                out)
    write_table(MENTIONS, [{"article_id": article_id, "label": "PLACE", "text": body[script:script_end],
                            "normalized": "<i>x</i>", "char_start": script, "char_end": script_end,
                            "evidence": body[script:script_end], "rule_id": "<u>rule</u>"}], out)
    for table in (AID_EVENTS, OFFICIALS, AGREEMENTS):
        write_table(table, [], out)
    write_table(REJECTS, [{"source_file": article["source_file"], "article_id": article_id, "stage": "validate",
                           "reason": "validation_failed", "detail": "<img src=x onerror=alert(2)>",
                           "table": "aid_events", "check": "value",
                           "row": json.dumps({"evidence": "<script>alert(4)</script>"})}], out)
    return article


def test_hostile_text_is_shown_as_text(tmp_path):
    article = write_tiny_out(tmp_path)
    index = write_report(tmp_path)
    page = (index.parent / page_name(article["article_id"])).read_text(encoding="utf-8")
    for html in (page, index.read_text(encoding="utf-8")):
        assert "<script" not in html.lower() and "<img" not in html.lower() and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;40.000 USD&lt;/b&gt;" in page
    root = parse(page)
    assert by_id(root, "body").text == article["body"]
    assert mark_texts(root, "PLACE") == ["<script>alert(1)</script>"]
    assert by_id(root, "table-rejected").text.count("<img src=x onerror=alert(2)>") == 1


def test_article_ids_cannot_escape_the_report_dir(tmp_path):
    out, report_dir = tmp_path / "out", tmp_path / "out" / "report"
    article = write_tiny_out(out, article_id="../../escaped")
    index = write_report(out, report_dir)
    assert sorted(p.name for p in report_dir.iterdir()) == sorted(["index.html", "overview.html",
                                                                   page_name(article["article_id"])])
    assert "/" not in page_name(article["article_id"]) and not (tmp_path / "escaped.html").exists()
    assert page_name("index") != "index.html"
    assert index == report_dir / "index.html"


# ---------------------------------------------------------------- headless Chromium

def find_browser() -> str | None:
    """$CHROMIUM, else the first Chromium or Chrome on PATH."""
    return os.environ.get("CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)), None)


def run_chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    browser = find_browser()
    if browser is None:
        pytest.fail(f"no headless browser: none of {', '.join(BROWSERS)} is on PATH and $CHROMIUM is not set. "
                    "Install Chromium (`apt-get install chromium`, which `make test` does as root) or point "
                    "CHROMIUM at a Chromium or Chrome binary")
    command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr[-2000:]}"
    return result


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
def test_chromium_parses_and_draws_the_article_page(article_000, tmp_path):
    _, page = article_000
    dom = run_chromium(page, tmp_path / "profile-dom", "--dump-dom").stdout
    root = parse(dom)
    assert "40.000 USD" in mark_texts(root, "AID")
    assert "tám tỉnh Bắc Lào mỗi tỉnh 20.000 USD" in mark_texts(root, "AID")
    assert any("Đinh Tiến Dũng" in text for text in mark_texts(root, "PERSON"))
    assert "Chiều 26/8" in mark_texts(root, "DATE")
    assert "tám tỉnh Bắc Lào" in mark_texts(root, "PLACE")
    assert "Hà Nội" in [m.text for m in role_marks(root, "donor")]

    screenshot = tmp_path / "000.png"
    run_chromium(page, tmp_path / "profile-shot", f"--screenshot={screenshot}", "--window-size=1280,2000")
    assert png_size(screenshot) == (1280, 2000)
    SCREENSHOT_ARTIFACT.parent.mkdir(exist_ok=True)
    shutil.copyfile(screenshot, SCREENSHOT_ARTIFACT)


def test_a_range_and_an_amount_each_recipient_gets_read_as_the_text_says():
    from decimal import Decimal

    from vnfacts.overview import amount_text
    from vnfacts.report import _amount

    row = {"amount": None, "amount_min": Decimal(600000000), "amount_max": Decimal(800000000), "currency": "USD",
           "amount_per_recipient": None, "recipient_count": None, "quantity": None, "item": "cash",
           "is_total": False, "is_cumulative": False}
    assert _amount(row) == amount_text(row) == "600000000–800000000 USD"
    each = {**row, "amount_min": None, "amount_max": None, "amount_per_recipient": Decimal(5000000), "currency": "VND"}
    assert _amount(each) == "5000000 VND each"
