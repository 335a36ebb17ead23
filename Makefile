# vnfacts: `make run` builds everything from data/raw/, `make test` runs the tests.
# Each stage is a file target that depends on its input and on the code and rules it read
# (OUT/.make/<stage>.mk, written by the stage), so an unchanged stage is skipped.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
RAW := data/raw
OUT := data/processed
VNFACTS := $(BIN)/vnfacts

# What each stage reads is written by the stage itself: after a stage command succeeds, OUT/.make/<stage>.mk
# lists the package modules it ran and the rule files it read (vnfacts.make_deps), so editing any of them re-runs
# that stage and those after it, and nothing else. A stage that has not written its list yet always runs.
-include $(wildcard $(OUT)/.make/*.mk)
reads = $(if $(wildcard $(OUT)/.make/$(1).mk),$(wildcard $($(1)_READS)),FORCE)
# Any raw file (or the directory, when files come or go) newer than the articles forces ingest.
RAW_CHANGED := $(shell find $(RAW) -newer $(OUT)/articles.parquet 2>/dev/null | head -n 1)

.DEFAULT_GOAL := help
.PHONY: help setup run ingest tokenize extract validate export duckdb docs report golden bench bench-memory corpus eval test check chromium clean FORCE

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  /'

## setup: create .venv and install the package with its test dependencies
setup: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## run: set up, then run every stage on data/raw/ into data/processed/ (and the review pages)
run: $(OUT)/manifest.json report

# The whole pipeline in one pass (vnfacts run: parallel, streaming, cached per file).
$(OUT)/manifest.json: $(call reads,run) $(RAW) $(if $(RAW_CHANGED),FORCE) | $(INSTALLED)
	$(VNFACTS) run --raw $(RAW) --out $(OUT) --rules rules
	@# a run that finds nothing changed leaves the tables as they were: mark them checked, for make
	@touch $@

## ingest: page dumps -> articles.parquet, lines.parquet, rejects.parquet
ingest: $(OUT)/articles.parquet

$(OUT)/articles.parquet: $(call reads,ingest) $(RAW) $(if $(RAW_CHANGED),FORCE) | $(INSTALLED)
	$(VNFACTS) ingest --raw $(RAW) --out $(OUT)

## tokenize: articles -> tokens.parquet (underthesea words and POS tags)
tokenize: $(OUT)/tokens.parquet

$(OUT)/tokens.parquet: $(OUT)/articles.parquet $(call reads,tokenize) | $(INSTALLED)
	$(VNFACTS) tokenize --out $(OUT)

## extract: articles + tokens + rules/ -> candidate rows (data/processed/candidates/)
extract: $(OUT)/candidates/aid_events.parquet

$(OUT)/candidates/aid_events.parquet: $(OUT)/tokens.parquet $(OUT)/articles.parquet $(call reads,extract) | $(INSTALLED)
	$(VNFACTS) extract --out $(OUT) --rules rules

## validate: check every candidate row against its source; publish the analysts' tables
validate: $(OUT)/validation_report.json

$(OUT)/validation_report.json: $(OUT)/candidates/aid_events.parquet $(call reads,validate) | $(INSTALLED)
	$(VNFACTS) validate --raw $(RAW) --out $(OUT) --rules rules

## export: stamp the published tables with their provenance; write manifest.json
export: $(OUT)/validation_report.json | $(INSTALLED)
	$(VNFACTS) export --out $(OUT) --rules rules

## duckdb: write data/processed/facts.duckdb, one view per table
duckdb: $(OUT)/validation_report.json | $(INSTALLED)
	$(VNFACTS) export --out $(OUT) --rules rules --duckdb

## eval: score the facts on the hand-annotated dev articles, the held-out ones, and the aid gold's train and blind splits (docs/ACCURACY.md)
eval: | $(INSTALLED)
	$(VNFACTS) eval --gold tests/gold/dev
	$(VNFACTS) eval --gold tests/gold/heldout --summary
	$(VNFACTS) eval --gold tests/gold/aid/train --summary
	$(VNFACTS) eval --gold tests/gold/aid/blind --summary
	$(VNFACTS) eval --gold tests/gold/bench_aid/train --summary
	$(VNFACTS) eval --gold tests/gold/bench_aid/blind --summary

## docs: regenerate docs/tables.md from pipeline/schema.py
docs: $(INSTALLED)
	$(BIN)/python -m vnfacts.datadict write

## report: HTML review pages with highlighted evidence -> data/processed/report/index.html
report: $(OUT)/report/index.html

$(OUT)/report/index.html: $(OUT)/manifest.json $(call reads,report) | $(INSTALLED)
	$(VNFACTS) report --out $(OUT)

## golden: rewrite tests/golden/ from a fresh run on the fixtures (on purpose only)
golden: $(INSTALLED)
	$(BIN)/python -m vnfacts.golden write

## bench: baseline, stages, whole run, start-up, --jobs 2 on the 2,500 real articles, then memory at 2,000/20,000 (docs/BENCHMARKS.md)
bench: $(INSTALLED)
	$(BIN)/python bench/bench.py --jobs 2 --write docs/BENCHMARKS.md
	$(BIN)/python bench/memory.py --small 2000 --large 20000 --jobs 2 --write docs/BENCHMARKS.md

## bench-memory: only the memory part of make bench (generated corpora, for scale)
bench-memory: $(INSTALLED)
	$(BIN)/python bench/memory.py --small 2000 --large 20000 --jobs 2 --write docs/BENCHMARKS.md

## corpus: generate N (default 2000) page dumps from the fixtures into data/interim/corpus
corpus: $(INSTALLED)
	$(BIN)/python bench/make_corpus.py --n $(or $(N),2000) --out data/interim/corpus

## test: set up (Chromium too, for the review-page test), then run the whole test suite (what CI runs)
test: $(INSTALLED) chromium
	$(BIN)/python -m pytest

## check: the fast tier for the edit loop: unit tests, rule examples and goldens, without the tests marked slow
# Every worker imports the package and the test modules anew: their bytecode (and pytest's rewritten test modules)
# is kept in the __pycache__ folders git ignores, even where PYTHONDONTWRITEBYTECODE is set, so that a run after the
# first does not compile them all again (over a second per worker).
check: $(INSTALLED)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -m "not slow" -q -n auto

# A headless Chromium (or Chrome) renders the review page in one test: $CHROMIUM, else one on PATH. It is
# installed only where it can be (root with apt-get); otherwise that one test fails saying why, and the rest run.
BROWSERS := chromium chromium-browser google-chrome google-chrome-stable
chromium:
	@found=$${CHROMIUM:-}; for b in $(BROWSERS); do [ -n "$$found" ] || found=$$(command -v $$b || true); done; \
	if [ -n "$$found" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium || \
		echo "could not install chromium: the review-page test will fail, the others run" >&2; \
	else echo "no Chromium or Chrome found (set CHROMIUM=/path/to/browser): the review-page test will fail" >&2; fi

## clean: remove the outputs (not the virtualenv)
clean:
	find $(OUT) -mindepth 1 ! -name .gitkeep -exec rm -rf {} +

FORCE:
