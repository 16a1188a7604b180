"""What the engine needs from the outside world, and the one error it understands.

The engine reads and writes Identity Center, reads the directory and the organization, all through these
Protocols. The adapters (`entra_aws.adapters`) implement them over boto3 and turn botocore's errors into
`ApiError` at their boundary; in-memory fakes and the quota model implement them for tests and the benchmark.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from entra_aws.config.models import PermissionSetSpec
from entra_aws.engine.model import (
    AccessControlAttributes,
    Account,
    Boundary,
    PermissionSetContent,
    Principal,
    PrincipalType,
)

if TYPE_CHECKING:
    from entra_aws.engine.organization import Organization, Reach

StatusKind = Literal["creation", "deletion", "provisioning"]
"""Which kind of asynchronous request a status belongs to."""


class ApiError(Exception):
    """An AWS API refused a call. `reason` and `resource_type` are set where the service gives them
    (identitystore's ValidationException and ResourceNotFoundException do)."""

    def __init__(self, code: str, message: str, *, reason: str = "", resource_type: str = "", operation: str = ""):
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code
        self.message = message
        self.reason = reason
        self.resource_type = resource_type
        self.operation = operation


@dataclass(frozen=True)
class RequestOutcome:
    """An asynchronous request as Identity Center reports it; `reason` only for FAILED. `account_id`: the
    status's AccountId (a provisioning's failed account, or its target), "" when it has none."""

    request_id: str
    status: str
    reason: str = ""
    account_id: str = ""

    @property
    def in_progress(self) -> bool:
        return self.status == "IN_PROGRESS"

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"


class IdentityCenterReads(Protocol):
    def permission_set_arns(self) -> list[str]: ...
    def tags(self, arn: str) -> dict[str, str]: ...
    def describe(self, arn: str) -> dict[str, Any]: ...
    def content(self, arn: str, described: dict[str, Any], tags: dict[str, str]) -> PermissionSetContent: ...
    def assignments_for_principal(self, principal_type: PrincipalType, principal_id: str) -> list[tuple[str, str]]:
        """(account id, permission set ARN) pairs the principal holds."""
        ...

    def assignments(self, account_id: str, arn: str) -> list[tuple[PrincipalType, str]]:
        """(principal type, principal id) of who holds the permission set on the account."""
        ...

    def provisioned_to_account(self, account_id: str) -> list[str]: ...
    def accounts_for_permission_set(self, arn: str) -> list[str]: ...
    def lagging_accounts(self, arn: str) -> list[str]:
        """Accounts the permission set is provisioned to whose role does not carry its latest version (an update
        not provisioned yet, or a provisioning that failed there): ListAccountsForProvisionedPermissionSet with
        ProvisioningStatus LATEST_PERMISSION_SET_NOT_PROVISIONED."""
        ...

    def access_control_attributes(self) -> AccessControlAttributes | None:
        """The instance's ABAC attributes; None when it has no access-control attribute configuration."""
        ...


class IdentityCenterWrites(Protocol):
    """What the executor calls (the benchmark and the executor's tests supply the quota model)."""

    def create_permission_set(self, spec: PermissionSetSpec) -> str: ...
    def update_permission_set(
        self, arn: str, description: str | None, session_duration: str, relay_state: str | None
    ) -> None: ...
    def tag(self, arn: str, tags: dict[str, str]) -> None: ...
    def untag(self, arn: str, keys: list[str]) -> None: ...
    def attach_managed_policy(self, arn: str, policy_arn: str) -> None: ...
    def detach_managed_policy(self, arn: str, policy_arn: str) -> None: ...
    def attach_customer_managed_policy(self, arn: str, name: str, path: str) -> None: ...
    def detach_customer_managed_policy(self, arn: str, name: str, path: str) -> None: ...
    def put_inline_policy(self, arn: str, document: str) -> None: ...
    def delete_inline_policy(self, arn: str) -> None: ...
    def put_permissions_boundary(self, arn: str, boundary: Boundary) -> None: ...
    def delete_permissions_boundary(self, arn: str) -> None: ...
    def delete_permission_set(self, arn: str) -> None: ...
    def create_access_control_attributes(self, attributes: AccessControlAttributes) -> None: ...
    def update_access_control_attributes(self, attributes: AccessControlAttributes) -> None: ...
    def delete_access_control_attributes(self) -> None: ...
    def provision(self, arn: str, account_id: str | None = None) -> RequestOutcome:
        """ProvisionPermissionSet to every account it is provisioned to, or (`account_id`) to that one."""
        ...

    def create_assignment(
        self, account_id: str, arn: str, principal_type: PrincipalType, principal_id: str
    ) -> RequestOutcome: ...
    def delete_assignment(
        self, account_id: str, arn: str, principal_type: PrincipalType, principal_id: str
    ) -> RequestOutcome: ...
    def request_ids(self, kind: StatusKind, status: str) -> set[str]: ...
    def request_status(self, kind: StatusKind, request_id: str) -> RequestOutcome: ...


class IdentityCenter(IdentityCenterReads, IdentityCenterWrites, Protocol):
    """The Identity Center admin API (sso-admin) as the engine uses it."""


class Directory(Protocol):
    """Groups and users of the identity store, each with its external id where its identity provider set one (the
    Entra object id, for principals provisioned by SCIM). None: no such principal (its assignments are cleaned up);
    only the identity store's clean not-found means that, any other refusal is raised as ApiError."""

    def forget(self) -> None: ...
    def group(self, group_id: str) -> Principal | None: ...
    def group_named(self, name: str) -> Principal | None: ...
    def groups(self) -> list[Principal]: ...
    def user(self, user_id: str) -> Principal | None: ...
    def user_named(self, name: str) -> Principal | None: ...
    def users(self) -> list[Principal]: ...
    def members(self, group_id: str) -> list[str]:
        """Ids of the users in the group."""
        ...

    def groups_of(self, user_id: str) -> list[str]:
        """Ids of the groups the user is in."""
        ...


class OrganizationView(Protocol):
    """What the planner needs to know about the organization. Adapters may answer lazily."""

    def management_account_id(self) -> str:
        """As Organizations reports it (DescribeOrganization), never as the config says: reconciles check the
        config against it."""
        ...

    def account(self, account_id: str) -> Account | None: ...
    def snapshot(self) -> Organization: ...
    def surroundings(self, account_id: str, reach: Reach) -> Organization:
        """An account scope's view, whatever the size of the organization: the account (with its tags where rules
        use tags), its ancestors with their names, and what `reach` names; no other account."""
        ...

    def forget(self) -> None: ...


class OwnershipSeal(Protocol):
    """Proof that entra-aws made or adopted a permission set: a MAC of its ARN under a key only entra-aws may use
    (engine.ownership). `verify` is False for a seal that is not the set's; other failures raise ApiError."""

    def seal(self, arn: str) -> str: ...
    def verify(self, arn: str, seal: str) -> bool: ...


class CallCount(Protocol):
    """The API calls made through the ports so far, by service and operation (reports carry the difference)."""

    @property
    def calls(self) -> Counter[str]: ...

    @property
    def total(self) -> int: ...
