"""automation.trusted_writers: Identity Center writes by these roles are not drift. Exact ARNs are left out by the
drift rule's `anything-but`; glob patterns (which `anything-but` cannot express) are dropped by the router."""

from __future__ import annotations

from typing import Any

import pytest

from entra_aws.config import ConfigError, parse_config
from entra_aws.engine.scope import Scope
from entra_aws.events.models import CloudTrailEvent
from entra_aws.events.routing import route
from entra_aws.events.rules import drift_pattern, rule_specs
from tests.support.event_pattern import matches
from tests.unit.events import samples

OWN = "arn:aws:iam::111111111111:role/entra-aws-reconcile-worker"
EXACT = "arn:aws:iam::111111111111:role/ControlTowerAdmin"
TEAM = "arn:aws:iam::*:role/TEAM-*"
TRUSTED = (EXACT, TEAM)
TEAM_ROLE = "arn:aws:iam::222222222222:role/TEAM-ApprovalFunction"
SOMEONE = "arn:aws:iam::111111111111:role/Administrator"


def assignment_by(role_arn: str) -> dict[str, Any]:
    """The console CreateAccountAssignment sample, made by a session of `role_arn`."""
    sample = samples.cloudtrail("sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json")
    return samples.derive(sample, userIdentity=samples.role_arn_identity(role_arn))


def decide(event: dict[str, Any], trusted: tuple[str, ...] = TRUSTED) -> Any:
    return route(CloudTrailEvent.model_validate(event), automation_role_arns={OWN}, trusted_writers=trusted)


def test_the_drift_rule_leaves_out_exact_trusted_writers_and_keeps_patterns_for_the_router() -> None:
    pattern = drift_pattern([OWN], TRUSTED)
    assert not matches(pattern, assignment_by(EXACT))
    assert not matches(pattern, assignment_by(OWN))
    assert matches(pattern, assignment_by(TEAM_ROLE)), "a glob is not an ARN anything-but can leave out"
    assert matches(pattern, assignment_by(SOMEONE))
    assert matches(drift_pattern([OWN]), assignment_by(EXACT))


def test_rule_specs_pass_the_trusted_writers_to_the_drift_rule() -> None:
    specs = {s.name: s for s in rule_specs(include_users=False, automation_role_arns=[OWN], trusted_writers=TRUSTED)}
    assert not matches(specs["ManualIdentityCenterChanges"].pattern, assignment_by(EXACT))


def test_the_router_drops_a_trusted_writers_change_by_pattern_or_exact_arn() -> None:
    for role in (TEAM_ROLE, EXACT):
        decision = decide(assignment_by(role))
        assert decision.ignored and not decision.drift
        assert "trusted writer" in decision.reason


def test_other_roles_changes_are_still_drift() -> None:
    decision = decide(assignment_by(SOMEONE))
    assert decision.drift
    assert decision.targets and isinstance(decision.targets[0], Scope)
    assert decide(assignment_by(TEAM_ROLE), trusted=()).drift


def test_a_pattern_matches_the_whole_issuer_arn_case_sensitively() -> None:
    assert decide(assignment_by("arn:aws:iam::222222222222:role/team-ApprovalFunction")).drift
    assert decide(assignment_by("arn:aws:iam::222222222222:role/NotTEAM-x")).drift


def test_the_config_refuses_a_trusted_writer_that_is_no_role_arn_in_one_line() -> None:
    base = {"tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b", "identity_center": {"region": "eu-west-1"}}
    assert parse_config({**base, "automation": {"trusted_writers": list(TRUSTED)}}).automation.trusted_writers == [
        *TRUSTED
    ]
    for wrong in ("arn:aws:iam::111111111111:role/a,b", "*", "arn:aws:sts::111111111111:assumed-role/TEAM/s"):
        with pytest.raises(ConfigError) as refused:
            parse_config({**base, "automation": {"trusted_writers": [wrong]}})
        [problem] = refused.value.problems
        assert problem.startswith("config: automation.trusted_writers[0]: must be a role ARN"), problem
