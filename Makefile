# The two entry points of the README: `make mesh` (set up, build, validate, map) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ORDERS ?= 20000
export MESH_WAREHOUSE ?= $(CURDIR)/warehouse
# The demo's clock: the last day of its generated data. `make mesh` builds, validates and checks
# as of that day (MESH_AS_OF: freshness limits and deprecation deadlines count from it), so the
# demo reads the same on any later day: dim_customers v1 stays "deprecated, N days left" for
# marketing instead of failing `mesh check` from 2027-07-01 on.
DEMO_AS_OF ?= 2026-12-01
data build mesh check: export MESH_AS_OF ?= $(DEMO_AS_OF)

.PHONY: setup setup-spark system-deps data mesh mesh-spark build validate check map lint test bench bench-quick clean

# Great Expectations Data Docs load Bootstrap, jQuery, bootstrap-table, Vega... from CDNs; the
# same files come from the npm registry here, at setup time, so the pages work offline.
DOCS_ASSETS := platform/data_docs_assets

setup: $(VENV)/.installed $(DOCS_ASSETS)/node_modules/.installed

$(DOCS_ASSETS)/node_modules/.installed: $(DOCS_ASSETS)/package.json $(DOCS_ASSETS)/package-lock.json
	cd $(DOCS_ASSETS) && npm ci --ignore-scripts --legacy-peer-deps --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $@

# The Spark engine's packages (dbt-spark, pyspark with its Thrift server jars): the test suite
# runs a real local Spark server; `make mesh` on DuckDB does not need them.
setup-spark: $(VENV)/.installed-spark

$(VENV)/.installed-spark: $(VENV)/.installed
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev,spark]"
	touch $@

system-deps:
	bash scripts/install_system_deps.sh

data: setup
	$(BIN)/python scripts/generate_data.py --orders $(ORDERS) --as-of $(DEMO_AS_OF) --if-missing

build: data
	$(BIN)/mesh build

check: setup
	$(BIN)/mesh check

# The main job: build the whole mesh on DuckDB, validate it, write the map.
mesh: system-deps build
	$(BIN)/mesh validate
	$(BIN)/mesh check
	$(BIN)/mesh map

# The same job on Apache Spark (dbt-spark over a local Thrift server from the installed pyspark),
# in a warehouse of its own. The server is started unless MESH_SPARK_HOST names one, and stopped
# at the end unless SPARK_KEEP=1 (then `mesh engine stop spark` stops it).
SPARK_WAREHOUSE ?= $(CURDIR)/warehouse/spark-mesh
mesh-spark: export MESH_WAREHOUSE = $(SPARK_WAREHOUSE)
mesh-spark: export MESH_AS_OF ?= $(DEMO_AS_OF)
mesh-spark: setup-spark system-deps
	$(BIN)/python scripts/generate_data.py --orders $(ORDERS) --as-of $(DEMO_AS_OF) --if-missing
	@started=; if [ -z "$${MESH_SPARK_HOST:-}" ]; then $(BIN)/mesh engine start spark && started=1; fi; \
	stop() { if [ -n "$$started" ] && [ -z "$${SPARK_KEEP:-}" ]; then $(BIN)/mesh engine stop spark; fi; }; \
	trap stop EXIT; \
	$(BIN)/mesh build --engine spark && $(BIN)/mesh validate && $(BIN)/mesh check && $(BIN)/mesh map

lint: setup
	$(BIN)/ruff check platform scripts tests
	$(BIN)/ruff format --check platform scripts tests
	$(BIN)/sqlfluff lint domains tests/fixtures

test: setup-spark system-deps lint
	$(BIN)/pytest -ra

bench-quick: setup
	$(BIN)/python scripts/benchmark.py --quick

bench: setup
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf warehouse test-artifacts
