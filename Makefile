# Two entry points (see README):
#   make run   install, analyse the bundled corpus, start the service
#   make test  install (Python + system packages), start PostgreSQL, run the whole test suite
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-deps run test bench

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

system-deps:
	bash scripts/install_system_deps.sh

# Simply expanded, once: a recursive `?= $(shell ...)` drew a new token at every use, so the token
# printed by `make run` was not the one the server got (issue 12).
ifeq ($(origin PLANGAP_TOKEN),undefined)
PLANGAP_TOKEN := $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(18))')
endif

run: install
	# the parents' own wording for the UI, read in place from ../shared/parents when it is there (git-ignored)
	if [ -d ../shared/parents ]; then $(PY) corpus/parents/build_parents.py --texts-only; fi
	$(PY) -m service bulk corpus/plans --out out/corpus
	@echo "admin token (Authorization: Bearer ...): $(PLANGAP_TOKEN)"
	PLANGAP_TOKEN=$(PLANGAP_TOKEN) PLANGAP_OPEN_READS=$${PLANGAP_OPEN_READS:-1} $(PY) -m service serve --host $(HOST) --port $(PORT)

test: install system-deps
	TEST_DATABASE_URL="$$(bash scripts/start_postgres.sh)" $(PY) -m pytest -q -ra

bench: install
	$(PY) bench/benchmark.py
