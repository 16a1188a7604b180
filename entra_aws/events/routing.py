"""Event -> what to reconcile. Pure: the caller resolves permission-set ARNs (sso-admin DescribePermissionSet)
and sends the scopes to the reconcile queue."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from entra_aws.engine.scope import Scope
from entra_aws.events import rules
from entra_aws.events.models import CloudTrailDetail, CloudTrailEvent

_ACCOUNT = re.compile(r"^\d{12}$")
# Identity store ids: a UUID, optionally prefixed by 10 hex digits and a dash.
_STORE_ID = re.compile(r"^([0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PERMISSION_SET_ARN = re.compile(
    r"^arn:aws[a-z-]*:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$"
)

GROUP_ID_PATHS = (
    ("responseElements", "id"),  # SCIM CreateGroup
    ("requestParameters", "id"),  # SCIM PatchGroup / PutGroup / DeleteGroup
    ("responseElements", "group", "groupId"),  # console (sso-directory) CreateGroup
    ("responseElements", "groupId"),  # identitystore CreateGroup
    ("requestParameters", "groupId"),  # identitystore / console UpdateGroup, DeleteGroup
)
USER_ID_PATHS = (
    ("responseElements", "id"),
    ("requestParameters", "id"),
    ("responseElements", "user", "userId"),
    ("responseElements", "userId"),
    ("requestParameters", "userId"),
)


JOINED_ACCOUNT_PATHS = (
    ("serviceEventDetails", "accountId"),
    ("serviceEventDetails", "account", "accountId"),
    ("requestParameters", "accountId"),
)
"""AccountJoinedOrganization: its fields beyond joinedMethod/joinedTime are not documented; any of these, else all."""


@dataclass(frozen=True)
class PermissionSetRef:
    """A permission set known only by ARN; the handler resolves its name."""

    arn: str


Target = Scope | PermissionSetRef


@dataclass(frozen=True)
class Decision:
    category: rules.Category | None
    targets: tuple[Target, ...] = ()
    reason: str = ""

    @property
    def ignored(self) -> bool:
        return not self.targets

    @property
    def drift(self) -> bool:
        """A change to what this automation manages, made by someone else: reverted and notified."""
        return self.category == "drift" and bool(self.targets)


def is_own_change(detail: CloudTrailDetail, automation_role_arns: Iterable[str]) -> bool:
    issuer = detail.user_identity.issuer_arn
    return issuer is not None and issuer in set(automation_role_arns)


def trusted_writer(detail: CloudTrailDetail, trusted_writers: Iterable[str]) -> str | None:
    """The trusted-writer pattern (an exact ARN or a glob) the call's role session issuer matches, if any."""
    issuer = detail.user_identity.issuer_arn
    if issuer is None:
        return None
    return next((pattern for pattern in trusted_writers if fnmatchcase(issuer, pattern)), None)


def route(
    event: CloudTrailEvent,
    *,
    automation_role_arns: Iterable[str],
    include_users: bool = True,
    trusted_writers: Iterable[str] = (),
) -> Decision:
    detail = event.detail
    if detail.error_code:
        return Decision(None, reason=f"the call failed ({detail.error_code}); nothing changed")
    source, name = detail.event_source, detail.event_name
    if source in rules.IDENTITY_SOURCES:
        return _identity(detail, include_users)
    if source in (rules.ORGANIZATIONS, rules.CONTROL_TOWER):
        return _organization(detail)
    if source == rules.IDENTITY_CENTER:
        if is_own_change(detail, automation_role_arns):
            return Decision("drift", reason="made by this automation")
        trusted = trusted_writer(detail, trusted_writers)
        if trusted is not None:
            return Decision("drift", reason=f"made by a trusted writer ({trusted}): not drift")
        return _drift(detail)
    return Decision(None, reason=f"{source} {name} is not handled")


def _first_id(detail: CloudTrailDetail, paths: Iterable[tuple[str, ...]]) -> str | None:
    for path in paths:
        value = detail.field(*path)
        if isinstance(value, str) and _STORE_ID.match(value):
            return value
    return None


def _identity(detail: CloudTrailDetail, include_users: bool) -> Decision:
    name = detail.event_name
    if name in rules.GROUP_EVENTS:
        group_id = _first_id(detail, GROUP_ID_PATHS)
        if group_id is None:
            return Decision("identity", reason=f"{name}: no group id in the record")
        return Decision("identity", (Scope.group(group_id),), reason=f"{detail.event_source} {name}")
    if name in rules.USER_EVENTS:
        if not include_users:
            return Decision("identity", reason="no assignment rule names users")
        user_id = _first_id(detail, USER_ID_PATHS)
        if user_id is None:
            return Decision("identity", reason=f"{name}: no user id in the record")
        return Decision("identity", (Scope.user(user_id),), reason=f"{detail.event_source} {name}")
    return Decision(None, reason=f"{detail.event_source} {name} does not change assignments")


