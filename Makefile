# The two commands: `make run` (serve the demo clinic) and `make test` (the whole suite).
# Both create the virtual environment in .venv on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

# Local work runs with DEBUG on (SQLite under var/, eager tasks, console email) unless the
# environment says otherwise. Production never uses this Makefile to serve.
export DEBUG ?= 1

.PHONY: run test test-fast e2e lint format worker pdf-worker beat migrate seed check clean screenshots bench-summaries \
	bench

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@test -f .env || printf '# Local development settings (git-ignored); see README.\nDEBUG=1\n' > .env

$(VENV)/.runtime: $(BIN)/activate requirements.txt
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# Tasks run in-process (eager) here, so no broker or worker is needed. PORT=8001 make run
# serves on another port.
PORT ?= 8000
export PORT
run: seed
	REDIS_URL= $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The suite in two parts: most tests spread over one process per CPU (pytest-xdist; each
# process has its own test database, test_<name>_gw0, ...), then the tests marked `serial`
# (browser, end-to-end, real worker; see conftest.py) one at a time. Both parts always run;
# the target fails if either did. PYTEST_WORKERS=4 or PYTEST_ARGS="-x" to change.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
test: $(VENV)/.dev
	@status=0; \
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not serial" $(PYTEST_ARGS) || status=$$?; \
	$(BIN)/pytest -m serial $(PYTEST_ARGS) || status=$$?; \
	exit $$status

# Local runs on PostgreSQL: keep the test databases between runs (--reuse-db; migrations
# still apply). After a migration is removed or rewritten, run `make test` once to rebuild.
test-fast: $(VENV)/.dev
	@status=0; \
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not serial" --reuse-db $(PYTEST_ARGS) || status=$$?; \
	$(BIN)/pytest -m serial --reuse-db $(PYTEST_ARGS) || status=$$?; \
	exit $$status

# The end-to-end journeys alone (headless Chromium; a real worker when REDIS_URL and a
# PostgreSQL DATABASE_URL are set). Screenshots of every step land in var/e2e/.
e2e: $(VENV)/.dev
	$(BIN)/pytest -m e2e -p no:cacheprovider

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(BIN)/lint-imports

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint templates --reformat

check: $(VENV)/.runtime
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# With REDIS_URL set (e.g. redis://127.0.0.1:6379/0), run these in more terminals. `worker`
# takes every queue; in production run `worker` with --queues=celery and a `pdf-worker`,
# whose processes are replaced every PDF_MAX_TASKS_PER_CHILD renders to bound memory.
PDF_MAX_TASKS_PER_CHILD ?= 50

worker: $(VENV)/.runtime
	$(BIN)/celery -A clinic worker --queues=celery,pdf --loglevel=INFO

pdf-worker: $(VENV)/.runtime
	$(BIN)/celery -A clinic worker --queues=pdf --concurrency=2 \
		--max-tasks-per-child=$(PDF_MAX_TASKS_PER_CHILD) --loglevel=INFO --hostname=pdf@%h

# Median render times of the PDF summaries on the demo data (see README).
bench-summaries: seed
	$(PY) manage.py bench_summaries --runs 30

# The whole-site benchmark (issue 10), results in docs/PERFORMANCE.md. Needs PostgreSQL and
# Redis as in CI, e.g.
#   DATABASE_URL=postgres://clinic:clinic@127.0.0.1:5432/clinic_bench \
#   REDIS_URL=redis://127.0.0.1:6379/3 make bench
# The database is created, migrated and seeded (seed_bench, about a minute) when missing or
# empty; give Redis a database number of its own: the bench empties its pdf queue.
# CLINIC_DEVTOOLS=1 installs the devtools app (the bench commands) for this command even with
# DEBUG=0; the app server it starts runs production settings without it.
BENCH_ARGS ?=
bench: $(VENV)/.runtime
	@test -n "$$DATABASE_URL" || { echo "make bench: set DATABASE_URL (PostgreSQL)"; exit 2; }
	@test -n "$$REDIS_URL" || { echo "make bench: set REDIS_URL (Redis)"; exit 2; }
	CLINIC_DEVTOOLS=1 $(PY) manage.py bench $(BENCH_ARGS)

beat: $(VENV)/.runtime
	$(BIN)/celery -A clinic beat --loglevel=INFO

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
