"""The run's caches: compressed JSON behind a checksum; a damaged or crafted entry is recomputed, never trusted;
the cache is bounded, and pruning removes only its own entries, those used longest ago first."""

import json
import os
import shutil
import zlib
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from click.testing import CliRunner

from vnfacts.cache import MAGIC, Cache, cache_bytes, cache_entries, dumps, loads, prune
from vnfacts.cli import main

from conftest import RAW_DIR


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
    header, _, compressed = good.partition(b"\n")
    forged = zlib.compress(zlib.decompress(compressed).replace(b"40000", b"45000"))
    path.write_bytes(header + b"\n" + forged)  # a value changed under its checksum
    assert cache.get("results", "ab12") is None
    path.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
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


def test_an_entry_is_compressed():
    value = {"tokens": [{"text": "Hà Nội", "pos": "Np", "char_start": i, "char_end": i + 6} for i in range(500)]}
    plain = json.dumps(value, ensure_ascii=False).encode("utf-8")
    assert len(dumps(value)) * 5 < len(plain)
    assert loads(dumps(value)) == value


def _entries(tmp_path, n: int) -> tuple[Cache, list[str]]:
    cache = Cache(tmp_path)
    keys = [f"{i:02x}" * 8 for i in range(n)]
    for age, key in enumerate(keys):
        cache.put("results", key, {"n": key * 50})
        path = cache._path("results", key)
        os.utime(path, ns=(10**18 + age * 10**9, 10**18 + age * 10**9))  # written one second apart, oldest first
    return cache, keys


def test_pruning_removes_the_entries_used_longest_ago_first(tmp_path):
    cache, keys = _entries(tmp_path, 6)
    assert cache.get("results", keys[0]) is not None  # a hit: now the newest
    limit = sum(cache._path("results", keys[i]).stat().st_size for i in (0, 4, 5))
    result = prune(tmp_path, limit)
    assert result["removed"] == 3 and result["left_bytes"] == limit
    kept = {k for k in keys if cache.get("results", k) is not None}
    assert kept == {keys[0], keys[4], keys[5]}


def test_pruning_never_removes_what_is_not_an_entry_of_this_program(tmp_path):
    cache, keys = _entries(tmp_path, 3)
    shard = cache._path("results", keys[0]).parent
    notes = tmp_path / "README.txt"
    notes.write_text("the user's notes", encoding="utf-8")
    foreign = shard / f"{keys[0][:2]}{'f' * 14}.json"
    foreign.write_bytes(b'{"not": "ours"}')  # named like an entry, written by someone else
    misnamed = shard / "notes.json"
    misnamed.write_bytes(MAGIC + b"x")
    elsewhere = tmp_path / "outside.json"
    elsewhere.write_bytes(dumps({"a": 1}))
    link = shard / f"{keys[0][:2]}{'e' * 14}.json"
    link.symlink_to(elsewhere)
    assert {p for p, _, _ in cache_entries(tmp_path)} == {cache._path("results", k) for k in keys}
    prune(tmp_path, 0)
    assert notes.exists() and foreign.exists() and misnamed.exists() and elsewhere.exists() and link.is_symlink()
    assert not any(cache._path("results", k).exists() for k in keys)


def test_an_entry_of_the_older_plain_format_is_a_miss_and_goes_first(tmp_path):
    cache, keys = _entries(tmp_path, 2)
    old = tmp_path / "tokens" / "ff" / ("ff" * 8 + ".json")
    old.parent.mkdir(parents=True)
    old.write_bytes(b"vnfacts-cache 1 " + b"0" * 64 + b"\n{}")
    assert cache.get("tokens", "ff" * 8) is None
    prune(tmp_path, cache_bytes(tmp_path) - 1)
    assert not old.exists() and all(cache.get("results", k) is not None for k in keys)


def test_a_run_keeps_its_cache_within_three_times_its_inputs_and_the_command_shows_and_prunes_it(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(RAW_DIR, raw)
    inputs = sum(p.stat().st_size for p in raw.iterdir())
    runner = CliRunner()
    assert runner.invoke(main, ["run", "--raw", str(raw), "--out", str(out), "--jobs", "1"]).exit_code == 0
    shown = runner.invoke(main, ["cache", "--out", str(out)])
    assert shown.exit_code == 0, shown.output
    sizes = json.loads(shown.stdout)
    assert set(sizes["kinds"]) == {"results", "tokens"}
    assert sizes["kinds"]["results"]["entries"] == len(list(raw.iterdir()))
    assert 0 < sizes["bytes"] <= 3 * inputs
    pruned = runner.invoke(main, ["cache", "--out", str(out), "--prune", "--limit-mb", "0"])
    assert pruned.exit_code == 0, pruned.output
    assert json.loads(pruned.stdout)["left_bytes"] == 0 and cache_bytes(out / ".cache") == 0


def test_a_cached_result_keeps_its_token_rows_once_in_the_tokens_cache_and_gives_them_back(tmp_path):
    from vnfacts.config import RULES_DIR
    from vnfacts.page import process_raw

    raw = (RAW_DIR / "000_f22b6e4c1b01d16e.txt").read_bytes()
    fresh = process_raw(raw, "000.txt", str(RULES_DIR))
    cache_dir = tmp_path / "cache"
    first = process_raw(raw, "000.txt", str(RULES_DIR), str(cache_dir))
    [entry] = list((cache_dir / "results").rglob("*.json"))
    stored = loads(entry.read_bytes())
    assert "tokens" not in stored and stored["tokens_of_bodies"] == [first["articles"][0]["article_id"]]
    [words] = list((cache_dir / "tokens").rglob("*.json"))
    assert len(loads(words.read_bytes())) == len(fresh["tokens"])
    again = process_raw(raw, "000.txt", str(RULES_DIR), str(cache_dir))
    assert again == first == fresh
    words.unlink()  # the body's tokens pruned: the result is worked out again, whole
    assert process_raw(raw, "000.txt", str(RULES_DIR), str(cache_dir)) == fresh
