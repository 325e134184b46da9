# Every target prepares the virtualenv itself: a fresh machine needs only Python 3.11+ and make.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The ops tools (build, Terraform, traffic, smoke, reindex, cost) have a virtualenv of their own with only
# the project and its `ops` extra: what deploys to AWS never installs the emulator or the test tools.
OPS_VENV := $(VENV)/ops
OPS := $(OPS_VENV)/bin/python -m tasks_ops
OPS_STAMP := $(OPS_VENV)/.installed

AWS_PORT ?= 4566
API_PORT ?= 3000
AWS_REGION ?= us-east-1
GROUPS ?=
EVENT ?=
FN ?=
N ?= 100
DECISION ?= approve
COMMENT ?=
TASK ?=
ENV ?= dev
PACKAGE ?= yes
PRICES ?= us-east-1
# Test workers: one per core by default (pytest-xdist's `auto`); WORKERS=0 runs in this one process.
WORKERS ?= auto
# Whether ENV was given on the command line (smoke and reindex then target that deployed environment).
ENV_GIVEN := $(filter command line,$(origin ENV))
# What a person types after `make target` (USER=, COMMENT=, ...) reaches the commands as ARG_<NAME> in
# the environment, taken as written: $(value) keeps make from expanding it (a `$(shell ...)` in a value
# stays text), the given variables themselves are never exported (an export would expand them), and the
# recipes pass it on as "$$ARG_<NAME>", so a quote, $(...) or a backtick is text, never shell. (Not
# under their own names: bash ignores a GROUPS from its environment.)
unexport USER GROUPS EVENT FN N SEED TASK DECISION COMMENT ENV PRICES PACKAGE WORKERS FRESH
export ARG_USER := $(value USER)
export ARG_GROUPS := $(value GROUPS)
export ARG_EVENT := $(value EVENT)
export ARG_FN := $(value FN)
export ARG_N := $(value N)
export ARG_SEED := $(value SEED)
export ARG_TASK := $(value TASK)
export ARG_DECISION := $(value DECISION)
export ARG_COMMENT := $(value COMMENT)
export ARG_ENV := $(value ENV)
export ARG_PRICES := $(value PRICES)
export ARG_PACKAGE := $(value PACKAGE)
export ARG_WORKERS := $(value WORKERS)
export ARG_FRESH := $(value FRESH)
# The local runtime reads these three itself; they are numbers and a region, taken as written too.
override export AWS_PORT := $(value AWS_PORT)
override export API_PORT := $(value API_PORT)
override export AWS_REGION := $(value AWS_REGION)
# CI deploys the dist/ artifact built once by `make package` and passes PACKAGE=no, so no stage rebuilds it.
PACKAGED := $(if $(filter no,$(ARG_PACKAGE)),$(OPS_STAMP),package)
# checkov pins libraries below what moto needs, so it has a virtualenv of its own (pyproject.toml's
# dependency group `checkov`, pinned by constraints-checkov.txt).
CHECKOV_VENV := $(VENV)/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

.PHONY: help dev reset test test-unit test-integration test-contract test-e2e test-web test-local test-ops mutation lint audit format token publish invoke queues seed approve approvals demo client diagram screenshots package plan deploy smoke rollback cost reindex

