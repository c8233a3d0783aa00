# Two commands do all the set-up on a fresh machine:
#   make run    create .venv if missing, install the app, open the desk window on the default database
#   make test   install the test tools (and, as root, missing Debian packages), then run every check headless
.DEFAULT_GOAL := help
SHELL := /bin/sh
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
VNU_VERSION := 26.9.27
VNU_JAR := $(TOOLS)/node_modules/vnu-jar/build/dist/vnu.jar
# Drives Debian's chromium for the hostile-content probes (tests/integration/test_hostile_content.py).
PLAYWRIGHT_VERSION := 1.65.1
NODE_TOOLS := $(TOOLS)/.installed-vnu-$(VNU_VERSION)-playwright-$(PLAYWRIGHT_VERSION)
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: help run test check lint typecheck layers pytest system-deps desktop-deps clean bench

help:
	@echo "make run    install into .venv and open the desk window (ARGS='--db other.sqlite3' to choose a database)"
	@echo "make test   install test tools and system packages, then run lint, types, layers and the test suite"
	@echo "make bench  export benchmark on SQLite and PostgreSQL against hugo and pelican when installed (not part of test; see README)"

$(BIN)/python:
	@python="$$(PYTHON='$(PYTHON)' scripts/find-python)" && echo "creating $(VENV) with $$python" && "$$python" -m venv $(VENV)

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-app
	$(PIP) install -e '.[test]'
	@touch $@

# One npm install for both: a second `npm install --no-save` in the folder would prune the first package.
$(NODE_TOOLS):
	mkdir -p $(TOOLS)
	cd $(TOOLS) && npm install --no-save --no-audit --no-fund --loglevel=error \
		vnu-jar@$(VNU_VERSION) playwright-core@$(PLAYWRIGHT_VERSION)
	@touch $@

desktop-deps:
	@scripts/install-system-deps desktop

system-deps:
	@scripts/install-system-deps test

run: $(VENV)/.installed-app desktop-deps
	$(BIN)/ca-editor $(ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

layers: $(VENV)/.installed-test
	$(BIN)/lint-imports

pytest: $(VENV)/.installed-test system-deps $(NODE_TOOLS)
	CA_EDITOR_REQUIRE_TOOLS=1 VNU_JAR=$(VNU_JAR) PLAYWRIGHT_CORE=$(TOOLS)/node_modules/playwright-core \
		$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck layers pytest

# Not part of test: it takes minutes and its figures depend on the machine. BENCH_ARGS='--stories 2000
# --runs 5 --scale 50000,200000' to change it.
# The image case (issue 17): IMAGE_BENCH_ARGS='--images 200' for a shorter run (Hugo alone needs about
# 3 s per 12-MP photo on two cores).
# BENCH_DB: the engines the export benchmark measures side by side: sqlite, postgres (a throwaway server;
# Debian's postgresql package is installed when missing) or postgresql://… URLs (see bench/engines.py).
BENCH_DB ?= sqlite postgres
bench: $(VENV)/.installed-app
	@case " $(BENCH_DB) " in *" postgres "*) scripts/install-system-deps postgres ;; esac
	$(BIN)/python bench/export_bench.py $(foreach db,$(BENCH_DB),--db '$(db)') $(BENCH_ARGS)
	$(BIN)/python bench/image_bench.py $(IMAGE_BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) build dist .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
