# eduquality — set-up, tests and day-to-day commands. `make help` lists the targets.
#
#   make demo    system packages + venv + SQLite database + demo city, then http://127.0.0.1:8000
#   make test    the whole suite against PostgreSQL and Redis (started here if they are not running)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.ONESHELL:
.DELETE_ON_ERROR:
.NOTPARALLEL:
MAKEFLAGS += --no-builtin-rules --warn-undefined-variables

# --- configuration (override on the command line: make test PYTEST_ARGS="-k schools -x") -----------
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.requirements-installed
MANAGE := $(PY) manage.py
RUFF := $(VENV)/bin/ruff
PYTEST_ARGS ?=
ADDRPORT ?= 127.0.0.1:8000

# Debian packages: PDF rendering (Pango/HarfBuzz + Chinese fonts), browser tests (Chromium),
# PDF text checks (poppler-utils), translations (gettext).
SYSTEM_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
	chromium poppler-utils gettext
# ...and the servers the test suite and the benchmarks run against.
SERVICE_PACKAGES := postgresql redis-server
# ...and the HTTP load generator of bench/load.py.
BENCH_PACKAGES := wrk

TEST_DATABASE_NAME ?= eduquality
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/$(TEST_DATABASE_NAME)
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

# Compiled translations: every .po of the project (not of the venv) gets its .mo.
PO_FILES := $(shell find . \( -path ./.venv -o -path ./var -o -path ./.git -o -path ./node_modules \) -prune \
	-o -name '*.po' -print 2>/dev/null)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: help demo demo-setup test lint fmt bench worker clean distclean \
	system-packages test-system-packages venv messages services

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# --- demo ----------------------------------------------------------------------------------------
demo: demo-setup  ## install everything, seed the demo city, serve http://127.0.0.1:8000
	@echo "==> http://$(ADDRPORT)/  demo logins: admin, bureau, inspector, principal, academic, leader, teacher, principal2 — password Demo-2026!"
	exec $(MANAGE) runserver $(ADDRPORT)

demo-setup: system-packages venv messages  ## everything `make demo` does before it starts the server
	@set -x
	mkdir -p "$${EDUQUALITY_VAR_DIR:-var}"
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo

# --- tests ---------------------------------------------------------------------------------------
# The suite, the benchmarks and `make services` run against PostgreSQL and Redis.
test bench services: export DATABASE_URL := $(TEST_DATABASE_URL)
test bench services: export CELERY_TEST_BROKER_URL := $(TEST_BROKER_URL)

# The production check runs with the settings a deployment has, after collecting the static files
# the way the Docker image does (hashed names: a file a stylesheet points at must exist) into a
# throw-away directory.
test: test-system-packages venv messages services  ## lint, migrations, deploy check and pytest on PostgreSQL + Redis
	@step() { printf '==> %s\n' "$$*"; }
	step "ruff check"
	$(RUFF) check .
	step "ruff format --check"
	$(RUFF) format --check .
	step "makemigrations --check"
	$(MANAGE) makemigrations --check --dry-run
	step "production settings (DEBUG=0): collectstatic, check --deploy"
	production_var=$$(mktemp -d)
	trap 'rm -rf "$$production_var"' EXIT
	production=(DEBUG=0 ALLOWED_HOSTS=eduquality.example EDUQUALITY_VAR_DIR="$$production_var"
		SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')")
	env "$${production[@]}" $(MANAGE) collectstatic --noinput --verbosity 0
	env "$${production[@]}" $(MANAGE) check --deploy --fail-level WARNING
	step pytest
	$(VENV)/bin/pytest $(PYTEST_ARGS)

services: test-system-packages  ## start PostgreSQL and Redis on 127.0.0.1 if they are not answering
	@scripts/services.sh $(TEST_DATABASE_NAME)

bench: test-system-packages venv messages services  ## run every bench/*.py against PostgreSQL
	@scripts/system-packages.sh $(BENCH_PACKAGES)
	$(MANAGE) migrate --noinput
	shopt -s nullglob; scripts=(bench/*.py)
	if (( $${#scripts[@]} == 0 )); then echo "No benchmarks in bench/"; exit 0; fi
	for script in "$${scripts[@]}"; do
		echo "==> $$script"
		DJANGO_SETTINGS_MODULE=eduquality.settings PYTHONPATH="$(CURDIR)" $(PY) "$$script"
	done

# --- code style ----------------------------------------------------------------------------------
lint: venv  ## ruff check + ruff format --check
	@set -x
	$(RUFF) check .
	$(RUFF) format --check .

fmt: venv  ## ruff format + ruff check --fix
	@set -x
	$(RUFF) format .
	$(RUFF) check --fix .

# --- Celery --------------------------------------------------------------------------------------
worker: venv  ## a Celery worker (needs CELERY_BROKER_URL and the web process's DATABASE_URL)
	@if [[ -z "$${CELERY_BROKER_URL:-}" ]]; then
		echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) and DATABASE_URL to the same values" >&2
		echo "as the web process; without a broker the portal runs tasks in-process and needs no worker." >&2
		exit 1
	fi
	$(VENV)/bin/celery -A eduquality worker -l info

# --- building blocks -----------------------------------------------------------------------------
system-packages:
	@scripts/system-packages.sh $(SYSTEM_PACKAGES)

test-system-packages:
	@scripts/system-packages.sh $(SYSTEM_PACKAGES) $(SERVICE_PACKAGES)

venv: $(PIP_STAMP)

$(VENV)/bin/python:
	@scripts/system-packages.sh python3-venv
	if [[ -z "$(PYTHON)" ]]; then echo "python3 not found" >&2; exit 1; fi
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
		echo "$(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); eduquality needs 3.11" >&2
		exit 1
	}
	echo "==> Creating $(VENV) with $(PYTHON)"
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

# pip runs again only when requirements.txt is newer than the stamp.
$(PIP_STAMP): requirements.txt | $(VENV)/bin/python
	@echo "==> Installing requirements.txt into $(VENV)"
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-input -r requirements.txt
	touch $@

messages: $(MO_FILES)

%.mo: %.po | system-packages
	msgfmt --check-format -o $@ $<

# --- cleaning ------------------------------------------------------------------------------------
clean:  ## caches, collected static files and the pip stamp (keeps .venv and the demo database)
	@set -x
	find . \( -path ./.venv -o -path ./.git \) -prune -o -type d -name __pycache__ -print0 | xargs -0 -r rm -rf
	rm -rf .pytest_cache .ruff_cache var/staticfiles $(PIP_STAMP)

distclean: clean  ## also .venv and var/ (the demo database and uploaded files)
	@set -x
	rm -rf $(VENV) var
