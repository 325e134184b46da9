# Every target prepares the virtualenv itself: a fresh machine needs only Python 3.11+ and make.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

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
# CI deploys the dist/ artifact built once by `make package` and passes PACKAGE=no, so no stage rebuilds it.
PACKAGE ?= yes
PRICES ?= us-east-1
PACKAGED := $(if $(filter no,$(PACKAGE)),$(STAMP),package)
# checkov pins libraries below what moto needs, so it has a virtualenv of its own (pyproject.toml's
# dependency group `checkov`, pinned by constraints-checkov.txt).
CHECKOV_VENV := $(VENV)/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
export AWS_PORT API_PORT AWS_REGION

.PHONY: help dev test lint audit format token publish invoke queues seed approve approvals demo diagram package plan deploy smoke rollback cost reindex

help: ## List the targets
	@if [ -t 1 ]; then on=$$'\033[36m' off=$$'\033[0m'; else on= off=; fi; \
	grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
	| awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*## "}; {printf "  %s%-8s%s %s\n", on, $$1, off, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required ($(PYTHON) is $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the project and its tools into $(VENV) (log: $(VENV)/install.log)" >&2
	@{ $(BIN)/python -m pip install --upgrade pip && \
	   $(BIN)/python -m pip install -c constraints.txt -e '.[dev]'; } > $(VENV)/install.log 2>&1 \
	   || { tail -n 30 $(VENV)/install.log >&2; exit 1; }
	@touch $@

$(CHECKOV_STAMP): pyproject.toml constraints-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	@echo "Installing checkov into $(CHECKOV_VENV) (log: $(CHECKOV_VENV)/install.log)" >&2
	@{ $(CHECKOV_VENV)/bin/python -m pip install --upgrade pip && \
	   $(CHECKOV_VENV)/bin/python -m pip install -c constraints-checkov.txt --group checkov; } > $(CHECKOV_VENV)/install.log 2>&1 \
	   || { tail -n 30 $(CHECKOV_VENV)/install.log >&2; exit 1; }
	@touch $@

dev: $(STAMP) ## Run the whole system locally: AWS (moto) on :4566 (AWS_PORT), the HTTP API on :3000 (API_PORT)
	@exec $(BIN)/python -m tasks_local dev

test: $(STAMP) ## Run every test suite (unit, integration, contract, end-to-end)
	@$(BIN)/python -m pytest

lint: $(STAMP) $(CHECKOV_STAMP) ## Lint and check formatting (ruff), validate the approval ASL (statelint and our checks), check infra/ (HCL parse, terraform fmt, checkov), the workflows (schema, zizmor), bandit
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/python -m tasks_local lint-workflow
	@$(BIN)/python -m tasks_local lint-infra --checkov $(CHECKOV_VENV)/bin/checkov
	@$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	@$(BIN)/zizmor --offline --quiet .github/workflows
	@$(BIN)/bandit --quiet --recursive --severity-level medium services shared local bench && echo "bandit: no medium or high findings"

audit: $(STAMP) ## Check the locked dependencies (constraints.txt) against the advisory databases (pip-audit; needs the network)
	@$(BIN)/pip-audit --strict --no-deps --disable-pip --progress-spinner off --requirement constraints.txt

format: $(STAMP) ## Fix lint findings and format the code (ruff)
	@$(BIN)/ruff check --fix .
	@$(BIN)/ruff format .

token: $(STAMP) ## Print a bearer token for the local API: make token USER=alice GROUPS=approvers
	@$(BIN)/python -m tasks_local token --user '$(USER)' --groups '$(GROUPS)'

publish: $(STAMP) ## Put an event on the running local bus: make publish EVENT=events/samples/eventbridge/TaskCreated.json
	@test -n "$(EVENT)" || { echo "usage: make publish EVENT=path/to/event.json" >&2; exit 2; }
	@$(BIN)/python -m tasks_local publish '$(EVENT)'

invoke: $(STAMP) ## Invoke one function with an event: make invoke FN=task-created EVENT=events/samples/sqs/task-created.json
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<function> EVENT=path/to/event.json" >&2; exit 2; }
	@$(BIN)/python -m tasks_local invoke '$(FN)' '$(EVENT)'

queues: $(STAMP) ## Show the local queues' depths and the reasons of dead letters
	@$(BIN)/python -m tasks_local queues

seed: $(STAMP) ## Create N demo tasks (default 100) through the running API, a good share USER's: make seed N=1000 USER=alice
	@$(BIN)/python -m tasks_local seed --count '$(N)' --user '$(USER)' $(if $(SEED),--seed '$(SEED)')

approve: $(STAMP) ## Decide an approval request as an approver: make approve TASK=<id> USER=bob [DECISION=reject] [COMMENT=...]
	@test -n "$(TASK)" -a -n "$(USER)" || { echo "usage: make approve TASK=<id> USER=<approver> [DECISION=reject] [COMMENT=...]" >&2; exit 2; }
	@$(BIN)/python -m tasks_local approve --task '$(TASK)' --user '$(USER)' --decision '$(DECISION)' --comment '$(COMMENT)'

approvals: $(STAMP) ## Print what awaits approval, oldest request first (as USER, an approver)
	@$(BIN)/python -m tasks_local approvals --user '$(USER)'

demo: $(STAMP) ## Tell the approval story against the running stack (make dev), checking every step
	@$(BIN)/python -m tasks_local demo

diagram: $(STAMP) ## Regenerate the approval workflow's Mermaid diagram in docs/approval-workflow.md
	@$(BIN)/python -m tasks_local diagram

package: $(STAMP) ## Build dist/: one zip per function and the dependency layer (Python 3.12, arm64), byte-identical for the same inputs
	@$(BIN)/python -m tasks_local package

plan: $(PACKAGED) ## Plan one environment with Terraform: make plan ENV=dev (says what is missing when it cannot)
	@$(BIN)/python -m tasks_local terraform plan --env '$(ENV)'

deploy: $(PACKAGED) ## Apply one environment with Terraform, then shift each changed function's `live` alias through CodeDeploy: make deploy ENV=dev
	@$(BIN)/python -m tasks_local terraform apply --env '$(ENV)'

# URL, TOKEN and APPROVER_TOKEN reach `smoke` as environment variables (make exports the variables given
# on its command line), so no token appears on a command line for `ps` to show.
smoke: $(STAMP) ## Health, a CRUD round trip with If-Match and an approval round trip: make smoke [URL=.. TOKEN=.. APPROVER_TOKEN=..] or ENV=staging
	@$(BIN)/python -m tasks_local smoke $(if $(filter command line,$(origin ENV)),--env '$(ENV)')

rollback: $(STAMP) ## Point a function's `live` alias back at its previous version in AWS: make rollback ENV=staging FN=tasks-api (or FN=all)
	@test -n "$(FN)" || { echo "usage: make rollback ENV=<env> FN=<function>|all" >&2; exit 2; }
	@$(BIN)/python -m tasks_local rollback --env '$(ENV)' --function '$(FN)'

cost: $(STAMP) ## The stack's cost per million task writes and for a month at low traffic, every term printed: make cost [PRICES=us-east-1]
	@$(BIN)/python -m tasks_local cost --prices '$(PRICES)'

reindex: $(STAMP) ## Rebuild the listing views from the tasks table after a restore: make reindex (the local stack) or ENV=staging
	@$(BIN)/python -m tasks_local reindex $(if $(filter command line,$(origin ENV)),--env '$(ENV)')
