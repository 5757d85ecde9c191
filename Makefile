# awsassess: the two commands most people need are `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
OUT ?= outputs/demo
JOBS ?=

.PHONY: setup lock demo demo-after test test-fast lint typecheck lab notebooks rules bench clean help

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup:  ## install system packages (apt, when root), .venv and the project; idempotent
	@bash scripts/bootstrap.sh

lock:  ## re-resolve requirements.lock from pyproject.toml (UPGRADE=1: newest of everything); then make test
	@bash scripts/lock.sh $(if $(UPGRADE),--upgrade)

demo: setup  ## run the whole assessment on the simulated two-account estate into outputs/demo
	$(BIN)/awsassess demo --out $(OUT) $(if $(JOBS),--jobs $(JOBS))

demo-after: setup  ## migrate the simulated estate by outputs/demo's plan (WAVES=N: the first N), assess and verify it
	$(BIN)/awsassess demo --after --out $(OUT) $(if $(WAVES),--waves $(WAVES)) $(if $(JOBS),--jobs $(JOBS))

test: setup  ## lint + type check + the whole test suite: the light half, then the heavy half, each over the cores
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -p no:cacheprovider --timeout 600 --fast -n auto
	$(BIN)/python -m pytest -q -p no:cacheprovider --timeout 600 --heavy-only -n auto --dist loadgroup --durations=15

test-fast: setup  ## the edit loop: tests needing no server, kernel, browser or process (under a minute)
	$(BIN)/python -m pytest -q -p no:cacheprovider --timeout 120 --fast -n auto

lint: setup  ## ruff
	$(BIN)/ruff check lib tests benchmarks

typecheck: setup  ## mypy on lib/awsassess (part of make test)
	$(BIN)/mypy

lab: setup  ## JupyterLab on the checkout, exploring RUN (default outputs/demo): account picker, what-if, sortable tables
	$(BIN)/awsassess lab $(if $(RUN),$(RUN))

notebooks: setup  ## regenerate notebooks/*.ipynb from their paired py:percent files, without outputs
	$(BIN)/jupytext --sync notebooks/*.py
	$(BIN)/nbstripout --keep-id notebooks/*.ipynb
	$(BIN)/python scripts/normalize_notebooks.py notebooks/*.ipynb

rules: setup  ## regenerate docs/rules.md from the rule registry
	$(BIN)/python -m awsassess.findings.catalog

bench: setup  ## print the benchmark figures (not part of make test)
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:  ## remove generated outputs (keeps .venv)
	rm -rf outputs/* .pytest_cache && touch outputs/.gitkeep
