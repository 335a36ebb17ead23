"""The per-file caches of a run (tokens, whole results), in files named by a content key.

An entry is plain JSON (decimals, dates and times tagged so they come back exact), compressed with zlib, behind a
header that holds the SHA-256 of the JSON: nothing in a cache can run code, and a changed, cut or foreign file is
a miss, so the value is computed again. A cache that cannot be written (a full disk, a read-only folder) costs
time, never a result.

A cache is bounded: ``prune`` removes the entries used longest ago (a hit refreshes an entry's time) until the
cache holds at most its limit; ``vnfacts run`` prunes to three times the bytes of its inputs after each run,
``vnfacts cache --prune`` on demand. Only files that are entries of this program (named by a key, starting with
its header) are ever removed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
import zlib
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .atomic import atomic_path

log = logging.getLogger("vnfacts")

MAGIC = b"vnfacts-cache 2 "  # 2: the JSON compressed (1: plain; its entries are misses, pruned first)
OLD_MAGICS = (b"vnfacts-cache 1 ",)
LIMIT_PER_INPUT_BYTE = 3
ENTRY_NAME = re.compile(r"[0-9a-f]{16,128}\.json")


def _encode(value):
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} cannot be cached")


def _decode(obj: dict):
    if len(obj) == 1:
        if "$decimal" in obj:
            return Decimal(obj["$decimal"])
        if "$datetime" in obj:
            return datetime.fromisoformat(obj["$datetime"])
        if "$date" in obj:
            return date.fromisoformat(obj["$date"])
    return obj


def dumps(value) -> bytes:
    payload = json.dumps(value, default=_encode, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + zlib.compress(payload, 6)


def loads(data: bytes):
    """The cached value, or None when the entry is not one this program wrote whole."""
    if not data.startswith(MAGIC):
        return None
    header, _, compressed = data[len(MAGIC):].partition(b"\n")
    try:
        payload = zlib.decompress(compressed)
    except zlib.error:
        return None
    if hashlib.sha256(payload).hexdigest().encode() != header:
        return None
    try:
        return json.loads(payload.decode("utf-8"), object_hook=_decode)
    except (ValueError, InvalidOperation, UnicodeDecodeError, RecursionError):
        return None


class Cache:
    """Values in files named by key; a missing, corrupt or foreign entry is a miss."""

    def __init__(self, root: Path | None):
        self.root = Path(root) if root is not None else None

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.json"

    def get(self, kind: str, key: str):
        if self.root is None:
            return None
        path = self._path(kind, key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        value = loads(data)
        if value is None:
            log.debug("cache entry %s/%s is damaged: computed again", kind, key)
            return None
        try:
            os.utime(path)  # used now: pruned last
        except OSError:
            pass
        return value

    def put(self, kind: str, key: str, value) -> None:
        if self.root is None:
            return
        try:
            with atomic_path(self._path(kind, key)) as tmp:
                tmp.write_bytes(dumps(value))
        except OSError as exc:
            log.warning("cache %s not written (%s): the run goes on without it", kind, exc.strerror or exc)


def cache_entries(root: Path) -> list[tuple[Path, int, int]]:
    """(path, bytes, time last used) of every entry under ``root`` that this program wrote: a file named by a key
    in ``<kind>/<two hex digits>/``, starting with a header of this program. Anything else is not an entry."""
    root = Path(root)
    entries = []
    if not root.is_dir():
        return entries
    for kind in root.iterdir():
        if not kind.is_dir() or kind.is_symlink():
            continue
        for shard in kind.iterdir():
            if not (shard.is_dir() and not shard.is_symlink() and re.fullmatch(r"[0-9a-f]{2}", shard.name)):
                continue
            for path in shard.iterdir():
                if not ENTRY_NAME.fullmatch(path.name) or not path.name.startswith(shard.name):
                    continue
                try:
                    st = path.lstat()
                    if not stat.S_ISREG(st.st_mode):  # a link or anything but a plain file is not ours
                        continue
                    with open(path, "rb") as f:
                        head = f.read(len(MAGIC))
                except OSError:
                    continue
                if head == MAGIC or head in OLD_MAGICS:
                    # an entry of an older format can never be read again: it goes first
                    used = st.st_mtime_ns if head == MAGIC else -1
                    entries.append((path, st.st_size, used))
    return entries


def cache_bytes(root: Path) -> int:
    return sum(size for _, size, _ in cache_entries(root))


def prune(root: Path, limit_bytes: int) -> dict[str, int]:
    """Remove the entries used longest ago until the cache holds at most ``limit_bytes``; returns what was there,
    what was removed and what is left, in entries and bytes."""
    entries = sorted(cache_entries(root), key=lambda e: e[2])
    total = sum(size for _, size, _ in entries)
    removed = removed_bytes = 0
    for path, size, _ in entries:
        if total - removed_bytes <= limit_bytes:
            break
        try:
            path.unlink()
        except OSError:
            continue
        removed += 1
        removed_bytes += size
    return {"entries": len(entries), "bytes": total, "removed": removed, "removed_bytes": removed_bytes,
            "left_bytes": total - removed_bytes, "limit_bytes": limit_bytes}


def limit_for_inputs(input_bytes: int) -> int:
    """The size a run's cache is pruned to: three times its inputs."""
    return LIMIT_PER_INPUT_BYTE * input_bytes
