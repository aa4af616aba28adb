# sohoa — the two commands are `make demo` and `make test`; both do all set-up themselves.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
EARK_VENV := .venv-eark
JS := $(VENV)/share/sohoa/js
PYTHON ?= $(shell command -v python3.11 || command -v python3)

export AIRFLOW_HOME := $(CURDIR)/.airflow
export SOHOA_WORK_DIR := $(CURDIR)/.sohoa-work
export OMP_THREAD_LIMIT := 1

.PHONY: setup demo test lint airflow clean

setup: $(VENV)/.installed $(EARK_VENV)/.installed $(JS)/.installed

$(VENV)/.installed: requirements.txt requirements-hashed.txt pyproject.toml scripts/install-system.sh
	bash scripts/install-system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-hashed.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# The independent E-ARK validator (tests/test_eark.py) in its own venv: it pins an lxml older than sohoa's.
# Rebuilt only when its pins change; after .venv so that install-system.sh has run.
$(EARK_VENV)/.installed: tools/eark/requirements.txt scripts/eark-venv.sh | $(VENV)/.installed
	bash scripts/eark-venv.sh

demo: setup
	rm -rf demo
	$(BIN)/sohoa synth demo/batch --dossiers 3 --seed 7 --bad
	$(BIN)/sohoa run demo/batch --out demo/out --campaign "demo"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

test: setup lint
	$(BIN)/pytest

airflow: setup
	$(BIN)/sohoa airflow

clean:
	rm -rf $(VENV) $(EARK_VENV) .airflow .sohoa-work demo .pytest_cache .mypy_cache .ruff_cache

# The dashboard's chart library (Vega-Lite) from the npm registry, pinned with its integrity.
$(JS)/.installed: plugins/js/versions.txt scripts/vendor-js.sh | $(VENV)/.installed
	VENV=$(VENV) bash scripts/vendor-js.sh
	touch $@
