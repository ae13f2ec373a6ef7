# Organizer: `make run` serves the demo, `make test` runs every check. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: install run test lint format bench seed clean-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	DEBUG=1 REQUIRE_2FA=0 DEMO_MODE=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 REQUIRE_2FA=0 DEMO_MODE=1 $(BIN)/python manage.py seed_demo --if-empty
	DEBUG=1 REQUIRE_2FA=0 DEMO_MODE=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.dev start

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install lint
	DEBUG=1 $(BIN)/python manage.py check
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	DEBUG=1 $(BIN)/python -m bench $(if $(ONLY),--only $(ONLY),)

seed: install
	DEBUG=1 $(BIN)/python manage.py seed_demo

clean-data:
	rm -rf .data
