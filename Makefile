# Two commands: `make run` (set up everything, then start the app) and `make test` (same set-up,
# then the whole suite). Both are idempotent and quick when nothing changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# axe-core, from the npm registry, checks the pages' accessibility in the browser tests.
AXE_VERSION := 4.14.1
AXE := $(VENV)/axe-core/node_modules/axe-core/axe.min.js
# On a laptop the soak tests (marked slow) wait for `make test-all`; CI (CI=true) runs everything.
PYTEST_ARGS ?= $(if $(filter true,$(CI)),,-m "not slow")

.PHONY: run test test-all lint setup install migrate demo-data bench clean axe

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "lcadmin needs Python 3.11 or newer (set PYTHON=python3.11)")'
	@test -x $(BIN)/python || { $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip setuptools; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/reflex db migrate

demo-data: migrate
	$(BIN)/lcadmin demo-data --if-empty

setup: demo-data

run: setup
	$(BIN)/reflex run

$(AXE):
	@if command -v npm >/dev/null; then \
	  npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/axe-core axe-core@$(AXE_VERSION); \
	else echo "npm not found: the accessibility checks (axe-core) will be skipped"; fi

axe: $(AXE)

test: setup lint axe
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-all: setup lint axe
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check lcadmin tests bench rxconfig.py
	$(BIN)/pyright

bench: install
	$(BIN)/python bench/bench_money.py
	$(BIN)/python bench/bench_invoices.py
	$(BIN)/python bench/bench_collection.py
	$(BIN)/python bench/bench_licences.py

clean:
	rm -rf $(VENV) .web .states .data
