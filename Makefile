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
	$(PY) -m compileall -q bridge
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
test-rego: $(OPA_STAMP) ## Rego unit tests, failing below 95% coverage
	$(OPA) test --bundle rego --timeout 60s
	$(OPA) test --bundle rego --timeout 60s --coverage --threshold 95 > $(BIN)/rego-coverage.json \
	  || { echo "Rego coverage is below 95%: see $(BIN)/rego-coverage.json"; exit 1; }
	@python3 -c 'import json; print("Rego coverage: %.1f%%" % json.load(open("$(BIN)/rego-coverage.json"))["coverage"])'

# --- Python ------------------------------------------------------------------

.PHONY: check-py
check-py: $(VENV_STAMP) ## Python gates: ruff and mypy --strict
	$(VENV)/bin/ruff check bridge tests tools
	$(VENV)/bin/mypy

.PHONY: test-py
test-py: $(OPA_STAMP) $(VENV_STAMP) ## pytest: unit tests, and fixtures and CLI against a real OPA server
	$(PY) -m pytest

.PHONY: test
test: audit-deps test-fleet-prereqs check-rego test-rego check-py test-contract-deps report-tools test-perf test-py test-impact ## everything CI runs (installs what is missing first)

# --- using it ----------------------------------------------------------------

.PHONY: demo
demo: $(OPA_STAMP) $(VENV_STAMP) ## decisions on every fixture, from an OPA the demo starts itself
	$(VENV)/bin/apl-policy eval --scenarios --format table fixtures
	@$(MAKE) --no-print-directory report

.PHONY: serve
serve: $(OPA_STAMP) $(VENV_STAMP) ## run OPA for services at 127.0.0.1:8181, read-only (token from APL_OPA_TOKEN)
	$(VENV)/bin/apl-policy serve --addr 127.0.0.1:8181

.PHONY: clean
clean: ## remove what the build made (bin/, .venv/, dist/, the SDK test's node_modules)
	rm -rf $(BIN) $(VENV) dist tests/sdk/node_modules

# --- security: signed bundle, fuzzing, soak --------------------------------------------
# The bundle services should run: signed, with the git revision in its manifest, tests left
# out. Never built with -O: optimisation drops the METADATA the decisions quote.
BUNDLE      ?= dist/bundle.tar.gz
SIGNING_KEY ?=
DEV_KEY     := dist/dev-signing-key.pem
REVISION    ?= $(shell git describe --always --dirty 2>/dev/null || echo unversioned)

.PHONY: bundle
bundle: $(OPA_STAMP) ## build dist/bundle.tar.gz signed with SIGNING_KEY=key.pem (none: a throwaway dev key in dist/)
	mkdir -p $(dir $(BUNDLE)) dist
	@key='$(SIGNING_KEY)'; \
	if [ -z "$$key" ]; then \
	  key='$(DEV_KEY)'; \
	  if [ ! -f "$$key" ]; then \
	    (umask 077; openssl genrsa -out "$$key" 2048 2>/dev/null); \
	    openssl rsa -in "$$key" -pubout -out '$(DEV_KEY:.pem=.pub.pem)' 2>/dev/null; \
	  fi; \
	  echo "make bundle: no SIGNING_KEY given, signed with the throwaway dev key $$key"; \
	  echo "  (verify with --verification-key $(DEV_KEY:.pem=.pub.pem); never ship a bundle signed with it)"; \
	fi; \
	$(OPA) build --bundle rego --ignore '*_test.rego' --signing-key "$$key" \
	  --revision '$(REVISION)' --output '$(BUNDLE)'; \
	echo "make bundle: $(BUNDLE), revision $(REVISION)"

.PHONY: fuzz
fuzz: $(OPA_STAMP) $(VENV_STAMP) ## the property tests with many more Hypothesis examples
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/properties -p no:cacheprovider

.PHONY: soak
soak: $(OPA_STAMP) $(VENV_STAMP) ## the 8-client load test for longer (APL_SOAK_SECONDS, default 120)
	APL_LOAD_PROFILE=soak $(PY) -m pytest tests/security/test_load.py

