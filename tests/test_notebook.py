"""notebooks/explore.ipynb runs top to bottom on a fresh pipeline run, and is committed clean.

The notebook is executed with nbclient in a kernel started from this very interpreter
(a kernel spec written to a temporary JUPYTER_PATH), with every Jupyter, IPython and
matplotlib directory pointed at a temporary directory, so the run touches nothing
outside it. Missing nbclient/nbformat/ipykernel/matplotlib is a failure, not a skip:
they belong to the `test` extra.
"""

from __future__ import annotations

import base64
import importlib
import importlib.util
import json
import re
import shutil
import struct
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vnfacts.cli import main
from vnfacts.schema import TABLES as SCHEMA_TABLES

from conftest import RAW_DIR, ROOT

DEV_ARTICLES = ROOT / "tests" / "gold" / "dev" / "articles"

pytestmark = pytest.mark.slow

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
TABLES = ["articles", "aid_events", "aid_events_consolidated", "officials", "officials_consolidated",
          "agreements", "dates", "mentions", "rejects"]
PROBE_TAG = "test-probe"


def _require(module: str, *, import_it: bool = True):
    try:
        if import_it:
            return importlib.import_module(module)
        if importlib.util.find_spec(module) is None:
            raise ImportError(f"No module named {module!r}")
    except ImportError as exc:
        pytest.fail(f"{module} is required to run notebooks/explore.ipynb ({exc}); "
                    f"install the test extra: pip install -e '.[test]'", pytrace=False)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """(notebook with outputs, error message or None, output directory of the pipeline).

    A failure to set up (missing package, pipeline error) or to execute is recorded, not
    raised, so that every test reports it as a failure rather than a fixture error."""
    try:
        return _execute(tmp_path_factory.mktemp("notebook"))
    except (pytest.fail.Exception, AssertionError) as exc:
        return None, str(exc), None


@pytest.fixture(scope="module")
def executed_on_real_news(tmp_path_factory):
    """The notebook over the tables of the 105 real articles of the fact gold (many outlets, many donors)."""
    raw = tmp_path_factory.mktemp("dev-articles")
    for page in DEV_ARTICLES.glob("*.txt"):
        shutil.copy(page, raw / page.name)
    try:
        return _execute(tmp_path_factory.mktemp("notebook-dev"), raw)
    except (pytest.fail.Exception, AssertionError) as exc:
        return None, str(exc), None


def _execute(tmp: Path, raw_dir: Path = RAW_DIR):
    for module in ("ipykernel", "matplotlib"):  # imported by the kernel only: importing them here
        _require(module, import_it=False)   # would create their directories under $HOME
    nbformat = _require("nbformat")
    nbclient = _require("nbclient")
    nbclient_exceptions = _require("nbclient.exceptions")

    out = tmp / "processed"
    result = CliRunner().invoke(main, ["run", "--raw", str(raw_dir), "--out", str(out)])
    assert result.exit_code == 0, f"vnfacts run failed:\n{result.output}"

    # A kernel spec for this interpreter, first on JUPYTER_PATH: a user-level "python3"
    # spec pointing at another Python cannot be picked up instead.
    spec_dir = tmp / "jupyter_path" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (vnfacts tests)",
        "language": "python",
    }), encoding="utf-8")

    nb = nbformat.read(NOTEBOOK, as_version=4)
    probe = nbformat.v4.new_code_cell(
        "import json, sys\nprint(json.dumps({'executable': sys.executable, 'prefix': sys.prefix}))")
    probe.metadata["tags"] = [PROBE_TAG]
    nb.cells.append(probe)

    before = sorted(p.name for p in NOTEBOOK.parent.iterdir())
    error = None
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VNFACTS_DATA", str(out))
        mp.setenv("JUPYTER_PATH", str(tmp / "jupyter_path"))
        mp.setenv("JUPYTER_CONFIG_DIR", str(tmp / "jupyter_config"))
        mp.setenv("JUPYTER_DATA_DIR", str(tmp / "jupyter_data"))
        mp.setenv("JUPYTER_RUNTIME_DIR", str(tmp / "jupyter_runtime"))
        mp.setenv("JUPYTER_PLATFORM_DIRS", "1")
        mp.setenv("IPYTHONDIR", str(tmp / "ipython"))
        mp.setenv("MPLCONFIGDIR", str(tmp / "matplotlib"))
        mp.delenv("MPLBACKEND", raising=False)
        client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=300,
                                         resources={"metadata": {"path": str(NOTEBOOK.parent)}})
        try:
            client.execute()
        except nbclient_exceptions.CellExecutionError as exc:
            error = f"notebooks/explore.ipynb failed:\n{exc}"
        except Exception as exc:  # kernel did not start, died or timed out
            error = f"notebooks/explore.ipynb could not be executed: {type(exc).__name__}: {exc}"
    after = sorted(p.name for p in NOTEBOOK.parent.iterdir())
    assert after == before, f"running the notebook wrote into {NOTEBOOK.parent}: {set(after) - set(before)}"
    return nb, error, out


