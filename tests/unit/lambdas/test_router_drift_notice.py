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


def notice(monkeypatch: pytest.MonkeyPatch, mode: str) -> dict[str, Any]:
    config = parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": {"region": "eu-west-1"},
            "apply": {"mode": mode},
        }
    )
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(event_router._runtime, "config", lambda: config)
    monkeypatch.setattr(event_router._runtime, "notify", lambda subject, body: sent.append((subject, body)))
    event = CloudTrailEvent.model_validate(
        samples.cloudtrail("sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json")
    )
    scope = Scope.group(samples.GROUP_ID)
    event_router._notify_drift(event, Decision("drift", (scope,), reason="by hand"), [scope])
    [(_, body)] = sent
    told: dict[str, Any] = json.loads(body)
    return told


def test_the_notice_says_revert_in_enforce_mode_and_only_report_in_observe_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert notice(monkeypatch, "enforce")["action"].endswith("to revert changes to managed resources")
    observed = notice(monkeypatch, "observe")["action"]
    assert observed.endswith("to report (apply.mode: observe), not revert, changes to managed resources")
