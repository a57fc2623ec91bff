# The KM workbook. `make help` lists the targets; `make report TAMBON=bangjak` and `make test`
# are the two set-up commands: each creates the environment (.venv) on first use.
#
# Variables reach the recipes through the environment and are always quoted there ("$$VAR"),
# so a value such as 'TAMBON=x;touch /tmp/owned' is passed to km as one argument, never run.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Rebuilt when the project's dependencies or their pins change; otherwise `setup` is instant.
STAMP := $(VENV)/.installed

DATA ?= data
OUT ?= reports
NUMERALS ?= arabic
XLSX ?= km-entry.xlsx
SCALES ?= demo,province,national
export DATA OUT NUMERALS TAMBON AS_OF SINCE JOBS FORCE PDF XLSX SCALES INBOX

LAB_ARGS ?=
export LAB_ARGS

.PHONY: help setup check report reports verify template collect lab lint test bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  variables: TAMBON=slug|Thai name|overview|all DATA=path AS_OF=date SINCE=date OUT=dir"
	@echo "             NUMERALS=arabic|thai JOBS=n FORCE=1 PDF=path (verify) XLSX=file (template)"
	@echo "             INBOX=folder (collect)"

setup: $(STAMP) ## create or update the environment in .venv (pinned by requirements.lock)

$(STAMP): pyproject.toml requirements.lock
	@test -x "$(BIN)/python" || { echo "creating $(VENV) ..."; "$(PYTHON)" -m venv "$(VENV)"; }
	@echo "installing pinned dependencies into $(VENV) (first time: a few minutes) ..."
	"$(BIN)/python" -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test,dask]'
	@touch "$@"

check: setup ## validate the records: make check [DATA=path]
	"$(BIN)/km" check --data "$$DATA"

report: setup ## write one tambon's PDF: make report TAMBON=bangjak [AS_OF=…] [SINCE=…]
	@test -n "$${TAMBON:-}" || { echo "make report needs TAMBON=<slug, Thai name, overview or all>; the tambons are:"; "$(BIN)/km" tambons --data "$$DATA"; exit 2; }
	"$(BIN)/km" report "$$TAMBON" --data "$$DATA" --out "$$OUT" --numerals "$$NUMERALS" \
		$${AS_OF:+--as-of "$$AS_OF"} $${SINCE:+--since "$$SINCE"} \
		$${JOBS:+--jobs "$$JOBS"} $${FORCE:+--force}

reports: ## every tambon and the overview, in parallel, with a manifest: make reports [JOBS=2] [FORCE=1]
	@"$(MAKE)" --no-print-directory report TAMBON=all

verify: setup ## are a PDF's records still the records at DATA? make verify PDF=path
	@test -n "$${PDF:-}" || { echo "make verify needs PDF=<a report's PDF>"; exit 2; }
	"$(BIN)/km" verify "$$PDF" --data "$$DATA"

template: setup ## the entry workbook, filled from DATA: make template [TAMBON=slug] [XLSX=km-entry.xlsx]
	@# With TAMBON, that tambon's workbook, written to km-entry-<slug>.xlsx unless XLSX is given.
	"$(BIN)/km" template --data "$$DATA" $${TAMBON:+--tambon "$$TAMBON"} \
		$(if $(and $(TAMBON),$(filter file,$(origin XLSX))),,--out "$$XLSX")

collect: setup ## what returned workbooks bring, before adding them: make collect INBOX=folder [DATA=path]
	@test -n "$${INBOX:-}" || { echo "make collect needs INBOX=<the folder of workbooks the tambons sent back>"; exit 2; }
	"$(BIN)/km" collect "$$INBOX" --data "$$DATA"

lab: setup ## JupyterLab on notebooks/, with this environment as the "KM workbook" kernel
	"$(BIN)/python" -m ipykernel install --user --name km-workbook --display-name "KM workbook" >/dev/null
	@# As root (containers, CI), Jupyter refuses to start unless told so.
	"$(BIN)/jupyter" lab --notebook-dir=notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $$LAB_ARGS

lint: setup ## ruff on the package, tests, bench and notebooks (rules in pyproject.toml)
	"$(BIN)/ruff" check km_analysis tests bench notebooks

test: setup lint ## lint, then run the test suite
	"$(BIN)/python" -m pytest

bench: setup ## the goals of issue #16, timed (15-20 min): make bench [SCALES=demo,province,national] [ROUNDS=5]; bench/results.md
	"$(BIN)/python" bench/load_records.py
	"$(BIN)/python" bench/run.py --scales "$$SCALES" $${ROUNDS:+--rounds "$$ROUNDS"}

clean: ## remove generated reports and caches (keeps .venv)
	rm -rf reports/*/ reports/.snapshots bench/data .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +
