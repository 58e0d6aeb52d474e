# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
APT_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format ci bench system-deps venv migrate demo e2e check clean

system-deps:
	@bash scripts/system-deps.sh $(APT_PACKAGES)

.venv/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[dev]"
	@touch .venv/.installed

venv: system-deps .venv/.installed

migrate: venv
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py collectstatic --noinput -v 0
	@$(PY) manage.py demo_accounts
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	@bash scripts/browser-deps.sh
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

e2e: venv
	$(PY) -m pytest tests/e2e -p no:xdist $(PYTEST_ARGS)

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: venv
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

check: lint test

ci:
	bash .ci/run

bench: venv
	$(PY) bench/run_all.py
