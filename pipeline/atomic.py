"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside ``target``; on success it is renamed over ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600; give it the usual mode
        _crash_point()
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_writes_done = 0


def _crash_point() -> None:
    """Fault injection for the crash tests: VNFACTS_CRASH_AT_WRITE=N kills this process
    with SIGKILL when its N-th output is written but not yet renamed into place."""
    global _writes_done
    at = os.environ.get("VNFACTS_CRASH_AT_WRITE")
    if not at:
        return
    _writes_done += 1
    if _writes_done == int(at):
        os.kill(os.getpid(), signal.SIGKILL)


def write_text_atomic(path: Path, text: str) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def remove_stale_temporaries(directory: Path) -> int:
    """Delete temporary files a killed run left behind (one run per output directory at a time)."""
    removed = 0
    for path in Path(directory).rglob(".*.tmp"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed
