# chatmod — one entry point per job. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
STAGE ?= dev
BIN := $(CURDIR)/$(VENV)/bin

# The venv and the pinned CDK CLI (node_modules) come first on PATH for every recipe.
export PATH := $(BIN):$(CURDIR)/node_modules/.bin:$(PATH)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: help install console lock local demo load token policy test test-fast mutation lint openapi docs synth synth-all bootstrap diff \
	deploy secrets ably-rules iam-calls redrive alarm-test bench bench-quick clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(VENV)/.installed node_modules/.installed ## Create .venv, install Python and npm dependencies

# Everything from the lock, hash-checked; then this project itself (editable, nothing resolved).
$(VENV)/.installed: requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The moderator console: its own pinned front-end toolchain (console/package-lock.json).
CONSOLE_SOURCES := $(shell find console/src console/scripts -type f 2>/dev/null) console/index.html \
	console/vite.config.ts console/tsconfig.json docs/openapi.json
console/node_modules/.installed: console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund
	touch $@

console/dist/index.html: console/node_modules/.installed $(CONSOLE_SOURCES)
	cd console && npm run build

console: console/dist/index.html ## Build the moderator console (console/dist deployed, console/dist-local for make local)

local: install console ## Start chatmod on localhost (embedded AWS + Ably emulator, console at /console/) until Ctrl-C
	python -m chatmod_local

demo: install ## Scripted conversation against `make local` on :8787 (CHATMOD_LOCAL_PORT=…), else its own
	python -m chatmod_local.demo

load: install ## Load run on loopback: make load CLIENTS=50 DURATION=30 [USE_RUNNING=1: `make local`'s]
	python -m bench.load_bench --clients $(or $(CLIENTS),50) --duration $(or $(DURATION),30) \
		$(if $(USE_RUNNING),--use-running)

token: install ## Bearer token of the running `make local` for any user: make token USER=carol [MODERATOR=1]
	@$(if $(filter command line,$(origin USER)),,echo "make token USER=<clientId> [MODERATOR=1]" >&2; exit 2)
	@python -m tools.bearer_token --user "$(USER)" $(if $(MODERATOR),--moderator) \
		$(if $(filter command line,$(origin STAGE)),--stage $(STAGE))

policy: install ## Show the live policy (local; STAGE=x: deployed) [EDIT=1: in your editor] [FILE=p.json: validate+write]
	@python -m tools.policy $(if $(EDIT),--edit) $(if $(FILE),--file "$(FILE)") \
		$(if $(filter command line,$(origin STAGE)),--stage $(STAGE))

lock: install ## Re-resolve every *.lock from its *.in (UPGRADE=1: newest versions allowed)
	python -m stacks.locks $(if $(UPGRADE),--upgrade)

# The suite runs on every core plus one (the end-to-end tests spend much of their time
# waiting on the local system), a test file per worker: module fixtures (one moto per
# module, a browser per console module) are built once. WORKERS=1: one process.
WORKERS ?= $(shell $(PYTHON) -c "import os; print(len(getattr(os, 'sched_getaffinity', lambda _: range(os.cpu_count() or 1))(0)) + 1)")
PYTEST_WORKERS = $(if $(filter 0 1,$(WORKERS)),,-n $(WORKERS) --dist loadfile)

test: install console ## Run the whole test suite (unit, handlers, e2e, stack assertions, nag, bundling) [WORKERS=n]
	pytest $(PYTEST_WORKERS)

test-fast: install console ## The suite without the real pip bundling test [WORKERS=n]
	pytest $(PYTEST_WORKERS) -m "not bundling"

mutation: install ## Mutation score of the decision modules (mutmut) [MODULE=bans|pipeline|before_publish|engine|pace|reviews|review_desk|normalize|blocklist] [SAMPLE=3]
	python -m tools.mutation $(if $(MODULE),--module $(MODULE)) $(if $(SAMPLE),--sample $(SAMPLE))

lint: install console/node_modules/.installed ## ruff (lint + format check), mypy, and the console's tsc + prettier
	ruff check .
	ruff format --check .
	mypy
	cd console && npm run lint

