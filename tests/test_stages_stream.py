"""The stage commands read and write a batch of articles at a time: rows of another table are matched to their
article in one pass, and a table out of the articles' order is refused, never silently mismatched."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from vnfacts import stages
from vnfacts.cli import main
from vnfacts.schema import ARTICLES, TOKENS

from conftest import RAW_DIR


@pytest.fixture(scope="module")
def tokenized(tmp_path_factory):
    out = tmp_path_factory.mktemp("stages")
    runner = CliRunner()
    for args in (["ingest", "--raw", str(RAW_DIR)], ["tokenize"]):
        result = runner.invoke(main, [*args, "--out", str(out)])
        assert result.exit_code == 0, result.output
    return out


def test_a_stage_writes_a_row_group_per_batch_of_articles(tokenized, monkeypatch, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(tokenized, out)
    monkeypatch.setattr(stages, "BATCH_ARTICLES", 2)
    stages.run_tokenize(out)
    articles = pq.ParquetFile(out / ARTICLES.filename).metadata.num_rows
    groups = pq.ParquetFile(out / TOKENS.filename).metadata.num_row_groups
    assert articles == 5 and groups == 3  # 2 + 2 + 1 articles
    assert pq.read_table(out / TOKENS.filename).to_pylist() == pq.read_table(tokenized / TOKENS.filename).to_pylist()


def test_rows_are_matched_to_their_article_in_one_pass(tokenized):
    order = stages.article_order(tokenized)
    rows = stages.RowsByArticle(TOKENS, tokenized, order)
    by_article = {aid: rows.of(aid) for aid in order}
    whole = pq.read_table(tokenized / TOKENS.filename).to_pylist()
    assert sum(len(r) for r in by_article.values()) == len(whole)
    assert all(row["article_id"] == aid for aid, found in by_article.items() for row in found)


def test_a_table_out_of_the_articles_order_is_refused_with_what_to_do(tokenized, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(tokenized, out)
    table = pq.read_table(out / TOKENS.filename)
    first = table.column("article_id")[0].as_py()
    ids = table.column("article_id").to_pylist()
    moved = [i for i, a in enumerate(ids) if a != first] + [i for i, a in enumerate(ids) if a == first]
    pq.write_table(table.take(pa.array(moved)).replace_schema_metadata(table.schema.metadata), out / TOKENS.filename)
    result = CliRunner().invoke(main, ["extract", "--out", str(out)])
    assert result.exit_code != 0
    assert "tokens.parquet is not in the order of articles.parquet" in result.output + str(result.exception)
