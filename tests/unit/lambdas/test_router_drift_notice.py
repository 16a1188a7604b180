"""The router's drift notice says what the worker will do: revert (enforce) or only report (observe)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from entra_aws.config import parse_config
from entra_aws.engine.scope import Scope
from entra_aws.events.models import CloudTrailEvent
from entra_aws.events.routing import Decision
from lambdas import event_router
from tests.unit.events import samples


def notice(
    monkeypatch: pytest.MonkeyPatch, mode: str, *, added_to: str = "ReadOnly", additive: bool = False
) -> dict[str, Any]:
    """The drift notice for a console CreateAccountAssignment of the set `added_to` (its name as read from
    Identity Center), with a config whose ReadOnly set's assignments are additive or not."""
    config = parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": {"region": "eu-west-1"},
            "permission_sets": [{"name": "ReadOnly", "assignments": "additive" if additive else "exclusive"}],
            "apply": {"mode": mode},
        }
    )
    sent: list[tuple[str, str]] = []
    read: list[str] = []
    monkeypatch.setattr(event_router._runtime, "config", lambda: config)
    monkeypatch.setattr(event_router, "_permission_set_name", lambda ref: read.append(ref.arn) or added_to)
    monkeypatch.setattr(event_router._runtime, "notify", lambda subject, body: sent.append((subject, body)))
    event = CloudTrailEvent.model_validate(
        samples.cloudtrail("sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json")
    )
    scope = Scope.group(samples.GROUP_ID)
    event_router._notify_drift(event, Decision("drift", (scope,), reason="by hand"), [scope])
    [(_, body)] = sent
    told: dict[str, Any] = json.loads(body)
    assert bool(read) == additive, "the set's name is read only when some set is additive"
    return told


def test_the_notice_says_revert_in_enforce_mode_and_only_report_in_observe_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert notice(monkeypatch, "enforce")["action"].endswith("to revert changes to managed resources")
    observed = notice(monkeypatch, "observe")["action"]
    assert observed.endswith("to report (apply.mode: observe), not revert, changes to managed resources")


def test_an_assignment_added_to_an_additive_set_is_said_to_be_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    action = notice(monkeypatch, "enforce", additive=True)["action"]
    assert action.endswith("; this assignment of ReadOnly is kept, not reverted (the set's assignments are additive)")
    elsewhere = notice(monkeypatch, "enforce", added_to="Billing", additive=True)["action"]
    assert elsewhere.endswith("to revert changes to managed resources")
