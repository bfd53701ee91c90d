# conflictmap: the two commands a fresh machine needs are `make example` and `make test`.
VENV ?= .venv
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
EXAMPLE_OUT ?= outputs/qala-e-naw-2021.html

.PHONY: setup system-deps example test bench lint typecheck clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

setup: $(VENV)/.installed

# Real-browser tests drive Debian's chromium through Playwright (no browser download).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Main job: render the Qala-e-Naw example claims to an offline HTML map in outputs/.
example: setup
	$(VENV)/bin/conflictmap map examples/qala-e-naw-2021/claims.csv -o $(EXAMPLE_OUT) \
		--title "Qala-e-Naw, Badghis: competing claims, July 2021" --overwrite
	@echo "map written to $(EXAMPLE_OUT)"

test: system-deps setup
	$(VENV)/bin/python -m pytest

bench: setup
	$(VENV)/bin/python benchmarks/bench_gazetteer.py

# Lint (rules: [tool.ruff] in pyproject.toml). `make test` runs it too, through tests/test_lint.py.
lint: setup
	$(VENV)/bin/ruff check .

# Static types of the gazetteer package (settings: [tool.mypy] in pyproject.toml); needs the dev extra.
typecheck: setup
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build *.egg-info
