"""Said, not silent, through the deployed automation: the quick-start's convention group asking for a privileged
permission set gets nothing, its finding is notified (once: the schedule after it finds it again and stays quiet),
and each new privileged grant is notified; simulate's JSON shows the findings and notifications per step."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.sandbox.test_simulate import ENTRA_AWS, run

pytestmark = pytest.mark.integration
REFUSED = (
    "convention per-account, group 'AWS-444444444445-AdministratorAccess': asks for 'AdministratorAccess', which "
    "this convention does not grant (allowed: ReadOnly, Developer, Billing)"
)


@pytest.fixture(scope="module")
def steps() -> dict[str, dict[str, Any]]:
    """The quick-start's steps by title, played with `simulate --json`."""
    argv = ["simulate", "--config", "config/example.yaml", "--scenario", "scenarios/quickstart.yaml", "--json"]
    result = run([str(ENTRA_AWS), *argv])
    assert result.returncode == 0, result.stdout + result.stderr
    return {step["title"]: step for step in json.loads(result.stdout)["steps"]}


def step(steps: dict[str, dict[str, Any]], starts: str) -> dict[str, Any]:
    [found] = [s for title, s in steps.items() if title.startswith(starts)]
    return found


def test_the_refused_convention_group_gets_nothing_and_the_team_is_told(steps: dict[str, dict[str, Any]]) -> None:
    refused = step(steps, "Entra provisions AWS-444444444445-AdministratorAccess")
    assert refused["added"] == []
    assert refused["findings"] == [
        {"severity": "warning", "kind": "convention_refused", "message": REFUSED, "notified": True}
    ]
    assert refused["notifications"] == [
        "entra-aws: warning: convention per-account, group 'AWS-444444444445-AdministratorAccess': asks ..."
    ]


def test_the_schedule_finds_the_refusal_again_and_does_not_mail_it_again(steps: dict[str, dict[str, Any]]) -> None:
    schedule = step(steps, "The reconcile schedule fires")
    assert schedule["findings"] == [
        {"severity": "warning", "kind": "convention_refused", "message": REFUSED, "notified": False}
    ]
    assert schedule["notifications"] == []


def test_every_new_privileged_grant_is_notified(steps: dict[str, dict[str, Any]]) -> None:
    assert step(steps, "cdk deploy")["notifications"] == ["entra-aws: 8 privileged grants (all)"]
    new_account = step(steps, "New account data-dev")
    assert new_account["notifications"] == [
        "entra-aws: AdministratorAccess granted to AWS-Platform-Admins on 555555555557"
    ]
    assert step(steps, "Entra provisions group AWS-444444444445-ReadOnly")["notifications"] == [], "not privileged"