def _ok(executed):
    nb, error, _ = executed
    if error is not None:
        pytest.fail(error, pytrace=False)
    return nb


def _cell(nb, tag: str):
    cells = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"expected one cell tagged {tag!r}, found {len(cells)}"
    return cells[0]


def _text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif output["output_type"] in ("execute_result", "display_data"):
            parts.append(output["data"].get("text/plain", ""))
    return "\n".join(parts)


def _number(value: int) -> str:
    """A regex for an integer as displayed: 40000, 40000.000000 (Decimal) or 40,000."""
    digits = str(value)
    grouped = f"{value:,}"
    return rf"(?<![\d.,])(?:{digits}|{re.escape(grouped)})(?:\.0+)?(?![\d,])"


def _has_row(text: str, *patterns: str) -> bool:
    """Some line holds every pattern, in this order."""
    regex = re.compile(r".*?".join(patterns))
    return any(regex.search(line) for line in text.splitlines())


def test_notebook_executes_without_errors(executed):
    nb = _ok(executed)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o["output_type"] == "error"]
    assert not errors, errors
    stderr = [o["text"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o["output_type"] == "stream" and o["name"] == "stderr"]
    assert not any("Traceback" in s or "Warning" in s for s in stderr), stderr


def test_kernel_runs_in_this_interpreter(executed):
    nb = _ok(executed)
    seen = json.loads(_text(_cell(nb, PROBE_TAG)).strip().splitlines()[-1])
    assert Path(seen["executable"]) == Path(sys.executable)
    assert Path(seen["prefix"]).resolve() == Path(sys.prefix).resolve()


def test_shapes_are_those_of_the_tables_on_disk(executed):
    nb = _ok(executed)
    _, _, out = executed
    text = _text(_cell(nb, "shapes"))
    for table in TABLES:
        meta = pq.read_metadata(out / f"{table}.parquet")
        columns = len(meta.schema.to_arrow_schema().names)  # top-level: a list of structs is one column
        # read_tables adds an exact twin of each decimal column and a start date for each ISO date column
        spec = SCHEMA_TABLES[table]
        added = sum(pa.types.is_decimal(c.type) + c.iso_date for c in spec.columns)
        assert columns == len(spec.columns)
        assert _has_row(text, rf"^{table}\s", rf"\s{meta.num_rows}\s+{columns + added}\s*$"), (table, text)


def test_cash_aid_is_consolidated_and_excludes_totals(executed):
    text = _text(_cell(_ok(executed), "cash-aid"))
    assert _has_row(text, r"Hà Nội\s+Viêng Chăn\s", "USD", _number(40000)), text
    assert _has_row(text, r"Hà Nội\s+8 tỉnh Bắc Lào\s", "USD", _number(160000)), text
    assert _has_row(text, r"Viêng Chăn\s+Hà Nội\s", "USD", _number(15000)), text
    # the stated total (200.000 USD) is not a row, and nothing is counted once per article
    assert "Viêng Chăn + 8 tỉnh Bắc Lào" not in text
    for wrong in (200000, 120000, 480000, 45000):
        assert not re.search(_number(wrong), text), (wrong, text)


def test_in_kind_aid_by_item(executed):
    text = _text(_cell(_ok(executed), "in-kind-aid"))
    assert _has_row(text, r"Hà Nội\s+Viêng Chăn\s+masks\s", _number(30000)), text
    assert _has_row(text, r"Hà Nội\s+Viêng Chăn\s+test_kits\s", _number(10000)), text


def test_timeline_lists_the_consolidated_events_with_dates(executed):
    _, _, out = executed
    text = _text(_cell(_ok(executed), "timeline"))
    n_events = pq.read_metadata(out / "aid_events_consolidated.parquet").num_rows
    rows = [line for line in text.splitlines() if re.match(r"^\d+\s", line)]
    assert len(rows) == n_events, text
    assert all("2021-08-26" in row for row in rows), text
    assert _has_row(text, "2021-08-26", r"Hà Nội\s+Viêng Chăn\s+cash", _number(40000), r"USD\s+False\s+3\s"), text


def test_officials_with_titles_and_country(executed):
    text = _text(_cell(_ok(executed), "officials"))
    assert _has_row(text, r"\bVN\s+Đinh Tiến Dũng\s+Bí thư Thành ủy Hà Nội\s+3\s"), text
    assert _has_row(text, r"\bLA\s+Sengphet Houngboungnuang\s+Đại sứ"), text


def test_agreements_table(executed):
    text = _text(_cell(_ok(executed), "agreements"))
    assert _has_row(text, "cooperation_agreement", "Biên bản thỏa thuận hợp tác giai đoạn 2022-2025",
                    r"Hà Nội \| Viêng Chăn", "2022-04"), text
    assert _has_row(text, "mou", r"\s20(\.0)?\s+nearly\s+1998"), text


def test_chart_is_an_inline_png(executed):
    cell = _cell(_ok(executed), "chart")
    images = [o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1, cell.outputs
    png = base64.b64decode(images[0])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


def test_the_chart_stays_readable_on_real_news(executed_on_real_news):
    """On many donors and amounts from thousands to billions of dollars: one panel per flow, a log axis, at
    most ten pairs a panel, and a picture no taller than a screen or two."""
    cell = _cell(_ok(executed_on_real_news), "chart")
    summary = re.search(r"^panels: (.*); x axis: (\w+); pairs drawn: (\d+) of (\d+)", _text(cell), re.M)
    assert summary, _text(cell)
    panels = summary.group(1).split(", ")
    assert len(panels) >= 2 and {"grant", "loan"} <= set(panels), panels
    assert summary.group(2) == "log"
    assert int(summary.group(3)) <= 10 * len(panels) <= 10 * int(summary.group(4))
    [image] = [o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
    png = base64.b64decode(image)
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1000 and height <= 2200, (width, height)


def test_traceability_cell_shows_evidence_equals_body_slice(executed):
    text = _text(_cell(_ok(executed), "trace"))
    evidence = re.search(r"^evidence : (.*)$", text, re.M)
    span = re.search(r"^body span: (.*) = body\[\d+:\d+\]$", text, re.M)
    assert evidence and span, text
    assert evidence.group(1) == span.group(1) == repr("tám tỉnh Bắc Lào mỗi tỉnh 20.000 USD")
    assert "consolidated as ['aid-0003']" in text
    checked = _text(_cell(_ok(executed), "trace-all"))
    for table in ("aid_events", "officials", "agreements", "dates", "mentions"):
        assert re.search(rf"^{table}\s+\d+ rows, evidence == body", checked, re.M), checked


def test_committed_notebook_has_no_outputs():
    """Outputs are produced by running it; committed ones would go stale."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code
    for cell in code:
        source = "".join(cell["source"])
        assert cell["outputs"] == [], f"cell with outputs: {source[:60]!r}"
        assert cell["execution_count"] is None, f"cell with an execution count: {source[:60]!r}"
    for cell in nb["cells"]:
        assert set(cell.get("metadata", {})) <= {"tags"}, cell.get("metadata")
        assert "attachments" not in cell
    first = "".join(code[0]["source"])
    assert first.index('matplotlib.use("Agg")') < first.index("import matplotlib.pyplot")
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1
    assert 'DATA_DIR = os.environ.get("VNFACTS_DATA", "../data/processed")' in "".join(params[0]["source"])
