"""Build a synthetic corpus of page dumps from real ones, for benchmarks.

    python bench/make_corpus.py --n 2000 --out DIR [--seed 0] [--source data/raw]

Writes ``corpus_00000.txt`` ... into DIR, each derived from one source page
(round robin over the sources, sorted by path) in exactly the source's format:
only the variable parts of the page change, everything else is copied byte for
byte. The zones of a source page (header, lead, body, captions, byline,
furniture) come from the pipeline's own zoning (vnfacts.ingest), so any
directory of real page dumps can be a source. Per file, seeded by (seed, index):

- amounts: every dot-grouped number of the article ("30.000", "200.000 USD") is
  multiplied by one factor k in FACTORS, so totals still reconcile; other
  numbers (dates, years, "COVID-19", "7,39%", "8 tỉnh") are left alone;
- names: each known person name (KNOWN_NAMES) is replaced everywhere in the
  file, image slugs included, by a name of the same origin; the byline changes;
- date: the timestamp line's date moves by up to MAX_SHIFT_DAYS days;
- sentence order: some body paragraphs (not the lead, not captions) get their
  sentences shuffled;
- two files never have the same bytes: when a file would repeat an earlier one,
  a distinct related-link line is added to its page furniture.

The same arguments give byte-identical files. Other ``corpus_N.txt`` files left
in DIR by an earlier, larger run are removed, so DIR holds exactly the corpus.
One summary line goes to stderr.
"""

