# rivalwatch: every target bootstraps what it needs and is safe to run again.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: demo test bench lint setup browser clean

setup: $(STAMP) browser

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

# Debian's Chromium, because Playwright cannot download its own browser here (and a CJK font, so the
# zh-CN pages and Chinese competitor names render in screenshots).
browser:
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null && ! fc-list 2>/dev/null | grep -qi wenquanyi; then \
		apt-get install -y -qq fonts-wqy-zenhei >/dev/null 2>&1 || true; fi
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for browser rendering..."; \
		(apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)) \
		|| echo "NOTE: could not install chromium: browser rendering is unavailable"; \
	else echo "NOTE: $(CHROMIUM) is missing and we are not root: browser rendering is unavailable (apt-get install chromium)"; fi

demo: setup
	$(BIN)/rivalwatch demo

# Two workers, one a core: the suite spends much of its time waiting on servers, browsers and subprocesses.
PYTEST_ARGS ?= -n 2

test: setup
	$(BIN)/lint-imports --no-cache
	$(BIN)/pyright
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: setup
	@set -e; for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b; done

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/pyright
	$(BIN)/ruff format --check . || true

clean:
	rm -rf $(VENV) var .pytest_cache
