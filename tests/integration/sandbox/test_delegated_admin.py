"""The quick-start story with topology delegated_admin (config/delegated-admin.yaml): two emulated accounts, the
automation deployed to the delegated administrator (333333333334), the forwarders to the management account
(111111111111); Organizations events put on the management account's us-east-1 bus reach the automation only
through the forwarder's cross-account target. The story passes; its one expectation that cannot hold in this
topology by design (AWS-Finance's Billing in the management account, which a delegated administrator cannot
grant) is reported as out of reach, not failed, and nothing is granted there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
ENTRA_AWS = Path(sys.executable).parent / "entra-aws"
MANAGEMENT_ONLY = (
    "AWS-Finance -> Billing on management: a delegated administrator cannot grant in the management account"
)
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def played() -> tuple[int, dict[str, Any]]:
    argv = [str(ENTRA_AWS), "simulate", "--config", "config/delegated-admin.yaml"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    run = subprocess.run(
        [*argv, "--scenario", "scenarios/quickstart.yaml", "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.stdout.startswith("{"), run.stdout[-2000:] + run.stderr[-2000:]
    return run.returncode, json.loads(run.stdout)


def test_the_story_passes_with_the_management_account_grant_out_of_reach(played: tuple[int, dict[str, Any]]) -> None:
    status, result = played
    assert result["failed_expectations"] == [] and result["out_of_reach"] == [MANAGEMENT_ONLY]
    assert status == 0 and result["expectations_checked"] == 14
    assert not [step["dead_letters"] for step in result["steps"] if step["dead_letters"]]


def test_organizations_events_cross_from_the_management_account(played: tuple[int, dict[str, Any]]) -> None:
    (joined,) = [s for s in played[1]["steps"] if s["action"] == "account_created"]
    assert "organizations.amazonaws.com CreateAccountResult (us-east-1)" in joined["events"]
    assert "account:555555555557  (account created)" in joined["routed"]
    assert {"group": "AWS-Developers", "account": "data-dev", "permission_set": "Developer"} in [
        {k: g[k] for k in ("group", "account", "permission_set")} for g in joined["added"]
    ]


def test_nothing_is_granted_in_the_management_account(played: tuple[int, dict[str, Any]]) -> None:
    assert [g for g in played[1]["matrix"] if g["account_id"] == "111111111111"] == []
