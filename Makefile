# Rebond: `make run` sets up from nothing and serves the demo; `make test` runs what CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
REBOND := $(BIN)/rebond
# `make run PORT=8001` serves on another port; links in e-mails (SITE_URL) follow it.
PORT   ?= 8000
# Development only: a loopback server over plain HTTP with Django's debug pages.
DEV    := DEBUG=True HTTPS=False SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}

.PHONY: run demo-code install test test-fast lint typecheck fmt lock vendor clean

run: install
	@$(DEV) $(REBOND) migrate --noinput -v0
	@$(DEV) $(REBOND) demo
	@echo "Serving http://127.0.0.1:$(PORT) with a background worker, the safety sweep, check-in reminders and the appointments sweep (with diary reminders) and the retention sweep. Ctrl-C stops all."
	@$(DEV) $(REBOND) worker & worker=$$!; \
	  $(DEV) $(REBOND) safety_sweep --every 30 & sweep=$$!; \
	  $(DEV) $(REBOND) checkin_reminders --every 60 & remind=$$!; \
	  $(DEV) $(REBOND) appointments_sweep --every 60 & appointments=$$!; \
	  $(DEV) $(REBOND) lifecycle_sweep --every 3600 & lifecycle=$$!; \
	  trap 'kill $$worker $$sweep $$remind $$appointments $$lifecycle 2>/dev/null; wait $$worker $$sweep $$remind $$appointments $$lifecycle 2>/dev/null' EXIT INT TERM; \
	  $(DEV) $(REBOND) runserver 127.0.0.1:$(PORT)

# The demo clinicians' current two-factor code (their app seed is published with the demo).
demo-code: install
	@$(DEV) $(REBOND) demo --code

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements/lock.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements/lock.txt -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: install node_modules/.installed
	@scripts/test

# The daily leg: the Django suite on SQLite on every core, without the browser and slow tests
# (about 2 minutes on two cores, against 10 for the SQLite leg of `make test`, run before pushing).
test-fast: install
	@env -u DATABASE_URL $(BIN)/pytest rebond -q -n auto --dist load \
	  -m "not browser and not slow and not postgresql"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(DEV) $(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-lock every transitive dependency after changing pyproject.toml.
lock:
	rm -rf /tmp/rebond-lock && $(PYTHON) -m venv /tmp/rebond-lock
	/tmp/rebond-lock/bin/pip install --quiet --disable-pip-version-check '.[dev]'
	/tmp/rebond-lock/bin/pip freeze --exclude rebond > requirements/lock.txt

# Refresh the vendored htmx from the pinned npm package.
vendor: node_modules/.installed
	cp node_modules/htmx.org/dist/htmx.min.js rebond/static/vendor/htmx/htmx.min.js
	cp node_modules/htmx.org/LICENSE rebond/static/vendor/htmx/LICENSE

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache .pytest_cache .coverage
