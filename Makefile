# Peyvand: `make run` to try it, `make test` to test it. Both install what is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
UV := .tools/bin/uv
UV_VERSION := 0.13.9
PEYVAND := $(VENV)/bin/peyvand
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Installed packages come with their bytecode: a process then starts in half the time (Django
# and the analytics libraries compiled from source took ~1.4 s of each start), which the suite's
# many real `peyvand` processes and a machine with PYTHONDONTWRITEBYTECODE set both feel.
export UV_COMPILE_BYTECODE := 1

.PHONY: run test install bytecode lint bench clean messages fuzz

run: install bytecode
	$(PEYVAND) run --setup

PYTEST_ARGS ?= -n auto --durations=25

test: install bytecode
	$(PEYVAND) compilemessages
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Peyvand's own modules compiled once (only what changed since), for the same reason.
bytecode: install
	$(VENV)/bin/python -m compileall -q src

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PEYVAND) manage makemigrations --check --dry-run

install: $(VENV)/.synced build/static/vendor/.copied

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python "$(PYTHON)"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

build/static/vendor/.copied: node_modules/.package-lock.json $(VENV)/.synced
	$(PEYVAND) assets
	touch $@

clean:
	rm -rf $(VENV) .tools node_modules build

# Refresh the Persian catalogue from the code (needs GNU gettext); then translate new entries.
messages: install
	cd src/peyvand && ../../$(VENV)/bin/python -m django makemessages -l fa --no-location --no-wrap --settings peyvand.settings

# The API fuzzed at 1,000 cases per operation and role (long; `make test` runs 100).
fuzz: install
	PEYVAND_FUZZ_EXAMPLES=1000 $(VENV)/bin/pytest $(PYTEST_ARGS) tests/api/test_fuzz.py

# Benchmarks at a million customers (long: see bench/run.py for smaller runs).
bench: install
	$(PEYVAND) compilemessages
	$(VENV)/bin/python -m bench.run
