"""Every path and threshold the pipeline uses, in one place."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = PROJECT_ROOT / "rules"
DEFAULT_RAW_DIR = Path("data/raw")
DEFAULT_OUT_DIR = Path("data/processed")

# Local time of the news sites in the fixtures (pages print "GMT+7").
SITE_UTC_OFFSET_HOURS = 7
