# frugal-lakehouse — the verbs users type. Every verb bootstraps what it needs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON_BOOT   ?= python3.11
VENV          ?= .venv
PY            := $(VENV)/bin/python
CHECKOV_VENV  ?= .venv-checkov
CHECKOV_PIN   ?= checkov==3.2.533
TF            := ./tools/terraform.sh
ENV           ?= local
WORDPRESS     ?= sample
PRODUCT       ?= wordpress_api
EMULATOR_PORT ?= 4566
export EMULATOR_PORT
# Repo packages (shared code, emulator, tools) import from this checkout without reinstalling the venv.
export PYTHONPATH := $(CURDIR)/src:$(CURDIR)/emulator/src:$(CURDIR)/tools$(if $(PYTHONPATH),:$(PYTHONPATH))

MODULES := $(sort $(dir $(wildcard modules/*/main.tf)))
ENVS    := $(sort $(dir $(wildcard envs/*/main.tf)))

.PHONY: help venv test lint docs fmt tf-validate tf-test checkov py39 pytest emulator-up emulator-down \
        plan apply destroy verify demo demo-failure package bench run flakes clean mutate wordpress-up wordpress-down wordpress-packages

help: ## list the verbs
	@grep -E '^[a-z][a-z0-9 -]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml emulator/pyproject.toml
	$(PYTHON_BOOT) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade "pip==24.3.1"
	$(VENV)/bin/pip install --quiet -e './emulator[dev]' -e '.[dev]'
	touch $@

venv: $(VENV)/.installed ## create/refresh the project virtual environment

# checkov pins its own dependency versions, so it lives in a venv of its own.
$(CHECKOV_VENV)/.installed: Makefile
	$(PYTHON_BOOT) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet "$(CHECKOV_PIN)"
	touch $@

test: venv $(CHECKOV_VENV)/.installed ## everything CI runs: lint, terraform validate + test for every module and env, checkov (zero failed), py39, pytest (unit, ASL, e2e)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory tf-validate
	$(MAKE) --no-print-directory tf-test
	$(MAKE) --no-print-directory checkov
	$(MAKE) --no-print-directory py39
	$(MAKE) --no-print-directory pytest

lint: venv ## ruff + terraform fmt -check + generated docs current (make docs) + documentation links
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TF) fmt -check -recursive -diff modules envs
	$(PY) tools/gendocs.py --check
	$(PY) tools/check_links.py

docs: venv ## regenerate every generated doc: module README tables, the decision index, the README's make-verbs table (tools/gendocs.py)
	$(PY) tools/gendocs.py

fmt: venv ## format Python and Terraform in place
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(TF) fmt -recursive modules envs

tf-validate: ## terraform init (offline mirror) + validate for every module and env
	./tools/tf_each.sh validate $(MODULES) $(ENVS)

tf-test: ## terraform test for every module (mock provider, plan-level logic)
	./tools/tf_each.sh test $(MODULES)

checkov: $(CHECKOV_VENV)/.installed ## checkov over modules and envs, zero failed checks
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml

py39: ## the silver job's tests on Python 3.9 (Glue Python shell), in .venv39 and .venv39-analytics
	./tools/py39_check.sh

pytest: venv ## pytest: unit, ASL-on-emulator and e2e suites
	$(PY) -m pytest $(PYTEST_ARGS)

emulator-up: venv ## start the local AWS emulator on 127.0.0.1 port EMULATOR_PORT (default 4566) and the sample WordPress site on port +2
	$(PY) -m local_emulator up --port $(EMULATOR_PORT)
	$(PY) tools/local_site.py up

emulator-down: venv ## stop the local AWS emulator and the sample WordPress site
	$(PY) tools/local_site.py down
	$(PY) -m local_emulator down --port $(EMULATOR_PORT)

wordpress-packages: ## apt-get install Debian's WordPress, PHP and MariaDB when missing (fails, never skips)
	python3 tools/wordpress_local/site.py packages

wordpress-up: venv ## a real local WordPress (Debian packages) with the plugin and content; prints URL + application password
	$(PY) tools/wordpress_local/site.py up $(if $(WORDPRESS_PORT),--port $(WORDPRESS_PORT),)

wordpress-down: venv ## stop the local WordPress started by wordpress-up
	$(PY) tools/wordpress_local/site.py down $(if $(WORDPRESS_PORT),--port $(WORDPRESS_PORT),)

plan apply destroy: venv ## terraform plan|apply|destroy of one environment, ENV=local|dev|prod (local needs the emulator up)
	$(PY) tools/envctl.py $@ --env $(ENV) --port $(EMULATOR_PORT)

verify: venv ## ask the account (ENV=dev|prod) or the emulator (ENV=local) whether every deployed role may make every call it makes
	$(PY) tools/verify.py --env $(ENV) --port $(EMULATOR_PORT)

package: venv ## build deterministic Lambda zips, the Glue bundle and the WordPress plugin zip into dist/
	$(PY) tools/package.py

flakes: venv ## run each emulator-backed suite RUNS times in a row (default 5) and print every run's counts
	$(PY) tools/repeat_suites.py --runs $(or $(RUNS),5)

mutate: venv ## plant each of the guard's listed bugs in a copy of the repo, run its narrowest tests, report survivors (N=1 2 ...: only these)
	$(PY) tools/mutate.py $(N)

bench: venv ## run the bench/ scripts and write what they print to bench/RESULTS.md (BENCH="a b": only these)
	$(PY) tools/bench_results.py $(BENCH)

demo: venv ## start the emulator, apply envs/local, run the workflows on sample data (WORDPRESS=real: a real WordPress; PRODUCT=music_library: envs/music_library on generated drops), tear down (KEEP=1: leave it up)
	WORDPRESS=$(WORDPRESS) $(PY) tools/demo.py --product $(PRODUCT)

demo-failure: venv ## the demo's failure scene: bad source data stopped by the data-quality gate
	$(PY) tools/demo.py --failure

run: venv ## start the pipeline workflow now, as its schedule would (ENV=local|dev|prod), and follow it
	$(PY) tools/run_schedule.py --env $(ENV) --port $(EMULATOR_PORT) --wait

clean: ## remove virtual environments, caches and build output
	rm -rf $(VENV) $(CHECKOV_VENV) .cache dist .emulator .pytest_cache .ruff_cache
	find modules envs -name .terraform -type d -prune -exec rm -rf {} +
