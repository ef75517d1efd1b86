# The two promised commands: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
APT_PACKAGES := libzbar0 chromium fonts-dejavu-core

.PHONY: run test lint bench deps venv migrate seed clean frontend

$(STAMP): setup.cfg pyproject.toml
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  command -v npm >/dev/null || missing="$$missing npm"; \
	  if [ -n "$$missing" ]; then echo "apt-get install$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	fi
	@command -v $(PY) >/dev/null || { echo "python 3.11 is required ($(PY) not found)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv deps: $(STAMP) frontend

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --silent

frontend: frontend/node_modules/.package-lock.json

migrate: deps
	EID_ENV=$${EID_ENV:-development} $(BIN)/flask --app wsgi db upgrade

seed: migrate
	EID_ENV=$${EID_ENV:-development} $(BIN)/flask --app wsgi registry seed

run: seed
	EID_ENV=$${EID_ENV:-development} PORT=$(PORT) $(BIN)/python -m eid.app.serve

test: deps
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: deps
	$(BIN)/ruff check .
	$(BIN)/mypy eid/nfc eid/qr_login eid/accounts
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_import_circles.py

bench: seed
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) frontend/node_modules instance/*.sqlite3