# --- bench: throughput beside OPA's own floors and peers ----------------------
# conftest is the Go-native peer; pinned here, built from its Go module like OPA.
CONFTEST_VERSION := v0.71.1
CONFTEST       := $(BIN)/conftest
CONFTEST_STAMP := $(BIN)/.conftest-$(CONFTEST_VERSION)

$(CONFTEST_STAMP):
	mkdir -p $(BIN)
	CGO_ENABLED=0 GOBIN=$(BIN) go install github.com/open-policy-agent/conftest@$(CONFTEST_VERSION)
	touch $@

.PHONY: bench-tools
# bench-tools compiles the CLI's bytecode, as pip does for an installed package: where
# PYTHONDONTWRITEBYTECODE is set, an editable install would compile bridge/ again on every
# start of the CLI (about 70 ms, which a timed batch of a few thousand documents notices).
bench-tools: $(OPA_STAMP) $(VENV_STAMP) ## install what make bench needs: OPA, the venv, wrk (Debian)
	$(PY) -m compileall -q bridge
	@if ! command -v wrk >/dev/null; then \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  apt-cache policy wrk | grep -q 'Candidate: [0-9]' \
	    || $$sudo apt-get -o DPkg::Lock::Timeout=900 update; \
	  $$sudo apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends wrk; \
	fi

.PHONY: bench-peer-tools
bench-peer-tools: bench-tools $(CONFTEST_STAMP) ## bench-tools and conftest (pinned; built once from its Go module, minutes on a fresh machine)

# The instruction counts (valgrind, about 27 min of CPU, 14 of wall time) depend on the
# policy, the baseline and the harness, not on the machine's load: make bench reuses the
# last count taken on the same inputs (bench/results/instructions.json, else the published
# docs/performance.json; a digest of the inputs says which) and counts only when there is none.
BENCH_RESULTS := bench/results

.PHONY: bench-count
bench-count: $(OPA_STAMP) $(VENV_STAMP)
	@$(PY) bench/instructions.py --reuse || $(MAKE) bench-instructions

.PHONY: bench-started
bench-started:
	@mkdir -p $(BENCH_RESULTS) && date +%s > $(BENCH_RESULTS)/.make-bench-started

.PHONY: bench
bench: bench-started bench-tools bench-count ## rates beside OPA's floors, both cores, the fleet; publish the tables (README, docs/performance.md); check the targets
	$(PY) bench/run.py
	$(PY) bench/table.py --publish
	$(PY) bench/check

.PHONY: bench-peers
bench-peers: bench-peer-tools fleet-tools bench-count ## make bench's run with conftest measured beside it (bench/results/peers/; publishes nothing)
	$(PY) bench/run.py --peers --conftest $(CONFTEST) --out $(BENCH_RESULTS)/peers
	$(PY) bench/check $(BENCH_RESULTS)/peers/latest.json

# --- fleet: deploy/, a local fleet, the Helm chart's linter ---------------------------
# Helm is built from its Go module like OPA; `helm lint` and `helm template` check the
# chart in deploy/helm. nginx and HAProxy come from Debian and run as the current user.
HELM_VERSION := v3.22.0
HELM       := $(BIN)/helm
HELM_STAMP := $(BIN)/.helm-$(HELM_VERSION)
CHART      := deploy/helm/apl-policy
FLEET_DIR  ?= $(CURDIR)/.fleet
export APL_HELM_BIN := $(HELM)

$(HELM_STAMP):
	mkdir -p $(BIN)
	CGO_ENABLED=0 GOBIN=$(BIN) go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)
	touch $@

.PHONY: fleet-tools
fleet-tools: $(OPA_STAMP) $(VENV_STAMP) ## install nginx, HAProxy and openssl (Debian) if missing
	@missing=""; \
	for tool in nginx:nginx haproxy:haproxy openssl:openssl; do \
	  command -v $${tool%%:*} >/dev/null || [ -x /usr/sbin/$${tool%%:*} ] || missing="$$missing $${tool##*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  apt-cache policy $$missing | grep -q 'Candidate: [0-9]' \
	    || $$sudo apt-get -o DPkg::Lock::Timeout=900 update; \
	  $$sudo apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends $$missing; \
	fi

