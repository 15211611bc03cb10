# Haizhi Events. A fresh machine needs only python3 (3.11) and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test bench lint format messages demo install static clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) scripts/compile_messages.py
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Serving Haizhi Events on http://$(HOST):$(PORT)/ (HTTP and websockets, daphne). Ctrl+C stops."
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) contest_site.asgi:application

serve: install
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) contest_site.asgi:application

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

# Two pytest-xdist workers, one per core of the CI machine, each taking whole modules (module-scoped
# fixtures run once); `make test PYTEST_WORKERS=` runs in one process. (Not `--dist loadgroup`: with
# pytest 9.2, xdist 3.8 cannot add the group to the test ids, so it spreads the tests one by one.)
# Each worker has its own test database and live servers; the demo template database is built once.
PYTEST_WORKERS ?= -n 2 --dist loadscope --no-loadscope-reorder

test: install
	$(PY) scripts/compile_messages.py
	$(PY) -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: install
	$(PY) scripts/compile_messages.py
	$(PY) bench/run_all.py $(BENCH)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-extract strings from the code (needs GNU gettext's xgettext) and recompile.
messages: install
	$(PY) manage.py makemessages --locale zh_Hans --no-obsolete --no-location -e html,txt,py --ignore ".venv/*" --ignore "staticfiles/*" --ignore "test-artifacts/*"
	$(PY) scripts/compile_messages.py

static: install
	$(PY) manage.py collectstatic --noinput

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
