# Caseguard: `make run` starts the whole product, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The evidence PDF needs a TrueType font with Chinese glyphs (Debian: fonts-wqy-microhei).
FONT   := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PRISM  := node_modules/.bin/prism

.PHONY: install font browser run test lint bench verify clean

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

test: install $(PRISM) browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

verify: install
	$(BIN)/python -m store.verify

bench: install
	$(BIN)/python bench/onboarding_bench.py

clean:
	rm -rf $(VENV) node_modules var/*.db var/*.db-* var/api-keys.json
