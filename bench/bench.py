"""Benchmark on real news: the baseline, each stage, the whole `vnfacts run`, start-up and scaling, measured on
the same files in one run; figures as ratios to that baseline.

    python bench/bench.py [--jobs 2] [--limit N] [--write docs/BENCHMARKS.md]
    python bench/bench.py --generated 20000       # a corpus generated from the fixtures, for scale only

By default the corpus is the 2,500 real articles of bench/corpus/bench.tar.xz (2,000 baomoi, 500 Dân trí;
see bench/corpus/README.md). The baseline is what any user of underthesea would write: `sent_tokenize` then
`pos_tag` per sentence over every non-empty line of the files that is not a `# key = value` header,
independent of the zoner, models loaded before timing. Every measurement runs in its own process (wall time
and peak RSS from wait4), so library start-up is included once per process, as a user would see it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
REAL_CORPUS = ROOT / "bench" / "corpus" / "bench.tar.xz"
HEADER_PREFIX = "# "

BASELINE = """
import json, sys, time
from pathlib import Path
from underthesea import pos_tag, sent_tokenize
lines = [line.strip() for path in sorted(Path(sys.argv[1]).rglob("*.txt"))
         for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
         if line.strip() and not line.startswith("# ")]
pos_tag("Khởi động.")  # load the models outside the timed loop
started = time.perf_counter()
for line in lines:
    for sentence in sent_tokenize(line):
        pos_tag(sentence)
print(json.dumps({"seconds": time.perf_counter() - started, "chars": sum(len(line) for line in lines)}))
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
    return [PY, "-m", "vnfacts", *args]


def real_corpus(out: Path, limit: int | None = None) -> Path:
    """The real articles of bench/corpus/bench.tar.xz, extracted (only regular files, inside ``out``)."""
    out.mkdir(parents=True)
    with tarfile.open(REAL_CORPUS) as archive:
        members = sorted((m for m in archive.getmembers() if m.isfile() and m.name.endswith(".txt")),
                         key=lambda m: m.name)[:limit]
        for member in members:
            (out / Path(member.name).name).write_bytes(archive.extractfile(member).read())
    return out


def build_corpus(n: int, out: Path) -> Path:
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "bench" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--n", str(n), "--out", str(out)])
    return out


FACT_TABLES = ["articles", "tokens", "aid_events", "officials", "agreements", "dates", "mentions",
               "aid_events_consolidated", "officials_consolidated", "rejects"]


