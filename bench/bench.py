"""End-to-end benchmark: the baseline (underthesea segmentation + POS tagging of the
article bodies in a plain loop), each stage, and the whole `vnfacts run`, measured on
the same corpus in one run; figures as ratios to that baseline.

    python bench/bench.py [--n 2000] [--raw DIR] [--jobs N] [--write docs/BENCHMARKS.md]

Every measurement runs in its own process (wall time and peak RSS from wait4), so
library start-up (underthesea, spaCy, pandas) is included once per process, as a
user running the commands would see it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

BASELINE = """
import json, sys, time
import pyarrow.parquet as pq
from underthesea import pos_tag, sent_tokenize
bodies = pq.read_table(sys.argv[1], columns=["body"]).column("body").to_pylist()
pos_tag("Khởi động.")  # load the models outside the timed loop, as the pipeline does once
started = time.perf_counter()
for body in bodies:
    for paragraph in body.split("\\n"):
        for sentence in sent_tokenize(paragraph):
            pos_tag(sentence)
print(json.dumps({"seconds": time.perf_counter() - started}))
"""


def timed(args: list[str], cwd: Path = ROOT, env: dict | None = None) -> dict:
    """Run a command; wall seconds, peak RSS (MB) and its stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, **(env or {})})
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed with {proc.returncode}")
    return {"seconds": time.perf_counter() - started, "rss_mb": usage.ru_maxrss / 1024, "stdout": stdout}


def vnfacts(*args: str) -> list[str]:
    return [PY, "-m", "vnfacts.cli", *args]


def build_corpus(n: int, out: Path) -> Path:
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "bench" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--n", str(n), "--out", str(out)])
    return out


