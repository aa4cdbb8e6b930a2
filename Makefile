# The two commands: `make run` serves the whole stack, `make test` runs every test.
# Both install what is missing first (a .venv with the pinned packages, Azurite from package-lock.json, the web
# console's packages from web/package-lock.json) and build the console when it is missing or older than its sources.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
WEB_STAMP := web/node_modules/.installed
WEB_BUILD := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts \
	web/tsconfig.json web/tsconfig.app.json web/tsconfig.node.json
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 3

.PHONY: install run test test-fast test-web fuzz browser web token bench lint clean

install: $(PY_STAMP) $(NODE_STAMP) $(WEB_STAMP)

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

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run build

web: $(WEB_BUILD)

# The browser tests drive Debian's chromium (playwright-core cannot download a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		{ echo "the browser tests need Debian's chromium: sudo apt-get install -y chromium"; exit 1; }

run: install web
	$(PY) -m local.run

test: install web browser test-web
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=20 $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

# The console's component tests (Vitest) and the check that its API types match the OpenAPI document.
test-web: install
	cd web && npm run check:api && npm test

# The long schemathesis run over the whole API (about a thousand cases an operation, every role); prints totals.
fuzz: install
	FUZZ_EXAMPLES=1000 $(PY) -m pytest tests/integration/test_probe_schemathesis.py -s -q -p no:cacheprovider

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
	$(PY) -m mypy --strict --follow-imports=silent shared/services shared/bootstrap.py  # strict here, not in what they import
	cd web && npm run lint

clean:
	rm -rf .localdata .pytest_cache .hypothesis web/dist web/screenshots
