# hydrawatch: the two set-up commands are `make demo` and `make test` (both create .venv on first use).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench quality setup clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)  ## simulate traffic, replay it into SQLite, serve the dashboard
	$(BIN)/hydrawatch demo

test: $(STAMP)  ## the whole test suite, with the services it needs (Kafka, PostgreSQL, Chromium)
	bash scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)  ## throughput, memory and latency benchmarks (prints numbers)
	$(BIN)/python bench/bench_replay.py

quality: $(STAMP)  ## detection quality on the simulator's seeds: the README's table (about 15 min)
	$(BIN)/python bench/quality_sweep.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
