"""`cdk synth` as users run it — the CDK CLI, cdk.json's context, app.py with cdk-nag — with no AWS credentials,
no Docker and no AWS config: every stack synthesizes and no cdk-nag finding is left unacknowledged; without
`-c config=` it refuses in one line (the example config is opt-in)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.infrastructure


def cdk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env |= {
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "HOME": str(tmp_path),  # no ~/.aws
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "CDK_DISABLE_VERSION_CHECK": "1",
        "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1",
    }
    return subprocess.run(
        [str(BIN / "cdk"), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_cdk_synth_with_cdk_nag_needs_no_credentials(tmp_path: Path) -> None:
    out = tmp_path / "cdk.out"
    result = cdk(tmp_path, "synth", "--quiet", "--no-notices", "-o", str(out), "-c", "config=config/example.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout + result.stderr
    stacks = {p.name.removesuffix(".template.json") for p in out.glob("*.template.json")}
    assert stacks == {"EntraAws-Federation", "EntraAwsAutomation", "EntraAwsOrgEventForwarder-us-east-1"}
    automation = json.loads((out / "EntraAwsAutomation.template.json").read_text(encoding="utf-8"))
    assert any(r["Type"] == "AWS::Events::Rule" for r in automation["Resources"].values())


def test_cdk_synth_without_a_config_refuses_in_one_line_naming_what_to_pass(tmp_path: Path) -> None:
    result = cdk(tmp_path, "synth", "--quiet", "--no-notices", "-o", str(tmp_path / "cdk.out"))
    assert result.returncode != 0
    refusal = [line for line in result.stderr.splitlines() if line.startswith("app.py:")]
    assert refusal == [
        "app.py: say which config to deploy: cdk synth -c config=path/to/config.yaml "
        "(cdk synth -c config=config/example.yaml to try the example)"
    ], result.stderr
    assert not list((tmp_path / "cdk.out").glob("*.template.json"))
