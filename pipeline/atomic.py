"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import fcntl
import os
import re
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
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{TEMP_TAG}-{os.getpid()}-", suffix=".tmp", dir=target.parent)
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


LOCK_NAME = ".vnfacts.lock"


class OutputLocked(RuntimeError):
    """Another command holds the lock of the output directory."""


@contextmanager
def output_lock(directory: Path):
    """Hold the output directory's lock (``flock`` on ``.vnfacts.lock``) while a command writes there: one
    writing command per directory; a second one is told so at once instead of mixing its files in."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise OutputLocked(f"another vnfacts command is writing to {directory}; wait for it to end") from exc
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


TEMP_TAG = "vnfacts"
OUR_TEMPORARY = re.compile(rf"^\..+\.{TEMP_TAG}-(\d+)-[^/]*\.tmp$")


def remove_stale_temporaries(directory: Path) -> int:
    """Delete the temporary files that a command killed before it could rename them left behind. Call it holding
    the directory's ``output_lock``: then no other command is writing there, so every file named as this
    program names its temporaries is stale (the process id in the name is not trusted: it can be reused).
    A user's own ``.draft.tmp`` does not match and stays."""
    removed = 0
    for path in Path(directory).rglob(".*.tmp"):
        if OUR_TEMPORARY.match(path.name) is None:
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed
