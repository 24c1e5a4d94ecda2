# Chợ OCOP. Two commands: `make demo` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?= --reuse-db
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# A real OpenSearch node (Maven Central jars, see services/opensearch/) when Java is here.
OPENSEARCH := services/opensearch/opensearch.sh
STRIPE_MOCK := services/stripe-mock/stripe-mock.sh
REDIS := services/redis/redis.sh
OPENSEARCH_URL ?= http://127.0.0.1:9250
REDIS_URL ?= redis://127.0.0.1:6390
HAVE_JAVA := $(shell command -v java >/dev/null 2>&1 && echo yes)
DEMO_SEARCH_URL := $(if $(HAVE_JAVA),$(OPENSEARCH_URL),)
DEMO_ENV := DJANGO_SETTINGS_MODULE=marketplace.settings.demo SEARCH_URL=$(DEMO_SEARCH_URL) READYZ_REQUIRE_WORKERS=1

.PHONY: demo dev test test-gates test-services test-tools install messages compilemessages lint check chromium opensearch stripe-mock redis node-tools db-stop stop bench clean

## demo: install, start PostgreSQL, Redis and OpenSearch, migrate, seed the demo data and serve
## http://127.0.0.1:8000 as production runs: gunicorn, one worker per task queue, logs in var/log/
demo: install compilemessages
	@if [ -n "$(HAVE_JAVA)" ]; then $(OPENSEARCH) start >/dev/null; \
	else echo "Java not found: search runs on PostgreSQL (install Java 17 and Maven for OpenSearch)."; fi
	@$(REDIS) start >/dev/null || echo "Redis did not start: each process keeps its own cache."
	$(DEMO_ENV) $(MANAGE) migrate --no-input
	$(DEMO_ENV) $(MANAGE) seed_demo
	$(DEMO_ENV) $(MANAGE) reports_rollup
	$(DEMO_ENV) $(MANAGE) search_index --rebuild
	$(DEMO_ENV) $(MANAGE) collectstatic --no-input -v0
	@echo "Chợ OCOP: http://127.0.0.1:8000  (commune sites: http://lucngan.localhost:8000, http://phuchoa.localhost:8000, http://xuanloc.localhost:8000; province: http://bacninh.localhost:8000)"
	@echo "Readiness: http://127.0.0.1:8000/readyz  Logs: var/log/ (text messages and codes: var/log/worker-messages.log)"
	$(DEMO_ENV) CACHE_URL=$$($(REDIS) status >/dev/null 2>&1 && echo $(REDIS_URL)/1) $(MANAGE) serve

## dev: the auto-reloading development server (DEBUG on) and one worker for every queue
dev: install compilemessages
	$(MANAGE) migrate --no-input
	@export SEARCH_URL=$(DEMO_SEARCH_URL); \
	mkdir -p var/log; $(MANAGE) db_worker --queue-name '*' --interval 1 > var/log/worker-dev.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:8000

## test: install, start the services the tests need, run the quality gates and the whole suite.
## The gates, the services and the tools are made in three lanes side by side (each lane's output is
## printed in one piece when it ends); apt-get is only called in the third lane (its lock is not shared).
test: install compilemessages
	@$(MAKE) --no-print-directory -j3 --output-sync=recurse test-gates test-services test-tools
	OPENSEARCH_URL=$(OPENSEARCH_URL) REDIS_URL=$(REDIS_URL) $(BIN)/pytest $(PYTEST_ARGS)

test-gates:
	@$(MAKE) --no-print-directory lint && $(MAKE) --no-print-directory check

test-services:
	@$(MAKE) --no-print-directory opensearch && $(MAKE) --no-print-directory stripe-mock

test-tools:
	@$(MAKE) --no-print-directory chromium && $(MAKE) --no-print-directory redis && $(MAKE) --no-print-directory node-tools

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed

## compilemessages: vi/en catalogues to .mo (Babel: no system gettext needed)
compilemessages: install
	$(BIN)/pybabel -q compile --domain django --directory marketplace/locale

## messages: refresh the .po catalogues after changing strings (needs GNU gettext)
messages: install
	$(MANAGE) makemessages -l vi -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-obsolete

## lint: ruff, templates, and the layers (import-linter: an import never points up, see docs/architecture.md)
lint: install
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check frontend/templates

check: install compilemessages
	DJANGO_SETTINGS_MODULE=marketplace.settings.test $(MANAGE) check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=marketplace.settings.test $(MANAGE) makemigrations --check --dry-run
	@# The production settings pass Django's deploy checks (no warning). Throwaway values: production.py
	@# refuses to load without them; the key is random per run, the database is never reached.
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  DATABASE_URL=postgres://x@127.0.0.1/x ALLOWED_HOSTS=example.org DJANGO_SETTINGS_MODULE=marketplace.settings.production \
	  $(MANAGE) check --deploy --fail-level WARNING

## chromium: Debian's Chromium for the browser journeys (installed with apt when missing)
chromium:
	@if command -v chromium >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; else \
	  echo "Chromium is missing and apt-get needs root: install the 'chromium' package."; exit 0; fi; \
	echo "Installing Debian's chromium for the browser tests..."; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null

## opensearch: start the local OpenSearch node for the search contract tests (needs Java 17 + Maven once)
opensearch:
	@if [ -n "$(HAVE_JAVA)" ]; then $(OPENSEARCH) start >/dev/null; \
	elif [ "$$CI" = true ]; then echo "CI=true but Java is missing: OpenSearch cannot start."; exit 1; \
	else echo "Java not found: the search tests against OpenSearch will be skipped."; fi

## stripe-mock: Stripe's API simulator on loopback for the card payment tests (built with `go install`)
stripe-mock:
	@if command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ]; then PATH="$$PATH:/usr/local/go/bin" $(STRIPE_MOCK) start >/dev/null; \
	elif [ "$$CI" = true ]; then echo "CI=true but Go is missing: stripe-mock cannot be built."; exit 1; \
	else echo "Go not found: the card payment tests against stripe-mock will be skipped."; fi

## redis: a local Redis (Debian's redis-server, installed with apt when missing) for the shared-cache tests
redis:
	@if $(REDIS) start >/dev/null; then :; \
	elif [ "$$CI" = true ]; then echo "CI=true but Redis cannot start (see above)."; exit 1; \
	else echo "Redis did not start: the shared-cache tests will be skipped."; fi

## node-tools: the EPCIS 2.0 validator the tests run with Node (npm's epcis2.js, pinned by
## tools/epcis/package-lock.json; installed again only when those files change)
node-tools:
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; else SUDO=none; fi; \
	  if [ "$$SUDO" != none ]; then echo "Installing Debian's nodejs and npm for the EPCIS validator..."; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; fi; \
	fi; \
	if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory tools/epcis/node_modules/.installed; \
	elif [ "$$CI" = true ]; then echo "CI=true but Node.js/npm is missing: the EPCIS documents cannot be validated."; exit 1; \
	else echo "Node.js not found: the EPCIS validation tests will be skipped."; fi

tools/epcis/node_modules/.installed: tools/epcis/package.json tools/epcis/package-lock.json tools/epcis/stub-fs/package.json
	npm ci --prefix tools/epcis --no-audit --no-fund --loglevel=error
	touch $@

## stop: stop the background services (OpenSearch, stripe-mock, Redis, PostgreSQL)
stop: db-stop
	$(OPENSEARCH) stop
	$(STRIPE_MOCK) stop
	$(REDIS) stop

## db-stop: stop the private PostgreSQL under var/pgdata
db-stop: install
	$(BIN)/python -c "from marketplace.database import stop_embedded_server; stop_embedded_server()"

## bench: page weight, queries and server time per storefront page; stamps; trace page under load;
## the catalogue at 10k and 100k products beside stock Oscar; the dashboards with a year of a province's
## activity; faults survived under a mixed load (its own PostgreSQL, Redis and OpenSearch)
bench: install compilemessages
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(MANAGE) migrate --no-input
	$(BIN)/python bench/storefront_pages.py
	$(BIN)/python bench/stamps.py
	$(BIN)/python bench/trace_page.py
	$(OPENSEARCH) start >/dev/null && $(BIN)/python bench/search.py
	$(BIN)/python bench/catalogue_scale.py
	$(BIN)/python bench/checkout.py
	$(BIN)/python bench/seasons.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/faults.py

clean: stop
	rm -rf $(VENV) var