def same_tables(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq

    return all(pq.read_table(a / f"{n}.parquet").to_pylist() == pq.read_table(b / f"{n}.parquet").to_pylist()
               for n in FACT_TABLES)


def body_share(out: Path, baseline_chars: int) -> dict:
    """Characters of the bodies (line breaks excluded) against those of the files' text lines."""
    import pyarrow.parquet as pq

    articles = pq.read_table(out / "articles.parquet", columns=["body_chars", "text_chars", "body"])
    body = sum(articles.column("body_chars").to_pylist())
    return {"articles": articles.num_rows, "body_chars": body, "of_text_lines": body / baseline_chars,
            "of_page_text": body / max(sum(articles.column("text_chars").to_pylist()), 1)}


def startup(out: Path, repeat: int = 5) -> dict[str, float]:
    """Median seconds of commands that should start at once."""
    commands = {"vnfacts --help": vnfacts("--help"),
                "vnfacts query (one row)": vnfacts("query", "SELECT COUNT(*) FROM articles", "--out", str(out))}
    return {name: statistics.median(timed(args)["seconds"] for _ in range(repeat)) for name, args in commands.items()}


def measure(raw: Path, work: Path, jobs: int) -> dict:
    rows = {}
    base = timed([PY, "-c", BASELINE, str(raw)])
    figures = json.loads(base["stdout"])
    rows["baseline"] = {**base, "seconds": figures["seconds"]}
    staged = work / "staged"
    rows["ingest"] = timed(vnfacts("ingest", "--raw", str(raw), "--out", str(staged)))
    rows["tokenize"] = timed(vnfacts("tokenize", "--out", str(staged)))
    rows["extract"] = timed(vnfacts("extract", "--out", str(staged)))
    rows["validate"] = timed(vnfacts("validate", "--raw", str(raw), "--out", str(staged)))
    rows["export"] = timed(vnfacts("export", "--out", str(staged)))
    no_sentence_cache = {"VNFACTS_SENTENCE_CACHE": "0"}
    one, many = work / "run1", work / f"run{jobs}"
    rows["run --jobs 1"] = timed(vnfacts("run", "--raw", str(raw), "--out", str(one), "--jobs", "1", "--no-cache"),
                                 env=no_sentence_cache)
    rows[f"run --jobs {jobs}"] = timed(vnfacts("run", "--raw", str(raw), "--out", str(many), "--jobs", str(jobs),
                                               "--no-cache"), env=no_sentence_cache)
    rows["run --jobs 1, sentence cache on"] = timed(
        vnfacts("run", "--raw", str(raw), "--out", str(work / "sentcache"), "--jobs", "1", "--no-cache"))
    cached = work / "cached"
    rows["run, cold cache"] = timed(vnfacts("run", "--raw", str(raw), "--out", str(cached), "--jobs", str(jobs)))
    rows["run again, nothing changed"] = timed(vnfacts("run", "--raw", str(raw), "--out", str(cached),
                                                       "--jobs", str(jobs)))
    first = sorted(raw.glob("*.txt"))[0]
    first.write_bytes(first.read_bytes() + "\nMột dòng mới.\n".encode("utf-8"))
    rows["run again, one file changed"] = timed(vnfacts("run", "--raw", str(raw), "--out", str(cached),
                                                        "--jobs", str(jobs)))
    rules = work / "rules"
    shutil.copytree(ROOT / "rules", rules)
    aid = rules / "aid" / "vi" / "aid.yaml"
    aid.write_text(aid.read_text(encoding="utf-8").replace("give_verbs: [", "give_verbs: [biếu, "), encoding="utf-8")
    tokens_before = len(list((cached / ".cache" / "tokens").rglob("*.json")))
    rows["run again, rules changed"] = timed(vnfacts("run", "--raw", str(raw), "--out", str(cached),
                                                     "--jobs", str(jobs), "--rules", str(rules)))
    tokens_after = len(list((cached / ".cache" / "tokens").rglob("*.json")))
    storage = storage_of(raw, cached)
    started = startup(one)
    # last: reading every table makes this process large, and a child forked from it would report that size
    identical = all(same_tables(one, other) for other in (many, staged, work / "sentcache"))
    return {"files": len(list(raw.glob("*.txt"))), "chars": figures["chars"], "rows": rows, "identical": identical,
            "bodies": body_share(one, figures["chars"]), "startup": started,
            "retokenized_after_rule_change": tokens_after - tokens_before, "storage": storage}


def storage_of(raw: Path, out: Path) -> dict[str, int]:
    """Bytes of the inputs, of the published outputs (every file the run wrote but its caches) and of the caches."""
    def size(paths) -> int:
        return sum(p.stat().st_size for p in paths if p.is_file())

    cache = out / ".cache"
    return {"input": size(raw.rglob("*")), "cache": size(cache.rglob("*")),
            "published": size(p for p in out.rglob("*") if cache not in p.parents)}


def report(result: dict, jobs: int, source: str, command: str) -> str:
    rows, chars, files = result["rows"], result["chars"], result["files"]
    base = rows["baseline"]["seconds"]
    bodies = result["bodies"]
    storage = result["storage"]
    lines = [
        "# Benchmarks",
        "",
        f"`{command}` on {date.today().isoformat()}: {os.cpu_count()} cores ({platform.machine()}, Python "
        f"{platform.python_version()}), {source}: {files:,} files, {chars:,} characters of text lines. Each row "
        "is one process (wall time, peak RSS); ratios are to the baseline measured in the same run, on the same "
        "files, since these machines are noisy.",
        "",
        "| step | seconds | files/s | chars/s | peak RSS MB | throughput × baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows.items():
        s = r["seconds"]
        lines.append(f"| {name} | {s:.1f} | {files / s:,.1f} | {chars / s:,.0f} | {r['rss_mb']:,.0f} | "
                     f"{base / s:.2f} |")
    one = rows["run --jobs 1"]["seconds"]
    many = rows[f"run --jobs {jobs}"]["seconds"]
    cold = rows["run, cold cache"]["seconds"]
    stages = sum(rows[s]["seconds"] for s in ("ingest", "tokenize", "extract", "validate", "export"))
    lines += [
        "",
        "- Baseline: underthesea `sent_tokenize` + `pos_tag` per sentence over every non-empty line of the files "
        f"that is not a `# key = value` header (independent of the zoner), models loaded before timing: {base:.1f} s.",
        f"- End to end, one process, every sentence analysed (no caches): **{base / one:.2f} × the baseline**, with "
        f"the bodies keeping {bodies['of_text_lines']:.1%} of the files' text-line characters "
        f"({bodies['of_page_text']:.1%} of the text the zoner saw on the pages; {bodies['articles']:,} articles).",
        "- Per stage (each its own process, reading and writing Parquet): "
        + ", ".join(f"{s} {rows[s]['seconds'] / stages:.0%}" for s in ("ingest", "tokenize", "extract", "validate",
                                                                       "export"))
        + f" of {stages:.1f} s.",
        f"- `--jobs {jobs}`: {one / many:.2f} × one process; output identical to `--jobs 1`, to the sentence "
        f"cache on and to the stages run one by one: {'yes' if result['identical'] else 'NO'}.",
        "- Start-up (median of 5): " + ", ".join(f"`{k}` {v:.2f} s" for k, v in result["startup"].items()) + ".",
        f"- Incremental: nothing changed {rows['run again, nothing changed']['seconds'] / cold:.1%} of the cold "
        f"run; one file changed {rows['run again, one file changed']['seconds'] / cold:.1%}; rules changed "
        f"{rows['run again, rules changed']['seconds'] / cold:.1%} with "
        f"{result['retokenized_after_rule_change']} bodies tokenized again. (`make run` with nothing changed "
        "does not start Python at all: make's file targets are up to date.)",
        f"- Storage after those runs: the published outputs {storage['published'] / 1e6:,.1f} MB = "
        f"{storage['published'] / storage['input']:.2f} × the input's {storage['input'] / 1e6:,.1f} MB (bound: 2 ×); "
        f"the caches {storage['cache'] / 1e6:,.1f} MB = {storage['cache'] / storage['input']:.2f} × (bound: 3 ×).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generated", type=int, help="benchmark N articles generated from the fixtures instead")
    parser.add_argument("--raw", type=Path, help="benchmark this directory of page dumps instead")
    parser.add_argument("--limit", type=int, help="only the first N files of the real corpus")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--write", type=Path, help="write the report (Markdown) here")
    args = parser.parse_args(argv)
    command = "python bench/bench.py " + " ".join(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="vnfacts-bench-") as tmp:
        work = Path(tmp)
        raw = work / "raw"
        if args.raw:
            shutil.copytree(args.raw, raw)
            source = f"`{args.raw}`"
        elif args.generated:
            build_corpus(args.generated, raw)
            source = "a corpus generated from the fixtures by `bench/make_corpus.py` (its sentences repeat)"
        else:
            real_corpus(raw, args.limit)
            source = "the real articles of `bench/corpus/bench.tar.xz` (baomoi 2017, Dân trí 2020–21)"
        result = measure(raw, work, args.jobs)
    text = report(result, args.jobs, source, command.strip())
    print(text)
    if args.write:
        previous = args.write.read_text(encoding="utf-8") if args.write.exists() else ""
        # the report is the page's first section; the sections after it (what each part costs, memory) are
        # written by the other benchmark scripts and kept
        kept = previous[previous.find("\n## "):] if "\n## " in previous else ""
        args.write.write_text(text + kept, encoding="utf-8")


if __name__ == "__main__":
    main()
