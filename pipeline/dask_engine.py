"""The same per-file function on a Dask cluster (``vnfacts run --engine dask``).

The driver reads each raw file (any path or URL fsspec understands, when fsspec is
installed) and submits its bytes to the cluster, so workers need no access to the
files; at most ``window`` files are in flight, so the driver's memory stays flat.
Results come back in file order and are written by the same streaming writer as the
local engine, so both engines produce the same tables row for row. Workers read the
rule files from ``rules_dir``: on a real cluster put them where every worker sees
the same path (or ship the project to the workers' image).

Dask is an optional extra (``pip install 'vnfacts[dask]'``); the local engine
never imports it.
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path

from .engine import run_pipeline
from .page import PageJob, process_raw, reject_row
from .errors import Reject
from .ingest import read_input

log = logging.getLogger("vnfacts")


def _client(scheduler: str | None, workers: int | None):
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # the optional extra is missing
        raise RuntimeError("the dask engine needs the optional extra: pip install 'vnfacts[dask]'") from exc
    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


def _read(path: str, source_file: str) -> bytes:
    if "://" in path:
        import fsspec

        with fsspec.open(path, "rb") as fh:
            return fh.read()
    return read_input(Path(path), source_file)


def dask_results(client, window: int):
    """A ``results`` function for run_pipeline: submit file by file, yield in order."""
    def results(jobs: list[PageJob]):
        pending = deque()
        for job in jobs:
            try:
                raw = _read(job.path, job.source_file)
            except (OSError, Reject) as exc:
                raw = exc
            pending.append(_submit(client, job, raw))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    return results


class _Done:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def _submit(client, job: PageJob, raw):
    if isinstance(raw, Reject):
        return _Done({"rejects": [reject_row(job.source_file, None, "ingest", raw)]})
    if isinstance(raw, OSError):
        return _Done({"rejects": [reject_row(job.source_file, None, "ingest",
                                          Reject("unreadable", f"{job.source_file}: {raw.strerror or raw}"))]})
    return client.submit(process_raw, raw, job.source_file, job.rules_dir, None, dict(job.sidecar), pure=False)


def run_dask(raw_dir: Path, out_dir: Path, rules_dir: Path, scheduler: str | None = None,
             workers: int | None = None, batch_size: int = 200, progress=None,
             tables_dir: Path | None = None) -> dict:
    client, cluster = _client(scheduler, workers)
    try:
        n_workers = len(client.scheduler_info()["workers"])
        log.info("dask: %d workers at %s", n_workers, client.scheduler.address)
        summary = run_pipeline(raw_dir, out_dir, rules_dir, jobs=n_workers, batch_size=batch_size,
                               use_cache=False, progress=progress,
                               results=dask_results(client, window=max(8, 4 * n_workers)), tables_dir=tables_dir)
        return {**summary, "engine": "dask", "scheduler": client.scheduler.address}
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
