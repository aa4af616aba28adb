# sohoa — the two commands are `make demo` and `make test`; both do all set-up themselves.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= $(shell command -v python3.11 || command -v python3)

export AIRFLOW_HOME := $(CURDIR)/.airflow
export SOHOA_WORK_DIR := $(CURDIR)/.sohoa-work
export OMP_THREAD_LIMIT := 1

.PHONY: setup demo test lint airflow clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml scripts/install-system.sh
	bash scripts/install-system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

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
	rm -rf $(VENV) .airflow .sohoa-work demo .pytest_cache .mypy_cache .ruff_cache
