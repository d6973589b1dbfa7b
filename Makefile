# Rebond: `make run` sets up from nothing and serves the demo; `make test` runs what CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
REBOND := $(BIN)/rebond
# `make run PORT=8001` serves on another port; links in e-mails (SITE_URL) follow it.
PORT   ?= 8000
# Development only: a loopback server over plain HTTP with Django's debug pages.
DEV    := DEBUG=True HTTPS=False SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}

.PHONY: run demo-code install test test-fast lint typecheck fmt lock messages vendor clean

run: install
	@$(DEV) $(REBOND) migrate --noinput -v0
	@$(DEV) $(REBOND) demo
	@echo "Serving http://127.0.0.1:$(PORT) with a background worker, the safety sweep, check-in reminders and the appointments sweep (with diary reminders) the retention sweep and the nightly expected-recovery refit; the worker runs the daily clean-up. Ctrl-C stops all."
	@$(DEV) $(REBOND) worker & worker=$$!; \
	  $(DEV) $(REBOND) safety_sweep --every 30 & sweep=$$!; \
	  $(DEV) $(REBOND) checkin_reminders --every 60 & remind=$$!; \
	  $(DEV) $(REBOND) appointments_sweep --every 60 & appointments=$$!; \
	  $(DEV) $(REBOND) lifecycle_sweep --every 3600 & lifecycle=$$!; \
	  $(DEV) $(REBOND) expected_recovery_sweep --every 3600 & curves=$$!; \
	  trap 'kill $$worker $$sweep $$remind $$appointments $$lifecycle $$curves 2>/dev/null; wait $$worker $$sweep $$remind $$appointments $$lifecycle $$curves 2>/dev/null' EXIT INT TERM; \
	  $(DEV) $(REBOND) runserver 127.0.0.1:$(PORT)

# The demo clinicians' current two-factor code (their app seed is published with the demo).
demo-code: install
	@$(DEV) $(REBOND) demo --code

install: $(VENV)/.installed

# Exactly the lock, each file checked against its hash, then Rebond itself, editable; then
# `pip check` proves the lock satisfies every requirement. --no-deps because the lock already
# holds every transitive dependency: pip resolves nothing, so a dependency missing from the
# lock is never fetched unchecked (`make lock` adds it), and the pip a fresh virtualenv starts
# with (23.x refuses a hashed lock whose packages ask for extras, e.g. coverage[toml]) works.
$(VENV)/.installed: pyproject.toml requirements/lock.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
	  -r requirements/lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e '.[dev]'
	$(BIN)/pip check --disable-pip-version-check
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

# Re-lock every transitive dependency, with the hashes of all its files on the index, after
# changing pyproject.toml (pip-tools, pinned in the dev extras; docs/deploy.md, "Install").
# Versions already in the lock stay as they are unless pyproject.toml pins another; pip and
# setuptools are locked too (--allow-unsafe), so `pip install --require-hashes` finds every
# package it installs. Index options stay out: the lock is the same whatever pip.conf says.
lock: install
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	  --allow-unsafe --strip-extras --extra dev --no-emit-index-url --no-emit-find-links \
	  --output-file requirements/lock.txt pyproject.toml

# Bring the translation catalogues (rebond/locale) up to date with the marked strings, keeping
# the translations already made, and compile them; commit both (docs/translation.md).
messages: install
	@$(DEV) $(REBOND) catalogues

# Refresh the vendored htmx from the pinned npm package.
vendor: node_modules/.installed
	cp node_modules/htmx.org/dist/htmx.min.js rebond/static/vendor/htmx/htmx.min.js
	cp node_modules/htmx.org/LICENSE rebond/static/vendor/htmx/LICENSE

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache .pytest_cache .coverage
