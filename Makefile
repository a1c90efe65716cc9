# VBE-portalen. `make run` sets everything up and starts the portal; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_ENV := VBE_ENV=demo SITE_URL=http://127.0.0.1:$(PORT)

.DEFAULT_GOAL := help
.PHONY: help run setup assets db test lint clean bench bench-import bench-search messages mutation

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed-runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 eller senare krävs.")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed-runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end assets from the npm registry, served by the portal itself (no CDN).
static/build/app.css: node_modules/.installed $(wildcard static/src/*.scss)
	mkdir -p static/build static/vendor/govuk
	# Source-map comments are dropped: the maps are not shipped, and the manifest storage checks references.
	sed '/sourceMappingURL=/d' node_modules/govuk-frontend/dist/govuk/all.bundle.js > static/vendor/govuk/all.bundle.js
	npm run --silent build

assets: static/build/app.css ## Build CSS and copy front-end packages into static/

setup: $(VENV)/.installed-runtime assets ## Install dependencies and assets

db: setup ## Migrate the SQLite database and load reference and demo data (idempotent)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_reference_data
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@# The access log's first checkpoint outside the database (README, "Access-log checkpoints").
	test -s var/audit/checkpoints-demo.log || $(DEMO_ENV) $(PY) manage.py verify_audit_log --initialise
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0

run: db ## Set up and start the portal on http://127.0.0.1:$(PORT) with demo data and one job worker
	@$(DEMO_ENV) $(PY) manage.py seed_demo --accounts-only
	@# One worker beside the server (imports, reminders, e-mail retries), stopped when the server stops.
	$(DEMO_ENV) $(PY) manage.py run_jobs & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

test: $(VENV)/.installed-dev assets ## Run the whole suite (unit, integration, browser)
	$(PY) -m pytest

# Swedish is the source language: the msgids are the Swedish text, so msgstr stays empty in locale/sv.
messages: $(VENV)/.installed-runtime ## Regenerate locale/sv/LC_MESSAGES/django.po (needs GNU gettext)
	VBE_ENV=test $(PY) manage.py makemessages --locale sv --add-location file --no-obsolete \
		--ignore node_modules --ignore static --ignore var --ignore data --ignore tests

lint: $(VENV)/.installed-dev ## ruff, the layer contract between the apps, and the types of the services and rules
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

# Not in .ci/run: it takes a while. mutmut works on a fresh copy in mutants/ (git-ignored), on SQLite:
# the test database is built once and each mutant's tests run in a forked copy of it.
mutation: $(VENV)/.installed-dev ## Mutation testing of the permission rules and workflow services (score per module)
	rm -rf mutants
	env -u DATABASE_URL $(PY) tools/mutation.py run
	$(PY) tools/mutation.py score

clean: ## Remove the virtualenv, node_modules, built assets and the demo database
	rm -rf $(VENV) node_modules static/build static/vendor var

# Not in .ci/run: it takes long (scale 10 is generated). Production settings and granian on PostgreSQL
# (a throw-away database or cluster), measured from outside; README "Prestanda / Performance".
bench: $(VENV)/.installed-runtime assets ## Measure every key page at scale 1 and 10, a mixed load and the documents (SCALES=1,10 ROUNDS=30 DURATION=120 USERS=50 RUNS=5)
	$(PY) -m tools.bench
	$(PY) -m tools.bench.search_bench

# Also run at the end of `make bench` (on its PostgreSQL database, production settings).
bench-import: $(VENV)/.installed-runtime ## Time checking and importing 100,000 completion rows (SQLite; DATABASE_URL=postgres://…/vbe_bench_import for PostgreSQL; ROWS=)
	$(PY) -m tools.bench.import_bench

# Also run at the end of `make bench` (its own database: SQLite, or DATABASE_URL when that names a bench database).
bench-search: $(VENV)/.installed-runtime ## Time search over 5,000 support resources (SQLite; DATABASE_URL=postgres://…/vbe_bench_search for PostgreSQL; RESOURCES= QUERIES=)
	$(PY) -m tools.bench.search_bench
