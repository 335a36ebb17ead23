"""The vnfacts command end to end on the fixtures and on bad input."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vnfacts.cli import main
from vnfacts.export import rules_sha256
from vnfacts.schema import ARTICLES, LINES, REJECTS, TOKENS, read_rows

from vnfacts.golden import row_counts

from conftest import RAW_DIR, golden_documents

GOLDEN_DOCS = golden_documents()
GOLDEN_ROWS = row_counts(GOLDEN_DOCS)


@pytest.fixture(scope="module")
def run_output(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    for f in RAW_DIR.iterdir():
        if f.is_file() and not f.name.startswith("."):
            shutil.copy(f, raw / f.name)
    (raw / "empty.txt").write_bytes(b"")
    (raw / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(out)])
    return raw, out, result


def test_run_completes_and_summarizes(run_output):
    _, _, result = run_output
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])["run"]
    fixtures = len(GOLDEN_DOCS)  # one golden document per fixture article; the run adds two bad files
    assert (summary["files"], summary["articles"], summary["rejected_files"]) == (fixtures + 2, fixtures, 2)
    published = sum(GOLDEN_ROWS.values())
    assert summary["rows"]["aid_events"] == GOLDEN_ROWS["aid_events"]
    assert summary["validation"] == {"rows_checked": published, "rows_passed": published, "rows_rejected": 0}


def test_every_line_of_every_page_has_a_row_in_lines(run_output):
    """Nothing is dropped silently: each line of each fixture (blank ones too) has a zone in lines.parquet."""
    _, out, result = run_output
    summary = json.loads(result.stdout.strip().splitlines()[-1])["run"]
    articles = {a["article_id"]: a["source_file"] for a in read_rows(ARTICLES, out)}
    seen = {(articles[r["article_id"]], r["line_no"]) for r in read_rows(LINES, out)}
    expected = {(path.name, n) for path in RAW_DIR.glob("*.txt")
                for n in range(1, path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").count("\n") + 2)}
    assert seen == expected
    assert summary["rows"]["lines"] == len(read_rows(LINES, out)) >= len(expected)


def test_every_input_file_is_in_exactly_one_table(run_output):
    raw, out, _ = run_output
    articles = {r["source_file"] for r in read_rows(ARTICLES, out)}
    rejected = {r["source_file"] for r in read_rows(REJECTS, out)}
    assert not articles & rejected
    assert articles | rejected == {p.name for p in raw.iterdir()}
    reasons = {r["source_file"]: r["reason"] for r in read_rows(REJECTS, out)}
    assert reasons == {"empty.txt": "empty_file", "photo.jpg": "binary_file"}


def test_tables_carry_their_declared_schema(run_output):
    _, out, _ = run_output
    for table in (ARTICLES, LINES, TOKENS, REJECTS):
        schema = pq.read_schema(out / table.filename)
        assert schema.names == table.column_names
        assert schema.metadata[b"schema_version"]
        assert all(schema.field(c.name).metadata[b"description"] for c in table.columns)
    assert not list(out.glob(".*.tmp")), "temporary files left behind"


def test_missing_raw_dir_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["ingest", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not a directory" in result.output


@pytest.mark.parametrize("command", ["run", "ingest"])
def test_an_input_folder_with_no_pages_is_an_error_that_says_so(tmp_path, command):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "_metadata.csv").write_text("file,url\n", encoding="utf-8")  # a sidecar alone is not a page
    result = CliRunner().invoke(main, [command, "--raw", str(raw), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"no page dumps in {raw}" in result.output
    assert not (tmp_path / "out" / "articles.parquet").exists()


@pytest.mark.slow
def test_export_after_the_stages_rewrites_no_table_they_wrote(tmp_path):
    """make runs a stage when its input is newer than its output: export must leave the stages' files alone,
    so `make duckdb` after `make export` re-runs nothing. Every table, tokens included, carries provenance."""
    out = tmp_path / "out"
    runner = CliRunner()
    for args in (["ingest", "--raw", str(RAW_DIR)], ["tokenize"], ["extract"], ["validate", "--raw", str(RAW_DIR)]):
        result = runner.invoke(main, [*args, "--out", str(out)])
        assert result.exit_code == 0, result.output
    written = {p: p.stat().st_mtime_ns for p in out.glob("*.parquet")}
    for args in (["export"], ["export", "--duckdb"]):
        assert runner.invoke(main, [*args, "--out", str(out)]).exit_code == 0
    assert {p: p.stat().st_mtime_ns for p in written} == written
    for path in written:
        meta = pq.read_schema(path).metadata
        assert meta[b"rules_sha256"].decode() == rules_sha256(), path.name


def test_tokenize_before_ingest_says_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["tokenize", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "articles.parquet does not exist" in result.output


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    if command in ("zones", "eval"):  # measure the zoning or the facts; read pages and rules, write no tables
        assert "--raw" in result.output and "--rules" in result.output and "--gold" in result.output
        return
    if command == "schema":  # describes the package's tables, reads no files
        assert "--raw" not in result.output and "--rules" not in result.output
        return
    if command == "rules-trace":  # reads a sentence and the rules, writes nothing
        assert "--rules" in result.output and "--raw" not in result.output and "--out" not in result.output
        return
    assert "--out" in result.output
    # a command offers --raw and --rules exactly when it reads them
    reads = {"ingest": {"--raw", "--rules"}, "tokenize": set(), "extract": {"--rules"},
             "validate": {"--raw", "--rules"}, "export": {"--rules"}, "report": set(), "run": {"--raw", "--rules"},
             "query": set(), "tables": set(), "cache": {"--raw"}}  # cache: the inputs set its default bound
    assert {opt for opt in ("--raw", "--rules") if opt in result.output} == reads[command]


def test_publication_times_survive_parquet_with_their_zone(run_output, spec):
    # pyarrow's conversion of aware datetimes shifts once pandera is imported; the schema
    # module converts through epoch milliseconds, and this checks the file itself.
    from datetime import datetime

    _, out, _ = run_output
    for row in read_rows(ARTICLES, out):
        expected = spec["articles"][row["source_file"]]["published_at"] if row["source_file"] in spec["articles"] \
            else None
        if row["source_file"] in spec["articles"]:
            assert row["published_at"] == (datetime.fromisoformat(expected) if expected else None)
            if expected:
                assert row["published_at"].isoformat() == expected


def test_an_amount_no_column_can_hold_is_a_reject_and_the_batch_goes_on(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW_DIR / "000_f22b6e4c1b01d16e.txt", raw)
    body = "Hà Nội hỗ trợ Viêng Chăn {} để phòng chống dịch bệnh trong năm nay tại các địa phương của bạn.\n"
    for name, amount in (("huge.txt", "9" * 40 + " USD"), ("decimals.txt", "40.000,1234567 USD"),
                         ("scaled.txt", "9" * 30 + " tỷ đồng"), ("exact.txt", "9" * 31 + " USD")):
        (raw / name).write_text(f"Hà Nội hỗ trợ Viêng Chăn\n\n{body.format(amount)}", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rejects = read_rows(REJECTS, out)
    too_big = {r["source_file"] for r in rejects if r["check"] == "fits_column"}
    assert too_big == {"huge.txt", "decimals.txt", "scaled.txt"}
    published = pq.read_table(out / "aid_events.parquet").to_pylist()
    exact = [r for r in published if r["evidence"].startswith("9" * 31)]
    assert [str(r["amount"]).split(".")[0] for r in exact] == ["9" * 31]  # exact, never rounded to 1e31
    assert {r["source_file"] for r in read_rows(ARTICLES, out)} >= {"000_f22b6e4c1b01d16e.txt", "huge.txt"}


def test_links_special_and_hidden_entries_are_rejects_and_nothing_outside_is_read(tmp_path):
    import os

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW_DIR / "000_f22b6e4c1b01d16e.txt", raw)
    outside = tmp_path / "secret.txt"
    outside.write_text("Mật khẩu của tôi là hunter2, đừng đọc nó nhé.\n" * 20, encoding="utf-8")
    (raw / "link.txt").symlink_to(outside)
    (raw / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (raw / "loop").symlink_to(raw)
    os.mkfifo(raw / "pipe.txt")
    (raw / ".notes.txt").write_text("ghi chú\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(out)])
    assert result.exit_code == 0, result.output
    reasons = {r["source_file"]: r["reason"] for r in read_rows(REJECTS, out)}
    assert reasons == {"link.txt": "symlink", "dangling.txt": "symlink", "loop": "symlink",
                       "pipe.txt": "not_a_regular_file", ".notes.txt": "hidden_file"}
    assert not any("hunter2" in line["text"] for line in read_rows(LINES, out))
    assert [a["source_file"] for a in read_rows(ARTICLES, out)] == ["000_f22b6e4c1b01d16e.txt"]


@pytest.mark.parametrize("sql", [
    "COPY aid_events TO 'stolen.csv'",
    "SELECT * FROM read_csv('/etc/passwd')",
    "ATTACH 'other.db'",
    "INSTALL httpfs",
    "SET enable_external_access = true",
    "CREATE TABLE x AS SELECT 1",
])
def test_query_only_reads_the_published_tables(run_output, sql, tmp_path, monkeypatch):
    _, out, _ = run_output
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in out.iterdir())
    result = CliRunner().invoke(main, ["query", sql, "--out", str(out)])
    assert result.exit_code == 1 and "query failed" in result.output
    assert sorted(p.name for p in out.iterdir()) == before and not list(tmp_path.iterdir())


def test_a_rules_directory_that_cannot_serve_is_refused_at_once_naming_the_file(tmp_path, rules_copy):
    empty = tmp_path / "empty_rules"
    empty.mkdir()
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--raw", str(RAW_DIR), "--out", str(out), "--rules", str(empty)])
    assert result.exit_code == 1 and "[R007]" in result.output and "kind" in result.output
    assert not out.exists() or not list(out.glob("*.parquet"))
    broken = rules_copy
    aid = broken / "aid" / "vi" / "aid.yaml"
    aid.write_text(aid.read_text(encoding="utf-8").replace("kind: aid\n", "kind: aid\nitems: [a, b:\n"),
                   encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--raw", str(RAW_DIR), "--out", str(out), "--rules", str(broken)])
    assert result.exit_code == 1 and "aid.yaml" in result.output and "Traceback" not in result.output


def test_a_letter_under_a_pile_of_combining_marks_is_a_reject_not_a_stall(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    text = "Tin\n\nHà Nội hỗ trợ a" + "\u0301" * 200_000 + " Viêng Chăn 40.000 USD để phòng chống dịch bệnh.\n"
    (raw / "marks.txt").write_text(text, encoding="utf-8")
    shutil.copy(RAW_DIR / "000_f22b6e4c1b01d16e.txt", raw)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(out)])
    assert result.exit_code == 0, result.output
    [reject] = [r for r in read_rows(REJECTS, out) if r["source_file"] == "marks.txt"]
    assert reject["reason"] == "garbled_text" and "line 3" in reject["detail"]


def test_a_damaged_table_is_one_line_with_what_to_do_and_debug_shows_the_traceback(tmp_path):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["ingest", "--raw", str(RAW_DIR), "--out", str(out)]).exit_code == 0
    table = out / "articles.parquet"
    table.write_bytes(table.read_bytes()[:3000])
    result = CliRunner().invoke(main, ["tokenize", "--out", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    [message] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert "articles.parquet" in message and "vnfacts run" in message
    debug = CliRunner().invoke(main, ["tokenize", "--out", str(out), "--debug"])
    assert debug.exit_code != 0 and debug.exception is not None


def test_one_writing_command_per_output_directory(tmp_path):
    import fcntl
    import os

    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out / ".vnfacts.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a running `vnfacts run` holds it
        result = CliRunner().invoke(main, ["ingest", "--raw", str(RAW_DIR), "--out", str(out)])
        assert result.exit_code == 1 and "another vnfacts command is writing" in result.output
        assert not list(out.glob("*.parquet"))
    finally:
        os.close(fd)
    assert CliRunner().invoke(main, ["ingest", "--raw", str(RAW_DIR), "--out", str(out)]).exit_code == 0


@pytest.mark.parametrize("path, old, new, code, names", [
    ("aid/vi/aid.yaml", "give_verbs: [", "give_verbs: 5\nunused_verbs: [", "[R011]", "aid.yaml: give_verbs:"),
    ("zones/vi/layout.yaml", "header_pattern: '", "header_pattern: '[unclosed", "[R009]", "[unclosed"),
])
def test_a_rule_value_of_the_wrong_shape_is_one_line_naming_it(tmp_path, rules_copy, path, old, new, code, names):
    rules = rules_copy
    target = rules / path
    target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--raw", str(RAW_DIR), "--out", str(out), "--rules", str(rules)])
    assert result.exit_code == 1 and code in result.output and names in result.output
    assert "Traceback" not in result.output and not list(out.glob("*.parquet"))


@pytest.mark.parametrize("error, words", [
    (OSError(28, "No space left on device"), "no space left"),
    (PermissionError(13, "Permission denied"), "permission denied"),
])
def test_a_full_disk_or_a_refused_write_is_one_line_and_the_outputs_stay_whole(tmp_path, monkeypatch, error, words):
    import vnfacts.atomic

    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["ingest", "--raw", str(RAW_DIR), "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.parquet")}

    def fail():
        raise error

    monkeypatch.setattr(vnfacts.atomic, "_crash_point", fail)  # where the write is renamed into place
    result = CliRunner().invoke(main, ["ingest", "--raw", str(RAW_DIR), "--out", str(out)])
    assert result.exit_code == 1 and words in result.output.lower() and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in out.glob("*.parquet")} == before
    assert not [p for p in out.rglob(".*.tmp")]


def test_allow_external_lets_a_query_join_another_file_but_not_write(run_output, tmp_path):
    _, out, _ = run_output
    other = tmp_path / "donors.csv"
    other.write_text("donor,region\nHà Nội,Bắc Bộ\n", encoding="utf-8")
    sql = f"SELECT COUNT(*) AS n FROM read_csv('{other.as_posix()}')"
    assert CliRunner().invoke(main, ["query", sql, "--out", str(out)]).exit_code == 1
    allowed = CliRunner().invoke(main, ["query", sql, "--out", str(out), "--allow-external", "--format", "json"])
    assert allowed.exit_code == 0 and '"n":1' in allowed.output.replace(" ", "")
    copy = CliRunner().invoke(main, ["query", f"COPY aid_events TO '{tmp_path / 'x.csv'}'", "--out", str(out),
                                     "--allow-external"])
    assert copy.exit_code == 1 and not (tmp_path / "x.csv").exists()


def test_a_date_grammar_of_the_wrong_shape_is_refused_before_any_page(tmp_path, rules_copy):
    rules = rules_copy
    dates = rules / "dates" / "vi" / "dates.yaml"
    dates.write_text(dates.read_text(encoding="utf-8").replace("\ngrammar:", "\ngrammar: 5\nold_grammar:", 1),
                     encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--raw", str(RAW_DIR), "--out", str(tmp_path / "out"),
                                       "--rules", str(rules)])
    # the schema of the date kind refuses it when the file loads, naming the file and the key
    assert result.exit_code == 1 and "[R011]" in result.output and "dates.yaml: grammar:" in result.output
    assert not (tmp_path / "out" / "articles.parquet").exists()


def test_a_second_file_of_a_one_grammar_kind_is_refused_naming_both(tmp_path, rules_copy):
    rules = rules_copy
    shutil.copy(rules / "zones" / "vi" / "layout.yaml", rules / "zones" / "vi" / "extra_layout.yaml")
    result = CliRunner().invoke(main, ["run", "--raw", str(RAW_DIR), "--out", str(tmp_path / "out"),
                                       "--rules", str(rules)])
    assert result.exit_code == 1 and "[R010]" in result.output and "extra_layout.yaml" in result.output


def test_a_linked_sidecar_is_not_followed(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW_DIR / "001_dcb2878248db2b41.txt", raw)
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("file,title\n001_dcb2878248db2b41.txt,SECRET TITLE FROM OUTSIDE\n", encoding="utf-8")
    (raw / "_metadata.csv").symlink_to(outside)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--raw", str(raw), "--out", str(out)])
    assert result.exit_code == 0, result.output
    [article] = read_rows(ARTICLES, out)
    assert article["title"] != "SECRET TITLE FROM OUTSIDE"
    assert {r["source_file"]: r["reason"] for r in read_rows(REJECTS, out)} == {"_metadata.csv": "symlink"}
