# The two commands of the README: `make run` and `make test`. Both create .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: run test lint pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/fsr-opt solve --out $(OUT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests $(wildcard benchmarks scripts)
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-$(if $(CI),ci,dev)} $(BIN)/python -m pytest -q

test: lint pytest

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_solve.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