help: ## List the targets, by what they are for
	@if [ -t 1 ]; then on=$$'\033[36m' bold=$$'\033[1m' off=$$'\033[0m'; else on= bold= off=; fi; \
	awk -v on="$$on" -v bold="$$bold" -v off="$$off" ' \
	  /^##@ / { printf "\n%s%s%s\n", bold, substr($$0, 5), off } \
	  /^[a-z0-9-]+:.*## / { split($$0, part, ":.*## "); printf "  %s%-16s%s %s\n", on, part[1], off, part[2] }' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required ($(PYTHON) is $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the project and its tools into $(VENV) (log: $(VENV)/install.log)" >&2
	@{ $(BIN)/python -m pip install --upgrade pip && \
	   $(BIN)/python -m pip install -c constraints.txt -e '.[dev]'; } > $(VENV)/install.log 2>&1 \
	   || { tail -n 30 $(VENV)/install.log >&2; exit 1; }
	@touch $@

$(OPS_STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required ($(PYTHON) is $$($(PYTHON) --version))"; exit 1; }
	@test -x $(OPS_VENV)/bin/python || $(PYTHON) -m venv $(OPS_VENV)
	@echo "Installing the project and its ops tools into $(OPS_VENV) (log: $(OPS_VENV)/install.log)" >&2
	@{ $(OPS_VENV)/bin/python -m pip install --upgrade pip && \
	   $(OPS_VENV)/bin/python -m pip install -c constraints.txt -e '.[ops]'; } > $(OPS_VENV)/install.log 2>&1 \
	   || { tail -n 30 $(OPS_VENV)/install.log >&2; exit 1; }
	@touch $@

$(CHECKOV_STAMP): pyproject.toml constraints-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	@echo "Installing checkov into $(CHECKOV_VENV) (log: $(CHECKOV_VENV)/install.log)" >&2
	@{ $(CHECKOV_VENV)/bin/python -m pip install --upgrade pip && \
	   $(CHECKOV_VENV)/bin/python -m pip install -c constraints-checkov.txt --group checkov; } > $(CHECKOV_VENV)/install.log 2>&1 \
	   || { tail -n 30 $(CHECKOV_VENV)/install.log >&2; exit 1; }
	@touch $@

##@ Local stack (make dev, and what talks to it)

dev: $(STAMP) ## Run the whole system locally: AWS (moto) on :4566 (AWS_PORT), the HTTP API on :3000 (API_PORT); it keeps its state in .local/ (FRESH=1 starts empty, the old state set aside)
	@exec $(BIN)/python -m tasks_local dev $(if $(ARG_FRESH),--fresh)

reset: $(STAMP) ## Delete the state a stopped `make dev` kept (on AWS_PORT): the next start is empty
	@$(BIN)/python -m tasks_local reset

token: $(STAMP) ## Print a bearer token for the local API: make token USER=alice GROUPS=approvers
	@$(BIN)/python -m tasks_local token --user "$$ARG_USER" --groups "$$ARG_GROUPS"

publish: $(STAMP) ## Put an event on the running local bus: make publish EVENT=events/samples/eventbridge/TaskCreated.json
	@test -n "$$ARG_EVENT" || { echo "usage: make publish EVENT=path/to/event.json" >&2; exit 2; }
	@$(BIN)/python -m tasks_local publish "$$ARG_EVENT"

invoke: $(STAMP) ## Invoke one function with an event: make invoke FN=task-created EVENT=events/samples/sqs/task-created.json
	@test -n "$$ARG_FN" -a -n "$$ARG_EVENT" || { echo "usage: make invoke FN=<function> EVENT=path/to/event.json" >&2; exit 2; }
	@$(BIN)/python -m tasks_local invoke "$$ARG_FN" "$$ARG_EVENT"

queues: $(STAMP) ## Show the local queues' depths and the reasons of dead letters
	@$(BIN)/python -m tasks_local queues

seed: $(STAMP) ## Create N demo tasks (default 100) through the running API, a good share USER's: make seed N=1000 USER=alice
	@$(BIN)/python -m tasks_local seed --count "$$ARG_N" --user "$$ARG_USER" $(if $(ARG_SEED),--seed "$$ARG_SEED")

approve: $(STAMP) ## Decide an approval request as an approver, on the version read now: make approve TASK=<id> USER=bob [DECISION=reject] [COMMENT=...]
	@test -n "$$ARG_TASK" -a -n "$$ARG_USER" || { echo "usage: make approve TASK=<id> USER=<approver> [DECISION=reject] [COMMENT=...]" >&2; exit 2; }
	@$(BIN)/python -m tasks_local approve --task "$$ARG_TASK" --user "$$ARG_USER" --decision "$$ARG_DECISION" --comment "$$ARG_COMMENT"

approvals: $(STAMP) ## Print what awaits approval, oldest request first (as USER, an approver)
	@$(BIN)/python -m tasks_local approvals --user "$$ARG_USER"

demo: $(STAMP) ## Tell the approval story against the running stack (make dev), checking every step
	@$(BIN)/python -m tasks_local demo

##@ REST callers (the API's OpenAPI document, and a client generated from it)

client: $(STAMP) ## Generate the API's typed Python client into dist/tasks-api-client from the document GET /openapi.json serves (pinned openapi-python-client; a warning fails)
	@$(BIN)/python -m tasks_local client

##@ Quality (what CI runs, and the developer's checks)

# Every suite runs on every core (one pytest-xdist worker each; tests that share one costly thing are
# grouped onto one worker), in a random order (pytest-randomly prints its seed: pass the same
# `-p randomly --randomly-seed=N` to pytest to replay an order). The ops virtualenv is built first:
# tests run `make smoke` and `make plan` on several workers at once.
PYTEST := $(BIN)/python -m pytest -n "$$ARG_WORKERS" --dist loadgroup

test: $(STAMP) $(OPS_STAMP) ## Run every test suite: unit, integration, contract, e2e (the local stack), local and ops (the tools)
	@$(PYTEST)

test-unit: $(STAMP) ## The domain, use cases and handlers' pure parts, on in-memory fakes: no sockets
	@$(PYTEST) tests/unit

test-integration: $(STAMP) ## The handlers, adapters and workflow against moto in-process
	@$(PYTEST) tests/integration

test-contract: $(STAMP) $(OPS_STAMP) ## Code against infra/, the manifests, the catalog and the docs
	@$(PYTEST) tests/contract

test-e2e: $(STAMP) $(OPS_STAMP) ## The local stack (make dev) started and talked to over HTTP
	@$(PYTEST) tests/e2e

test-web: $(STAMP) $(OPS_STAMP) ## The approvers' web app in headless Chromium on the local stack (skips, saying so, without Chromium)
	@$(PYTEST) tests/web

test-local: $(STAMP) $(OPS_STAMP) ## The local stack's own parts: the runtime, its moto fixes, its clients
	@$(PYTEST) tests/local

test-ops: $(STAMP) $(OPS_STAMP) ## The ops tools: build, Terraform, traffic, smoke, reindex, checks, cost
	@$(PYTEST) tests/ops

mutation: $(STAMP) ## Mutation testing (mutmut) of the domain, the use cases and the API's request reading against the unit tests: the score per module, every survivor; fails under 90% killed or on a survivor not reviewed as equivalent
	@$(BIN)/python -m tasks_ops mutation

lint: $(STAMP) $(CHECKOV_STAMP) ## Lint and check formatting (ruff), validate the approval ASL (statelint and our checks), check infra/ (HCL parse, terraform fmt, checkov), the OpenAPI document (Redocly), the workflows (schema, zizmor), bandit
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/python -m tasks_ops lint-workflow
	@$(BIN)/python -m tasks_ops lint-infra --checkov $(CHECKOV_VENV)/bin/checkov
	@$(BIN)/python -m tasks_local openapi --out dist/openapi.json > /dev/null
	@$(BIN)/python -m tasks_ops lint-openapi dist/openapi.json
	@$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	@$(BIN)/zizmor --offline --quiet .github/workflows
	@$(BIN)/bandit --quiet --recursive --severity-level medium services shared local ops bench && echo "bandit: no medium or high findings"

format: $(STAMP) ## Fix lint findings and format the code (ruff)
	@$(BIN)/ruff check --fix .
	@$(BIN)/ruff format .

audit: $(STAMP) ## Check the locked dependencies (constraints.txt) against the advisory databases (pip-audit; needs the network)
	@$(BIN)/pip-audit --strict --no-deps --disable-pip --progress-spinner off --requirement constraints.txt

diagram: $(STAMP) ## Regenerate the approval workflow's Mermaid diagram in docs/approval-workflow.md
	@$(BIN)/python -m tasks_ops diagram

screenshots: $(STAMP) ## Regenerate docs/screenshots/ (the web app's queue and a request) on a fresh stack, in headless Chromium
	@test -n "$${CHROMIUM:-$$(command -v chromium)}" || { echo "make screenshots needs Chromium: apt-get install chromium (or CHROMIUM=/path)" >&2; exit 2; }
	@WEB_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/web/test_screenshots.py -p no:cacheprovider

##@ Ops (build, release and operate in AWS: the ops extra only)

package: $(OPS_STAMP) ## Build dist/: one zip per function and the dependency layer (Python 3.12, arm64), byte-identical for the same inputs
	@$(OPS) package

plan: $(PACKAGED) ## Plan one environment with Terraform: make plan ENV=dev (says what is missing when it cannot)
	@$(OPS) terraform plan --env "$$ARG_ENV"

deploy: $(PACKAGED) ## Apply one environment with Terraform, then shift each changed function's `live` alias through CodeDeploy: make deploy ENV=dev
	@$(OPS) terraform apply --env "$$ARG_ENV"

# URL, TOKEN and APPROVER_TOKEN reach `smoke` as environment variables (make exports the variables given
# on its command line), so no token appears on a command line for `ps` to show.
smoke: $(OPS_STAMP) ## Health, a CRUD round trip with If-Match and an approval round trip: make smoke [URL=.. TOKEN=.. APPROVER_TOKEN=..] or ENV=staging
	@$(OPS) smoke $(if $(ENV_GIVEN),--env "$$ARG_ENV")

rollback: $(OPS_STAMP) ## Point a function's `live` alias back at its previous version in AWS: make rollback ENV=staging FN=tasks-api (or FN=all)
	@test -n "$$ARG_FN" || { echo "usage: make rollback ENV=<env> FN=<function>|all" >&2; exit 2; }
	@$(OPS) rollback --env "$$ARG_ENV" --function "$$ARG_FN"

cost: $(OPS_STAMP) ## An environment's cost per million task writes and for a month at low traffic, every term printed: make cost ENV=dev|staging|prod [PRICES=us-east-1]; without ENV, the three side by side
	@$(OPS) cost $(if $(ENV_GIVEN),--env "$$ARG_ENV") --prices "$$ARG_PRICES"

reindex: $(OPS_STAMP) ## Rebuild the listing views from the tasks table after a restore: make reindex (the local stack) or ENV=staging
	@$(OPS) reindex $(if $(ENV_GIVEN),--env "$$ARG_ENV")
