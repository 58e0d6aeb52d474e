# The two commands a new user needs: `make run` and `make test`.
# Every install is the lock (uv.lock, with hashes): `make lock` re-resolves after editing pyproject.toml,
# `make upgrade` takes the newest versions pyproject.toml allows; then `make test`, and commit both files.
SHELL := /bin/bash
PY := .venv/bin/python
UV := .venv/bin/uv
# uv itself is locked (dev extra in pyproject.toml); the bootstrap installs that same version.
UV_VERSION := $(shell sed -n 's/^ *"uv==\([0-9.]*\)".*/\1/p' pyproject.toml)
export UV_PYTHON_DOWNLOADS := never
APT_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils
HOST ?= 127.0.0.1
PORT ?= 8000
# The address people (and the QR codes in issued PDFs) reach the served site at.
PUBLIC_HOST ?= $(if $(filter 0.0.0.0 ::,$(HOST)),$(shell hostname -I 2>/dev/null | cut -d' ' -f1),$(HOST))
PUBLIC_BASE_URL ?= http://$(PUBLIC_HOST):$(PORT)

.PHONY: run test lint lock upgrade format ci bench drill system-deps venv migrate demo e2e check clean

system-deps:
	@bash scripts/system-deps.sh $(APT_PACKAGES)

# (pip -qq: only errors; a machine-wide pip.conf pointing at absent mirrors warns on every install.)
# `uv sync --locked` installs exactly uv.lock (hashes checked), removes anything else, and refuses when
# pyproject.toml changed without `make lock`.
.venv/.installed: pyproject.toml uv.lock
	@test -x $(PY) || python3 -m venv .venv
	@test "$$($(UV) --version 2>/dev/null | cut -d' ' -f2)" = "$(UV_VERSION)" \
		|| $(PY) -m pip install -qq --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(UV) sync --locked --extra dev -q
	@touch .venv/.installed

venv: system-deps .venv/.installed

lock: venv
	$(UV) lock

upgrade: venv
	$(UV) lock --upgrade
	$(UV) sync --locked --extra dev
	@echo "已更新 uv.lock：运行 make test，通过后提交 pyproject.toml 与 uv.lock。"

migrate: venv
	$(PY) manage.py migrate --noinput -v 0

demo: export PUBLIC_BASE_URL := $(PUBLIC_BASE_URL)
demo: migrate
	$(PY) manage.py seed_demo

run: export PUBLIC_BASE_URL := $(PUBLIC_BASE_URL)
run: export DJANGO_RUNSERVER_HIDE_WARNING := true
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
	$(UV) lock --check
	$(UV) sync --locked --extra dev --check -q
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache
	.venv/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

format: venv
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

check: lint test

ci:
	bash .ci/run

bench: venv
	$(PY) bench/run_all.py

# Backup-and-restore drill with real processes on the local PostgreSQL (README "运维").
drill: venv
	bash scripts/drill-backup-restore.sh