def same_tables(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq

    names = ["articles", "tokens", "aid_events", "officials", "agreements", "dates", "mentions",
             "aid_events_consolidated", "rejects"]
    return all(pq.read_table(a / f"{n}.parquet").to_pylist() == pq.read_table(b / f"{n}.parquet").to_pylist()
               for n in names)


def measure(raw: Path, work: Path, jobs: int) -> dict:
    import pyarrow.parquet as pq

    staged = work / "staged"
    rows = {"baseline": None}
    rows["ingest"] = timed(vnfacts("ingest", "--raw", str(raw), "--out", str(staged)))
    articles = pq.read_table(staged / "articles.parquet", columns=["body"])
    n_articles, chars = articles.num_rows, sum(len(b) for b in articles.column("body").to_pylist())
    base = timed([PY, "-c", BASELINE, str(staged / "articles.parquet")])
    rows["baseline"] = {**base, "seconds": json.loads(base["stdout"])["seconds"]}
    rows["tokenize"] = timed(vnfacts("tokenize", "--out", str(staged)))
    rows["extract"] = timed(vnfacts("extract", "--out", str(staged)))
    rows["validate"] = timed(vnfacts("validate", "--raw", str(raw), "--out", str(staged)))
    rows["export"] = timed(vnfacts("export", "--out", str(staged)))
    one, many = work / "run1", work / f"run{jobs}"
    no_sentence_cache = {"VNFACTS_SENTENCE_CACHE": "0"}
    rows["run --jobs 1, sentence cache off"] = timed(
        vnfacts("run", "--raw", str(raw), "--out", str(work / "nocache1"), "--jobs", "1", "--no-cache"),
        env=no_sentence_cache)
    rows[f"run --jobs {jobs}, sentence cache off"] = timed(
        vnfacts("run", "--raw", str(raw), "--out", str(work / "nocacheN"), "--jobs", str(jobs), "--no-cache"),
        env=no_sentence_cache)
    rows["run --jobs 1"] = timed(vnfacts("run", "--raw", str(raw), "--out", str(one), "--jobs", "1", "--no-cache"))
    rows[f"run --jobs {jobs}"] = timed(vnfacts("run", "--raw", str(raw), "--out", str(many), "--jobs", str(jobs),
                                               "--no-cache"))
    identical = all(same_tables(one, other) for other in (many, staged, work / "nocache1", work / "nocacheN"))

    cached = work / "cached"
    rows["run, cold cache"] = timed(vnfacts("run", "--raw", str(raw), "--out", str(cached), "--jobs", str(jobs)))
    rows["run again, nothing changed"] = timed(vnfacts("run", "--raw", str(raw), "--out", str(cached),
                                                       "--jobs", str(jobs)))
    first = sorted(raw.glob("*.txt"))[0]
    first.write_bytes(first.read_bytes().replace(b"Tin b\xc3\xa0i li\xc3\xaan quan", b"Tin li\xc3\xaan quan", 1)
                      + b"\n")
    rows["run again, one file changed"] = timed(vnfacts("run", "--raw", str(raw), "--out", str(cached),
                                                        "--jobs", str(jobs)))
    rules = work / "rules"
    shutil.copytree(ROOT / "rules", rules)
    aid = rules / "aid" / "vi" / "aid.yaml"
    aid.write_text(aid.read_text(encoding="utf-8").replace("give_verbs: [", "give_verbs: [biếu, "), encoding="utf-8")
    tokens_before = len(list((cached / ".cache" / "tokens").rglob("*.pkl")))
    rows["run again, rules changed"] = timed(vnfacts("run", "--raw", str(raw), "--out", str(cached),
                                                     "--jobs", str(jobs), "--rules", str(rules)))
    tokens_after = len(list((cached / ".cache" / "tokens").rglob("*.pkl")))
    return {"articles": n_articles, "chars": chars, "rows": rows, "identical": identical,
            "retokenized_after_rule_change": tokens_after - tokens_before}


def measure_big(n: int, work: Path, jobs: int) -> dict:
    """Peak RSS and time of a run on a larger corpus, to show memory does not grow with it."""
    raw = build_corpus(n, work / "raw_big")
    return timed(vnfacts("run", "--raw", str(raw), "--out", str(work / "big"), "--jobs", str(jobs), "--no-cache"))


def report(result: dict, n: int, jobs: int, source: str) -> str:
    rows, chars, arts = result["rows"], result["chars"], result["articles"]
    base = rows["baseline"]["seconds"]
    lines = [
        "# Benchmarks",
        "",
        f"`python bench/bench.py --n {n} --jobs {jobs}` on {date.today().isoformat()}: {os.cpu_count()} cores "
        f"({platform.machine()}, Python {platform.python_version()}), {source}: {arts} articles, "
        f"{chars:,} body characters. Each row is one process (wall time, peak RSS); ratios are to the "
        "baseline measured in the same run, since these machines are noisy.",
        "",
        "| step | seconds | articles/s | chars/s | peak RSS MB | throughput × baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows.items():
        s = r["seconds"]
        lines.append(f"| {name} | {s:.1f} | {arts / s:,.1f} | {chars / s:,.0f} | {r['rss_mb']:,.0f} | "
                     f"{base / s:.2f} |")
    one = rows["run --jobs 1"]["seconds"]
    many = rows[f"run --jobs {jobs}"]["seconds"]
    one_off = rows["run --jobs 1, sentence cache off"]["seconds"]
    many_off = rows[f"run --jobs {jobs}, sentence cache off"]["seconds"]
    cold = rows["run, cold cache"]["seconds"]
    lines += [
        "",
        f"- Baseline: underthesea `sent_tokenize` + `pos_tag` (which segments, then tags) per sentence over "
        f"the bodies in a plain loop, models loaded before timing: {base:.1f} s.",
        f"- End-to-end single process: {base / one_off:.2f} × the baseline's throughput with every sentence "
        f"analysed (sentence cache off), {base / one:.2f} × with the sentence cache.",
        f"- `--jobs {jobs}`: {one_off / many_off:.2f} × the single-process throughput with every sentence "
        f"analysed, {one / many:.2f} × with the sentence cache (each worker keeps its own, so fewer hits); "
        f"output identical to `--jobs 1`, with or without the cache, and to the stages run one by one: "
        f"{'yes' if result['identical'] else 'NO'}.",
        f"- Incremental: nothing changed {rows['run again, nothing changed']['seconds'] / cold:.1%} of the cold "
        f"run; one file changed {rows['run again, one file changed']['seconds'] / cold:.1%}; rules changed "
        f"{rows['run again, rules changed']['seconds'] / cold:.1%} with "
        f"{result['retokenized_after_rule_change']} bodies tokenized again. (`make run` with nothing changed "
        "does not start Python at all: make's file targets are up to date.)",
        "- Sentence cache: the corpus is generated from five pages, so many sentences repeat and the cache "
        "helps far more than on a real archive; the figures with it off (`VNFACTS_SENTENCE_CACHE=0`) are the "
        "ones to expect on real news.",
    ]
    big = result.get("big")
    if big:
        small = rows[f"run --jobs {jobs}"]
        lines.append(f"- Memory: `run --jobs {jobs}` peaks at {small['rss_mb']:,.0f} MB on {arts} articles and "
                     f"{big['rss_mb']:,.0f} MB on {big['articles']} ({big['rss_mb'] / small['rss_mb']:.2f} ×), "
                     f"{big['articles'] / big['seconds']:.1f} articles/s. (Peak RSS of the largest process of the "
                     "run, as wait4 reports it.)")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="articles to generate from the fixtures")
    parser.add_argument("--raw", type=Path, help="benchmark this directory of page dumps instead")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--write", type=Path, help="write the report (Markdown) here")
    parser.add_argument("--big", type=int, help="also run on a corpus of this many articles (memory check)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vnfacts-bench-") as tmp:
        work = Path(tmp)
        raw = work / "raw"
        if args.raw:
            shutil.copytree(args.raw, raw)
            source = f"`{args.raw}`"
        else:
            build_corpus(args.n, raw)
            source = "a corpus generated from the fixtures by `bench/make_corpus.py`"
        result = measure(raw, work, args.jobs)
        if args.big:
            result["big"] = {**measure_big(args.big, work, args.jobs), "articles": args.big}
    text = report(result, args.n, args.jobs, source)
    print(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
