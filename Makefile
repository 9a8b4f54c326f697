# cablesearch: `make run` serves the app with the bundled sample imported; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SAMPLE := cables/data/sample

.PHONY: run test test-postgres fuzz lint format install install-dev migrate sample worker bench clean

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12+ is needed (pyenv reads .python-version)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput -v0

sample: migrate
	DJANGO_DEBUG=1 $(PY) manage.py import_cables $(SAMPLE)

# Serves on http://$(HOST):$(PORT) with the import worker beside the server; Ctrl-C stops both.
run: sample
	@echo
	@echo "To create an admin user: DJANGO_DEBUG=1 $(PY) manage.py createsuperuser"
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the worker)"
	@echo
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(PY) manage.py db_worker & worker=$$!; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

# The suite again on a throwaway PostgreSQL cluster (Debian's postgresql package); the browser and
# whole-corpus tests do not depend on the database and run only in `make test`.
test-postgres: install-dev
	.ci/with-postgres $(PY) -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

# Property-based tests (parser, query parser, search service) with many more generated inputs
# than CI runs (a few hundred there). 100,000 per test takes a few hours on 2 cores.
FUZZ_EXAMPLES ?= 100000
FUZZ_TESTS := tests/cables/test_parsing_properties.py tests/search/test_query_fuzz.py \
	tests/search/test_whoosh_highlight.py
fuzz: install-dev
	CABLESEARCH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -p no:cacheprovider \
		--durations=0 $(FUZZ_TESTS) $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install-dev
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var .pytest_cache
