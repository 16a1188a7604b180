"""The EventBridge rules: which CloudTrail records start a reconcile, as event patterns (plain dicts).

Patterns match on `detail.eventSource` + `detail.eventName` and an absent `detail.errorCode`, and every pattern
also pins the envelope AWS itself writes: `detail-type` (CloudTrail's two) and `source` (the service's `aws.`
source). Only AWS services publish `aws.` sources on the default bus, so an event put by anyone with
`events:PutEvents` and a custom source matches no rule. The EventBridge `source` of SCIM records is undocumented,
so the identity rule accepts any `aws.` source there and relies on `detail.eventSource` for the writer. The stacks
synthesize exactly these dicts, and the tests evaluate the synthesized template against real published records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Category = Literal["identity", "organization", "drift"]

SCIM = "identitystore-scim.amazonaws.com"
CONSOLE_DIRECTORY = "sso-directory.amazonaws.com"
IDENTITY_STORE_API = "identitystore.amazonaws.com"
IDENTITY_SOURCES = (SCIM, CONSOLE_DIRECTORY, IDENTITY_STORE_API)
ORGANIZATIONS = "organizations.amazonaws.com"
CONTROL_TOWER = "controltower.amazonaws.com"
IDENTITY_CENTER = "sso.amazonaws.com"

# SCIM: Create/Patch/Put/Delete; console (sso-directory) and API (identitystore): Create/Update/Delete.
GROUP_EVENTS = ("CreateGroup", "UpdateGroup", "PatchGroup", "PutGroup", "DeleteGroup")
USER_EVENTS = ("CreateUser", "UpdateUser", "PatchUser", "PutUser", "DeleteUser")

ACCOUNT_API_EVENTS = ("MoveAccount", "RemoveAccountFromOrganization", "TagResource", "UntagResource")
INVITED_ACCOUNT_EVENTS = ("AcceptHandshake",)
"""An invited account joining: AcceptHandshake is called from the member account (Organizations API Reference),
so the management account usually sees only the AccountJoinedOrganization service event below."""
MEMBERSHIP_SERVICE_EVENTS = ("AccountJoinedOrganization",)
"""Logged in the management account when a handshake is accepted (joinedMethod INVITED; Organizations API
Reference, AcceptHandshake)."""
OU_EVENTS = ("UpdateOrganizationalUnit",)
"""An OU renamed: rules naming OUs by path or name may select other accounts."""
ACCOUNT_SERVICE_EVENTS = ("CreateAccountResult", "CloseAccountResult")
CONTROL_TOWER_EVENTS = ("CreateManagedAccount", "UpdateManagedAccount")

ASSIGNMENT_EVENTS = ("CreateAccountAssignment", "DeleteAccountAssignment")
PERMISSION_SET_EVENTS = (
    "CreatePermissionSet",
    "UpdatePermissionSet",
    "DeletePermissionSet",
    "AttachManagedPolicyToPermissionSet",
    "DetachManagedPolicyFromPermissionSet",
    "AttachCustomerManagedPolicyReferenceToPermissionSet",
    "DetachCustomerManagedPolicyReferenceFromPermissionSet",
    "PutInlinePolicyToPermissionSet",
    "DeleteInlinePolicyFromPermissionSet",
    "PutPermissionsBoundaryToPermissionSet",
    "DeletePermissionsBoundaryFromPermissionSet",
    "TagResource",
    "UntagResource",
)
NO_ERROR = [{"exists": False}]
API_CALL = "AWS API Call via CloudTrail"
SERVICE_EVENT = "AWS Service Event via CloudTrail"
AWS_SOURCE = [{"prefix": "aws."}]
"""Any AWS service's source: SCIM's EventBridge source is undocumented (docs/facts.md)."""


@dataclass(frozen=True)
class RuleSpec:
    name: str
    """Construct id and suffix of the rule name."""
    category: Category
    description: str
    pattern: dict[str, Any]


def identity_pattern(include_users: bool) -> dict[str, Any]:
    names = list(GROUP_EVENTS) + (list(USER_EVENTS) if include_users else [])
    return {
        "source": AWS_SOURCE,
        "detail-type": [API_CALL],
        "detail": {
            "eventSource": list(IDENTITY_SOURCES),
            "eventName": names,
            "errorCode": NO_ERROR,
        },
    }


def organization_patterns() -> dict[str, dict[str, Any]]:
    return {
        "AccountCreated": {
            "source": ["aws.organizations"],
            "detail-type": [SERVICE_EVENT],
            "detail": {
                "eventSource": [ORGANIZATIONS],
                "eventName": ["CreateAccountResult"],
                "serviceEventDetails": {"createAccountStatus": {"state": ["SUCCEEDED"]}},
            },
        },
        "AccountChanged": {
            "source": ["aws.organizations"],
            "detail-type": [API_CALL, SERVICE_EVENT],
            "detail": {
                "eventSource": [ORGANIZATIONS],
                "eventName": [*ACCOUNT_API_EVENTS, "CloseAccountResult"],
                "errorCode": NO_ERROR,
            },
        },
        "AccountJoined": {
            "source": ["aws.organizations"],
            "detail-type": [API_CALL, SERVICE_EVENT],
            "detail": {
                "eventSource": [ORGANIZATIONS],
                "eventName": [*INVITED_ACCOUNT_EVENTS, *MEMBERSHIP_SERVICE_EVENTS],
                "errorCode": NO_ERROR,
            },
        },
        "OrganizationalUnitRenamed": {
            "source": ["aws.organizations"],
            "detail-type": [API_CALL],
            "detail": {"eventSource": [ORGANIZATIONS], "eventName": list(OU_EVENTS), "errorCode": NO_ERROR},
        },
        "ControlTowerAccount": {
            "source": ["aws.controltower"],
            "detail-type": [SERVICE_EVENT],
            "detail": {
                "eventSource": [CONTROL_TOWER],
                "eventName": list(CONTROL_TOWER_EVENTS),
                "$or": [
                    {"serviceEventDetails": {"createManagedAccountStatus": {"state": ["SUCCEEDED"]}}},
                    {"serviceEventDetails": {"updateManagedAccountStatus": {"state": ["SUCCEEDED"]}}},
                ],
            },
        },
    }


def is_pattern(trusted_writer: str) -> bool:
    """A trusted writer given as a glob (`*`, `?`, `[...]`): matched by the router, not by the rule."""
    return any(char in trusted_writer for char in "*?[")


def drift_pattern(automation_role_arns: Iterable[str], trusted_writers: Iterable[str] = ()) -> dict[str, Any]:
    """Identity Center writes by anyone but the automation and the trusted writers named by exact ARN (those
    given as patterns are dropped by the router). `anything-but` does not match a missing issuer (the root
    user, IAM users, service events), hence the `$or` with `exists: false`."""
    if not set(automation_role_arns):
        raise ValueError("the drift rule needs the automation's role ARNs to exclude its own writes")
    exact = {arn for arn in trusted_writers if not is_pattern(arn)}
    own = sorted({*automation_role_arns, *exact})
    issuer = ("userIdentity", "sessionContext", "sessionIssuer", "arn")
    return {
        "source": ["aws.sso"],
        "detail-type": [API_CALL],
        "detail": {
            "eventSource": [IDENTITY_CENTER],
            "eventName": [*ASSIGNMENT_EVENTS, *PERMISSION_SET_EVENTS],
            "errorCode": NO_ERROR,
            "$or": [_nest(issuer, [{"anything-but": own}]), _nest(issuer, [{"exists": False}])],
        },
    }


def organization_forward_pattern() -> dict[str, Any]:
    """What the us-east-1 forwarder sends to the home region: every organization rule's events."""
    return {
        "source": ["aws.organizations", "aws.controltower"],
        "detail-type": [API_CALL, SERVICE_EVENT],
        "detail": {
            "eventSource": [ORGANIZATIONS, CONTROL_TOWER],
            "eventName": [
                *ACCOUNT_API_EVENTS,
                *ACCOUNT_SERVICE_EVENTS,
                *INVITED_ACCOUNT_EVENTS,
                *MEMBERSHIP_SERVICE_EVENTS,
                *OU_EVENTS,
                *CONTROL_TOWER_EVENTS,
            ],
        },
    }


