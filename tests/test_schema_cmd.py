"""`vnfacts schema TABLE` prints an aligned table: every column's type, nullability and meaning start at the same
place on every line, whatever the length of its type (dictionaries, lists, structs, zoned timestamps)."""

from __future__ import annotations

import pyarrow as pa
import pytest
from click.testing import CliRunner

from vnfacts.cli import main
from vnfacts.schema import TABLES, VOCAB, type_name


def _columns_printed(table: str) -> list[str]:
    result = CliRunner().invoke(main, ["schema", table])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{table}: ") and lines[1] == ""
    return lines[2:]


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_column_line_is_aligned(table):
    columns = TABLES[table].columns
    lines = _columns_printed(table)
    assert [line.split()[0] for line in lines] == [c.name for c in columns]
    types = [type_name(c.type) for c in columns]
    type_at = len(lines[0]) - len(lines[0][len(columns[0].name):].lstrip())
    null_at = type_at + max(len(t) for t in types) + 2
    meaning_at = null_at + len("required") + 2
    for line, column, type_ in zip(lines, columns, types):
        assert line[:type_at].rstrip() == column.name, line
        assert line[type_at:null_at].rstrip() == type_, line
        assert line[null_at:meaning_at].rstrip() == ("nullable" if column.nullable else "required"), line
        assert line[meaning_at:].startswith(column.description), line


def test_dictionary_and_nested_types_have_short_names():
    assert type_name(VOCAB) == "dictionary<string>"
    assert type_name(pa.list_(pa.string())) == "list<string>"
    assert type_name(pa.list_(pa.struct([("role", pa.string()), ("text", pa.string())]))) == "list<struct>"
    assert type_name(pa.int32()) == "int32"
    lines = {line.split()[0]: line for line in _columns_printed("aid_events")}
    assert lines["item"].split()[1] == "dictionary<string>" and "dictionary<values=" not in "\n".join(lines.values())
