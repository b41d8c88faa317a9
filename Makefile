# ServiceBay. `make run` serves the demo shop; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2
export FLASK_APP = wsgi.py

.PHONY: install run dev test test-sqlite test-postgres bench translations clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Migrate, load the demo into a new database, print the logins, serve with gunicorn.
run: install
	$(PY) -m flask db upgrade
	$(PY) -m flask demo --if-new
	@if [ "$(HOST)" = "0.0.0.0" ]; then $(PY) -m flask lan-qr --port $(PORT); fi
	@echo "ServiceBay on http://$(HOST):$(PORT)/"
	$(VENV)/bin/gunicorn --workers $(WORKERS) --threads 4 --bind $(HOST):$(PORT) --access-logfile - wsgi:app

dev: install
	$(PY) -m flask db upgrade
	$(PY) -m flask demo --if-new
	$(PY) -m flask run --debug --host $(HOST) --port $(PORT)

# SQLite run (with the browser tests), then PostgreSQL at TEST_DATABASE_URL.
test: install
	$(PY) -m pytest -q
	TEST_DB=postgres $(PY) -m pytest -q --ignore=tests/browser

test-sqlite: install
	$(PY) -m pytest -q

test-postgres: install
	TEST_DB=postgres $(PY) -m pytest -q --ignore=tests/browser

bench: install
	$(PY) bench/run.py

# After changing user-facing strings: extract, merge into both catalogs, compile.
translations: install
	$(PY) scripts/i18n.py

clean:
	rm -rf $(VENV) tests/artifacts
