# apl-policy: every command a developer, CI or a newcomer runs. `make help` lists them.
# OPA is built from its Go module, pinned here and nowhere else.
OPA_VERSION := v1.22.3

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

BIN      := $(CURDIR)/bin
OPA      := $(BIN)/opa
OPA_STAMP := $(BIN)/.opa-$(OPA_VERSION)
VENV     := $(CURDIR)/.venv
PY       := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
export APL_OPA_BIN := $(OPA)
export OPA_VERSION

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

# --- tools -----------------------------------------------------------------

$(OPA_STAMP):
	mkdir -p $(BIN)
	CGO_ENABLED=0 GOBIN=$(BIN) go install github.com/open-policy-agent/opa@$(OPA_VERSION)
	touch $@

$(VENV_STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

.PHONY: tools
tools: $(OPA_STAMP) $(VENV_STAMP) ## install OPA (from its Go module) and the Python venv, if missing

# --- the policy --------------------------------------------------------------

.PHONY: fmt
fmt: $(OPA_STAMP) ## format the Rego in place
	$(OPA) fmt --write rego

.PHONY: check-rego
check-rego: $(OPA_STAMP) ## Rego gates: opa fmt clean, opa check --strict on the bundle
	@files=$$($(OPA) fmt --list rego); if [ -n "$$files" ]; then echo "not opa-fmt clean: $$files (run make fmt)"; exit 1; fi
	$(OPA) check --strict --bundle rego

.PHONY: test-rego
test-rego: $(OPA_STAMP) ## Rego unit tests, with coverage of at least 95%
	$(OPA) test --bundle rego --coverage --threshold 95 > /tmp/apl-rego-coverage.json || { \
	  $(PY) -c 'import json,sys; d=json.load(open("/tmp/apl-rego-coverage.json")); print("coverage", d.get("coverage"))' 2>/dev/null; \
	  $(OPA) test --bundle rego; exit 1; }
	$(OPA) test --bundle rego
	@python3 -c 'import json; print("rego coverage: %.1f%%" % json.load(open("/tmp/apl-rego-coverage.json"))["coverage"])'

# --- Python ------------------------------------------------------------------

.PHONY: check-py
check-py: $(VENV_STAMP) ## Python gates: ruff and mypy --strict
	$(VENV)/bin/ruff check bridge tests
	$(VENV)/bin/mypy

.PHONY: test-py
test-py: $(OPA_STAMP) $(VENV_STAMP) ## pytest: unit tests, and fixtures and CLI against a real OPA server
	$(PY) -m pytest

.PHONY: test
test: check-rego test-rego check-py test-py ## everything CI runs (installs what is missing first)

# --- using it ----------------------------------------------------------------

.PHONY: demo
demo: $(OPA_STAMP) $(VENV_STAMP) ## decisions on every fixture, from an OPA the demo starts itself
	$(VENV)/bin/apl-policy eval --scenarios fixtures

.PHONY: serve
serve: $(OPA_STAMP) ## run OPA on the policy bundle at 127.0.0.1:8181
	$(OPA) run --server --addr 127.0.0.1:8181 --bundle rego

.PHONY: clean
clean: ## remove what the build made (bin/, .venv/, dist/)
	rm -rf $(BIN) $(VENV) dist
