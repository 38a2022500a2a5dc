# pytest-dbaudit: `make demo` audits the examples and writes HTML reports; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# testcontainers: no Ryuk (we remove our own containers), talk to the local daemon's mapped ports.
export TESTCONTAINERS_RYUK_DISABLED := true
export TESTCONTAINERS_CONNECTION_MODE := docker_host
export TESTCONTAINERS_HOST_OVERRIDE := 127.0.0.1

.PHONY: setup services docker demo test bench docs clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

services:
	bash .ci/services-up

docker:
	bash .ci/docker-up

demo: setup services
	$(PY) examples/demo.py

test: setup services docker
	$(PY) -m pytest -n 2 --dist loadgroup -ra

bench: setup
	$(PY) benchmarks/collection_overhead.py

docs: setup
	$(PY) -m pytest_dbaudit.catalog_docs > docs/catalog.md
	$(PY) -m pytest_dbaudit.sqlrules.docs docs/sql-rules.md

clean:
	rm -rf $(VENV) reports .pytest_cache
