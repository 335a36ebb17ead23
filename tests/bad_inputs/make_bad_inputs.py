"""Write the hostile-input corpus: every case of tests/bad_inputs/cases.yaml, as bytes.

    python tests/bad_inputs/make_bad_inputs.py OUT_DIR

The cases are built from a real fixture page so that those that should ingest do;
large ones (a 20 MB single line) are only ever generated, never committed.
"""

from __future__ import annotations

import gzip
import io
import json
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


# Pages in another script, a few KB each (news sentences written for these cases).
HAN_TEXT = ("越南政府总理今天在河内会见了来访的老挝万象市代表团。双方就两国地方合作、经济贸易和人文交流等问题深入交换了意见。"
            "胡志明市向万象市捐赠了一批医疗物资，用于防控新冠肺炎疫情。代表团表示，两市的传统友谊不断加深，合作成果丰硕。"
            "会谈结束后，双方签署了二〇二二年至二〇二五年合作备忘录，并共同出席了友好交流活动。")
CYRILLIC_TEXT = ("Премьер-министр Вьетнама сегодня встретился в Ханое с делегацией столицы Лаоса Вьентьяна. "
                 "Стороны обсудили сотрудничество в области экономики, торговли и культуры. Хошимин передал "
                 "Вьентьяну партию медицинских товаров для борьбы с пандемией. По итогам переговоров стороны "
                 "подписали меморандум о сотрудничестве на 2022–2025 годы.")
THAI_TEXT = ("นายกรัฐมนตรีเวียดนามได้พบกับคณะผู้แทนจากนครหลวงเวียงจันทน์ที่กรุงฮานอยในวันนี้ "
             "ทั้งสองฝ่ายได้หารือเกี่ยวกับความร่วมมือด้านเศรษฐกิจ การค้า และวัฒนธรรม "
             "นครโฮจิมินห์ได้มอบเวชภัณฑ์จำนวนหนึ่งให้แก่นครหลวงเวียงจันทน์เพื่อใช้ในการป้องกันโรคระบาด "
             "หลังการเจรจา ทั้งสองฝ่ายได้ลงนามในบันทึกความเข้าใจว่าด้วยความร่วมมือระหว่างปี 2565 ถึง 2568")
ENGLISH_TEXT = ("Ho Chi Minh City and Vientiane step up cooperation\n"
                "Vientiane, May 26 - A high-ranking delegation of Ho Chi Minh City led by Party Secretary Nguyen Van Nen "
                "held talks with leaders of the Lao capital on Thursday. The two sides reviewed their cooperation in "
                "trade, investment, health care and education, and agreed to expand exchanges between their "
                "departments. Ho Chi Minh City handed over medical supplies worth 40,000 USD to help Vientiane fight "
                "the pandemic.\n")


def in_other_script(text: str, header: str) -> bytes:
    """A page of the fixture's layout (its header lines) whose text is ``text``, a few KB of it."""
    paragraphs = "\n\n".join([text] * 6)
    return (header + "\n\n" + paragraphs + "\n").encode("utf-8")


def controls_after(text: str, n_controls: int) -> bytes:
    """The page's text repeated past 64 KiB of characters, then ``n_controls`` control characters (binary junk
    appended to a text, which the first 64 KiB do not show)."""
    good = text
    while len(good) <= 65536:
        good += "\n" + text
    junk = "".join(chr(c) for c in (*range(1, 9), *range(14, 28)))
    return (good + (junk * (n_controls // len(junk) + 1))[:n_controls]).encode("utf-8")


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
        # HTML that does not start with a doctype or <html>, under .txt: still a page, read as one
        "saved page with comment.txt": ("<!-- saved from url=(0042)https://tuoitre.vn/thanh-pho-ho-chi-minh.htm -->\n"
                                        "<html><head><title>Hà Nội</title></head><body><p>"
                                        + "</p><p>".join(lines[6:20]) + "</p></body></html>").encode("utf-8"),
        "not json.json": b'{"title": "Ha Noi", "maintext": "cut off here',
        "record without text.json": json.dumps({"title": "Hà Nội hỗ trợ Viêng Chăn", "maintext": "",
                                                "url": "https://vov.vn/a.htm"}, ensure_ascii=False).encode("utf-8"),
        "truncated page.html.gz": gzip.compress(("<html><body><p>" + "</p><p>".join(lines[6:20])
                                                 + "</p></body></html>").encode("utf-8"))[:200],
        "xml prolog page.txt": ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
                                "<body><p>" + "</p>\n<p>".join(lines[6:20]) + "</p></body></html>").encode("utf-8"),
        "article fragment.txt": ('<div class="article">\n<p>' + "</p>\n<p>".join(lines[6:20]) + "</p>\n</div>\n")
                                .encode("utf-8"),
        # prose with a "<" or a "<word>" in it is not markup
        "less than sign in prose.txt": text.replace("trong thời gian qua.", "trong thời gian qua, khi a < b. "
                                                    "Đoàn gọi đó là <Hà Nội> của Lào.", 1).encode("utf-8"),
        # control characters: dense after the first 64 KiB is binary; a few stray ones are removed
        "controls after 64 KiB.txt": controls_after(text, 156_250),
        "stray controls.txt": text.replace("Trong khuôn khổ", "Trong \x08khuôn khổ", 1)
                                  .replace("Thủ đô Vientiane", "Thủ đô \x01Vientiane", 1).encode("utf-8"),
        # another script than Vietnamese's
        "chinese.txt": in_other_script(HAN_TEXT, header),
        "russian.txt": in_other_script(CYRILLIC_TEXT, header),
        "thai.txt": in_other_script(THAI_TEXT, header),
        "english.txt": (header + "\n\n" + ENGLISH_TEXT).encode("utf-8"),
        "vietnamese quoting chinese.txt": text.replace("tại Thủ đô Vientiane", "tại Thủ đô Vientiane (万象)", 1)
                                              .replace("Thành phố Hồ Chí Minh dẫn đầu",
                                                       "Thành phố Hồ Chí Minh (胡志明市) dẫn đầu", 1).encode("utf-8"),
        # a signature only with the rest of its format: "BM" of a bitmap is the start of "BMW" here
        "bmw first line.txt": ("BMW X5 và 40 xe cứu thương: quà của Thành phố Hồ Chí Minh cho Thủ đô Vientiane\n"
                               + "\n".join(line for line in lines[6:] if line.strip())).encode("utf-8"),
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
