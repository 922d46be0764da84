# Onroll — run `make help` to see the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install assets browser demo test test-sqlite test-postgres lint bench-web

help: ## List the targets with what they do
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-15s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed assets ## Install Python packages and GOV.UK Frontend into .venv and node_modules

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --silent

assets: node_modules/.package-lock.json ## Copy GOV.UK Frontend's CSS, JS, fonts and images into the app's static files
	mkdir -p onroll/web/static/govuk onroll/web/root_files
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js onroll/web/static/govuk/
	rm -rf onroll/web/root_files/assets && cp -r node_modules/govuk-frontend/dist/govuk/assets onroll/web/root_files/assets

browser: ## Install Debian's chromium for the browser tests (never `playwright install`)
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

demo: install ## Install everything, build a synthetic LA in SQLite, print the demo users and serve on 127.0.0.1:8000
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_packs
	$(PY) manage.py demo_data
	$(PY) manage.py runserver 127.0.0.1:8000

test: install browser ## Install everything, lint, and run the whole suite on SQLite, then on PostgreSQL when it answers (always in CI)
	$(VENV)/bin/ruff check .
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$CI" ] || pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL not answering on 127.0.0.1:5432: skipped the PostgreSQL run"; fi

test-sqlite: ## Run the suite on SQLite only
	DATABASE_URL=sqlite:///var/test.sqlite3 $(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres: ## Run the suite on PostgreSQL only (127.0.0.1:5432, database test)
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: ## Lint and check formatting with ruff
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
