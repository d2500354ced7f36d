# notion-git-backup: every target calls doit or pytest; no logic lives here.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: help setup demo backup test test-long bench lint browser clean
help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the pinned requirements

browser:  ## install Debian's chromium when missing (needs root; CI does this)
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || echo "no chromium: browser tests will be skipped (apt-get install chromium)"

demo: $(STAMP)  ## the whole pipeline twice against the local Notion stand-in
	$(PY) -m tests.fakes.demo

# WORKSPACE reaches doit through the environment, never pasted into the shell line (its value is taken as typed).
ifneq ($(value WORKSPACE),)
backup: export BACKUP_WORKSPACE := $(value WORKSPACE)
endif
backup: $(STAMP)  ## one backup run (reads .env / the environment; WORKSPACE=name: that workspace only); exits 0 or 2 (GNU make's own codes; .ci/backup gives doit's)
	$(PY) -m lib.run

test: $(STAMP) browser  ## the test suite, on every core
	$(PY) -m pytest -c tests/pytest.ini -q -n auto

test-long: $(STAMP) browser  ## the soak, the wide kill matrix, a runner-shaped run (disk quota, memory limit), every generated-input test at length, each benchmark at its smallest
	$(PY) -m pytest -c tests/pytest.ini -q -n auto -m "long or hypothesis" --hypothesis-profile=long

bench: $(STAMP)  ## benchmarks against unzip, git, raw mistune and curl (slow; BENCH_LARGE=full: the 5 GB workspace)
	$(PY) -m tests.bench.run_all

lint: $(STAMP)  ## syntax checks, the layout's import contracts, the workflow's security review (zizmor, actionlint)
	$(PY) -m compileall -q dodo.py lib tasks tests
	$(VENV)/bin/lint-imports tests/import_contracts.ini --no-cache --no-logo
	$(VENV)/bin/zizmor --offline --quiet --min-severity medium .github/
	$(VENV)/bin/actionlint .github/workflows/*.yml

clean:  ## remove the virtualenv, doit state and demo output (never backups/)
	rm -rf $(VENV) .doit demo
