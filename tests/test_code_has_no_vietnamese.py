"""Every Vietnamese word the extractor looks for lives in rules/, not in Python.

String literals in the package may hold Vietnamese only in docstrings, in comments,
in the data dictionary's documented example values (schema.py) and in the alphabets
that recognise Vietnamese text and its legacy encodings (ingest.py).
"""

import io
import re
import tokenize
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
VIETNAMESE_LETTER = re.compile("[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
                               re.IGNORECASE)
DOCUMENTATION_ONLY = {"schema.py"}  # example values shown in docs/tables.md
ALPHABET_NAMES = re.compile(r"\b[A-Z0-9_]+(_LETTERS|_MARKERS)\s*=")


def _literals(path: Path):
    """(line, literal) for every string literal that is not a docstring."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    previous = tokenize.NEWLINE
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING:
            is_docstring = previous in (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT) \
                and lines[tok.start[0] - 1].lstrip().startswith(('"""', "'''", 'r"""'))
            if not is_docstring:
                statement = lines[tok.start[0] - 2] + lines[tok.start[0] - 1] if tok.start[0] > 1 else lines[0]
                yield tok.start[0], tok.string, statement
        if tok.type not in (tokenize.COMMENT,):
            previous = tok.type


def test_no_vietnamese_words_in_python_code():
    offending = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name in DOCUMENTATION_ONLY:
            continue
        for line_no, literal, line in _literals(path):
            if VIETNAMESE_LETTER.search(literal) and not ALPHABET_NAMES.search(line):
                offending.append(f"{path.relative_to(PACKAGE.parent)}:{line_no}: {literal}")
    assert not offending, "Vietnamese words belong in rules/:\n" + "\n".join(offending)


def test_the_check_sees_a_word_in_code(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""Docstring: và."""\nJOINERS = ("," , "và")  # và\n', encoding="utf-8")
    found = [lit for _, lit, _ in _literals(sample) if VIETNAMESE_LETTER.search(lit)]
    assert found == ['"và"']
