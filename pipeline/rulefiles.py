"""Rule files: YAML data under ``rules/``, one common shape, examples beside the rules.

Every rule file declares ``id``, ``kind``, ``description``, ``normalizer`` and an
``examples`` section with ``positive`` (text + expected output) and ``negative``
(text that must yield nothing) entries; an extractor's example may give the article's
``title`` too, for rules that read the headline with the body. The test suite runs every
example of every file, so adding an example adds a test.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml

from .rule_schema import check_pattern_labels, schema_problems

REQUIRED_KEYS = ("id", "kind", "description", "normalizer", "examples")
# Kinds whose file is one grammar, read whole: a second file of the kind would be ambiguous.
SINGLE_FILE_KINDS = ("canonical", "zone", "zone_layout", "zone_html", "stoplist", "number", "money", "date")
# The kinds every stage needs: a rules directory without one of them is refused before any page is read.
REQUIRED_KINDS = ("canonical", "zone", "zone_layout", "zone_html", "stoplist", "number", "money", "date", "entity",
                  "aid", "official", "agreement")
# libyaml's safe loader where PyYAML has it (ten times faster, the same data), else the pure-Python one
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleFileError(ValueError):
    pass


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise RuleFileError(f"[R002] {path}: not a readable file ({exc})") from exc


def _parse(path: str, content: bytes) -> dict:
    try:
        data = yaml.load(content.decode("utf-8"), Loader=SAFE_LOADER)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleFileError(f"[R002] {path}: not a readable YAML file ({exc})") from exc
    check_rule_file(data, path)
    return data


_PARSED: dict[tuple[str, str], dict] = {}  # (path, SHA-256 of its bytes) -> the file's data
_LOCK = threading.Lock()  # the caches of this module are shared by the threads of a process
MAX_PARSED = 256


def _load_cached(path: str) -> dict:
    """A rule file as its bytes are now: parsed once per content, whatever its time stamps say."""
    return _parsed(path, _read(path))


def _parsed(path: str, content: bytes) -> dict:
    key = (path, hashlib.sha256(content).hexdigest())
    data = _PARSED.get(key)
    if data is None:
        data = _parse(path, content)
        with _LOCK:
            if len(_PARSED) >= MAX_PARSED:
                _PARSED.clear()
            _PARSED[key] = data
    return data


def load_rule_file(path: Path) -> dict:
    path = Path(path)
    if not path.exists():
        raise RuleFileError(f"[R001] rule file {path} does not exist")
    return _load_cached(str(path))


class RulesSource(NamedTuple):
    """A rules directory as of one content: what every cache of data derived from rule files is keyed on, so
    an edit to any file (made in this process or not, however soon) is seen by the next call."""

    path: str
    digest: str


@dataclass(frozen=True)
class Snapshot:
    """The rule files of a directory as one read saw them: their data by kind, and each file's path by id."""

    files: dict[str, list[dict]]
    paths: dict[str, Path]


# source -> the files its digest was made from: what every loader keyed on a source reads, never the disk again,
# so a file changed (or changed back) after the digest cannot be cached under it
_SNAPSHOTS: dict[RulesSource, Snapshot] = {}
MAX_SNAPSHOTS = 64


def rules_source(rules=None) -> RulesSource:
    """The source of ``rules``: a compiled rule set carries its own; a directory (default: the installed rules)
    is read and hashed now, and its files kept as read."""
    if isinstance(rules, RulesSource):
        return rules
    source = getattr(rules, "source", None)
    if source is not None:
        return source
    from .config import RULES_DIR

    path = Path(rules if rules is not None else RULES_DIR).resolve()
    seen = _SEEN.get(str(path))
    if seen is not None and seen.still_holds():
        return seen.source
    stamp = _stamp(path)  # before reading: an edit made while reading shows at the next call
    digest, snapshot = _read_snapshot(path)
    source = RulesSource(str(path), digest)
    with _LOCK:
        if source not in _SNAPSHOTS:
            if len(_SNAPSHOTS) >= MAX_SNAPSHOTS:
                _SNAPSHOTS.pop(next(iter(_SNAPSHOTS)))
            _SNAPSHOTS[source] = snapshot
        _SEEN[str(path)] = _Seen(source, stamp, time.time_ns())
    return source


# Reading and hashing every rule file costs a millisecond; a directory whose files and folders all keep the time
# stamps, sizes and inodes they had when it was last read, and whose newest stamp was already older than that
# read by more than a clock tick could hide (git's "racy" rule), holds the same bytes.
RACY_NS = 2_000_000_000


