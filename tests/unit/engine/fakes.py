"""In-memory implementations of the engine's ports: Identity Center, the directory, the organization.

They keep state the way AWS does (permission sets by ARN, assignments by account, permission set and
principal), count every call like the adapters' call log, and raise `ApiError`s queued with `fail`.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from entra_aws.config.models import MANAGED_TAG_KEY, PermissionSetSpec
from entra_aws.engine.context import AwsContext
from entra_aws.engine.model import (
    AccessControlAttributes,
    Account,
    Boundary,
    PermissionSetContent,
    Principal,
    PrincipalType,
    canonical_policy,
)
from entra_aws.engine.organization import Organization
from entra_aws.engine.pacing import VirtualClock
from entra_aws.engine.ports import ApiError, RequestOutcome, StatusKind

INSTANCE = "ssoins-fake"


@dataclass
class FakePermissionSet:
    name: str
    session_duration: str = "PT1H"
    description: str | None = None
    relay_state: str | None = None
    managed_policies: set[str] = field(default_factory=set)
    customer_managed_policies: set[tuple[str, str]] = field(default_factory=set)
    inline_policy: str | None = None
    boundary: Boundary | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class FakeAssignment:
    account_id: str
    arn: str
    principal_type: PrincipalType
    principal_id: str


@dataclass
class FakeIdentityCenter:
    """Asynchronous requests finish at once (SUCCEEDED); `fail` queues errors for a method's next calls."""

    permission_sets: dict[str, FakePermissionSet] = field(default_factory=dict)
    granted: set[FakeAssignment] = field(default_factory=set)
    calls: Counter[str] = field(default_factory=Counter)
    abac: dict[str, str] | None = None
    """The instance's ABAC attributes (key -> source); None: no access-control attribute configuration."""
    lagging: dict[str, set[str]] = field(default_factory=dict)
    """Permission set ARN -> accounts whose role lags its latest version (until provisioned there)."""
    _errors: dict[str, deque[ApiError]] = field(default_factory=dict)
    _requests: dict[str, RequestOutcome] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def fail(self, method: str, code: str, message: str = "refused", times: int = 1) -> None:
        self._errors.setdefault(method, deque()).extend(ApiError(code, message, operation=method) for _ in range(times))

    def _call(self, method: str) -> None:
        self.calls[method] += 1
        queued = self._errors.get(method)
        if queued:
            raise queued.popleft()

    # -- seeding and inspecting (not part of the port) -----------------------------------------------------

    def add(self, ps: FakePermissionSet, *, managed: bool) -> str:
        arn = f"arn:aws:sso:::permissionSet/{INSTANCE}/ps-{len(self.permission_sets) + 1:016x}"
        if managed:
            ps.tags[MANAGED_TAG_KEY] = "true"
        self.permission_sets[arn] = ps
        return arn

    def arn_of(self, name: str, *, managed: bool = True) -> str:
        return next(
            arn
            for arn, ps in self.permission_sets.items()
            if ps.name == name and (ps.tags.get(MANAGED_TAG_KEY) == "true") == managed
        )

    def held(self, principal_id: str) -> set[tuple[str, str]]:
        """(account id, permission set name) pairs a principal holds."""
        return {
            (a.account_id, self.permission_sets[a.arn].name) for a in self.granted if a.principal_id == principal_id
        }

    # -- reads ---------------------------------------------------------------------------------------------

    def permission_set_arns(self) -> list[str]:
        self._call("permission_set_arns")
        return list(self.permission_sets)

    def tags(self, arn: str) -> dict[str, str]:
        self._call("tags")
        return dict(self.permission_sets[arn].tags)

    def describe(self, arn: str) -> dict[str, Any]:
        self._call("describe")
        ps = self.permission_sets[arn]
        described: dict[str, Any] = {"Name": ps.name, "PermissionSetArn": arn, "SessionDuration": ps.session_duration}
        if ps.description:
            described["Description"] = ps.description
        if ps.relay_state:
            described["RelayState"] = ps.relay_state
        return described

    def content(self, arn: str, described: dict[str, Any], tags: dict[str, str]) -> PermissionSetContent:
        self._call("content")
        ps = self.permission_sets[arn]
        return PermissionSetContent(
            description=described.get("Description"),
            session_duration=described["SessionDuration"],
            relay_state=described.get("RelayState"),
            managed_policies=frozenset(ps.managed_policies),
            customer_managed_policies=frozenset(ps.customer_managed_policies),
            inline_policy=canonical_policy(ps.inline_policy),
            permissions_boundary=ps.boundary,
            tags=tuple(sorted((k, v) for k, v in tags.items() if k != MANAGED_TAG_KEY)),
        )

    def assignments_for_principal(self, principal_type: PrincipalType, principal_id: str) -> list[tuple[str, str]]:
        self._call("assignments_for_principal")
        return sorted(
            (a.account_id, a.arn)
            for a in self.granted
            if (a.principal_type, a.principal_id) == (principal_type, principal_id)
        )

    def assignments(self, account_id: str, arn: str) -> list[tuple[PrincipalType, str]]:
        self._call("assignments")
        return sorted(
            (a.principal_type, a.principal_id) for a in self.granted if (a.account_id, a.arn) == (account_id, arn)
        )

    def provisioned_to_account(self, account_id: str) -> list[str]:
        self._call("provisioned_to_account")
        return sorted({a.arn for a in self.granted if a.account_id == account_id})

    def accounts_for_permission_set(self, arn: str) -> list[str]:
        self._call("accounts_for_permission_set")
        return sorted({a.account_id for a in self.granted if a.arn == arn})

    def lagging_accounts(self, arn: str) -> list[str]:
        self._call("lagging_accounts")
        return sorted(self.lagging.get(arn, set()))

    def access_control_attributes(self) -> AccessControlAttributes | None:
        self._call("access_control_attributes")
        return None if self.abac is None else tuple(sorted(self.abac.items()))

    # -- the instance's ABAC attributes --------------------------------------------------------------------

    def create_access_control_attributes(self, attributes: AccessControlAttributes) -> None:
        self._call("create_access_control_attributes")
        if self.abac is not None:
            raise ApiError("ConflictException", "an access-control attribute configuration exists")
        self.abac = dict(attributes)

    def update_access_control_attributes(self, attributes: AccessControlAttributes) -> None:
        self._call("update_access_control_attributes")
        if self.abac is None:
            raise ApiError("ResourceNotFoundException", "no access-control attribute configuration")
        self.abac = dict(attributes)

    def delete_access_control_attributes(self) -> None:
        self._call("delete_access_control_attributes")
        self.abac = None

    # -- permission-set writes -----------------------------------------------------------------------------

    def create_permission_set(self, spec: PermissionSetSpec) -> str:
        self._call("create_permission_set")
        ps = FakePermissionSet(
            spec.name, spec.session_duration, spec.description, spec.relay_state, tags=dict(spec.tags)
        )
        return self.add(ps, managed=True)

    def update_permission_set(
        self, arn: str, description: str | None, session_duration: str, relay_state: str | None
    ) -> None:
        self._call("update_permission_set")
        ps = self.permission_sets[arn]
        ps.description, ps.session_duration, ps.relay_state = description, session_duration, relay_state

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        self._call("tag")
        self.permission_sets[arn].tags.update(tags)

    def untag(self, arn: str, keys: list[str]) -> None:
        self._call("untag")
        for key in keys:
            self.permission_sets[arn].tags.pop(key, None)

    def attach_managed_policy(self, arn: str, policy_arn: str) -> None:
        self._call("attach_managed_policy")
        self.permission_sets[arn].managed_policies.add(policy_arn)

    def detach_managed_policy(self, arn: str, policy_arn: str) -> None:
        self._call("detach_managed_policy")
        self.permission_sets[arn].managed_policies.discard(policy_arn)

    def attach_customer_managed_policy(self, arn: str, name: str, path: str) -> None:
        self._call("attach_customer_managed_policy")
        self.permission_sets[arn].customer_managed_policies.add((name, path))

    def detach_customer_managed_policy(self, arn: str, name: str, path: str) -> None:
        self._call("detach_customer_managed_policy")
        self.permission_sets[arn].customer_managed_policies.discard((name, path))

    def put_inline_policy(self, arn: str, document: str) -> None:
        self._call("put_inline_policy")
        self.permission_sets[arn].inline_policy = document

    def delete_inline_policy(self, arn: str) -> None:
        self._call("delete_inline_policy")
        self.permission_sets[arn].inline_policy = None

    def put_permissions_boundary(self, arn: str, boundary: Boundary) -> None:
        self._call("put_permissions_boundary")
        self.permission_sets[arn].boundary = boundary

    def delete_permissions_boundary(self, arn: str) -> None:
        self._call("delete_permissions_boundary")
        self.permission_sets[arn].boundary = None

    def delete_permission_set(self, arn: str) -> None:
        self._call("delete_permission_set")
        del self.permission_sets[arn]

    # -- asynchronous operations ---------------------------------------------------------------------------

    def _finished(self) -> RequestOutcome:
        outcome = RequestOutcome(f"req-{len(self._requests) + 1}", "SUCCEEDED")
        self._requests[outcome.request_id] = outcome
        return outcome

    def provision(self, arn: str, account_id: str | None = None) -> RequestOutcome:
        self._call("provision")
        if account_id is None:
            self.lagging.pop(arn, None)
        else:
            self.lagging.get(arn, set()).discard(account_id)
        return self._finished()

    def create_assignment(
        self, account_id: str, arn: str, principal_type: PrincipalType, principal_id: str
    ) -> RequestOutcome:
        self._call("create_assignment")
        self.granted.add(FakeAssignment(account_id, arn, principal_type, principal_id))
        return self._finished()

    def delete_assignment(
        self, account_id: str, arn: str, principal_type: PrincipalType, principal_id: str
    ) -> RequestOutcome:
        self._call("delete_assignment")
        self.granted.discard(FakeAssignment(account_id, arn, principal_type, principal_id))
        return self._finished()

    def request_ids(self, kind: StatusKind, status: str) -> set[str]:
        self._call("request_ids")
        return {rid for rid, outcome in self._requests.items() if outcome.status == status}

    def request_status(self, kind: StatusKind, request_id: str) -> RequestOutcome:
        self._call("request_status")
        return self._requests[request_id]


