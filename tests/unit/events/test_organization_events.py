"""Invited accounts joining and OUs renamed: the rules match them, the us-east-1 forwarder sends them on, and the
router scopes them. The records are derived from the published Organizations samples in
tests/fixtures/aws/cloudtrail (CreateOrganizationalUnit for API calls, CreateAccountResult for service events): the
same envelope and identity, with the event name and the fields the Organizations API Reference gives."""

from __future__ import annotations

from typing import Any

import pytest

from entra_aws.engine.scope import Scope
from entra_aws.events import rules
from entra_aws.events.models import CloudTrailEvent
from entra_aws.events.routing import Target, route
from tests.support.event_pattern import matches
from tests.unit.events import samples

INVITED = "222222222222"
OU = "ou-examplerootid111-exampleouid111"  # from organizations-CreateOrganizationalUnit


def accept_handshake(action: str = "INVITE", parties: bool = True) -> dict[str, Any]:
    """AcceptHandshake, called by the invited account (Organizations API Reference: only a member account accepts
    an INVITE); responseElements.handshake is the API's Handshake in CloudTrail's camel case."""
    event = samples.cloudtrail("organizations-CreateOrganizationalUnit.awsdocs.json")
    detail = event["detail"]
    detail["eventName"] = "AcceptHandshake"
    detail["userIdentity"] = {**detail["userIdentity"], "accountId": INVITED}
    detail["recipientAccountId"] = INVITED
    detail["requestParameters"] = {"handshakeId": "h-examplehandshakeid111"}
    handshake: dict[str, Any] = {"id": "h-examplehandshakeid111", "state": "ACCEPTED", "action": action}
    if parties:
        handshake["parties"] = [{"id": "o-aa111bb222", "type": "ORGANIZATION"}, {"id": INVITED, "type": "ACCOUNT"}]
    detail["responseElements"] = {"handshake": handshake}
    return event


def account_joined(details: dict[str, Any]) -> dict[str, Any]:
    """AccountJoinedOrganization (management account; joinedMethod INVITED and joinedTime are its documented
    fields), shaped as the CreateAccountResult service event."""
    event = samples.cloudtrail("organizations-CreateAccountResult-SUCCEEDED.awsdocs.json")
    event["detail"]["eventName"] = "AccountJoinedOrganization"
    event["detail"]["serviceEventDetails"] = {
        "joinedMethod": "INVITED",
        "joinedTime": "2025-07-20T10:00:00Z",
        **details,
    }
    return event


def ou_renamed() -> dict[str, Any]:
    event = samples.cloudtrail("organizations-CreateOrganizationalUnit.awsdocs.json")
    event["detail"]["eventName"] = "UpdateOrganizationalUnit"
    event["detail"]["requestParameters"] = {"organizationalUnitId": OU, "name": "Workloads-Renamed"}
    return event


def decide(event: dict[str, Any]) -> tuple[Target, ...]:
    return route(CloudTrailEvent.model_validate(event), automation_role_arns=()).targets


def matching(event: dict[str, Any]) -> list[str]:
    return [name for name, pattern in rules.organization_patterns().items() if matches(pattern, event)]


@pytest.mark.parametrize(
    ("event", "rule"),
    [
        (accept_handshake(), "AccountJoined"),
        (account_joined({"accountId": INVITED}), "AccountJoined"),
        (ou_renamed(), "OrganizationalUnitRenamed"),
    ],
)
def test_rules_match_and_the_forwarder_sends_them_on(event: dict[str, Any], rule: str) -> None:
    assert matching(event) == [rule]
    assert matches(rules.organization_forward_pattern(), event)


def test_a_failed_rename_matches_no_rule() -> None:
    failed = samples.derive(ou_renamed(), errorCode="DuplicateOrganizationalUnitException")
    assert matching(failed) == []


def test_an_accepted_invitation_scopes_the_invited_account() -> None:
    assert decide(accept_handshake()) == (Scope.account(INVITED),)


def test_without_the_response_the_caller_is_the_invited_account() -> None:
    assert decide(accept_handshake(parties=False)) == (Scope.account(INVITED),)


def test_other_handshakes_add_no_account() -> None:
    assert decide(accept_handshake(action="ENABLE_ALL_FEATURES")) == ()


def test_account_joined_scopes_the_account_when_the_record_names_it() -> None:
    assert decide(account_joined({"accountId": INVITED})) == (Scope.account(INVITED),)
    assert decide(account_joined({})) == (Scope.everything(),)


def test_an_ou_rename_reconciles_everything() -> None:
    assert decide(ou_renamed()) == (Scope.everything(),)
