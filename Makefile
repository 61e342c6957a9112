# The two commands of the README: `make run` and `make test`. Both create .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: run test lint pytest bench mutation clean catalogue

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -qq -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -qq -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/fsr-opt solve --out $(OUT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests $(wildcard benchmarks scripts)
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: $(VENV)/.installed-test
	@if [ -x "$${FSR_OPT_CHROMIUM:-/usr/bin/chromium}" ]; then \
		echo "browser tests: run with $${FSR_OPT_CHROMIUM:-/usr/bin/chromium}"; \
	else echo "browser tests: SKIPPED, no Chromium at $${FSR_OPT_CHROMIUM:-/usr/bin/chromium}" \
		"(apt-get install chromium)"; fi
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-$(if $(CI),ci,dev)} $(BIN)/python -m pytest -q

test: lint pytest

# The gettext catalogue (docs/architecture.md, "Languages"): extract the msgids of the code with
# Babel, add the new ones to the Italian .po (translate them: a test fails until then), compile
# the .mo. Words added in dict form: $(BIN)/python scripts/words_to_po.py MODULE.py
catalogue: $(VENV)/.installed-test
	$(BIN)/python -m scripts.catalogue

# A few minutes; the full table of benchmarks/RESULTS.md: see the commands in its Analysis.
bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks.bench_solve --sizes 211,2000,20000 --plain-max-units 211 \
		--full-max-units 2000 \
		--region 4x2000

# Mutation testing of the core modules against a fast subset of the tests (docs/testing.md):
# not part of `make test`; it resumes where it stopped. MUTANTS='fsr_opt.core.money*' runs one
# module; JOBS sets the parallel workers (2 by default).
$(VENV)/.installed-mutation: $(VENV)/.installed-test
	$(BIN)/python -m pip install -qq -e '.[mutation]'
	touch $@

mutation: $(VENV)/.installed-mutation
	HYPOTHESIS_PROFILE=ci $(BIN)/mutmut run --max-children $(or $(JOBS),2) $(MUTANTS)
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) $(OUT) mutants .pytest_cache .mypy_cache .ruff_cache
