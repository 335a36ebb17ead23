"""Draw the aid gold's annotation order and its train/blind split, once, by a fixed seed.

    python tests/gold/aid/split.py ../corpus/aid > tests/gold/aid/SPLIT.tsv

The articles are shuffled by SEED; they are annotated in that order, and every third one (positions 0, 3, 6, …)
goes to the blind split, whose errors are never read while writing rules. Rerunning on the same folder gives the
same file.
"""
import random
import sys
from pathlib import Path

SEED = 22_549


def split(names: list[str]) -> list[tuple[int, str, str]]:
    order = sorted(names)
    random.Random(SEED).shuffle(order)
    return [(i, name, "blind" if i % 3 == 0 else "train") for i, name in enumerate(order)]


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    print("order\tfile\tset")
    for i, name, part in split([p.name for p in folder.glob("*.txt")]):
        print(f"{i}\t{name}\t{part}")
