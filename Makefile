# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make run    set up .venv and run the whole pipeline
#   make test   set up .venv and run the tests (lint included)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
SNAKEMAKE_ARGS ?=
PYTEST_ARGS ?=

.PHONY: run test lint dry-run bench clean-venv

$(VENV)/.installed: requirements.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --quiet -r requirements.txt
	touch $@

run: $(VENV)/.installed
	$(BIN)/snakemake $(SNAKEMAKE_ARGS)

dry-run: $(VENV)/.installed
	$(BIN)/snakemake --dry-run $(SNAKEMAKE_ARGS)

test: $(VENV)/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/pytest tests/test_lint.py $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)

bench: $(VENV)/.installed
	$(BIN)/python tests/benchmark.py
