"""Zoning time against the number of lines: linear work grows with the lines, quadratic work with their square.

usage: .venv/bin/python bench/zoning.py   (prints seconds at 5,000 and 40,000 lines and their ratio; 8x the lines)
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vnfacts.zoning import load_zone_rules, split_lines, zone_lines  # noqa: E402


def seconds(n: int, rules) -> float:
    lines = split_lines("Tiêu đề\n" + "\n".join(f"Dòng số {i} của bài viết." for i in range(n)))
    started = time.perf_counter()
    zone_lines(lines, rules)
    return time.perf_counter() - started


if __name__ == "__main__":
    rules = load_zone_rules()
    seconds(1000, rules)  # warm up
    small, large = seconds(5_000, rules), seconds(40_000, rules)
    print(f"5,000 lines {small:.3f} s; 40,000 lines {large:.3f} s; ratio {large / small:.1f} (linear: ~8)")
