"""The wheel, installed into a fresh virtualenv outside the checkout, is the whole tool: its rules come with it,
`vnfacts` and `python -m vnfacts` run, and its tables equal the checkout's. (About two minutes: pip's cache
is reused for the dependencies.)"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import vnfacts
from vnfacts.schema import TABLES

from conftest import RAW_DIR, ROOT

pytestmark = pytest.mark.slow


def _run(args, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    """The wheel built from a copy of this checkout, and everything the build printed (pip -v shows the build
    backend's output)."""
    tmp = tmp_path_factory.mktemp("build")
    source = tmp / "source"  # build from a copy: building must not write into the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "data", "tests", "*.egg-info",
                                                                "build", "__pycache__", "notebooks"))
    result = _run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--wheel-dir", tmp / "wheels", source],
                  tmp)
    [wheel] = (tmp / "wheels").glob("vnfacts-*.whl")
    return wheel, result.stdout + result.stderr


def test_the_wheel_builds_without_warnings_and_ships_every_rule_file(built):
    wheel, printed = built
    warnings = [line for line in printed.splitlines()
                if re.search(r"Warning|would be ignored|is absent from the `packages`|as data is deprecated", line)]
    assert not warnings, "\n".join(warnings[:40])
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name.removeprefix("vnfacts/rules/") for name in archive.namelist()
                   if name.startswith("vnfacts/rules/") and name.endswith(".yaml")}
        assert "vnfacts/rates/usd_rates_yearly.csv" in archive.namelist()
    assert shipped == {p.relative_to(ROOT / "rules").as_posix() for p in (ROOT / "rules").rglob("*.yaml")}


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory) -> Path:
    """A virtualenv with the wheel built from this checkout, and nothing of the checkout on its path."""
    tmp = tmp_path_factory.mktemp("install")
    wheel, _ = built
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp)
    _run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], tmp)
    return venv


def test_the_installed_package_is_importable_with_its_rules(installed, tmp_path):
    python = installed / "bin" / "python"
    probe = ("import json, vnfacts, vnfacts.config as c; "
             "print(json.dumps([vnfacts.__file__, str(c.RULES_DIR), sorted(p.name for p in c.RULES_DIR.iterdir())]))")
    module_file, rules_dir, entries = json.loads(_run([python, "-c", probe], tmp_path).stdout)
    assert Path(module_file).is_relative_to(installed) and Path(rules_dir).is_relative_to(installed)
    assert {"aid", "dates", "entities", "officials", "zones"} <= set(entries)
    shipped = {p.relative_to(rules_dir).as_posix() for p in Path(rules_dir).rglob("*.yaml")}
    assert shipped == {p.relative_to(ROOT / "rules").as_posix() for p in (ROOT / "rules").rglob("*.yaml")}
    assert vnfacts.__version__ in _run([python, "-m", "vnfacts", "--version"], tmp_path).stdout


def test_the_installed_tool_gives_the_checkouts_tables(installed, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    _run([installed / "bin" / "vnfacts", "run", "--raw", "raw", "--out", "out", "--jobs", "1"], tmp_path)
    here = tmp_path / "checkout-out"
    vnfacts.run(raw, here, jobs=1)
    for name in TABLES:
        installed_rows = pq.read_table(tmp_path / "out" / f"{name}.parquet").to_pylist()
        assert installed_rows == pq.read_table(here / f"{name}.parquet").to_pylist(), name
    assert pq.read_table(here / "aid_events.parquet").num_rows > 0


def test_the_installed_api_extracts_from_text(installed, tmp_path):
    line = next(ln for ln in (RAW_DIR / "000_f22b6e4c1b01d16e.txt").read_text(encoding="utf-8").splitlines()
                if "40.000 USD" in ln)
    (tmp_path / "paragraph.txt").write_text(line, encoding="utf-8")
    probe = ("import vnfacts, pathlib; t = vnfacts.extract(pathlib.Path('paragraph.txt').read_text('utf-8'), "
             "published_at='2021-08-27'); a = t['aid_events']; "
             "print(sorted(a.loc[a.item == 'cash', 'amount'].tolist()))")
    expected = sorted(float(r["amount"]) for r in vnfacts.extract(line, published_at="2021-08-27")["aid_events"]
                      .query("item == 'cash'").to_dict("records"))
    assert _run([installed / "bin" / "python", "-c", probe], tmp_path).stdout.strip() == str(expected)
    assert 40000.0 in expected