.PHONY: check-deploy
check-deploy: $(HELM_STAMP) ## lint and render the Helm chart with helm (pinned, built from its Go module)
	@# The chart's files/ link to deploy/opa and deploy/nginx (one copy of each config);
	@# helm notes every link it follows, which is expected here.
	$(HELM) lint --strict $(CHART) -f $(CHART)/ci/lint-values.yaml 2>&1 | { grep -v 'found symbolic link' || true; }
	$(HELM) template apl $(CHART) -f $(CHART)/ci/lint-values.yaml 2>/dev/null >/dev/null

.PHONY: test-fleet-prereqs
test-fleet-prereqs: fleet-tools check-deploy

.PHONY: fleet
fleet: fleet-tools ## start a local fleet of 3 OPA replicas in .fleet/ (nginx, HAProxy, audit collector)
	$(VENV)/bin/apl-policy fleet up --replicas 3 --dir $(FLEET_DIR)
	@echo "  the audit trail: $(VENV)/bin/apl-policy audit query --dir $(FLEET_DIR)"
	@echo "  see docs/fleet.md; stop it with: make fleet-down"

# make bench measures a local fleet too (bench/fleet.py): it needs nginx and HAProxy.
bench: fleet-tools

.PHONY: fleet-down
fleet-down: ## stop the local fleet started by make fleet
	$(VENV)/bin/apl-policy fleet down --dir $(FLEET_DIR)

# --- audit store: the collector OPA's decision logs go to --------------------------
# Its tests start a throwaway PostgreSQL cluster from Debian's server binaries.
.PHONY: audit-deps
audit-deps: ## install what the audit tests need: Debian's postgresql (initdb, pg_ctl), if missing
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  if ! apt-cache policy postgresql | grep -q 'Candidate: [0-9]'; then \
	    $$sudo apt-get -o DPkg::Lock::Timeout=900 update; \
	  fi; \
	  $$sudo apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends postgresql; \
	fi

.PHONY: audit-bench
audit-bench: audit-deps $(VENV_STAMP) ## events/s the collector stores, on SQLite and PostgreSQL
	$(PY) bench/audit_throughput.py

# --- contract: generated files, the wheel, OPA's SDK for the tests ----------------------
SDK_DIR   := tests/sdk
SDK_STAMP := $(SDK_DIR)/node_modules/.installed

.PHONY: generate
generate: $(OPA_STAMP) $(VENV_STAMP) ## write the generated files: schema enums, docs/interpretations.md, docs/sources/
	$(PY) tools/generate.py

.PHONY: check-generated
check-generated: $(OPA_STAMP) $(VENV_STAMP) ## fail when a generated file is not current (then: make generate)
	$(PY) tools/generate.py --check

# OPA's official TypeScript SDK, from npm at the version package-lock.json pins, into
# tests/sdk/node_modules (ignored by git); node and npm from Debian when missing.
$(SDK_STAMP): $(SDK_DIR)/package.json $(SDK_DIR)/package-lock.json
	@if ! command -v npm >/dev/null; then \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get -o DPkg::Lock::Timeout=900 update; \
	  $$sudo apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends nodejs npm; \
	fi
	npm ci --prefix $(SDK_DIR) --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: test-contract-deps
test-contract-deps: check-generated $(SDK_STAMP)

.PHONY: dist
dist: $(VENV_STAMP) ## build the wheel and the sdist into dist/, the policy bundle inside
	$(PY) -m build --outdir dist .

.PHONY: bench-cli
bench-cli: $(OPA_STAMP) $(VENV_STAMP) ## the CLI's CPU per document alone (bench/cli_cpu.py)
	$(PY) bench/cli_cpu.py

# --- regimes: the cost of a decision before and after them -----------------------------
.PHONY: bench-regimes
bench-regimes: $(OPA_STAMP) $(VENV_STAMP) $(INSTRUCTIONS) ## an undated decision before the regimes and now: instructions (valgrind), then opa bench medians
	$(PY) bench/regime_instructions.py
	$(PY) bench/regime_cost.py

# --- perf: instruction counts and golden decisions ------------------------------------
# The harness is a small Go program on OPA's own `rego` package; its go.mod must pin the
# same OPA as OPA_VERSION above (checked here, so the counts are the shipped OPA's).
INSTRUCTIONS := $(BIN)/instructions