import argparse
import hashlib
import random
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/make_corpus.py` from a checkout, without installing
    sys.path.insert(0, str(ROOT))

from vnfacts.errors import Reject  # noqa: E402
from vnfacts.ingest import decode, ingest_page, list_raw_files  # noqa: E402
from vnfacts.zoning import load_page_rules  # noqa: E402

DEFAULT_SOURCE = ROOT / "data" / "raw"
FILE_PREFIX = "corpus_"
FACTORS = (1, 2, 3, 5)
MAX_SHIFT_DAYS = 365
SHUFFLE_PROBABILITY = 0.5

# Person names of the fixture pages, by origin; a name is replaced by one of the same origin.
KNOWN_NAMES = {
    "Đinh Tiến Dũng": "vi", "Nguyễn Văn Nên": "vi", "Nguyễn Xuân Phúc": "vi", "Nguyễn Phú Trọng": "vi",
    "Nguyễn Thị Kim Ngân": "vi",
    "Sengphet Houngboungnuang": "lo", "Anouphab Tounalom": "lo", "Thongloun Sisoulith": "lo",
    "Bounnhang Vorachit": "lo", "Pany Yathotou": "lo",
}
REPLACEMENT_NAMES = {
    "vi": [
        "Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Quốc Dũng", "Hoàng Văn Em", "Vũ Thị Giang",
        "Đặng Hữu Hải", "Bùi Thanh Hùng", "Đỗ Mạnh Khang", "Hồ Thị Lan", "Ngô Đức Minh", "Dương Văn Nam",
        "Lý Thị Oanh", "Trịnh Công Phương", "Mai Xuân Quang", "Phan Thị Thu", "Lâm Văn Sơn", "Tạ Thị Uyên",
    ],
    "lo": [
        "Somphone Keovongsa", "Vilay Phommachanh", "Khamla Sayavong", "Bounmy Inthavong", "Souksavanh Vongphachanh",
        "Phetsamone Luangrath", "Chanthavong Sisomphone", "Keo Douangmala", "Viengxay Sengmany",
        "Thipphavanh Vongsa", "Sengdao Phanthavong", "Outhay Khounvisith",
    ],
}
# Bylines: short, no final punctuation, as the zoning expects of an author line.
AUTHORS = [
    "Minh Anh", "Thu Hà", "Quang Huy", "Hồng Nhung", "Ngọc Lan", "Đức Thắng", "Phương Thảo", "Hải Yến",
    "Bảo Ngọc", "Thanh Tùng", "Văn Long", "Khánh Linh", "Hà Vy", "Trung Kiên", "Lan Hương", "Tuấn Anh",
]
# Headlines for the related-link line that keeps two files from being equal.
FILLER_HEADLINES = [
    "Trao {n} suất học bổng cho lưu học sinh Lào tại {place}",
    "{place} đón {n} đại biểu dự giao lưu hữu nghị Việt Nam - Lào",
    "Hơn {n} thanh niên {place} tham gia ngày hội hữu nghị",
    "{place} tặng {n} phần quà cho học sinh vùng biên",
]
FILLER_PLACES = ["Đồng Nai", "Nghệ An", "Quảng Trị", "Thừa Thiên Huế", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "Sơn La"]
FALLBACK_FURNITURE_HEADING = "Tin liên quan"

# Zones whose dot-grouped numbers are amounts of the article (the title's repeats are image_alt).
AMOUNT_ZONES = frozenset({"title", "lead", "body", "caption", "image_alt", "related_link"})
DOTTED_NUMBER = re.compile(r"(?<![\w.,/])\d{1,3}(?:\.\d{3})+(?![\w]|[.,]\d)")
DATE_IN_TIMESTAMP = re.compile(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Words before a period that do not end a sentence ("TP. Hồ Chí Minh", "PGS. TS. ...").
ABBREVIATIONS = frozenset({"TP", "Tp", "TS", "ThS", "PGS", "GS", "BS", "KS", "Th", "St", "Mr", "Mrs", "Ms", "Dr",
                           "Co", "Ltd", "Inc", "No", "Vol", "tr", "v.v", "Q", "P"})
OPEN_QUOTES, CLOSE_QUOTES = "“«‘", "”»’"


# ---------------------------------------------------------------- text helpers

def scale_amounts(text: str, factor: int) -> str:
    """Multiply every dot-grouped number ("40.000") by factor, keeping the dot grouping."""
    if factor == 1:
        return text
    return DOTTED_NUMBER.sub(lambda m: f"{int(m.group().replace('.', '')) * factor:,}".replace(",", "."), text)


@lru_cache(maxsize=None)
def slug_form(name: str) -> str:
    """How a name appears in an image file-name slug: lower case, no diacritics."""
    folded = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()


def split_sentences(paragraph: str) -> list[str] | None:
    """The sentences of a paragraph split at ". " (outside quotes, not after an abbreviation
    or an ellipsis, before a capital), or None when it is not safe to reorder them."""
    text = paragraph.strip()
    if not text or not (text[0].isupper() or text[0].isdigit() or text[0] in OPEN_QUOTES + '"'):
        return None
    sentences, start, depth, plain_quote = [], 0, 0, False
    for i, ch in enumerate(text):
        if ch in OPEN_QUOTES:
            depth += 1
        elif ch in CLOSE_QUOTES:
            depth = max(depth - 1, 0)
        elif ch == '"':
            plain_quote = not plain_quote
        elif (ch == "." and depth == 0 and not plain_quote and text[i + 1:i + 2] == " "
              and text[i + 2:i + 3].isupper() and text[i - 1:i] != "."):
            word = text[start:i].rsplit(" ", 1)[-1]
            if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            sentences.append(text[start:i + 1])
            start = i + 2
    sentences.append(text[start:])
    last = sentences[-1]
    if len(sentences) < 2 or depth or plain_quote or not last.endswith(".") or last.endswith(".."):
        return None  # a final "..." or an unclosed quote would not read as one sentence elsewhere
    return sentences


# ---------------------------------------------------------------- sources

@dataclass
class Source:
    name: str
    lines: list[str]            # raw lines without their line breaks
    breaks: list[str]           # the line break after each line ("" after the last)
    zones: list[str]            # the pipeline's zone of each line
    bom: bool
    timestamp: int | None       # line index of the timestamp
    author: int | None
    furniture: int | None       # line index of the first furniture heading
    amount_lines: tuple[int, ...] = ()                              # article lines with dot-grouped numbers
    paragraphs: dict[int, list[str]] = field(default_factory=dict)  # body line -> its sentences
    names: tuple[str, ...] = ()                                     # KNOWN_NAMES on the page
    name_pattern: re.Pattern | None = None                          # any of them, or its slug form
    name_lines: tuple[int, ...] = ()                                # lines where name_pattern matches
    avoid: frozenset[str] = frozenset()                              # replacement names already on the page


def load_source(path: Path, label: str) -> Source:
    """One real page dump, zoned by the pipeline; raises Reject when it is not an article."""
    raw = path.read_bytes()
    page = ingest_page(raw, label)  # the pipeline's own gates and zones
    text, encoding, _ = decode(raw, label)
    rules = load_page_rules()
    zones = [row["zone"] for row in page.lines if row["span"] == 0]
    pieces = LINE_BREAK.split(text)
    breaks = LINE_BREAK.findall(text) + [""]
    if len(pieces) != len(zones):
        raise Reject("unsupported", f"{label}: {len(pieces)} raw lines but {len(zones)} zoned lines")

    def first(zone):
        return next((i for i, z in enumerate(zones) if z == zone), None)

    furniture = next((i for i, row in enumerate(page.lines)
                      if row["zone"] == "furniture" and row["text"].casefold() in rules.furniture_headings), None)
    timestamp = first("timestamp")
    if timestamp is not None and not DATE_IN_TIMESTAMP.search(pieces[timestamp]):
        timestamp = None
    amount_lines = tuple(i for i, z in enumerate(zones) if z in AMOUNT_ZONES and DOTTED_NUMBER.search(pieces[i]))
    paragraphs = {}
    for i, zone in enumerate(zones):
        if zone == "body":
            sentences = split_sentences(pieces[i])
            # Only paragraphs whose sentences split the same way in any order.
            if sentences and split_sentences(" ".join(sentences[::-1])) == sentences[::-1]:
                paragraphs[i] = sentences
    nfc = unicodedata.normalize("NFC", text)
    names = tuple(n for n in KNOWN_NAMES if n in nfc or slug_form(n) in nfc)
    pattern = _name_pattern(names)
    name_lines = tuple(i for i, ln in enumerate(pieces) if pattern and pattern.search(ln))
    avoid = frozenset(n for pool in REPLACEMENT_NAMES.values() for n in pool
                      if n in nfc or slug_form(n) in nfc)
    return Source(label, pieces, breaks, zones, encoding == "utf-8-sig", timestamp, first("author"),
                  furniture, amount_lines, paragraphs, names, pattern, name_lines, avoid)


def load_sources(source_dir: Path) -> tuple[list[Source], list[str]]:
    """Every page under source_dir that ingests as an article, and the labels of those skipped."""
    sources, skipped = [], []
    for path in list_raw_files(source_dir):
        label = path.relative_to(source_dir).as_posix()
        try:
            sources.append(load_source(path, label))
        except (Reject, OSError) as exc:
            skipped.append(f"{label} ({getattr(exc, 'reason', exc)})")
    return sources, skipped


# ---------------------------------------------------------------- one generated page

def _name_pattern(names) -> re.Pattern | None:
    forms = sorted({f for n in names for f in (n, slug_form(n))}, key=len, reverse=True)
    if not forms:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)")


def _is_thi(name: str) -> bool:
    return " Thị " in name


def _shift_date(line: str, days: int) -> str:
    def shifted(m):
        try:
            d = date(int(m["year"]), int(m["month"]), int(m["day"])) + timedelta(days=days)
        except (ValueError, OverflowError):
            return m.group()
        return f"{d.day:0{len(m['day'])}d}/{d.month:0{len(m['month'])}d}/{d.year:04d}"
    return DATE_IN_TIMESTAMP.sub(shifted, line, count=1)


def _new_author(line: str, author: str) -> str:
    stripped = line.strip()
    suffix = re.search(r"\s*\([^()]{1,12}\)$", stripped)  # keep "(TH)" and the like
    new = author + (suffix.group() if suffix else "")
    return line.replace(stripped, new, 1) if stripped else line


@dataclass(frozen=True)
class Variant:
    source: str
    factor: int
    shift_days: int
    names: dict[str, str]
    author: str | None
    shuffled: tuple[int, ...]   # line numbers (1-based) of the paragraphs whose sentences were reordered


def render(src: Source, rng: random.Random) -> tuple[str, Variant]:
    """The text of one page derived from src, and what was varied."""
    factor = rng.choice(FACTORS)
    shift = rng.randint(-MAX_SHIFT_DAYS, MAX_SHIFT_DAYS)
    mapping = {}
    for origin, pool in REPLACEMENT_NAMES.items():
        for female in (False, True):  # a Vietnamese "Thị" name stays a "Thị" name
            wanted = [n for n in src.names if KNOWN_NAMES[n] == origin and _is_thi(n) == female]
            free = [n for n in pool if n not in src.avoid and _is_thi(n) == female]
            mapping.update(zip(wanted, rng.sample(free, min(len(wanted), len(free)))))
    author = rng.choice(AUTHORS)

    lines = list(src.lines)
    for i in src.amount_lines:
        lines[i] = scale_amounts(lines[i], factor)
    shuffled = []
    for i, sentences in src.paragraphs.items():
        if rng.random() >= SHUFFLE_PROBABILITY:
            continue
        order = list(range(len(sentences)))
        rng.shuffle(order)
        if order == sorted(order):
            order = order[1:] + order[:1]
        body = " ".join(scale_amounts(sentences[j], factor) for j in order)
        raw = src.lines[i]
        lines[i] = raw[:len(raw) - len(raw.lstrip())] + body + raw[len(raw.rstrip()):]
        shuffled.append(i + 1)
    if mapping:  # names never span a line break, so line by line is the same as the whole text
        forms = dict(mapping)
        forms.update({slug_form(old): slug_form(new) for old, new in mapping.items()})
        for i in src.name_lines:
            lines[i] = src.name_pattern.sub(lambda m: forms.get(m.group(), m.group()), lines[i])
    if src.timestamp is not None:
        lines[src.timestamp] = _shift_date(lines[src.timestamp], shift)
    if src.author is not None:
        lines[src.author] = _new_author(lines[src.author], author)
    text = "".join([piece for pair in zip(lines, src.breaks) for piece in pair])
    return text, Variant(src.name, factor, shift if src.timestamp is not None else 0, mapping,
                         author if src.author is not None else None, tuple(shuffled))


def add_related_link(text: str, src: Source, headline: str) -> str:
    """text with one more related-link line ("X X") in its page furniture."""
    line = f"{headline} {headline}"
    if src.furniture is None:
        sep = src.breaks[0] or "\n"
        return text.rstrip("\r\n") + sep * 2 + FALLBACK_FURNITURE_HEADING + sep * 2 + line + sep
    # Right under the first furniture heading, with the source's line breaks.
    breaks = list(LINE_BREAK.finditer(text))
    if src.furniture >= len(breaks):  # the heading is the last line, with no break after it
        return text + (src.breaks[0] or "\n") * 2 + line
    at, sep = breaks[src.furniture].end(), breaks[src.furniture].group()
    return text[:at] + sep + line + sep + text[at:]


# ---------------------------------------------------------------- the corpus

def file_name(index: int, n: int) -> str:
    return f"{FILE_PREFIX}{index:0{max(5, len(str(n - 1)))}d}.txt"


def build_corpus(n: int, out: Path, seed: int = 0, source: Path = DEFAULT_SOURCE) -> list[dict]:
    """Write n pages into out; return one record per file (name, source, what was varied, bytes)."""
    out, source = Path(out), Path(source)
    if n < 0:
        raise ValueError("n must be 0 or more")
    if out.resolve() == source.resolve() or source.resolve() in out.resolve().parents:
        raise ValueError(f"--out {out} is inside --source {source}: the corpus would become a source")
    sources, skipped = load_sources(source)
    if not sources:
        raise ValueError(f"no page in {source} ingests as an article" +
                         (f" (skipped: {', '.join(skipped)})" if skipped else ""))
    out.mkdir(parents=True, exist_ok=True)
    names = [file_name(i, n) for i in range(n)]
    keep = set(names)
    for stale in out.glob(f"{FILE_PREFIX}*.txt"):
        if re.fullmatch(rf"{FILE_PREFIX}\d+\.txt", stale.name) and stale.name not in keep:
            stale.unlink()

    seen: set[bytes] = set()
    records = []
    for index, name in enumerate(names):
        src = sources[index % len(sources)]
        rng = random.Random(f"vnfacts-corpus:{seed}:{index}")
        text, variant = render(src, rng)
        data = _encode(text, src)
        extra, attempt = None, 0
        while hashlib.blake2b(data, digest_size=16).digest() in seen:
            template = FILLER_HEADLINES[(index + attempt) % len(FILLER_HEADLINES)]
            count = f"{10 + index + attempt * n:,}".replace(",", ".")  # a number unique to this file
            extra = template.format(n=count, place=FILLER_PLACES[index % len(FILLER_PLACES)])
            data = _encode(add_related_link(text, src, extra), src)
            attempt += 1
        seen.add(hashlib.blake2b(data, digest_size=16).digest())
        (out / name).write_bytes(data)
        records.append({"file": name, "source": src.name, "factor": variant.factor,
                        "shift_days": variant.shift_days, "names": variant.names, "author": variant.author,
                        "shuffled_lines": variant.shuffled, "related_link_added": extra, "bytes": len(data)})
    return records


def _encode(text: str, src: Source) -> bytes:
    return (b"\xef\xbb\xbf" if src.bom else b"") + text.encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="number of pages to write (default 2000)")
    parser.add_argument("--out", type=Path, required=True, help="directory for corpus_NNNNN.txt")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="directory of real page dumps")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        records = build_corpus(args.n, args.out, args.seed, args.source)
    except ValueError as exc:
        parser.error(str(exc))
    total = sum(r["bytes"] for r in records)
    sources = len({r["source"] for r in records})
    print(f"make_corpus: {len(records)} files, {total} bytes in {args.out} "
          f"(from {sources} source pages, seed {args.seed}, {time.perf_counter() - started:.1f}s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
