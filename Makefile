# Two commands on a fresh machine: `make run` (the product on the local default) and `make test`.
# Needs Python 3.11+, Java 17 and Maven (the Neo4j jars come from Maven Central on first use).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: venv run test lint typecheck unit compose-check bench clean-db browser

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

# Debian's Chromium for the app's real-browser test (Playwright drives it by executable_path: it cannot
# download a browser of its own here), and poppler-utils, which the tests use to read the PDF briefing.
APT_PACKAGES := chromium chromium-driver poppler-utils
browser:
	@if [ -x /usr/bin/chromium ] && command -v pdftotext >/dev/null 2>&1; then \
		echo "browser: /usr/bin/chromium present"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "browser: WARNING no apt-get here: install Chromium at /usr/bin/chromium (or set JIGSAW_CHROMIUM) and poppler-utils; the browser test is skipped until then"; \
	elif [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(APT_PACKAGES); \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(APT_PACKAGES); \
	else \
		echo "browser: WARNING not root and no password-less sudo: run 'sudo apt-get install $(APT_PACKAGES)'; the browser test is skipped until then"; \
	fi

# The tests start their own throwaway Neo4j (or use NEO4J_URI) and run Cypher against it.
test: venv lint typecheck compose-check browser
	$(BIN)/pytest

clean-db:
	-$(BIN)/jigsaw db stop
	rm -rf .jigsaw