def _stamp(rules_dir: Path) -> tuple:
    entries = []
    for folder, _dirs, names in os.walk(rules_dir):
        st = os.stat(folder)
        entries.append((folder, st.st_mtime_ns, st.st_ino))
        for name in names:
            if name.endswith(".yaml"):
                st = os.stat(os.path.join(folder, name))
                entries.append((name, st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(entries)


@dataclass(frozen=True)
class _Seen:
    source: RulesSource
    stamp: tuple
    read_ns: int

    def still_holds(self) -> bool:
        newest = max((e[1] for e in self.stamp), default=0)
        if self.read_ns - newest < RACY_NS:
            return False  # changed within a tick of the read: only the bytes can tell
        try:
            return _restamp(self.stamp) == self.stamp
        except OSError:
            return False


def _restamp(stamp: tuple) -> tuple:
    """The stamp of the same folders and files, as they are now (a new file changes its folder's stamp)."""
    entries, folder = [], None
    for entry in stamp:
        if len(entry) == 3:
            folder = entry[0]
            st = os.stat(folder)
            entries.append((folder, st.st_mtime_ns, st.st_ino))
        else:
            st = os.stat(os.path.join(folder, entry[0]))
            entries.append((entry[0], st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(entries)


_SEEN: dict[str, _Seen] = {}  # rules directory -> what it held when last read


def _read_snapshot(rules_dir: Path) -> tuple[str, Snapshot]:
    """The digest of every rule file's path and bytes (as ``rules_digest``) and the files parsed from those
    very bytes."""
    contents, digest = _contents(rules_dir)
    files: dict[str, list[dict]] = {}
    paths: dict[str, Path] = {}
    for path, content in contents:
        data = _parsed(str(path), content)
        files.setdefault(str(data["kind"]), []).append(data)
        paths[str(data["id"])] = path
    return digest, Snapshot(files, paths)


def snapshot_of(source: RulesSource) -> Snapshot:
    """The files a source was made from (read again only if this process has let them go, and then only if
    they are still the same)."""
    snapshot = _SNAPSHOTS.get(source)
    if snapshot is None:
        digest, snapshot = _read_snapshot(Path(source.path))
        if digest != source.digest:
            raise RuleFileError(f"[R014] the rule files under {source.path} are no longer those these rules were "
                                "made from, and this process no longer holds them: load the rules again")
        with _LOCK:
            _SNAPSHOTS[source] = snapshot
    return snapshot


def check_rule_file(data, path) -> None:
    """Raise RuleFileError unless ``data`` has the common rule-file shape."""
    if not isinstance(data, dict):
        raise RuleFileError(f"[R002] {path}: a rule file is a YAML mapping")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise RuleFileError(f"[R003] {path}: missing keys {missing}")
    examples = data["examples"]
    if not isinstance(examples, dict) or not examples.get("positive") or not examples.get("negative"):
        raise RuleFileError(f"[R004] {path}: needs at least one positive and one negative example")
    for ex in examples["positive"]:
        if not isinstance(ex, dict) or "text" not in ex or "expected" not in ex:
            raise RuleFileError(f"[R005] {path}: positive example {ex!r} needs 'text' and 'expected'")
    for ex in examples["negative"]:
        if not isinstance(ex, (str, dict)):
            raise RuleFileError(f"[R006] {path}: negative example {ex!r} must be text")
    problems = schema_problems(data)
    if problems:
        key, what = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise RuleFileError(f"[R011] {path}: {key}: {what}{more}")


def iter_rule_files(rules_dir: Path) -> list[Path]:
    return sorted(Path(rules_dir).rglob("*.yaml"))


def _contents(rules_dir: Path):
    """(path, bytes) of every rule file, and the SHA-256 of all their paths and bytes once they are read."""
    digest = hashlib.sha256()
    contents = []
    for path in iter_rule_files(rules_dir):
        content = _read(str(path))
        digest.update(path.relative_to(rules_dir).as_posix().encode() + b"\0" + content + b"\0")
        contents.append((path, content))
    return contents, digest.hexdigest()


def rules_digest(rules_dir: Path) -> str:
    """SHA-256 of every rule file's path and bytes: what the tables' ``rules_sha256`` records."""
    return _contents(Path(rules_dir))[1]


def rule_files_by_kind(rules_dir) -> dict[str, list[dict]]:
    """Every rule file under ``rules_dir``, grouped by its ``kind``: the one way rule files are found, so a file
    may live anywhere under the directory and be named anything. Of a RulesSource or compiled rules: the files
    they were made from; of a directory: as the files are now."""
    return snapshot_of(rules_source(rules_dir)).files


def check_rules_dir(rules_dir: Path) -> None:
    """Raise RuleFileError, naming the file or the missing kind, unless every rule file loads and every kind
    the stages need is there."""
    try:
        files = rule_files_by_kind(rules_dir)
    except yaml.YAMLError as exc:
        raise RuleFileError(f"[R002] a rule file under {rules_dir} is not valid YAML: {exc}") from exc
    missing = [k for k in REQUIRED_KINDS if k not in files]
    if missing:
        raise RuleFileError(f"[R007] {rules_dir} has no rule file of kind {', '.join(missing)}: "
                            "is --rules the project's rules/ directory?")
    check_across_files(rules_dir)
    for kind in SINGLE_FILE_KINDS:
        if len(files.get(kind, [])) > 1:
            paths = [str(p) for p in iter_rule_files(Path(rules_dir))
                     if load_rule_file(p)["kind"] == kind]
            raise RuleFileError(f"[R010] more than one rule file of kind {kind!r}: {', '.join(paths)}; "
                                "a kind that holds one grammar takes one file")


def check_across_files(rules_dir) -> None:
    """What no single file can tell: a pattern names a label some file defines; a normalizer names code."""
    from .lexicon import defined_labels
    from .normalizers import UnknownNormalizer, check_normalizer

    snapshot = snapshot_of(rules_source(rules_dir))
    files, paths = snapshot.files, snapshot.paths
    for file_id, key, what in check_pattern_labels(files, defined_labels(files)):
        raise RuleFileError(f"[R012] {paths.get(file_id, file_id)}: {key}: {what}")
    for data in (d for datas in files.values() for d in datas):
        try:
            check_normalizer(str(data["kind"]), str(data["normalizer"]))
        except UnknownNormalizer as exc:
            raise RuleFileError(f"[R013] {paths.get(str(data['id']))}: normalizer: {exc.args[0]}") from exc


def rule_file_of_kind(rules_dir: Path, kind: str) -> dict:
    """The rule file of a kind that has one file (numbers, dates, zones …)."""
    files = rule_files_by_kind(rules_dir).get(kind)
    if not files:
        raise RuleFileError(f"[R001] no rule file of kind {kind!r} under {getattr(rules_dir, 'path', rules_dir)}")
    return files[0]
