"""One event across articles: merged when it is the same, kept apart when only the amount matches."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from vnfacts.consolidate import consolidate_aid_events, consolidate_officials

TZ = timezone(timedelta(hours=7))


@pytest.fixture(scope="module")
def consolidated(extracted, ingested):
    events = [e for t in extracted.values() for e in t["aid_events"]]
    articles = {a["article_id"]: a for a in ingested["articles"]}
    return consolidate_aid_events(events, articles)


def _file_ids(ingested):
    return {a["source_file"][:3]: a["article_id"] for a in ingested["articles"]}


@pytest.mark.parametrize("donor,recipient,item,value,sources", [
    ("Hà Nội", "Viêng Chăn", "masks", 30000, ["000", "001", "002"]),
    ("Hà Nội", "Viêng Chăn", "test_kits", 10000, ["000", "001", "002"]),
    ("Hà Nội", "Viêng Chăn", "cash", 40000, ["000", "001", "002"]),
    ("Hà Nội", "8 tỉnh Bắc Lào", "cash", 160000, ["000", "001", "002"]),
    ("Viêng Chăn", "Hà Nội", "cash", 15000, ["000", "001", "002"]),
    ("Hà Nội", "Viêng Chăn + 8 tỉnh Bắc Lào", "cash", 200000, ["000", "001"]),
])
def test_the_cross_article_events_of_the_spec(consolidated, ingested, donor, recipient, item, value, sources):
    [row] = [r for r in consolidated if (r["donor"], r["recipient"], r["item"]) == (donor, recipient, item)
             and value in (r["amount"], r["quantity"])]
    ids = _file_ids(ingested)
    assert sorted(row["article_ids"]) == sorted(ids[s] for s in sources)
    assert row["n_articles"] == len(sources)
    assert row["event_date"] == "2021-08-26"
    # 001 has no publication date: its "chiều 26/8" takes the year from 000, and the row says so.
    assert row["event_date_source"] == "filled_from_corroborating_article"
    assert row["date_from_article"] == ids["000"]
    assert row["earliest_published_at"] == datetime(2021, 8, 27, 14, 14, tzinfo=TZ)
    assert len(row["evidences"]) == len(sources)


def _event(article_id, donor, recipient, item, amount, date=None, month=None, day=None):
    return {"event_id": f"{article_id}-1", "article_id": article_id, "donor": donor, "recipient": recipient,
            "item": item, "quantity": None, "amount": amount, "currency": "USD", "amount_per_recipient": None,
            "recipient_count": None, "is_total": False, "is_cumulative": False, "flow": "grant", "event_date": date, "event_month": month,
            "event_day": day, "evidence": f"{amount} USD"}


ARTICLES = {a: {"article_id": a, "published_at": datetime(2021, 9, d, tzinfo=TZ)} for a, d in (("a", 1), ("b", 2))}


def test_same_amount_different_donor_stays_apart():
    rows = consolidate_aid_events([_event("a", "Hà Nội", "Lào", "cash", 40000),
                                   _event("b", "Đà Nẵng", "Lào", "cash", 40000)], ARTICLES)
    assert [r["n_articles"] for r in rows] == [1, 1]


def test_same_amount_different_item_or_recipient_stays_apart():
    rows = consolidate_aid_events([_event("a", "Hà Nội", "Lào", "cash", 40000),
                                   _event("b", "Hà Nội", "Lào", "masks", 40000),
                                   _event("b", "Hà Nội", "Campuchia", "cash", 40000)], ARTICLES)
    assert len(rows) == 3


def test_incompatible_dates_stay_apart_and_compatible_ones_merge():
    apart = consolidate_aid_events([_event("a", "Hà Nội", "Lào", "cash", 40000, "2021-08-26", 8, 26),
                                    _event("b", "Hà Nội", "Lào", "cash", 40000, "2020-08-26", 8, 26)], ARTICLES)
    assert len(apart) == 2
    merged = consolidate_aid_events([_event("a", "Hà Nội", "Lào", "cash", 40000, "2021-08-26", 8, 26),
                                     _event("b", "Hà Nội", "Lào", "cash", 40000, None, 8, 26)], ARTICLES)
    assert [(r["n_articles"], r["event_date"], r["event_date_source"]) for r in merged] == \
        [(2, "2021-08-26", "filled_from_corroborating_article")]


def _spec_articles_naming(spec, name):
    return sum(name in {o["name"] for o in article.get("officials") or []} for article in spec["articles"].values())


def test_officials_across_articles(extracted, spec):
    people = {p["name"]: p for p in consolidate_officials([o for t in extracted.values() for o in t["officials"]])}
    dung = people["Đinh Tiến Dũng"]
    assert dung["n_articles"] == _spec_articles_naming(spec, "Đinh Tiến Dũng") and dung["country"] == "VN"
    assert dung["titles"] == ["Ủy viên Bộ Chính trị", "Bí thư Thành ủy Hà Nội"]
    sengphet = people["Sengphet Houngboungnuang"]
    assert sengphet["n_articles"] == _spec_articles_naming(spec, "Sengphet Houngboungnuang")
    assert set(sengphet["titles"]) == {
        "Đại sứ CHDCND Lào tại Việt Nam", "Đại sứ Cộng hòa Dân chủ Nhân dân Lào tại Việt Nam"}


def test_a_cumulative_figure_does_not_merge_with_a_new_event_of_the_same_amount():
    background = {**_event("b", "Hà Nội", "Lào", "cash", 40000), "is_cumulative": True}
    rows = consolidate_aid_events([_event("a", "Hà Nội", "Lào", "cash", 40000), background], ARTICLES)
    assert sorted((r["n_articles"], r["is_cumulative"]) for r in rows) == [(1, False), (1, True)]


def _official(article_id, name, titles=("Tổng thống",), country="US"):
    return {"article_id": article_id, "name": name, "titles": list(titles), "country": country, "n_mentions": 1,
            "evidence": f"{titles[0]} {name}"}


def test_a_short_form_takes_the_full_name_its_own_article_gives_before_the_run():
    rows = [_official("a", "Clinton"), _official("a", "Hillary Clinton", ["Ngoại trưởng"]),
            _official("b", "Bill Clinton"), _official("c", "Clinton")]
    people = {p["name"]: p for p in consolidate_officials(rows)}
    assert people["Hillary Clinton"]["article_ids"] == ["a"] and people["Hillary Clinton"]["merged_names"] == ["Clinton"]
    assert set(people["Hillary Clinton"]["titles"]) == {"Ngoại trưởng", "Tổng thống"}
    # article c names no Clinton in full, and the run names two: c's Clinton stays as written
    assert people["Clinton"]["article_ids"] == ["c"] and people["Bill Clinton"]["merged_names"] == []


def test_a_short_form_two_full_names_of_its_article_end_in_never_looks_at_the_run():
    rows = [_official("a", "Clinton"), _official("a", "Hillary Clinton"), _official("a", "Bill Clinton"),
            _official("b", "Hillary Clinton")]
    assert sorted(p["name"] for p in consolidate_officials(rows)) == ["Bill Clinton", "Clinton", "Hillary Clinton"]


def test_short_forms_follow_longer_ones_to_the_one_person():
    rows = [_official("a", "Bartomeu", ["Chủ tịch"], "ES"), _official("b", "Maria Bartomeu", ["Chủ tịch"], "ES"),
            _official("c", "Josep Maria Bartomeu", ["Chủ tịch Barcelona"], "ES")]
    [person] = consolidate_officials(rows)
    assert person["name"] == "Josep Maria Bartomeu" and person["merged_names"] == ["Bartomeu", "Maria Bartomeu"]
    assert person["n_mentions"] == 3 and person["n_articles"] == 3


def _groups_as_first_written(events, articles):
    """The grouping consolidation had when it held every event: each event, in order, joins the first group of
    its key whose every member has compatible dates and none is from its article."""
    from vnfacts.consolidate import _compatible, _date_parts, _key, _published_sort

    groups = []
    for row in sorted(events, key=lambda r: (_published_sort(articles[r["article_id"]]), r["event_id"])):
        group = next((g for g in groups if _key(g[0]) == _key(row) and row["article_id"] not in
                      {m["article_id"] for m in g} and all(_compatible(_date_parts(row), _date_parts(m)) for m in g)),
                     None)
        if group is None:
            groups.append([row])
        else:
            group.append(row)
    return [[r["event_id"] for r in g] for g in groups]


def _fixture_events_three_times(extracted, ingested):
    """The fixtures' aid events as three copies of their articles, a day apart: groups of several articles,
    several events of one article, and dates left unresolved beside stated ones."""
    events, articles = [], {}
    for copy in range(3):
        for a in ingested["articles"]:
            articles[f"{a['article_id']}-{copy}"] = {
                **a, "published_at": a["published_at"] and a["published_at"] + timedelta(days=copy)}
        for e in (e for t in extracted.values() for e in t["aid_events"]):
            events.append({**e, "article_id": f"{e['article_id']}-{copy}", "event_id": f"{e['event_id']}-{copy}"})
    return events, articles


def test_consolidation_groups_events_as_when_it_held_them_all(extracted, ingested):
    events, articles = _fixture_events_three_times(extracted, ingested)
    rows = consolidate_aid_events(events, articles)
    assert [r["event_ids"] for r in rows] == _groups_as_first_written(events, articles)
    assert any(r["n_articles"] > 3 for r in rows)


def test_consolidation_reads_the_published_tables_a_batch_at_a_time_to_the_same_rows(extracted, ingested, tmp_path):
    from vnfacts.consolidate import AID_COLUMNS, OFFICIAL_COLUMNS
    from vnfacts.schema import AID_EVENTS, OFFICIALS, TableRows, write_table

    events, articles = _fixture_events_three_times(extracted, ingested)
    officials = [o for t in extracted.values() for o in t["officials"]]
    write_table(AID_EVENTS, events, tmp_path)
    write_table(OFFICIALS, officials, tmp_path)
    assert consolidate_aid_events(TableRows(AID_EVENTS, tmp_path, AID_COLUMNS, batch_rows=3), articles) == \
        consolidate_aid_events(events, articles)
    assert consolidate_officials(TableRows(OFFICIALS, tmp_path, OFFICIAL_COLUMNS, batch_rows=3)) == \
        consolidate_officials(officials)
