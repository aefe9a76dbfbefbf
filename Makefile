# Redress: `make run` starts the whole suite locally; `make test` runs every test against real
# Kafka, SQLite and PostgreSQL. Both set up what they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The staff console's design systems (GOV.UK Frontend, MoJ Frontend), installed from npm.
CONSOLE_ASSETS := services/casework/console/assets
ASSETS_INSTALLED := $(CONSOLE_ASSETS)/node_modules/.installed
# GOV.UK's accessible-autocomplete for the complaint form's organisation list, installed from npm.
INTAKE_ASSETS := services/intake/assets
INTAKE_ASSETS_INSTALLED := $(INTAKE_ASSETS)/node_modules/.installed
# The official AsyncAPI parser that tests/contract checks docs/contracts/asyncapi.json with.
ASYNCAPI_CHECK := tests/contract/asyncapi
ASYNCAPI_INSTALLED := $(ASYNCAPI_CHECK)/node_modules/.installed

.PHONY: install run test test-unit test-browser bench chaos cluster lint format migration clean

install: $(INSTALLED) $(ASSETS_INSTALLED) $(INTAKE_ASSETS_INSTALLED) $(ASYNCAPI_INSTALLED)

$(ASSETS_INSTALLED): $(CONSOLE_ASSETS)/package-lock.json
	npm ci --no-audit --no-fund --prefix $(CONSOLE_ASSETS)
	@touch $@

$(INTAKE_ASSETS_INSTALLED): $(INTAKE_ASSETS)/package-lock.json
	npm ci --no-audit --no-fund --prefix $(INTAKE_ASSETS)
	@touch $@

$(ASYNCAPI_INSTALLED): $(ASYNCAPI_CHECK)/package-lock.json
	npm ci --no-audit --no-fund --prefix $(ASYNCAPI_CHECK)
	@touch $@

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

run: install
	deploy/kafka/fetch.sh
	deploy/local/pdf-libraries.sh
	$(BIN)/python -m deploy.local.run

test: install
	deploy/local/test-infra.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

test-browser: install
	deploy/local/test-infra.sh $(BIN)/python -m pytest tests/browser -s $(PYTEST_ARGS)

test-unit: install
	deploy/local/pdf-libraries.sh
	$(BIN)/python -m pytest tests/unit tests/contract tests/deploy $(PYTEST_ARGS)

bench: install
	deploy/local/test-infra.sh $(BIN)/python -m bench.pipeline $(BENCH_ARGS)

# The kill -9 campaign (400 complaints, 40 SIGKILLs; CHAOS_ARGS="--seed 7 --kills 10" to vary);
# a bounded one is in `make test` (tests/e2e/test_chaos.py).
chaos: install
	deploy/local/test-infra.sh $(BIN)/python -m bench.chaos $(CHAOS_ARGS)

# Scale-out on a three-broker Kafka cluster: two instances of every service on PostgreSQL, one
# broker and an instance of every service killed mid-run (CLUSTER_ARGS="--complaints 500 --rate 3"
# to vary); a bounded one is in `make test` (tests/e2e/test_cluster.py).
cluster: install
	deploy/local/test-infra.sh $(BIN)/python -m bench.cluster $(CLUSTER_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared services deploy bench redress_cli
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# make migration SERVICE=casework MESSAGE="add deadlines"
migration: install
	$(BIN)/python -m deploy.local.migration $(SERVICE) "$(MESSAGE)"

clean:
	rm -rf .local/data .local/mail .local/sms .local/kafka/data .local/kafka-test tests/browser/artifacts
