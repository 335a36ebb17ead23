"""The overview page: totals by flow, donor, recipient and year, a donor -> recipient picture and the largest
events, each linked to the rows and the words they come from; drawn as inline SVG."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from vnfacts.cli import main
from vnfacts.overview import Event, bar_lengths, groups_by, overview_page

from conftest import RAW_DIR
from test_report import png_size, run_chromium

HANOI = "000_f22b6e4c1b01d16e.txt"


class Anchors(HTMLParser):
    """Every id and every href of a page, and the text of each element with an id."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.text_of: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
            self.text_of[attrs["id"]] = ""
            self._open.append(attrs["id"])
        if "href" in attrs:
            self.hrefs.append(attrs["href"])

    def handle_data(self, data):
        for ident in self._open:
            self.text_of[ident] += data

    def handle_endtag(self, tag):
        if tag in ("tr", "li", "section", "svg") and self._open:
            self._open.pop()


def anchors_of(path: Path) -> Anchors:
    parser = Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    raw, out = tmp_path_factory.mktemp("raw"), tmp_path_factory.mktemp("out")
    shutil.copy(RAW_DIR / HANOI, raw / HANOI)
    runner = CliRunner()
    assert runner.invoke(main, ["run", "--raw", str(raw), "--out", str(out), "--jobs", "1"]).exit_code == 0
    result = runner.invoke(main, ["report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "report"


def test_the_totals_are_the_spec_s_gifts_and_a_stated_total_is_not_added_again(report_dir, spec):
    """Hà Nội gives Viêng Chăn 40.000 USD and eight northern provinces 20.000 USD each, and masks and test kits;
    Viêng Chăn gives Hà Nội 15.000 USD; the article's 200.000 USD is the total of the first two, not a gift."""
    events = spec["articles"][HANOI]["aid_events"]
    hanoi_cash = sum(Decimal(str(e["amount"])) for e in events
                     if e["donor"] == "Hà Nội" and e.get("item") == "cash" and not e.get("is_total"))
    assert hanoi_cash == Decimal("200000")
    page = anchors_of(report_dir / "overview.html")
    donors = {re.sub(r"\s+", " ", page.text_of[i]).split(" — ")[0] for i in page.ids if i.startswith("donor-")}
    assert "Hà Nội: US$ 200,000 · 4 events" in donors
    assert "Viêng Chăn: US$ 15,000 · 1 event" in donors
    assert "1 counted" not in page.text_of["summary"] and "5 counted in the totals" in page.text_of["summary"]
    flows = {re.sub(r"\s+", " ", page.text_of[i]).split(" — ")[0] for i in page.ids if i.startswith("flow-")}
    assert flows == {"grant: US$ 215,000 · 3 events", "in_kind: no cash amount · 2 events"}


def test_every_link_reaches_a_row_that_holds_its_evidence(report_dir):
    page = anchors_of(report_dir / "overview.html")
    pages: dict[str, Anchors] = {}
    checked = 0
    for href in page.hrefs:
        target, _, fragment = href.partition("#")
        if not target:
            assert fragment in page.ids, href
            continue
        if not fragment:
            assert (report_dir / target).exists(), href
            continue
        linked = pages.setdefault(target, anchors_of(report_dir / target))
        assert fragment in linked.ids, href
        checked += 1
    assert checked >= 6  # the evidence of each of the six events
    event = next(i for i in page.ids if i.startswith("ev-") and "40.000 USD" in page.text_of[i])
    assert "Hà Nội" in page.text_of[event] and "Viêng Chăn" in page.text_of[event]


def _event(n: int, donor: str, usd: str | None, **extra) -> Event:
    row = {"donor": donor, "recipient": "Lào", "item": "cash", "amount": usd and Decimal(usd), "currency": "USD",
           "quantity": None, "amount_usd": usd and Decimal(usd), "is_total": False, "is_cumulative": False,
           "flow": "grant", "event_date": "2021-08-26", "earliest_published_date": None, **extra}
    return Event(f"ev-{n}", row, ())


def test_a_total_or_a_cumulative_figure_is_never_added():
    events = [_event(1, "A", "100"), _event(2, "A", "300", is_total=True), _event(3, "A", "5", is_cumulative=True)]
    [group] = groups_by(events, lambda e: e.row["donor"], "donor")
    assert group.usd == Decimal("100") and [e.anchor for e in group.events] == ["ev-1"]


def test_bars_are_on_a_log_scale_so_one_huge_amount_leaves_the_others_visible():
    lengths = bar_lengths([Decimal("1500000000000"), Decimal("10000"), Decimal("0")], 300)
    assert lengths[0] == 300 and lengths[1] == pytest.approx(30) and lengths[2] == 0
    assert bar_lengths([Decimal("5")], 300) == [300]


def test_names_from_the_text_are_escaped():
    html = overview_page([_event(1, "<script>alert(1)</script>", "10")])
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.slow
def test_chromium_draws_the_overview_charts(report_dir, tmp_path):
    page = report_dir / "overview.html"
    dom = run_chromium(page, tmp_path / "profile-dom", "--dump-dom").stdout
    for chart in ("chart-flow", "chart-flows", "chart-donor", "chart-recipient", "chart-year"):
        assert f'id="{chart}"' in dom, chart
    assert dom.count("<rect") >= 6 and "<path" in dom
    screenshot = tmp_path / "overview.png"
    run_chromium(page, tmp_path / "profile-shot", f"--screenshot={screenshot}", "--window-size=1280,1600")
    assert png_size(screenshot) == (1280, 1600)
