"""Write the hostile-input corpus: every case of tests/bad_inputs/cases.yaml, as bytes.

    python tests/bad_inputs/make_bad_inputs.py OUT_DIR

The cases are built from a real fixture page so that those that should ingest do;
large ones (a 20 MB single line) are only ever generated, never committed.
"""

from __future__ import annotations

import io
import sys
import unicodedata
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent.parent / "data" / "raw" / "003_7b0da2fc71653c30.txt"
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"

# cp1258 has no precomposed letters with tone marks: the tone is a combining mark after the letter.
_VNI = {"à": "aø", "á": "aù", "ả": "aû", "ã": "aõ", "ạ": "aï", "ô": "oâ", "ộ": "oä", "ờ": "ôø", "ồ": "oà",
        "đ": "ñ", "Đ": "Ñ", "ủ": "uû", "ư": "ö", "ớ": "ôù", "ợ": "ôï", "ị": "ò", "ế": "eá", "ệ": "eä",
        "ă": "aê", "â": "aâ", "ê": "eâ", "ơ": "ô", "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ó": "où",
        "ò": "oø", "ỏ": "oû", "õ": "oõ", "ọ": "oï", "ú": "uù", "ù": "uø", "ũ": "uõ", "ụ": "uï", "ấ": "aá",
        "ầ": "aà", "ậ": "aä", "ắ": "aé", "ằ": "aè", "ặ": "aë", "ề": "eà", "ể": "eå", "ố": "oá", "ổ": "oå",
        "ở": "ôû", "ỡ": "ôõ", "ứ": "öù", "ừ": "öø", "ử": "öû", "ữ": "öõ", "ự": "öï", "ý": "yù", "ỳ": "yø",
        "ỷ": "yû", "ỹ": "yõ", "ỵ": "î", "é": "eù", "è": "eø", "ẻ": "eû", "ẽ": "eõ", "ẹ": "eï", "ể ": "eå "}


def to_cp1258(text: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def to_vni(text: str) -> bytes:
    """VNI-Windows, enough of it to be recognised (letters outside the table stay as they are)."""
    out = "".join(_VNI.get(ch, ch) for ch in unicodedata.normalize("NFC", text))
    return out.encode("latin-1", errors="replace")


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "Hà Nội " * 100)
    return buf.getvalue()


def cases() -> dict[str, bytes]:
    page = FIXTURE.read_bytes()
    text = page.decode("utf-8")
    lines = text.split("\n")
    header, furniture_at = "\n".join(lines[:6]), text.index("Tin bài liên quan")
    return {
        "empty.txt": b"",
        "whitespace only.txt": b"  \n\t\n   \r\n",
        "image.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        "archive.zip": _zip(),
        "nul inside text.txt": page[:200] + b"\x00\x00\x00" + page[200:],
        "windows-1258.txt": to_cp1258(text),
        "vni.txt": to_vni(text),
        "utf-16 with bom.txt": "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"),
        "utf-8 with bom.txt": b"\xef\xbb\xbf" + page,
        "truncated mid-character.txt": page[: page.rindex("Việt".encode()) + 3],
        "nfd.txt": unicodedata.normalize("NFD", text).encode("utf-8"),
        "lookalikes.txt": text.replace("c", "\u1d04").replace("v", "\u1d20").encode("utf-8"),
        "crlf.txt": text.replace("\n", "\r\n").encode("utf-8"),
        "lone cr.txt": text.replace("\n", "\r").encode("utf-8"),
        "saved page.html": ("<!DOCTYPE html><html><head><title>Hà Nội</title></head><body><p>"
                            + "</p><p>".join(lines[6:20]) + "</p></body></html>").encode("utf-8"),
        "only furniture.txt": (header + "\n\n" + text[furniture_at:]).encode("utf-8"),
        "no date.txt": "\n".join(line for line in lines if "GMT+7" not in line).encode("utf-8"),
        "twenty megabytes one line.txt": ("Hà Nội hỗ trợ Viêng Chăn 40.000 USD. " * 560_000).encode("utf-8"),
        "long line no punctuation.txt": (header + "\n" + "hà nội viêng chăn hữu nghị " * 3_704 + "\n"
                                         + text[text.index("Trong khuôn khổ"):]).encode("utf-8"),
        "duplicate a.txt": page,
        "duplicate b.txt": page,
        "tên tệp có dấu cách $(rm -rf) `x` & ; 'q'.txt": page.replace(b"17:02", b"17:03"),
        "combining marks pile.txt": text.replace("Trong khuôn khổ", "Trong khuo" + "\u0302" * 50_000 + "n khổ",
                                                 1).encode("utf-8"),
        "bidi controls.txt": text.replace("Thành phố", "\u202eThành phố\u202c").encode("utf-8"),
        ".hidden page.txt": page.replace(b"17:02", b"17:04"),
    }


def write(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in cases().items():
        path = out_dir / name
        path.write_bytes(data)
        paths.append(path)
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_bad_inputs.py OUT_DIR")
    for p in write(Path(sys.argv[1])):
        print(p)
