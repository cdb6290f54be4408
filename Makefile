# Two commands on a fresh machine: `make run` (the product on the local default) and `make test`.
# Needs Python 3.11+, Java 17 and Maven (the Neo4j jars come from Maven Central on first use).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: venv run test lint typecheck unit compose-check bench clean-db

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

# Start the local Neo4j (or use NEO4J_URI), load the synthetic demo county once, start the app.
run: venv
	$(BIN)/jigsaw up

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy graph ingest queries app tests

compose-check:
	@if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then \
		docker compose -f docker-compose.yml config -q && echo "docker-compose.yml: valid"; \
	else echo "docker compose client not found: skipping docker-compose.yml check"; fi

# The tests start their own throwaway Neo4j (or use NEO4J_URI) and run Cypher against it.
test: venv lint typecheck compose-check
	$(BIN)/pytest

clean-db:
	-$(BIN)/jigsaw db stop
	rm -rf .jigsaw
