# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make run    set up .venv and run the whole pipeline
#   make test   set up .venv and run the tests (lint included)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
# make run TARGETS="results/figures/temperature.png" CONFIG=mirror.yaml SNAKEMAKE_ARGS=--dry-run
TARGETS ?=
CONFIG ?=
SNAKEMAKE_ARGS ?=
PYTEST_ARGS ?=
GITHUB_DESCRIPTIONS := tests/github

# The tool that writes the lock file, pinned like everything else.
UV_VERSION := 0.13.9

.PHONY: run test unit lint dry-run demo demo-data bench bench-refresh clean-venv lock

# requirements.txt is the lock: every package at one version, with its hashes (pip then
# refuses anything else). It is made from requirements.in by `make lock`.
$(VENV)/.installed: requirements.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --quiet --require-hashes -r requirements.txt
	touch $@

# GitHub's own descriptions of its REST API and webhook payloads (npm packages, pinned in
# package-lock.json), which the tests' GitHub stand-in checks every call and event against.
# Without npm nothing is installed and those tests skip, saying why. Only the description of
# api.github.com is read: the package's other variants (GHES, GHEC, dereferenced; 370 MB in
# every clone) are removed.
$(GITHUB_DESCRIPTIONS)/node_modules/.installed: $(GITHUB_DESCRIPTIONS)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(GITHUB_DESCRIPTIONS) --ignore-scripts --no-audit --no-fund --loglevel=error \
		&& find $(GITHUB_DESCRIPTIONS)/node_modules/@octokit/openapi/generated -type f \
			! -name api.github.com.json -delete \
		&& touch $@; \
	else \
		echo "npm is not installed: the tests that need GitHub's API description will skip." >&2; \
	fi

# Targets first: Snakemake's --configfile takes every argument after it, so a target put
# after it is read as a config file. CONFIG is an extra config file (a mirror's URLs).
SNAKEMAKE := $(abspath $(BIN))/snakemake
CONFIG_ARGS := $(if $(CONFIG),--configfile $(abspath $(CONFIG)))

# The sources are fetched in an invocation of their own, as the Actions do: a job that runs
# re-runs everything after it in the same invocation, while the next one recognises a
# re-downloaded file with the same bytes by its checksum (a mirror's URL for the same data
# re-runs nothing). With SNAKEMAKE_ARGS (--unlock, --forceall, ...) you are in charge: one
# invocation.
run: $(VENV)/.installed
ifeq ($(strip $(SNAKEMAKE_ARGS)),)
	$(SNAKEMAKE) all_downloads $(CONFIG_ARGS)
endif
	$(SNAKEMAKE) $(TARGETS) $(CONFIG_ARGS) $(SNAKEMAKE_ARGS)

# The whole workflow, offline, on the small sources in .test/data/ (.test/config/config.yaml),
# in a copy of the repository (.test/run/, ignored by git) without the published results and
# their provenance: results/ stays as it is, and the demo starts from none.
demo: $(VENV)/.installed
	rm -rf .test/run && mkdir -p .test/run
	git ls-files -z --cached --others --exclude-standard \
		| grep -zv -e '^results/.' -e '^\.snakemake/' \
		| tar --null --files-from=- --ignore-failed-read -cf - | tar -xf - -C .test/run
	cd .test/run && $(SNAKEMAKE) $(TARGETS) \
		--configfile .test/config/config.yaml $(if $(CONFIG),$(abspath $(CONFIG))) $(SNAKEMAKE_ARGS)

# The demo's synthetic sources and config (.test/), written again from config/config.yaml
# and the sources' schemas: after a fork changes them (tests/project/test_demo.py says when).
demo-data: $(VENV)/.installed
	$(BIN)/python tests/support/demo.py

dry-run: $(VENV)/.installed
	$(BIN)/snakemake --dry-run $(SNAKEMAKE_ARGS)

test: $(VENV)/.installed $(GITHUB_DESCRIPTIONS)/node_modules/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

# The library's unit tests alone (no workflow runs): seconds, for the edit-test loop.
unit: $(VENV)/.installed
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/pytest tests/project/test_lint.py $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)

# Resolve requirements.in again for every platform and Python >= 3.11, with hashes. Run it
# after editing requirements.in (and the same pins in the conda files), then commit both.
lock:
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --disable-pip-version-check --quiet uv==$(UV_VERSION)
	.lock-venv/bin/uv pip compile requirements.in --universal --python-version 3.11 \
		--generate-hashes --quiet -o requirements.txt

bench: $(VENV)/.installed
	$(BIN)/python tests/benchmark.py

# A year of daily refreshes replayed on the real data mirror (hours; BENCH_ARGS=--days 30).
bench-refresh: $(VENV)/.installed
	$(BIN)/python tests/benchmark_refresh.py $(BENCH_ARGS)