def _account_or_everything(value: Any, why: str) -> Decision:
    if isinstance(value, str) and _ACCOUNT.match(value):
        return Decision("organization", (Scope.account(value),), reason=why)
    return Decision(
        "organization", (Scope.everything(),), reason=f"{why}; no account id in the record, reconciling all"
    )


def _organization(detail: CloudTrailDetail) -> Decision:
    name = detail.event_name
    details = detail.service_event_details or {}
    if name == "CreateAccountResult":
        status = details.get("createAccountStatus") or {}
        if status.get("state") != "SUCCEEDED":
            return Decision("organization", reason=f"account creation {status.get('state')}")
        return _account_or_everything(status.get("accountId"), "account created")
    if name == "CloseAccountResult":
        status = details.get("closeAccountStatus") or {}
        if status.get("state") not in (None, "SUCCEEDED"):
            return Decision("organization", reason=f"account closure {status.get('state')}")
        return _account_or_everything(status.get("accountId"), "account closed")
    if name in ("MoveAccount", "RemoveAccountFromOrganization"):
        return _account_or_everything(detail.field("requestParameters", "accountId"), name)
    if name in ("TagResource", "UntagResource"):
        resource = detail.field("requestParameters", "resourceId")
        if isinstance(resource, str) and _ACCOUNT.match(resource):
            return Decision("organization", (Scope.account(resource),), reason=f"account tags ({name})")
        return Decision("organization", reason="tags on an OU, root or policy do not select accounts")
    if name in rules.INVITED_ACCOUNT_EVENTS:
        return _handshake_accepted(detail)
    if name in rules.MEMBERSHIP_SERVICE_EVENTS:
        return _account_or_everything(_first_account(detail, JOINED_ACCOUNT_PATHS), "invited account joined")
    if name in rules.OU_EVENTS:
        # No scope narrower than everything: rules and conventions select OUs by path or name.
        return Decision("organization", (Scope.everything(),), reason=f"{name}: an OU renamed")
    if name in rules.CONTROL_TOWER_EVENTS:
        key = "createManagedAccountStatus" if name == "CreateManagedAccount" else "updateManagedAccountStatus"
        status = details.get(key) or {}
        if status.get("state") != "SUCCEEDED":
            return Decision("organization", reason=f"{name} {status.get('state')}")
        return _account_or_everything((status.get("account") or {}).get("accountId"), name)
    return Decision(None, reason=f"{detail.event_source} {name} is not handled")


def _first_account(detail: CloudTrailDetail, paths: Iterable[tuple[str, ...]]) -> str | None:
    for path in paths:
        value = detail.field(*path)
        if isinstance(value, str) and _ACCOUNT.match(value):
            return value
    return None


def _handshake_accepted(detail: CloudTrailDetail) -> Decision:
    """AcceptHandshake is called by the invited account: the handshake's ACCOUNT party is it (the caller's own
    account when the response is not in the record). Other handshakes (all features, billing) add no account."""
    handshake = detail.field("responseElements", "handshake") or {}
    action = handshake.get("action")
    if action not in (None, "INVITE"):
        return Decision("organization", reason=f"AcceptHandshake {action} adds no account")
    parties = [p for p in handshake.get("parties") or [] if isinstance(p, dict) and p.get("type") == "ACCOUNT"]
    party = parties[0].get("id") if parties else None
    caller = (("recipientAccountId",), ("userIdentity", "accountId"))
    return _account_or_everything(party or _first_account(detail, caller), "invited account joined (AcceptHandshake)")


def _drift(detail: CloudTrailDetail) -> Decision:
    name = detail.event_name
    params = detail.request_parameters or {}
    who = detail.user_identity.describe()
    why = f"{name} by {who}"
    if name in rules.ASSIGNMENT_EVENTS:
        principal_id = params.get("principalId")
        kind = params.get("principalType")
        if isinstance(principal_id, str) and _STORE_ID.match(principal_id) and kind in ("GROUP", "USER"):
            scope = Scope.group(principal_id) if kind == "GROUP" else Scope.user(principal_id)
            return Decision("drift", (scope,), reason=why)
        return Decision("drift", (Scope.everything(),), reason=f"{why}; principal unreadable")
    if name == "CreatePermissionSet":
        ps_name = params.get("name")
        if isinstance(ps_name, str) and ps_name:
            return Decision("drift", (Scope.permission_set(ps_name),), reason=why)
    if name == "DeletePermissionSet":
        # Its name can no longer be looked up; a full reconcile recreates it if it was managed.
        return Decision("drift", (Scope.everything(),), reason=why)
    arn = params.get("permissionSetArn") or params.get("resourceArn")
    if isinstance(arn, str) and _PERMISSION_SET_ARN.match(arn):
        return Decision("drift", (PermissionSetRef(arn),), reason=why)
    if name in ("TagResource", "UntagResource"):
        return Decision("drift", reason="tags on something other than a permission set")
    return Decision("drift", (Scope.everything(),), reason=f"{why}; target unreadable")
