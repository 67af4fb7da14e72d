# zhifa — two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
VENDOR_STAMP := src/zhifa/static/vendor/.stamp
export ZHIFA_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test lint format install install-dev vendor bench bench-portal clean

run: install vendor
	$(BIN)/zhifa migrate --noinput
	ZHIFA_DEMO=1 $(BIN)/zhifa demo
	ZHIFA_DEMO=1 $(BIN)/zhifa serve

test: install-dev vendor
	bash tools/test.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

install: $(STAMP)
install-dev: $(DEV_STAMP)
vendor: $(VENDOR_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

$(VENDOR_STAMP): package.json package-lock.json tools/vendor_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python tools/vendor_assets.py
	touch $@

bench: install-dev
	$(BIN)/python bench/ledger.py

# Portal benchmark (issue 6): N published decisions on SQLite, or PostgreSQL with
# BENCH_ARGS="--postgres postgresql://postgres@127.0.0.1:5432/zhifa_bench"; page load uses wrk
# when installed (apt-get install wrk), else a built-in client. Results: docs/benchmarks.md.
bench-portal: install-dev
	$(BIN)/python bench/portal.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules src/zhifa/static/vendor