openapi: install console/node_modules/.installed ## Regenerate docs/openapi.json from the routes, and the console's API types from it (tests and the console build fail while either is stale)
	python -m chatmod.api.openapi --output docs/openapi.json
	cd console && npm run api-types

iam-calls: install ## Re-record the AWS calls each handler makes (tests/fixtures/iam/observed_calls.json)
	python -m tests.support.iam_scenarios --write

docs: install ## Regenerate docs/configuration.md from the config model (tests fail while it is stale)
	python -m tools.config_docs

synth: install console ## Synthesize one stage with real bundling: make synth STAGE=prod
	cdk synth -c stage=$(STAGE) --quiet --output cdk.out/$(STAGE)

synth-all: install console ## Synthesize every stage defined in cdk.json
	@for stage in $$(python -c "import json; print(' '.join(json.load(open('cdk.json'))['context']['chatmod:stages']))"); do \
		echo "synth $$stage"; cdk synth -c stage=$$stage --quiet --output cdk.out/$$stage || exit 1; \
	done

bootstrap: install ## Prepare the account/region for CDK deployments (once): CloudFormation limited to chatmod-cfn-exec, roles capped by chatmod-role-boundary
	@arn=$$(python -m tools.bootstrap_policies) || exit 1; \
	cdk bootstrap -c stage=$(STAGE) --output cdk.out/$(STAGE) \
		--cloudformation-execution-policies "$$arn"

diff: install console ## Compare a stage with what is deployed: make diff STAGE=prod
	cdk diff -c stage=$(STAGE) --output cdk.out/$(STAGE)

deploy: install console ## Deploy a stage to the current AWS account: make deploy STAGE=prod
	cdk deploy -c stage=$(STAGE) -c chatmod:deploy=true --output cdk.out/$(STAGE) --require-approval broadening

secrets: install ## Put a stage's SecureString parameters (prompts, no echo): make secrets STAGE=dev [OVERWRITE=1]
	python -m tools.ssm_secrets --stage $(STAGE) $(if $(OVERWRITE),--overwrite)

ably-rules: install ## Create/update the Ably SQS and before-publish rules from the stack's outputs [DRY_RUN=1]
	python -m tools.ably_rules --stage $(STAGE) $(if $(DRY_RUN),--dry-run)

redrive: install ## Move DLQ messages back to the ingest queue: make redrive STAGE=dev [MAX=1000] [DRY_RUN=1]
	python -m tools.redrive --stage $(STAGE) $(if $(MAX),--max $(MAX)) $(if $(DRY_RUN),--dry-run)

ALARM ?= DeadLetterQueueNotEmpty
alarm-test: ## Send one alarm to ALARM and back (proves alarms reach a person): make alarm-test STAGE=prod [ALARM=name]
	@name=$$(aws cloudwatch describe-alarms --alarm-name-prefix "chatmod-$(STAGE)-" \
		--query "MetricAlarms[?contains(AlarmName, '$(ALARM)')].AlarmName | [0]" --output text); \
	if [ -z "$$name" ] || [ "$$name" = "None" ]; then echo "no alarm matching $(ALARM) in chatmod-$(STAGE)"; exit 1; fi; \
	echo "ALARM: $$name"; \
	aws cloudwatch set-alarm-state --alarm-name "$$name" --state-value ALARM --state-reason "make alarm-test"; \
	sleep 60; \
	echo "OK: $$name"; \
	aws cloudwatch set-alarm-state --alarm-name "$$name" --state-value OK --state-reason "make alarm-test done"

bench: install ## Run the benchmarks and print their tables
	python -m pip install --quiet --require-hashes --no-deps -r bench/requirements.lock
	python -m bench

bench-quick: install ## Every benchmark once with small counts (CI): fails on a broken bench, reports targets
	python -m pip install --quiet --require-hashes --no-deps -r bench/requirements.lock
	python -m bench --quick

clean: ## Remove build output (keeps .venv and node_modules)
	rm -rf cdk.out .chatmod-local .pytest_cache .mypy_cache .ruff_cache console/dist console/dist-local