@dataclass
class FakeDirectory:
    principals: list[Principal] = field(default_factory=list)
    memberships: set[tuple[str, str]] = field(default_factory=set)
    """(group id, user id) pairs."""

    def _of(self, kind: PrincipalType) -> list[Principal]:
        return [p for p in self.principals if p.type == kind]

    def _by(self, kind: PrincipalType, **match: str) -> Principal | None:
        return next((p for p in self._of(kind) if all(getattr(p, k) == v for k, v in match.items())), None)

    def forget(self) -> None:
        return None

    def group(self, group_id: str) -> Principal | None:
        return self._by("GROUP", id=group_id)

    def group_named(self, name: str) -> Principal | None:
        return self._by("GROUP", name=name)

    def groups(self) -> list[Principal]:
        return self._of("GROUP")

    def user(self, user_id: str) -> Principal | None:
        return self._by("USER", id=user_id)

    def user_named(self, name: str) -> Principal | None:
        return self._by("USER", name=name)

    def users(self) -> list[Principal]:
        return self._of("USER")

    def members(self, group_id: str) -> list[str]:
        return sorted(user for group, user in self.memberships if group == group_id)

    def groups_of(self, user_id: str) -> list[str]:
        return sorted(group for group, user in self.memberships if user == user_id)


def organization(management: str, *members: str) -> Organization:
    """A flat organization: the management account and `members`, all active, under the root."""
    root = "r-fake"
    accounts = {a: Account(a, f"account-{a}", parent_id=root) for a in (management, *members)}
    return Organization(root, management, accounts)


@dataclass
class FakeWorld:
    admin: FakeIdentityCenter
    directory: FakeDirectory
    organization: Organization

    def context(self) -> AwsContext:
        return AwsContext(self.admin, self.directory, self.organization, self.admin, clock=VirtualClock())
