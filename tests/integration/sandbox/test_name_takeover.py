"""scenarios/name-takeover.yaml through the deployed event path: a group renamed to a retired privileged group's
name gets none of its access, and the team is notified of the finding."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
ENTRA_AWS = Path(sys.executable).parent / "entra-aws"
pytestmark = pytest.mark.integration


def test_a_group_taking_a_retired_admins_groups_name_gets_nothing_and_the_team_is_told() -> None:
    argv = [str(ENTRA_AWS), "simulate", "--config", "config/example.yaml", "--scenario", "scenarios/name-takeover.yaml"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Expectations: all 5 met." in out
    told = "error: rule platform-admins: group 'AWS-Platform-Admins'"
    assert f"notified  entra-aws: {told}" in out, out
    assert "has the name of a pinned rule principal but not its identity" in out
