# The two commands: `make run` serves the whole stack, `make test` runs every test.
# Both install what is missing first (a .venv with the pinned packages, Azurite from package-lock.json).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 3

.PHONY: install run test test-fast token bench lint clean

install: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed (Node.js 18 or newer) to install Azurite"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: install
	$(PY) -m local.run

test: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=20 $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

# Prints a bearer token for the running local stack: make -s token USER=<oid>
token:
	@$(PY) -m local.token --user "$(USER)"

bench: install
	$(PY) -m bench

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy shared functions local
	$(PY) -m mypy --strict shared/domain

clean:
	rm -rf .localdata .pytest_cache .hypothesis
