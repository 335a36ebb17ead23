"""Scores the published facts against hand-annotated articles (format and matching: docs/ANNOTATION.md).

Each gold article runs through the whole pipeline (ingest, tokenize, extract, validate), and what an analyst
would read (the validated rows) is compared with the gold: aid events on donor, recipient and value; officials on
name and country; agreements on kind and where their evidence stands; anchor dates on where their text stands and
their value. Names compare without case or diacritics, against the gold name and its aliases, with and without a
generic head ("Chính phủ", "Tập đoàn") that the entity rules list.
"""

from __future__ import annotations

import re
from collections import Counter
import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .config import RULES_DIR
from .page import process_raw
from .lexicon import compile_rules

FACT_TYPES = ("aid_events", "officials", "agreements", "dates")


# ---------------------------------------------------------------- names

def fold(text: str) -> str:
    """Lower case, no diacritics (đ -> d), punctuation as spaces, single spaces."""
    text = unicodedata.normalize("NFD", str(text).casefold().replace("\u0111", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def name_variants(names, generic_heads: list[str], rules_dir: Path | None = None) -> set[str]:
    """Folded forms of names, each also without a leading generic head, and the canonical name the entity
    lists give it ("ADB" is "Ngân hàng Phát triển châu Á")."""
    heads = sorted({fold(h) for h in generic_heads if fold(h)}, key=len, reverse=True)
    out = set()
    names = [n for n in names if n]
    if rules_dir is not None:
        from .lexicon import compile_rules

        rules = compile_rules(rules_dir)  # the rules as they are now: the cache below is keyed on them
        names += [_canonical(str(n), rules) for n in names]
    for name in names:
        if not name:
            continue
        form = fold(name)
        if not form:
            continue
        out.add(form)
        for head in heads:
            if form.startswith(head + " "):
                out.add(form[len(head) + 1:])
    return out


@lru_cache(maxsize=4096)
def _canonical(name: str, rules) -> str | None:
    from .extractors import resolve_entity

    found = resolve_entity(name, rules)
    return found["canonical"] if found else None


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# ---------------------------------------------------------------- scores

@dataclass
class FactScore:
    matched: int = 0   # gold facts found
    gold: int = 0      # gold facts that count (not optional)
    predicted: int = 0  # predicted facts that count (not matched to an optional gold fact)
    true_predicted: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    parties_right: int = 0  # agreements: matched ones whose parties are the gold's
    parties_wrong: list[str] = field(default_factory=list)
    dated: int = 0  # aid events: matched ones whose gold states an event date
    date_right: int = 0
    dates_wrong: list[str] = field(default_factory=list)
    missed_by_construction: Counter = field(default_factory=Counter)
    missed_by_part: Counter = field(default_factory=Counter)  # aid events: what the rows nearest a miss lack
    missed_by_step: Counter = field(default_factory=Counter)  # aid events: the first reading step a miss fails

    @property
    def precision(self) -> float:
        return self.true_predicted / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "FactScore") -> None:
        self.matched += other.matched
        self.gold += other.gold
        self.predicted += other.predicted
        self.true_predicted += other.true_predicted
        self.parties_right += other.parties_right
        self.parties_wrong.extend(other.parties_wrong)
        self.dated += other.dated
        self.date_right += other.date_right
        self.dates_wrong.extend(other.dates_wrong)
        self.missed_by_construction.update(other.missed_by_construction)
        self.missed_by_part.update(other.missed_by_part)
        self.missed_by_step.update(other.missed_by_step)
        self.misses.extend(other.misses)
        self.extras.extend(other.extras)


@dataclass
class DateScore(FactScore):
    value_correct: int = 0
    value_wrong: list[str] = field(default_factory=list)

    @property
    def value_accuracy(self) -> float:
        """Of the gold dates found, the share whose value is right."""
        return self.value_correct / self.matched if self.matched else 1.0

    def add(self, other: "DateScore") -> None:
        super().add(other)
        self.value_correct += other.value_correct
        self.value_wrong.extend(other.value_wrong)


@dataclass
class EvalResult:
    articles: int = 0
    scores: dict[str, FactScore] = field(default_factory=lambda: {
        "aid_events": FactScore(), "officials": FactScore(), "agreements": FactScore(), "dates": DateScore()})
    official_titles_found: int = 0
    official_titles_gold: int = 0
    must_not_hits: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        s = self.scores
        return {
            "aid_events_precision": round(s["aid_events"].precision, 4),
            "aid_events_recall": round(s["aid_events"].recall, 4),
            "aid_events_f1": round(s["aid_events"].f1, 4),
            "officials_precision": round(s["officials"].precision, 4),
            "officials_recall": round(s["officials"].recall, 4),
            "officials_f1": round(s["officials"].f1, 4),
            "agreements_precision": round(s["agreements"].precision, 4),
            "agreements_recall": round(s["agreements"].recall, 4),
            "agreements_f1": round(s["agreements"].f1, 4),
            "dates_recall": round(s["dates"].recall, 4),
            "dates_value_accuracy": round(s["dates"].value_accuracy, 4),
            "agreements_parties_right": round(s["agreements"].parties_right / s["agreements"].matched, 4)
            if s["agreements"].matched else 1.0,
            "aid_events_date_right": round(s["aid_events"].date_right / s["aid_events"].dated, 4)
            if s["aid_events"].dated else 1.0,
            "must_not_hits": len(self.must_not_hits),
        }


# ---------------------------------------------------------------- matching one article

def _where(label: str, row: dict) -> str:
    return f"{label}: {row.get('evidence')!r}"


def _aid_value_matches(gold: dict, row: dict) -> bool:
    """The amount (or the amount each recipient gets, where both say it) and currency, or the quantity."""
    amount, quantity = _decimal(gold.get("amount")), _decimal(gold.get("quantity"))
    currency = gold.get("currency")
    low, high = _decimal(row.get("amount_min")), _decimal(row.get("amount_max"))
    if low is not None and high is not None:  # a range: the gold names one of its bounds, and its upper one if both
        gold_max = _decimal(gold.get("amount_max"))
        return bool(currency) and str(row.get("currency")) == str(currency) and amount in (low, high) \
            and gold_max in (None, high)
    if amount is not None and row.get("amount") is not None and currency \
            and str(row.get("currency")) == str(currency) and _decimal(row["amount"]) == amount:
        return True
    each = _decimal(gold.get("amount_per_recipient"))
    if each is not None and row.get("amount_per_recipient") is not None and currency \
            and str(row.get("currency")) == str(currency) and _decimal(row["amount_per_recipient"]) == each:
        return True
    return quantity is not None and row.get("quantity") is not None and _decimal(row["quantity"]) == quantity


def _party_sets_match(gold_parties: list[set[str]], predicted: list[str]) -> bool:
    """Every gold party is one predicted party and the other way round."""
    if len(gold_parties) != len(predicted):
        return False
    remaining = [fold(p) for p in predicted]
    for variants in gold_parties:
        hit = next((p for p in remaining if p in variants), None)
        if hit is None:
            return False
        remaining.remove(hit)
    return True


def score_aid(gold_events: list[dict], rows: list[dict], heads: list[str], file: str,
              rules_dir: Path | None = None, body: str | None = None) -> FactScore:
    score = FactScore()
    used: set[int] = set()
    optional_hits: set[int] = set()
    order = sorted(range(len(gold_events)), key=lambda i: bool(gold_events[i].get("optional")))
    for gi in order:
        g = gold_events[gi]
        # several donors of one amount: any of them names the giver
        donor = name_variants(_as_list(g.get("donor")) + _as_list(g.get("donor_aliases")), heads, rules_dir)
        aliases = _as_list(g.get("recipient_aliases"))
        recipients = [name_variants([r] + (aliases if len(_as_list(g.get("recipient"))) == 1 else []), heads,
                                    rules_dir)
                      for r in _as_list(g.get("recipient"))]
        hit = next((k for k, row in enumerate(rows) if k not in used and fold(row.get("donor") or "") in donor
                    and _party_sets_match(recipients, str(row.get("recipient") or "").split(" + "))
                    and _aid_value_matches(g, row)), None)
        optional = bool(g.get("optional"))
        if hit is not None:
            used.add(hit)
            if optional:
                optional_hits.add(hit)
            else:
                score.matched += 1
                _score_event_date(score, g, rows[hit], file)
        if not optional:
            score.gold += 1
            if hit is None:
                score.missed_by_construction[str(g.get("construction") or "unstated")] += 1
                score.missed_by_part[_missing_part(g, rows, used, donor)] += 1
                step = ""
                if body is not None:
                    step = _failed_step(g, body, donor, recipients, rules_dir or RULES_DIR)
                    score.missed_by_step[step] += 1
                score.misses.append(f"{file}: miss aid {g.get('donor')} -> {g.get('recipient')} "
                                    f"[{' '.join((_value_text(g) + ' ' + str(g.get('item'))).split())}] "
                                    f"{g.get('evidence')!r}" + (f" ({step})" if step else ""))
    _count_predicted(score, rows, used, optional_hits, lambda row: (
        f"{file}: extra aid {row.get('donor')} -> {row.get('recipient')} "
        f"[{' '.join(_value_text(row).split())} {row.get('item')}] {row.get('evidence')!r} ({row.get('rule_id')})"))
    return score


def _missing_part(gold: dict, rows: list[dict], used: set[int], donor: set[str]) -> str:
    """What the rows lack for a missed gold event: no free row has its value; rows with its value name another
    giver; or they name its giver and other receivers."""
    valued = [row for k, row in enumerate(rows) if k not in used and _aid_value_matches(gold, row)]
    if not valued:
        return "no row with its value"
    if not any(fold(row.get("donor") or "") in donor for row in valued):
        return "its value, another giver"
    return "its value and giver, other receivers"


def _failed_step(gold: dict, body: str, donor: set[str], recipients: list[set[str]], rules_dir: Path) -> str:
    """The first step of reading a missed gold event's sentence that fails: finding it, its amount, a verb of
    giving, lending or receiving, its giver as a party, its receivers as parties or noun phrases a pattern may read
    (else the receiver stands in another sentence, or is cut), or else no pattern joined what was read."""
    from .extractors.aid import phrase_finder
    from .extractors.entities import analysed_text
    from .extractors.money import find_anchors
    from .extractors.sentence import char_span, sentences_of

    evidence = str(gold.get("evidence") or "")
    at = body.find(evidence) if evidence else -1
    if at < 0:
        return "evidence not in the body"
    start = body.rfind("\n", 0, at) + 1
    end = body.find("\n", at)
    paragraph = body[start:len(body) if end < 0 else end]
    rules, sdoc, matches, finder = analysed_text(paragraph, rules_dir)
    offset = at - start
    sent = next((s for s in sentences_of(sdoc, matches)
                 if char_span(sdoc, s.start, s.end)[0] <= offset < char_span(sdoc, s.start, s.end)[1]), None)
    if sent is None:
        return "evidence not in the body"
    # an amount read as what goods are worth is read too ("7.073 sổ tiết kiệm với tổng số tiền 6,153 tỷ đồng")
    anchors = find_anchors(sdoc, sent, rules)
    spans = [char_span(sdoc, u.start, u.end) for a in anchors for u in (a, a.worth) if u is not None]
    if not any(a0 < offset + len(evidence) and offset < a1 for a0, a1 in spans):
        return "no amount read at its evidence"
    if not any(sent.of(label) for label in ("GIVE", "WEAK_GIVE", "LEND", "RECEIVE", "DEBT_RELIEF")):
        return "no verb of giving, lending or receiving"
    parties = finder.find(sent.start, sent.end)
    named = {fold(form) for p in parties for form in (p.name, p.text)}
    if not donor & named:
        return "its giver is no party of its sentence"
    if all(r & named for r in recipients):
        return "every part read, no pattern joined them"
    # a receiver no list or shape names may be a noun phrase a pattern reads ("cho phụ nữ nghèo")
    phrase_at = phrase_finder(sdoc, sent, parties, anchors)
    phrased = named | {fold(form) for i in range(sent.start, sent.end) if (p := phrase_at(i)) is not None
                       for form in (p.name, p.text)}
    if not all(r & phrased for r in recipients):
        return "a receiver is neither a party nor a phrase of its sentence"
    return "every part read, no pattern joined them"


def _score_event_date(score: FactScore, gold: dict, row: dict, file: str) -> None:
    """A found event whose gold states its date: the row's event_date must say the same, to the gold's grain."""
    if not gold.get("date"):
        return
    score.dated += 1
    stated = {"month": row.get("event_month"), "day": row.get("event_day"), "value": row.get("event_date")}
    if _date_value_matches(str(gold["date"]), stated, True):
        score.date_right += 1
    else:
        score.dates_wrong.append(f"{file}: aid {gold.get('evidence')!r} event_date {row.get('event_date')} "
                                 f"(gold {gold['date']} from {gold.get('date_text')!r})")


def _value_text(row: dict) -> str:
    return f"{row.get('amount') or ''} {row.get('currency') or ''} {row.get('quantity') or ''}"


def _count_predicted(score: FactScore, rows: list[dict], used: set[int], optional_hits: set[int], describe) -> None:
    """Count the predicted rows (those matched to an optional gold fact do not count) and list the extras."""
    for k, row in enumerate(rows):
        if k in optional_hits:
            continue
        score.predicted += 1
        if k in used:
            score.true_predicted += 1
        else:
            score.extras.append(describe(row))


def score_officials(gold: list[dict], rows: list[dict], file: str) -> tuple[FactScore, int, int]:
    score, used = FactScore(), set()
    titles_found = titles_gold = 0
    for g in gold:
        names = name_variants([g.get("name")] + _as_list(g.get("aliases")), [])
        country = g.get("country")
        hit = next((k for k, row in enumerate(rows) if k not in used and fold(row.get("name") or "") in names
                    and (not country or row.get("country") == country)), None)
        score.gold += 1
        gold_titles = [fold(t) for t in _as_list(g.get("titles"))]
        titles_gold += len(gold_titles)
        if hit is None:
            near = next((row for row in rows if fold(row.get("name") or "") in names), None)
            why = f" (found with country {near.get('country')})" if near is not None else ""
            score.misses.append(f"{file}: miss official {g.get('name')} [{country}] {g.get('titles')}{why}")
            continue
        used.add(hit)
        score.matched += 1
        found = [fold(t) for t in _as_list(rows[hit].get("titles"))]
        titles_found += sum(1 for t in gold_titles if any(t in f or f in t for f in found if f))
    _count_predicted(score, rows, used, set(), lambda row: (
        f"{file}: extra official {row.get('name')} [{row.get('country')}] {row.get('evidence')!r}"))
    return score, titles_found, titles_gold


def _occurrences(body_folded_map, needle: str) -> list[tuple[int, int]]:
    """Where a gold text stands in the body, as body character spans (compared folded)."""
    folded, index = body_folded_map
    target = fold(needle)
    if not target:
        return []
    out, at = [], folded.find(target)
    while at >= 0:
        out.append((index[at], index[at + len(target) - 1] + 1))
        at = folded.find(target, at + 1)
    return out


def folded_with_index(body: str) -> tuple[str, list[int]]:
    """The body folded like ``fold`` keeps characters: each folded character's body offset."""
    chars, index = [], []
    last_space = True
    for i, ch in enumerate(body):
        f = fold(ch) if not ch.isspace() else ""
        if not f:
            if not last_space:
                chars.append(" ")
                index.append(i)
                last_space = True
            continue
        for c in f:
            chars.append(c)
            index.append(i)
        last_space = False
    return "".join(chars), index


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_agreements(gold: list[dict], rows: list[dict], body_map, file: str, heads: list[str] | None = None,
                     rules_dir: Path | None = None) -> FactScore:
    score, used, optional_hits = FactScore(), set(), set()
    heads = heads or []
    for g in sorted(gold, key=lambda g: bool(g.get("optional"))):
        kinds = set(_as_list(g.get("kind")))
        places = _occurrences(body_map, g.get("evidence") or g.get("title") or "")
        hit = next((k for k, row in enumerate(rows) if k not in used
                    and ({row.get("kind")} | set(_as_list(row.get("kinds")))) & kinds
                    and any(_overlaps((row["char_start"], row["char_end"]), p) for p in places)), None)
        if g.get("optional"):
            if hit is not None:
                used.add(hit)
                optional_hits.add(hit)
            continue
        score.gold += 1
        if hit is None:
            score.misses.append(f"{file}: miss agreement {sorted(kinds)} {g.get('parties')} "
                                f"{(g.get('evidence') or g.get('title'))!r}")
            continue
        used.add(hit)
        score.matched += 1
        aliases = g.get("party_aliases") or {}
        gold_parties = [name_variants([p] + _as_list(aliases.get(p)), heads, rules_dir)
                        for p in _as_list(g.get("parties"))]
        got = [str(p) for p in rows[hit].get("parties") or []]
        if gold_parties and _party_sets_match(gold_parties, got):
            score.parties_right += 1
        elif gold_parties:
            score.parties_wrong.append(f"{file}: agreement {rows[hit].get('evidence')!r} parties gold "
                                       f"{_as_list(g.get('parties'))} got {got}")
    _count_predicted(score, rows, used, optional_hits, lambda row: (
        f"{file}: extra agreement {row.get('kind')} {list(row.get('parties') or [])} {row.get('evidence')!r}"))
    return score


_GOLD_DATE = re.compile(r"^(?:(\d{4})|--)-?(\d{2})?(?:-(\d{2}))?$")


def _date_value_matches(gold_value: str, row: dict, compare_year: bool) -> bool:
    m = _GOLD_DATE.match(str(gold_value))
    if not m:
        return False
    year, month, day = m.group(1), m.group(2), m.group(3)
    if month is not None and row.get("month") != int(month):
        return False
    if day is not None and row.get("day") != int(day):
        return False
    if day is None and row.get("day") is not None:
        return False
    if compare_year and year is not None:
        value = str(row.get("value") or "")
        return value[:4] == year
    return True


def score_dates(gold: list[dict], rows: list[dict], body_map, has_published: bool, file: str) -> DateScore:
    score, used = DateScore(), set()
    taken: set[tuple[int, int]] = set()
    for g in gold:
        places = [p for p in _occurrences(body_map, g.get("text") or "") if p not in taken]
        score.gold += 1
        hit = None
        for place in places:
            hit = next((k for k, row in enumerate(rows) if k not in used
                        and _overlaps((row["char_start"], row["char_end"]), place)), None)
            if hit is not None:
                taken.add(place)
                break
        if hit is None:
            score.misses.append(f"{file}: miss date {g.get('text')!r} = {g.get('value')}")
            continue
        used.add(hit)
        score.matched += 1
        compare_year = has_published or bool(re.search(r"\d{4}", str(g.get("text"))))
        if _date_value_matches(g.get("value"), rows[hit], compare_year):
            score.value_correct += 1
        else:
            score.value_wrong.append(f"{file}: date {g.get('text')!r} gold {g.get('value')} got "
                                     f"{rows[hit].get('value')} (month {rows[hit].get('month')}, "
                                     f"day {rows[hit].get('day')})")
    # Only dates of day or month grain are anchors; other predicted dates are not scored as extras.
    for k, row in enumerate(rows):
        if row.get("grain") not in ("day", "month"):
            continue
        score.predicted += 1
        if k in used:
            score.true_predicted += 1
        else:
            score.extras.append(f"{file}: extra date {row.get('text')!r} = {row.get('value')}")
    return score


def _bounded_in(needle: str, haystack: str) -> bool:
    """The needle stands whole in the haystack: "1.100" is not in "1.100.000 USD" (case and diacritics aside)."""
    n, h = _plain(needle), _plain(haystack)
    return bool(n) and re.search(rf"(?<![\w.,]){re.escape(n)}(?![\w]|[.,]\d)", h) is not None


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFD", str(text).casefold().replace("\u0111", "d"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def must_not_hits(must_not: dict, tables: dict[str, list[dict]], file: str) -> list[str]:
    hits = []
    for text in _as_list((must_not or {}).get("aid_amounts")):
        for row in tables.get("aid_events", []):
            if _bounded_in(str(text), str(row.get("evidence") or "")):
                hits.append(f"{file}: aid event from must_not {text!r}: {row.get('evidence')!r}")
    names = {fold(n) for n in _as_list((must_not or {}).get("officials"))}
    for row in tables.get("officials", []):
        if fold(row.get("name") or "") in names:
            hits.append(f"{file}: official from must_not {row.get('name')!r}")
    for text in _as_list((must_not or {}).get("agreements")):
        for row in tables.get("agreements", []):
            fields = [str(row.get("title") or "")] + [str(p) for p in (row.get("parties") or [])]
            if any(_bounded_in(str(text), f) for f in fields):
                hits.append(f"{file}: agreement from must_not {text!r}: {row.get('evidence')!r}")
    return hits


# ---------------------------------------------------------------- a gold directory

def load_gold(gold_dir: Path) -> list[dict]:
    golds = []
    for path in sorted(Path(gold_dir).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "file" not in data:
            raise ValueError(f"{path}: a gold file is a mapping with 'file'")
        golds.append(data)
    return golds


def is_blind(gold_dir: Path) -> bool:
    """A gold folder whose errors are never read: it holds a file named BLIND."""
    return (Path(gold_dir) / "BLIND").is_file()


def generic_heads(rules_dir: Path) -> list[str]:
    """Words a name may be written with or without: generic heads (``Chính phủ``, ``Tập đoàn``), and the
    determiners of a group (``các``, ``mỗi``): "các nạn nhân" and "nạn nhân" name one group."""
    rules = compile_rules(rules_dir)
    return [str(h) for h in rules.merged_list("entity_shape", "generic_heads")
            + rules.merged_list("aid", "group_openers") + rules.merged_list("aid", "distributive_markers")]


def evaluate(gold_dir: Path, raw_dir: Path | None = None, rules_dir: Path = RULES_DIR) -> EvalResult:
    """Run the pipeline on every gold article and score what it publishes."""
    raw_dir = Path(raw_dir) if raw_dir is not None else Path(gold_dir) / "articles"
    heads = generic_heads(rules_dir)
    result = EvalResult()
    for gold in load_gold(gold_dir):
        file = gold["file"]
        path = raw_dir / file
        if not path.is_file():
            result.failures.append(f"{file}: not in {raw_dir}")
            continue
        tables = process_raw(path.read_bytes(), file, str(rules_dir))
        if not tables.get("articles"):
            reasons = [r.get("reason") for r in tables.get("rejects", [])]
            result.failures.append(f"{file}: no article ({reasons})")
            continue
        result.articles += 1
        article = tables["articles"][0]
        body_map = folded_with_index(article["body"])
        s = result.scores
        s["aid_events"].add(score_aid(_as_list(gold.get("aid_events")), tables.get("aid_events", []), heads, file,
                                         Path(rules_dir), article["body"]))
        officials, found, total = score_officials(_as_list(gold.get("officials")), tables.get("officials", []),
                                                  file)
        s["officials"].add(officials)
        result.official_titles_found += found
        result.official_titles_gold += total
        s["agreements"].add(score_agreements(_as_list(gold.get("agreements")), tables.get("agreements", []),
                                             body_map, file, heads, Path(rules_dir)))
        s["dates"].add(score_dates(_as_list(gold.get("dates")), tables.get("dates", []), body_map,
                                   gold.get("published") is not None, file))
        result.must_not_hits.extend(must_not_hits(gold.get("must_not") or {}, tables, file))
    return result


def report(result: EvalResult, details: bool = True) -> str:
    s = result.scores
    lines = [f"{result.articles} articles", "",
             "| facts | gold | predicted | precision | recall | F1 |", "|---|---|---|---|---|---|"]
    for name in FACT_TYPES:
        f = s[name]
        lines.append(f"| {name} | {f.gold} | {f.predicted} | {f.precision:.3f} | {f.recall:.3f} | {f.f1:.3f} |")
    titles = result.official_titles_found / result.official_titles_gold if result.official_titles_gold else 1.0
    lines += ["", f"anchor dates: value accuracy {s['dates'].value_accuracy:.3f} "
                  f"({s['dates'].value_correct} of {s['dates'].matched} found)",
              f"officials found: titles recall {titles:.3f}",
              f"agreements found: parties right {s['agreements'].parties_right} of {s['agreements'].matched}",
              f"aid events found: event_date right {s['aid_events'].date_right} of {s['aid_events'].dated} "
              f"that the gold dates",
              "aid events missed, by construction: " + (", ".join(
                  f"{k} {n}" for k, n in sorted(s["aid_events"].missed_by_construction.items(),
                                               key=lambda kv: (-kv[1], kv[0]))) or "none"),
              "aid events missed, by the first step that fails: " + (", ".join(
                  f"{k} {n}" for k, n in sorted(s["aid_events"].missed_by_step.items(),
                                               key=lambda kv: (-kv[1], kv[0]))) or "none"),
              "aid events missed, by what the rows lack: " + (", ".join(
                  f"{k} {n}" for k, n in sorted(s["aid_events"].missed_by_part.items(),
                                               key=lambda kv: (-kv[1], kv[0]))) or "none"),
              f"must_not hits: {len(result.must_not_hits)}"]
    if result.failures:
        lines += ["", "failures:"] + [f"  {x}" for x in result.failures]
    if details:
        lines += ["", "must_not hits:"] + [f"  {x}" for x in result.must_not_hits]
        for name in FACT_TYPES:
            lines += ["", f"{name}: misses"] + [f"  {x}" for x in s[name].misses]
            lines += [f"{name}: extras"] + [f"  {x}" for x in s[name].extras]
        lines += ["", "dates: wrong values"] + [f"  {x}" for x in s["dates"].value_wrong]
        lines += ["", "agreements: wrong parties"] + [f"  {x}" for x in s["agreements"].parties_wrong]
        lines += ["", "aid events: wrong event_date"] + [f"  {x}" for x in s["aid_events"].dates_wrong]
    return "\n".join(lines)
