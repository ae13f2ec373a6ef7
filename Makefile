# Organizer: `make run` serves the demo, `make test` runs every check. See README.md.
#
#   make run                  demo at http://$(HOST):$(PORT) (web + worker + beat; Ctrl-C stops all;
#                             a process that dies is restarted; log: .data/run.log)
#   make test                 ruff, Django checks, migrations up to date, pytest
#   make bench [ONLY=word] [SCALE=0.01]   benchmarks (see bench/RESULTS.md)
#   make backup / make restore FILE=…      database backups into backups/ (README: Operations)
#
# Without DATABASE_URL / REDIS_URL an embedded PostgreSQL and Redis start under .data/.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 1
export HOST PORT

.PHONY: install run test lint format bench seed clean-data backup restore

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
	$(BIN)/lint-imports  # the layering in README's repo map (contracts: pyproject.toml)

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

# Backups of the database (embedded or DATABASE_URL) into backups/; see README "Operations".
backup: install
	DEBUG=1 $(BIN)/python -m organizer.backup dump $(FILE)

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/organizer-….dump"; exit 2; }
	DEBUG=1 $(BIN)/python -m organizer.backup restore $(FILE)

# Deletes the embedded database and Redis, after a backup into backups/ (kept).
clean-data:
	@if [ -d .data/pg ]; then DATABASE_URL= REDIS_URL= $(MAKE) --no-print-directory backup; fi
	@if [ -d .data ]; then $(BIN)/python -c "from organizer import embedded; embedded.stop()"; fi
	rm -rf .data
