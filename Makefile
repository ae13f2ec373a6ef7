# Organizer: `make run` serves the demo, `make test` runs every check. See README.md.
#
#   make run                  demo at http://$(HOST):$(PORT) (web + worker + beat; Ctrl-C stops all;
#                             a process that dies is restarted; log: .data/run.log)
#   make test                 ruff, Django checks, migrations up to date, pytest
#   make bench [ONLY=word] [SCALE=0.01]   benchmarks (see bench/RESULTS.md)
#
# Without DATABASE_URL / REDIS_URL an embedded PostgreSQL and Redis start under .data/.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 1
export HOST PORT

.PHONY: install run test lint format bench seed clean-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled whenever pyproject.toml changes (new or re-pinned dependency).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing dependencies into $(VENV) (log: $(VENV)/install.log)"
	@( $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e '.[dev,embedded]' ) \
		> $(VENV)/install.log 2>&1 || { tail -40 $(VENV)/install.log; exit 1; }
	touch $@

install: $(VENV)/.installed

run: install
	@mkdir -p .data
	DEBUG=1 REQUIRE_2FA=0 DEMO_MODE=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 REQUIRE_2FA=0 DEMO_MODE=1 $(BIN)/python manage.py seed_demo --if-empty
	DEBUG=1 REQUIRE_2FA=0 DEMO_MODE=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m organizer.supervise Procfile.dev

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every step must pass; the last line pytest prints is its summary ("N passed in Xs").
test: install lint
	DEBUG=1 $(BIN)/python manage.py check
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	DEBUG=1 SCALE=$(SCALE) $(BIN)/python -m bench $(if $(ONLY),--only $(ONLY),)

seed: install
	DEBUG=1 $(BIN)/python manage.py seed_demo

clean-data:
	rm -rf .data
