"""Stage the Lambda code asset at synth time, without Docker or network: the `entra_aws` package source, the
handlers, the config as JSON (inline policy files already resolved by the loader) and every third-party package
the handlers import (boto3/botocore, Powertools, pydantic, PyYAML...) at the exact versions pinned in
requirements-lambda.txt, installed for the functions' runtime by `make setup` (scripts/fetch_lambda_dependencies.py).
What is deployed is what the tests ran: no Powertools layer, and not the runtime's own boto3."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from entra_aws.config import Config

REPO = Path(__file__).resolve().parents[1]
DEPENDENCIES = REPO / "build" / "lambda-dependencies"
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.pyi")
_IGNORE_IN_DEPENDENCIES = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyi", "bin", ".requirements-sha256")


class LambdaDependenciesMissingError(RuntimeError):
    def __init__(self) -> None:
        super().__init__(f"the Lambda asset's dependencies are not installed in {DEPENDENCIES}: run `make setup`")


def config_document(config: Config) -> dict[str, object]:
    document: dict[str, object] = config.model_dump(mode="json", exclude_none=True)
    return document


def config_hash(config: Config) -> str:
    text = json.dumps(config_document(config), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def stage(config: Config, into: Path | None = None) -> Path:
    """Copy everything the handlers import into a fresh folder; returns it (a `Code.from_asset` source)."""
    root = Path(into or tempfile.mkdtemp(prefix="entra-aws-lambda-"))
    shutil.copytree(REPO / "entra_aws", root / "entra_aws", ignore=_IGNORE, dirs_exist_ok=True)
    shutil.copytree(REPO / "lambdas", root / "lambdas", ignore=_IGNORE, dirs_exist_ok=True)
    _copy_dependencies(root)
    text = json.dumps(config_document(config), indent=1, sort_keys=True)
    (root / "config.json").write_text(text + "\n", encoding="utf-8")
    return root


def _copy_dependencies(root: Path) -> None:
    if not (DEPENDENCIES / "boto3").is_dir():
        raise LambdaDependenciesMissingError()
    shutil.copytree(DEPENDENCIES, root, ignore=_IGNORE_IN_DEPENDENCIES, dirs_exist_ok=True, copy_function=_link)


def _link(source: str, destination: str) -> None:
    """Hard links where the file system allows (50 MB per synth otherwise), a copy where it does not."""
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)
