# Two front doors: `make demo` and `make test`. Everything they need is installed into .venv from PyPI/npm.
PYTHON ?= python3
VENV   := .venv
BIN    := $(abspath $(VENV))/bin
CDK_CLI_VERSION := 2.1148.1
STAMP  := $(VENV)/.installed-stamp
# The Lambda asset's own dependencies (requirements-lambda.txt), installed for the functions' runtime.
LAMBDA_DEPENDENCIES := build/lambda-dependencies/.requirements-sha256

# jsii and the CDK CLI use the venv's Node.js (a supported LTS from PyPI), never the machine's.
export PATH := $(BIN):$(PATH)
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export CDK_DISABLE_VERSION_CHECK := 1
export CDK_CLI_NOTICES := false

.PHONY: setup demo test lint typecheck unit integration infrastructure bench synth schema clean

setup: $(STAMP) $(LAMBDA_DEPENDENCIES)

$(LAMBDA_DEPENDENCIES): $(STAMP) requirements-lambda.txt scripts/fetch_lambda_dependencies.py
	$(BIN)/python scripts/fetch_lambda_dependencies.py

$(STAMP): pyproject.toml requirements.txt requirements-lambda.txt requirements-dev.txt scripts/install_node_tools.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python scripts/install_node_tools.py --venv $(VENV) --cdk-cli $(CDK_CLI_VERSION)
	touch $(STAMP)

demo: setup
	$(BIN)/entra-aws simulate --config config/example.yaml --scenario scenarios/quickstart.yaml

test: setup lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/python -m pytest tests/unit -q

integration: setup
	$(BIN)/python -m pytest tests/integration -q

infrastructure: setup
	$(BIN)/python -m pytest tests/infrastructure -q

synth: setup
	$(BIN)/cdk synth --quiet -c config=config/example.yaml

schema: setup
	$(BIN)/entra-aws schema > config/schema.json

bench: setup
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) build cdk.out .pytest_cache .mypy_cache .ruff_cache