def identity_center_forward_pattern(include_users: bool) -> dict[str, Any]:
    """What the management account forwards from the Identity Center home region when administration is
    delegated: where Identity Center and SCIM record their CloudTrail events then is not documented, so both
    accounts' are taken. The router's idempotency keys on the envelope `id` (lambdas/event_router.py) and drops
    redeliveries of one event; one call recorded in both accounts is two events, and the second reconcile of the
    same scope finds nothing to change."""
    identity = identity_pattern(include_users)["detail"]["eventName"]
    return {
        "source": AWS_SOURCE,
        "detail-type": [API_CALL],
        "detail": {
            "eventSource": [*IDENTITY_SOURCES, IDENTITY_CENTER],
            "eventName": sorted({*identity, *ASSIGNMENT_EVENTS, *PERMISSION_SET_EVENTS}),
            "errorCode": NO_ERROR,
        },
    }


def rule_specs(
    *, include_users: bool, automation_role_arns: Iterable[str], trusted_writers: Iterable[str] = ()
) -> list[RuleSpec]:
    specs = [
        RuleSpec(
            "IdentityChanges",
            "identity",
            "Groups (and users) created, updated or deleted by Entra SCIM, the console or the API",
            identity_pattern(include_users),
        )
    ]
    descriptions = {
        "AccountCreated": "Organizations CreateAccountResult SUCCEEDED",
        "AccountChanged": "Accounts moved, tagged, removed or closed",
        "AccountJoined": "Invited accounts joining (AcceptHandshake / AccountJoinedOrganization)",
        "OrganizationalUnitRenamed": "Organizations UpdateOrganizationalUnit (an OU renamed)",
        "ControlTowerAccount": "Control Tower CreateManagedAccount / UpdateManagedAccount SUCCEEDED",
    }
    for name, pattern in organization_patterns().items():
        specs.append(RuleSpec(name, "organization", descriptions[name], pattern))
    specs.append(
        RuleSpec(
            "ManualIdentityCenterChanges",
            "drift",
            "Identity Center assignment and permission-set writes by anyone but this automation",
            drift_pattern(automation_role_arns, trusted_writers),
        )
    )
    return specs


def _nest(path: tuple[str, ...], leaf: Any) -> dict[str, Any]:
    node: Any = leaf
    for part in reversed(path):
        node = {part: node}
    result: dict[str, Any] = node
    return result
