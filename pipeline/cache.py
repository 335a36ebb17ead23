"""The per-file caches of a run (tokens, whole results), in files named by a content key.

An entry is plain JSON (decimals, dates and times tagged so they come back exact) behind a header that holds the
SHA-256 of the JSON: nothing in a cache can run code, and a changed, cut or foreign file is a miss, so the value
is computed again. A cache that cannot be written (a full disk, a read-only folder) costs time, never a result.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .atomic import atomic_path

log = logging.getLogger("vnfacts")

MAGIC = b"vnfacts-cache 1 "


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
    return MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def loads(data: bytes):
    """The cached value, or None when the entry is not one this program wrote whole."""
    if not data.startswith(MAGIC):
        return None
    header, _, payload = data[len(MAGIC):].partition(b"\n")
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
        try:
            data = self._path(kind, key).read_bytes()
        except OSError:
            return None
        value = loads(data)
        if value is None:
            log.debug("cache entry %s/%s is damaged: computed again", kind, key)
        return value

    def put(self, kind: str, key: str, value) -> None:
        if self.root is None:
            return
        try:
            with atomic_path(self._path(kind, key)) as tmp:
                tmp.write_bytes(dumps(value))
        except OSError as exc:
            log.warning("cache %s not written (%s): the run goes on without it", kind, exc.strerror or exc)
