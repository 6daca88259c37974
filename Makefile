# danvan — two commands for a fresh machine with Python 3.11+ and make:
#   make chat   try the bot in the terminal on the embedded demo commune
#   make test   lint, type-check and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
STAMP_MAIN := $(VENV)/.installed-main
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: chat test lint typecheck pytest bench clean

chat: $(STAMP_MAIN)
	$(BIN)/danvan chat

test: $(STAMP_DEV) lint typecheck pytest

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

pytest: $(STAMP_DEV)
	$(BIN)/pytest

bench: $(STAMP_DEV)
	$(BIN)/python -m benchmarks all

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "danvan needs Python 3.11 or newer: run make PYTHON=python3.11 …")'
	$(PYTHON) -m venv $(VENV)

$(STAMP_MAIN): $(BIN)/python requirements/build.txt requirements/main.txt pyproject.toml
	$(PIP) install --require-hashes -r requirements/build.txt -r requirements/main.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

$(STAMP_DEV): $(BIN)/python requirements/build.txt requirements/dev.txt pyproject.toml
	$(PIP) install --require-hashes -r requirements/build.txt -r requirements/dev.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
