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

.PHONY: run serve test test-all lint setup install migrate demo-data bench load-test clean axe

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

# Production mode on one port (http://localhost:3000): the frontend built once, Reflex's
# production server. A demo on this host by default (SQLite, one worker, the sandbox bank); with
# REFLEX_DB_URL (PostgreSQL) and REFLEX_REDIS_URL exported it runs LCADMIN_WORKERS workers, and
# LCADMIN_ENV=prod makes it production (see the README's deployment page).
serve: migrate
	@if [ "$${LCADMIN_ENV:-demo}" = demo ]; then LCADMIN_ENV=demo $(BIN)/lcadmin demo-data --if-empty; fi
	LCADMIN_ENV=$${LCADMIN_ENV:-demo} LCADMIN_PUBLIC_URL=$${LCADMIN_PUBLIC_URL:-http://localhost:$${LCADMIN_PORT:-3000}} \
	  $(BIN)/lcadmin serve --host $${LCADMIN_HOST:-127.0.0.1} --port $${LCADMIN_PORT:-3000}

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
	$(BIN)/python bench/bench_lists.py
	$(BIN)/python bench/bench_events.py

# Caddy + two instances + PostgreSQL + Redis on this machine, 200 clients for 60 s (loopback only).
load-test: install
	$(BIN)/python bench/load_test.py

clean:
	rm -rf $(VENV) .web .states .data
