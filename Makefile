# Two commands on a bare machine: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := portal:create_app
# `make run` and `make test` are local: say so explicitly (the app refuses an unset PORTAL_ENV).
export PORTAL_ENV ?= development
PORT ?= 5000

.PHONY: run test serve migrate seed translations lint clean bench-deps bench bench-profile

$(BIN)/activate: requirements.txt
	scripts/check-system.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(BIN)/activate requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

translations: $(BIN)/activate
	$(BIN)/pybabel compile -d portal/translations >/dev/null

migrate: $(BIN)/activate
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed reference
	$(BIN)/flask seed demo

# The outbox deliverer runs beside the server (without MAIL_SERVER it prints each mail here) and
# stops with it.
run: translations seed
	scripts/ensure-echarts.sh
	$(BIN)/flask outbox deliver --interval 5 & deliverer=$$!; trap 'kill $$deliverer 2>/dev/null' EXIT; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.dev-installed translations
	$(BIN)/ruff check portal admin tests bench
	scripts/ensure-browser.sh
	scripts/ensure-axe.sh
	scripts/ensure-echarts.sh
	-scripts/ensure-wrk.sh
	-scripts/ensure-zbar.sh
	scripts/run-tests.sh $(BIN)/pytest

# The benchmark (issue 7): a fresh `bench` database, BENCH_REPORTS bulk-loaded reports, gunicorn
# and wrk; prints the table and rewrites BENCHMARKS.md. See the README's benchmark section.
bench: $(BIN)/activate translations
	PYTHON=$(BIN)/python scripts/bench.sh

# Where the time of each citizen route goes, in one process (bench/profile.py; README).
bench-profile: $(BIN)/activate translations
	$(BIN)/python -m bench.profile

# Refresh the message catalogue after adding strings; then translate the new zh_CN entries.
extract: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check portal admin tests bench

clean:
	rm -rf $(VENV) .pytest_cache test-output
