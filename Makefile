PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: brief test lint clean

# The virtual environment is rebuilt whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

brief: $(STAMP)
	$(BIN)/briefing build seeds --out out

test: $(STAMP)
	$(BIN)/ruff check briefing tests bench
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check briefing tests bench
	$(BIN)/ruff format --check briefing tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) out/brief-*
