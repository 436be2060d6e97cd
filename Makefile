# A fresh clone needs only Python 3.11 and make: every target sets up what it uses.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

# Development server on SQLite, emails on the console, Celery tasks in-process.
run: $(VENV)/.installed
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py seed_demo
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite. DATABASE_URL and REDIS_URL choose real PostgreSQL and Redis.
test: $(VENV)/.installed-test
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/pytest $(PYTEST_ARGS)

# Throughput of the busiest pages against a minimal signed-in page, on gunicorn +
# PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench).
bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/bandit -c pyproject.toml -r config mentoring matching flash_meetings surveys notifications -q
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/*.sqlite3 staticfiles
