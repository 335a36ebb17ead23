"""Every path and threshold the pipeline uses, in one place."""

from __future__ import annotations

import gc
from importlib.resources import files
from pathlib import Path

# The checkout (tests, docs, goldens live here); an installed wheel has none of them.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The rules shipped with the package: rules/ in the checkout and in editable installs, vnfacts/rules in a wheel.
RULES_DIR = Path(str(files("vnfacts.rules")))
DEFAULT_RAW_DIR = Path("data/raw")
DEFAULT_OUT_DIR = Path("data/processed")
# Inside the output directory: rows extracted but not yet validated, and the validation report.
CANDIDATES_DIR = "candidates"
# Inside the output directory: the caches of tokens and of whole per-file results.
CACHE_DIR = ".cache"
REPORT_FILE = "validation_report.json"
MANIFEST_FILE = "manifest.json"
# What the last `vnfacts run` into the output directory read and wrote, so that the same run again does nothing.
RUN_STATE_FILE = ".vnfacts-run.json"

# Local time of the news sites in the fixtures (pages print "GMT+7").
SITE_UTC_OFFSET_HOURS = 7
# The zone times are shown in (query results, pandas readers): Vietnam's, UTC+07:00 all year.
NEWS_TIME_ZONE = "Asia/Ho_Chi_Minh"

# Inputs larger than this are not news pages (a crawler's concatenation, a binary dump).
MAX_RAW_BYTES = 10 * 1024 * 1024
# Binary content read as text: more than this share of control characters in any window of this many characters
# (the whole text when shorter). A few stray ones in a long article are removed by canonicalization instead.
MAX_CONTROL_SHARE = 0.05
CONTROL_WINDOW_CHARS = 64 * 1024
# HTML, wherever it starts: at least this many tags, at least one an end tag, taking this share of the characters.
MARKUP_MIN_TAGS = 5
MARKUP_MIN_SHARE = 0.01
# A page whose letters are less than this share Latin (Vietnamese's script) is in another language.
MIN_LATIN_LETTER_SHARE = 0.5
# Lines longer than this are never checked for "X X" doubling (the check is quadratic).
MAX_DOUBLED_LINE_CHARS = 2000
# underthesea's tagger slows down sharply on long inputs: longer sentences are cut at spaces.
MAX_SENTENCE_CHARS = 1500
# Wall seconds one page may take through every stage of `vnfacts run` before it is left as a too_slow reject
# (--page-timeout, or VNFACTS_PAGE_TIMEOUT; 0 for none). A news article of 100 KB takes about 2 s; a page of
# 1 MB of prose about 17 s; a 10 MB one would take some 3 minutes, and is left after this budget instead, so one
# such page cannot hold a batch up.
PAGE_TIMEOUT_SECONDS = 30.0


# A page makes many small objects that die young (a phrase match per token, a tuple per word), which reference
# counting frees; with the default thresholds the cyclic collector still scans every live object (the rules, the
# models) again and again: what is alive when a stage starts is frozen out of its scans, and the young objects are
# looked at less often (extraction alone: a sixth less time on the bench corpus).
GC_THRESHOLDS = (50_000, 50, 100)


def tune_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
