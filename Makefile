# `make check` and `make test` are what CI runs (through .ci/run); run them before you push.
PY ?= .venv/bin/python

.PHONY: check test lint format typecheck imports deps bench

check: lint typecheck imports deps

lint:
	$(PY) -m ruff check bot tests bench
	$(PY) -m ruff format --check bot tests bench

format:
	$(PY) -m ruff format bot tests bench
	$(PY) -m ruff check --fix bot tests bench

typecheck:
	$(PY) -m mypy

imports:
	$(dir $(PY))lint-imports

deps:
	$(dir $(PY))deptry .

test:
	$(PY) -m pytest

bench:
	$(PY) bench/p4_calendar.py
