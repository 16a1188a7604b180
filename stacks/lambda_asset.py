"""Stage the Lambda code asset at synth time, without Docker: the `entra_aws` package source, the handlers,
the config as JSON (inline policy files already resolved by the loader) and PyYAML's pure-Python package
(`entra_aws.config` imports the YAML loader; the Lambda runtime has no PyYAML). Powertools, pydantic and the
X-Ray SDK come from the AWS-published Powertools layer."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import yaml

from entra_aws.config import Config

REPO = Path(__file__).resolve().parents[1]
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.pyi")


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
    shutil.copytree(Path(yaml.__file__).parent, root / "yaml", ignore=_IGNORE, dirs_exist_ok=True)
    text = json.dumps(config_document(config), indent=1, sort_keys=True)
    (root / "config.json").write_text(text + "\n", encoding="utf-8")
    return root
