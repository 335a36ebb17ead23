"""Atomic file writes: a reader sees the old file or the new one, never half of one; and a run's tables published
all together (a staging folder, a journal, one rename per file), never mixed with another run's."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import tempfile
import time
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


# ---------------------------------------------------------------- a run's tables, all or none

PUBLISH_JOURNAL = ".vnfacts-publishing.json"
STAGING_PREFIX = ".vnfacts-staging-"


def staging_dir(out_dir: Path) -> Path:
    """A fresh hidden folder inside ``out_dir`` where a run writes every table before any is published (on the
    same file system, so publishing is a rename per file)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{STAGING_PREFIX}{os.getpid()}-{time.time_ns()}"
    path.mkdir()
    return path


def _staged_files(staging: Path, last: tuple[str, ...]) -> list[str]:
    files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    return [f for f in files if f not in last] + [f for f in last if f in files]


def _move_staged(staging: Path, out_dir: Path, files: list[str]) -> None:
    for n, name in enumerate(files):
        source = staging / name
        if source.exists():  # moved already, by the publish a kill interrupted
            (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, out_dir / name)
        if os.environ.get("VNFACTS_CRASH_AT_PUBLISH") == str(n + 1):
            os.kill(os.getpid(), signal.SIGKILL)  # fault injection for the tests: killed halfway through


def publish_staged(staging: Path, out_dir: Path, last: tuple[str, ...] = ()) -> list[str]:
    """Publish every file of ``staging`` into ``out_dir``: first a journal naming them all, then one rename each
    (``last`` at the end, e.g. the manifest), then the journal goes. A publish cut short is finished by the next
    command (``finish_interrupted_publish``), so the tables seen are one run's, never two runs' mixed."""
    staging, out_dir = Path(staging), Path(out_dir)
    files = _staged_files(staging, last)
    write_text_atomic(out_dir / PUBLISH_JOURNAL, json.dumps({"staging": staging.name, "files": files}) + "\n")
    _move_staged(staging, out_dir, files)
    (out_dir / PUBLISH_JOURNAL).unlink()
    shutil.rmtree(staging, ignore_errors=True)
    return files


def finish_interrupted_publish(out_dir: Path) -> bool:
    """Complete the publish a killed command left half done (its journal is still there): every file it named
    is staged complete, so the rest are moved into place. Call it holding the directory's ``output_lock``."""
    out_dir = Path(out_dir)
    journal = out_dir / PUBLISH_JOURNAL
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except ValueError:  # the journal itself was cut short: nothing was moved yet, the old tables stand
        journal.unlink()
        return False
    name = str(data.get("staging") or "")
    files = [str(f) for f in data.get("files") or []]
    if not name.startswith(STAGING_PREFIX) or "/" in name or any(f.startswith("/") or ".." in f.split("/")
                                                                  for f in files):
        journal.unlink()  # not a journal this program wrote: nothing is moved from outside the staging folder
        return False
    staging = out_dir / name
    _move_staged(staging, out_dir, files)
    journal.unlink()
    shutil.rmtree(staging, ignore_errors=True)
    return True


def remove_stale_staging(out_dir: Path) -> int:
    """Delete the staging folders of runs that were killed or failed before publishing (their tables never
    became visible). Call it holding the directory's ``output_lock``, after ``finish_interrupted_publish``."""
    removed = 0
    for path in Path(out_dir).glob(STAGING_PREFIX + "*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


class PublishInProgress(RuntimeError):
    """Another command is publishing its tables into the directory right now."""


def complete_tables(out_dir: Path) -> None:
    """Before reading a directory's tables: if a publish was cut short there, finish it (when no other command
    is writing), so a reader sees one run's tables; if one is under way, say so instead of reading a mix."""
    if not (Path(out_dir) / PUBLISH_JOURNAL).exists():
        return
    try:
        with output_lock(out_dir):
            finish_interrupted_publish(out_dir)
    except OutputLocked as exc:
        raise PublishInProgress(f"a run is publishing its tables into {out_dir}; read them when it ends") from exc
