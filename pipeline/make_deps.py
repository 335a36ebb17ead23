"""What a stage command read, written for ``make`` (as a compiler's ``-MD`` writes a ``.d`` file).

After a stage command succeeds it writes ``<out>/.make/<stage>.mk``: one Make variable listing the package's
modules the command ran (those this process loaded, and for a command whose pages run in worker processes the
modules ``page.py`` reaches), the data files those modules declare in ``DATA_FILES``, and the rule files when the
stage reads rules. The Makefile includes these files, so its stage targets depend on exactly the code and rules
they use: editing any of them re-runs the stages that read it and no other, and nobody keeps the lists by hand.
"""

from __future__ import annotations

import ast
import sys
from functools import lru_cache
from pathlib import Path

from .atomic import atomic_path

PACKAGE = __package__ or "vnfacts"
PACKAGE_DIR = Path(__file__).resolve().parent
MAKE_DIR = ".make"


def module_file(name: str) -> Path | None:
    """The source file of a module of this package, by its dotted name (``vnfacts.extractors.aid``)."""
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    parts = name.split(".")[1:]
    base = PACKAGE_DIR.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=None)
def imported_modules(name: str) -> frozenset[str]:
    """The package's modules that a module's source imports anywhere in it (in functions too: those run when
    the function does), by dotted name."""
    path = module_file(name)
    if path is None:
        return frozenset()
    is_package = path.name == "__init__.py"
    package_parts = name.split(".") if is_package else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package_parts[:len(package_parts) - node.level + 1]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # ``from . import tokenize``
    return frozenset(m for m in found if module_file(m) is not None)


def static_closure(names) -> set[str]:
    """The modules given and every package module they import, transitively."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen or module_file(name) is None:
            continue
        seen.add(name)
        todo.extend(imported_modules(name))
    return seen


def loaded_modules() -> set[str]:
    """The package's modules this process has imported."""
    return {name for name in list(sys.modules) if module_file(name) is not None}


def code_files(modules) -> list[Path]:
    """The source files of the modules, the packages that hold them, and the data files they declare."""
    files = set()
    for name in modules:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__.py and a/b/__init__.py too
            path = module_file(".".join(parts[:i]))
            if path is not None:
                files.add(path)
        module = sys.modules.get(name)
        for data_file in getattr(module, "DATA_FILES", ()):
            files.add(Path(data_file).resolve())
    return sorted(files)


def rule_files(rules_dir: Path) -> list[Path]:
    return sorted(p.resolve() for p in Path(rules_dir).rglob("*.yaml"))


def _make_word(path: Path) -> str:
    """A path as Make reads it: relative to the working directory when inside it, spaces and '#' escaped."""
    resolved = Path(path).resolve()
    try:
        text = resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        text = resolved.as_posix()
    return text.replace("\\", "\\\\").replace(" ", "\\ ").replace("#", "\\#").replace("$", "$$")


def make_fragment(stage: str, files) -> str:
    variable = f"{stage}_READS"
    words = " \\\n\t".join(_make_word(f) for f in files)
    return f"# written by vnfacts {stage}: the code and rules it read\n{variable} := \\\n\t{words}\n"


def write_make_deps(stage: str, out_dir: Path, rules_dir: Path | None, workers_run_pages: bool = False) -> Path:
    """Write ``<out>/.make/<stage>.mk`` for the command that just ran; returns its path."""
    modules = loaded_modules()
    if workers_run_pages:
        modules |= static_closure([f"{PACKAGE}.page"])
    files = code_files(modules) + (rule_files(rules_dir) if rules_dir is not None else [])
    target = Path(out_dir) / MAKE_DIR / f"{stage}.mk"
    target.parent.mkdir(parents=True, exist_ok=True)
    text = make_fragment(stage, files)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return target
    with atomic_path(target) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return target
