# A fresh clone needs only Python 3.11 and make: every target sets up what it uses.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: schema run test test-ready lint format clean bench messages translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

# Compiled catalogues (.mo), one per language, made from the committed .po files by
# compilemessages (GNU gettext's msgfmt, which checks the placeholders): never committed,
# never edited by hand. `make translations` refreshes the .po files from the code.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "GNU gettext is needed to compile the translations:" \
		"apt-get install gettext (Debian, Ubuntu) or brew install gettext (macOS)"; exit 1; }
	$(BIN)/python manage.py compilemessages --locale $* --ignore '.venv*' --verbosity 0

messages: $(CATALOGUES)

# The catalogue of every language from the code and templates (then translate the new
# entries: tests/i18n fails while one is empty or fuzzy).
translations: $(VENV)/.installed
	$(BIN)/python manage.py makemessages --all --no-obsolete --ignore '.venv*' \
		--ignore tests --ignore bench --ignore staticfiles --ignore static

# Development server on SQLite, emails on the console, Celery tasks in-process.
run: $(VENV)/.installed $(CATALOGUES)
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py seed_demo
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite. DATABASE_URL and REDIS_URL choose real PostgreSQL and Redis.
test: test-ready
	$(BIN)/pytest $(PYTEST_ARGS)

# What the suite needs before pytest starts (.ci/run runs the suite in phases after it).
test-ready: $(VENV)/.installed-test $(CATALOGUES)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

# The benchmark (bench/run.py): the busiest pages and writes against a minimal signed-in
# page, on gunicorn + PostgreSQL + Redis (cache) + RabbitMQ (broker; BENCH_BROKER_URL=redis
# for Redis) + a Celery worker, at one or more dataset scales.
#   make bench                          scale 1 (1,000 mentors, 10,000 mentees, ...)
#   make bench BENCH_SCALE=10           10x the rows, in its own database
#   make bench BENCH_SCALES="1 10"      both, tables side by side
#   make bench BENCH_ARGS="--fresh --seconds 30 --rounds 7"
# It runs on an optimised interpreter (bench/interpreter.py choose): BENCH_PYTHON, else
# Debian's /usr/bin/python3 (PGO + LTO), else the project's venv. A plain interpreter
# gets its own venv, $(BENCH_VENV), made again when the interpreter changes and
# re-installed when pyproject.toml does. Database: BENCH_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/bench; scale N>1 uses <name>_xN).
BENCH_VENV := .venv-bench
BENCH_SCALES ?= $(or $(BENCH_SCALE),1)

bench: $(VENV)/.installed-test
	@set -e; set -- $$($(BIN)/python bench/interpreter.py choose); \
	if [ "$$1" = base ]; then \
		$(MAKE) --no-print-directory $(BENCH_VENV)/.installed-test BENCH_BASE_PYTHON="$$2"; \
		python=$(BENCH_VENV)/bin/python; \
	else python="$$2"; fi; \
	echo "$$python bench/run.py --scales $(BENCH_SCALES) $(BENCH_ARGS)"; \
	"$$python" bench/run.py --scales $(BENCH_SCALES) $(BENCH_ARGS)

# Made again from scratch when BENCH_BASE_PYTHON is another interpreter than last time.
$(BENCH_VENV)/.interpreter: FORCE
	@test -n "$(BENCH_BASE_PYTHON)" || { echo "BENCH_BASE_PYTHON is not set: use make bench"; exit 2; }
	@want="$$(realpath "$$(command -v "$(BENCH_BASE_PYTHON)")")"; \
	if [ "$$(cat $@ 2>/dev/null)" != "$$want" ]; then \
		echo "creating $(BENCH_VENV) from $$want"; \
		rm -rf $(BENCH_VENV) && "$(BENCH_BASE_PYTHON)" -m venv $(BENCH_VENV) && \
		$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip && echo "$$want" > $@; \
	fi

$(BENCH_VENV)/.installed-test: pyproject.toml $(BENCH_VENV)/.interpreter
	$(BENCH_VENV)/bin/pip install --quiet -e ".[test]"
	touch $@

FORCE:

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/bandit -c pyproject.toml -r config mentoring notifications webhooks matching flash_meetings surveys ongoing portal api -q
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# The API's OpenAPI schema, regenerated from the code (validated, warnings fail it);
# tests/api/test_schema.py fails while the committed file differs.
schema: $(VENV)/.installed-test
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file api/openapi.yaml

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/*.sqlite3 staticfiles
