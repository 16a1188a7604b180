"""Domain types shared by the planner, the readers and the executor. Plain frozen dataclasses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

PrincipalType = Literal["GROUP", "USER"]
ACTIVE = "ACTIVE"


@dataclass(frozen=True, order=True)
class Assignment:
    """One account assignment: a principal holds a permission set (by name) on an account."""

    account_id: str
    permission_set: str
    principal_type: PrincipalType
    principal_id: str


@dataclass(frozen=True)
class PrincipalRef:
    """A principal by type and id alone: what an assignment names, and all that is left of a deleted one."""

    type: PrincipalType
    id: str


@dataclass(frozen=True)
class Principal:
    type: PrincipalType
    id: str
    name: str
    external_id: str | None = None
    """The id its identity provider gave it (for groups provisioned from Entra: the Entra object id); None for
    a principal made in Identity Center itself."""

    @property
    def ref(self) -> PrincipalRef:
        return PrincipalRef(self.type, self.id)


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    status: str = ACTIVE
    parent_id: str = ""
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    def has_tag(self, key: str, value: str) -> bool:
        return (key, value) in self.tags


@dataclass(frozen=True)
class OrganizationalUnit:
    id: str
    name: str
    parent_id: str


@dataclass(frozen=True)
class Boundary:
    managed_policy_arn: str | None = None
    customer_managed_policy: tuple[str, str] | None = None  # (name, path)

    def to_api(self) -> dict[str, Any]:
        if self.managed_policy_arn:
            return {"ManagedPolicyArn": self.managed_policy_arn}
        assert self.customer_managed_policy is not None
        name, path = self.customer_managed_policy
        return {"CustomerManagedPolicyReference": {"Name": name, "Path": path}}

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Boundary:
        if "ManagedPolicyArn" in data:
            return cls(managed_policy_arn=data["ManagedPolicyArn"])
        ref = data["CustomerManagedPolicyReference"]
        return cls(customer_managed_policy=(ref["Name"], ref.get("Path", "/")))


AccessControlAttributes = tuple[tuple[str, str], ...]
"""The instance's ABAC attributes: (session tag key, identity source attribute) pairs, sorted by key."""


def access_control_attributes(mapping: dict[str, str]) -> AccessControlAttributes:
    return tuple(sorted(mapping.items()))


def canonical_policy(document: str | dict[str, Any] | None) -> str | None:
    """Inline policies compare by meaning, not by whitespace or key order."""
    if document is None or document == "":
        return None
    parsed = json.loads(document) if isinstance(document, str) else document
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class PermissionSetContent:
    """Everything about a permission set that the config controls."""

    description: str | None = None
    session_duration: str = "PT1H"
    relay_state: str | None = None
    managed_policies: frozenset[str] = frozenset()
    customer_managed_policies: frozenset[tuple[str, str]] = frozenset()
    inline_policy: str | None = None
    permissions_boundary: Boundary | None = None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PermissionSetRecord:
    """A permission set as Identity Center has it. `content` is None until read (only for managed ones)."""

    arn: str
    name: str
    managed: bool
    content: PermissionSetContent | None = None
    seal: str | None = None
    """Its ownership seal tag as read live (None: none, or not read: a remembered catalog keeps no seals)."""


@dataclass
class Finding:
    """Something a person should know that is not an operation: a collision, a refused grant, a gap."""

    severity: Literal["info", "warning", "error"]
    message: str
    subject: str = ""
    kind: str = ""
    """A short stable name for what happened (`privileged_convention`, `unresolved_exclude`): the `kind`
    dimension of the worker's `Findings` metric. Empty: counted as `unclassified`."""
    group: str = ""
    account: str = ""
    permission_set: str = ""
    rule: str = ""
    """What the finding is about, where it knows: the group's display name, the account id, the permission set
    and the rule or convention, for the worker's structured log line."""

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


@dataclass
class DesiredState:
    assignments: set[Assignment] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