$(INSTRUCTIONS): bench/instructions/main.go bench/instructions/dump_amd64.s bench/instructions/go.mod bench/instructions/go.sum
	@grep -q 'github.com/open-policy-agent/opa $(OPA_VERSION)$$' bench/instructions/go.mod \
	  || { echo "bench/instructions/go.mod does not pin OPA $(OPA_VERSION)"; exit 1; }
	mkdir -p $(BIN)
	cd bench/instructions && CGO_ENABLED=0 go build -o $(INSTRUCTIONS) .

.PHONY: instructions-harness
instructions-harness: $(INSTRUCTIONS) ## build the Go harness that evaluates with OPA's rego package (bin/instructions)

.PHONY: bench-instructions
bench-instructions: $(OPA_STAMP) $(VENV_STAMP) $(INSTRUCTIONS) ## count instructions per decision, baseline vs now, under valgrind (about 14 min on 2 cores)
	@command -v valgrind >/dev/null || apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends valgrind
	$(PY) bench/instructions.py

.PHONY: golden
golden: $(OPA_STAMP) $(VENV_STAMP) $(INSTRUCTIONS) ## every fixture and 100,000 documents: baseline and new policy decide identically
	$(PY) bench/golden.py --docs 100000

.PHONY: test-perf
test-perf: $(INSTRUCTIONS)

.PHONY: precomputed
precomputed: $(VENV_STAMP) ## regenerate the policy's precomputed data (peninsula grid, munition aliases and classes)
	$(PY) tools/peninsula_grid.py
	$(PY) tools/munition_aliases.py
	$(PY) tools/munition_classes.py

# --- the HTML report (apl-policy report) --------------------------------------
# Its browser tests drive Debian's chromium (never a browser downloaded by Playwright).
REPORT     := dist/report/fixtures.html
SCREENSHOT := docs/report.png

.PHONY: report-tools
report-tools: ## install Debian's chromium for the report's browser tests, if missing
	@if ! command -v chromium >/dev/null; then \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  if ! apt-cache policy chromium | grep -q 'Candidate: [0-9]'; then \
	    $$sudo apt-get -o DPkg::Lock::Timeout=900 update; \
	  fi; \
	  $$sudo apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends chromium; \
	fi

.PHONY: report
report: $(OPA_STAMP) $(VENV_STAMP) ## the fixtures' report as one HTML page: dist/report/fixtures.html
	@mkdir -p $(dir $(REPORT))
	$(VENV)/bin/apl-policy report --scenarios fixtures -o $(REPORT)
	@echo "report: $(CURDIR)/$(REPORT)"

.PHONY: screenshot
screenshot: report report-tools ## the README's picture of the report: docs/report.png
	@mkdir -p $(dir $(SCREENSHOT))
	$(PY) -m tests.report.browser $(REPORT) $(SCREENSHOT)

.PHONY: report-bench
report-bench: $(OPA_STAMP) $(VENV_STAMP) ## the report on 100,000 generated documents: time, peak RSS, page size
	$(PY) bench/report.py --docs 100000

# --- impact: the decision table and its staleness check ------------------------------------
# docs/decision-table.md and docs/what-changed.md are generated from the policy by a real
# OPA; CI regenerates them into a temporary folder and fails when the committed ones differ.
GENERATED_DOCS := decision-table.md what-changed.md

.PHONY: decision-table
decision-table: $(OPA_STAMP) $(VENV_STAMP) ## regenerate docs/decision-table.md and docs/what-changed.md from the policy
	$(PY) -m bridge.decision_table --out docs

.PHONY: check-decision-table
check-decision-table: $(OPA_STAMP) $(VENV_STAMP) ## fail when docs/decision-table.md or docs/what-changed.md is stale
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PY) -m bridge.decision_table --out "$$tmp"; \
	stale=0; for f in $(GENERATED_DOCS); do \
	  if ! diff -u "docs/$$f" "$$tmp/$$f" > "$$tmp/$$f.diff"; then \
	    echo "docs/$$f is stale: run make decision-table and commit it"; head -40 "$$tmp/$$f.diff"; stale=1; \
	  fi; \
	done; exit $$stale

.PHONY: test-impact
test-impact: check-decision-table
