"""The run's caches: plain JSON behind a checksum; a damaged or crafted entry is recomputed, never trusted."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from vnfacts.cache import Cache, dumps, loads


def test_values_come_back_exact():
    value = {"aid_events": [{"amount": Decimal("99999999999999999999999999999999.000001"), "quantity": None,
                             "published_at": datetime(2021, 8, 27, 14, 14, tzinfo=timezone(timedelta(hours=7))),
                             "titles": ["Bí thư"], "count": 3, "is_total": False}]}
    assert loads(dumps(value)) == value


def test_a_changed_cut_or_foreign_entry_is_a_miss(tmp_path):
    cache = Cache(tmp_path)
    cache.put("results", "ab12", {"amount": Decimal("40000")})
    path = next(tmp_path.rglob("*.json"))
    good = path.read_bytes()
    assert cache.get("results", "ab12") == {"amount": Decimal("40000")}
    path.write_bytes(good.replace(b"40000", b"45000"))
    assert cache.get("results", "ab12") is None
    path.write_bytes(good[:-3])
    assert cache.get("results", "ab12") is None
    path.write_bytes(b"\x80\x04\x95 a pickle that would run code")
    assert cache.get("results", "ab12") is None


def test_a_cache_that_cannot_be_written_costs_time_not_results(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    cache = Cache(blocked)
    cache.put("tokens", "cd34", [1, 2, 3])  # no exception
    assert cache.get("tokens", "cd34") is None
