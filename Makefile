# The two commands of the quick start are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.local/bin:$(PATH)
export AMQP_URL ?= amqp://guest:guest@127.0.0.1:5672/
export DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: help install run test test-cluster test-fast fuzz lint format typecheck schemas contracts bench bench-matching faults clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install: ## install uv if needed, then the whole workspace from the lock file
	@scripts/ensure-uv
	@uv sync --frozen --all-packages

run: install ## the platform at http://127.0.0.1:8000 (Caddy in front), demo, until Ctrl-C
	@uv run --frozen python scripts/run_platform.py

test: install ## run the whole suite (real RabbitMQ and PostgreSQL)
	@scripts/run-tests

test-cluster: install ## only the cluster test (also in make test): three nodes of its own lose one mid-flood
	@scripts/with-services uv run --frozen pytest tests/test_cluster.py -q -p no:cacheprovider

fuzz: install ## every service's HTTP API fuzzed from its OpenAPI (real RabbitMQ and PostgreSQL)
	@scripts/with-services uv run --frozen pytest tests/test_api_fuzz.py -q -p no:cacheprovider

lint: install ## ruff lint and format check, import rules, mypy strict
	@uv run --frozen ruff check .
	@uv run --frozen ruff format --check .
	@uv run --frozen lint-imports
	@uv run --frozen mypy contracts/src services/*/src devtools/src

typecheck: install ## mypy strict on every distribution
	@uv run --frozen mypy contracts/src services/*/src devtools/src

test-fast: install ## domain and use-case tests, no servers (well under a minute)
	@uv run --frozen pytest -q -m "not integration and not browser" -p no:cacheprovider

format: install ## apply ruff's formatting and safe fixes
	@uv run --frozen ruff check --fix .
	@uv run --frozen ruff format .

schemas: install ## regenerate the committed JSON Schemas of the contracts
	@uv run --frozen deformations-contracts schemas write

contracts: install ## check the committed schemas and their backward compatibility
	@uv run --frozen deformations-contracts schemas check
	@uv run --frozen deformations-contracts schemas compat

bench: install ## benchmarks of the backbone (last line: one JSON object)
	@scripts/with-services uv run --frozen python bench/run.py

faults: install ## outages and SIGKILLed consumer/relay on servers of its own: lost, duplicated, dead_lettered (last line: JSON)
	@scripts/with-services uv run --frozen python bench/faults.py

bench-matching: install ## matching at national scale (last line: one JSON object)
	@uv run --frozen python services/matching/bench/bench_matching.py

clean: ## remove caches and the virtualenv
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache .hypothesis
