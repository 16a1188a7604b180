"""Constants and helpers shared by the credential helper tests (a uniquely named module: `conftest` is not
importable reliably when several test folders have one)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROLE_ARN = "arn:aws:iam::123456789012:role/azure-workload"
AUDIENCE = "api://entra-aws-federation"
HelperRunner = Callable[..., subprocess.CompletedProcess[str]]


def helper_command() -> list[str]:
    script = Path(sys.executable).parent / "entra-aws"
    return [str(script)] if script.exists() else [sys.executable, "-m", "entra_aws"]
