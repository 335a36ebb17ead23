"""The Dask engine on a LocalCluster gives the local engine's tables, row for row."""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq
import pytest

from vnfacts.dask_engine import run_dask
from vnfacts.config import RULES_DIR
from vnfacts.engine import run_pipeline
from vnfacts.golden import load_all

from conftest import RAW_DIR

TABLES = ["articles", "lines", "tokens", "aid_events", "dates", "officials", "agreements", "mentions",
          "aid_events_consolidated", "officials_consolidated", "rejects"]


@pytest.mark.slow
def test_dask_local_cluster_equals_the_local_engine(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw, ignore=shutil.ignore_patterns(".*"))
    (raw / "empty.txt").write_bytes(b"")
    local, dask = tmp_path / "local", tmp_path / "dask"
    run_pipeline(raw, local, RULES_DIR, jobs=1, use_cache=False)
    summary = run_dask(raw, dask, RULES_DIR, workers=2, batch_size=2)
    assert summary["engine"] == "dask" and summary["workers"] == 2
    fixtures = len(load_all())  # one golden document per fixture article
    assert (summary["files"], summary["articles"]) == (fixtures + 1, fixtures)  # + empty.txt, rejected
    for name in TABLES:
        assert pq.read_table(dask / f"{name}.parquet").to_pylist() == \
            pq.read_table(local / f"{name}.parquet").to_pylist(), name


def test_scheduler_needs_the_dask_engine(tmp_path):
    from click.testing import CliRunner

    from vnfacts.cli import main

    result = CliRunner().invoke(main, ["run", "--raw", str(RAW_DIR), "--out", str(tmp_path),
                                       "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2 and "--engine dask" in result.output


@pytest.mark.parametrize("module", ["vnfacts.engine", "vnfacts.cli", "vnfacts.stages"])
def test_the_local_engine_does_not_import_dask(module):
    import subprocess
    import sys

    code = f"import sys, {module}; print(any(m == 'dask' or m.startswith('dask.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
