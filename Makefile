# ServiceBay. `make run` serves the demo shop; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2
# pytest-xdist processes; each has its own SQLite files and its own PostgreSQL database (test_gw0, ...).
TEST_WORKERS ?= auto
PYTEST  = $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile
export FLASK_APP = wsgi.py

.PHONY: install run dev test test-sqlite test-postgres test-dates bench load load-group soak translations clean

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
	$(PYTEST)
	TEST_DB=postgres $(PYTEST) --ignore=tests/browser

test-sqlite: install
	$(PYTEST)

test-postgres: install
	TEST_DB=postgres $(PYTEST) --ignore=tests/browser

# The calendar-dependent tests (SQLite) with the clock moved by faketime to hard days: the first minutes of a
# year and of a month, 29 February, a Sunday night, the night a Berlin shop changes its clocks.
# DAYS="leap-day" for some of them; `$(PY) scripts/test_dates.py --at '2027-07-01 00:05' -- tests` for any time.
test-dates: install
	$(PY) scripts/test_dates.py $(DAYS)

bench: install
	$(PY) bench/run.py

# The shop under load behind gunicorn: 40 technicians, 5 advisors, 3 boards, 200 status links, 5 minutes
# on SQLite, then on PostgreSQL (database test_ops, or LOAD_DATABASE_URL). Installs locust if missing.
load: install
	$(PY) -c "import locust" 2>/dev/null || $(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) bench/load/run.py --db both --seconds 300

# A dealer group on one PostgreSQL: 5 shops x (40 technicians, 300 open orders, 5 advisors, 3 boards, 200 status
# links) for GROUP_SECONDS (300), then flat out, then the largest number of shops inside the targets (steps of
# 60 s): the capacity figure of the README. Database test_ops, or LOAD_DATABASE_URL.
GROUP_SECONDS ?= 300
load-group: install
	$(PY) -c "import locust" 2>/dev/null || $(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) bench/load/run.py --db postgres --shops 5 --seconds $(GROUP_SECONDS) --figures group --capacity-seconds 60

# 30 minutes of the same load on SQLite: memory per gunicorn worker over time, flat or not (not in CI).
soak: install
	$(PY) -c "import locust" 2>/dev/null || $(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) bench/load/run.py --db sqlite --seconds 1800

# After changing user-facing strings: extract, merge into both catalogs, compile.
translations: install
	$(PY) scripts/i18n.py

clean:
	rm -rf $(VENV) tests/artifacts
