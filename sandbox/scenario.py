"""The scenario file: an organization to start from, the changes to play, what must hold afterwards.

Reference with examples: docs/scenarios.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, StringConstraints, ValidationError, model_validator

from entra_aws.config.base import Strict
from entra_aws.config.loader import ConfigError, field_path, read_document
from entra_aws.config.models import NonEmptyStr
from sandbox.world import World, WorldAccount

AccountRef = Annotated[str, Field(min_length=1, description="account name or 12-digit id")]
_OU_PATH = re.compile(r"^/([^/]+(/[^/]+)*)?$")


def _ou_path(value: str) -> str:
    if not _OU_PATH.match(value):
        raise ValueError("expected an OU path from the root, like /Workloads/Prod")
    return value


ROLE_ARN = r"^arn:aws[a-z-]*:iam::\d{12}:role/[!-~]+$"
OuPath = Annotated[str, AfterValidator(_ou_path), Field(description="OU path from the root, e.g. /Workloads/Prod")]


class GrantRef(Strict):
    group: NonEmptyStr
    account: AccountRef
    permission_set: NonEmptyStr

    def __str__(self) -> str:
        return f"{self.group} -> {self.permission_set} on {self.account}"


class AccessRef(Strict):
    """A user's effective access: a permission set on an account through the groups the user is a member of."""

    user: NonEmptyStr
    account: AccountRef
    permission_set: NonEmptyStr

    def __str__(self) -> str:
        return f"{self.user} -> {self.permission_set} on {self.account}"


class PermissionSetExpectation(Strict):
    """Properties the live permission set must have; only the ones given are checked."""

    name: NonEmptyStr
    exists: bool = True
    description: str | None = None
    session_duration: str | None = None
    relay_state: str | None = None
    managed_policies: list[str] | None = None
    customer_managed_policies: list[str] | None = Field(default=None, description="path + name, e.g. /Guardrails")
    inline_policy: bool | None = Field(default=None, description="whether an inline policy is set")
    permissions_boundary: bool | None = Field(default=None, description="whether a boundary is set")
    tags: dict[str, str] | None = Field(default=None, description="these tags, among others")
    managed_by_entra_aws: bool | None = None


class Expectations(Strict):
    present: list[GrantRef] = Field(default_factory=list)
    absent: list[GrantRef] = Field(default_factory=list)
    permission_sets: list[PermissionSetExpectation] = Field(default_factory=list)
    access: list[AccessRef] = Field(default_factory=list, description="users who can use these, via their groups")
    no_access: list[AccessRef] = Field(default_factory=list, description="users who cannot, via any group")

    @property
    def count(self) -> int:
        return len(self.present) + len(self.absent) + len(self.permission_sets) + len(self.access) + len(self.no_access)


class _Step(Strict):
    title: str | None = None
    expect: Expectations = Field(default_factory=Expectations)
    summary: ClassVar[str] = ""
    """What happens, for people: a format string over the step's fields."""

    def describe(self) -> str:
        return self.summary.format(**dict(self))


class ScimGroupCreated(_Step):
    action: Literal["scim_group_created"]
    group: NonEmptyStr
    summary = "Entra provisions group {group} (SCIM)"  # SCIM CreateGroup


class ScimGroupRenamed(_Step):
    action: Literal["scim_group_renamed"]
    group: NonEmptyStr
    new_name: NonEmptyStr
    summary = "Entra renames group {group} to {new_name} (SCIM)"  # SCIM PatchGroup


class ScimGroupDeleted(_Step):
    action: Literal["scim_group_deleted"]
    group: NonEmptyStr
    summary = "Entra deprovisions group {group} (SCIM)"  # SCIM DeleteGroup


class GroupMemberAdded(_Step):
    action: Literal["group_member_added"]
    group: NonEmptyStr
    user: NonEmptyStr
    summary = "Entra adds {user} to group {group} (SCIM PatchGroup members)"  # e.g. a PIM for Groups activation


class GroupMemberRemoved(_Step):
    action: Literal["group_member_removed"]
    group: NonEmptyStr
    user: NonEmptyStr
    summary = "Entra removes {user} from group {group} (SCIM PatchGroup members)"  # e.g. a PIM activation expiring


class AccountCreated(_Step):
    action: Literal["account_created"]
    account: WorldAccount
    ou: OuPath = "/"
    summary = "New account {account.name} ({account.id}) joins {ou}"  # CreateAccountResult SUCCEEDED, MoveAccount


class ControlTowerAccountEnrolled(_Step):
    action: Literal["control_tower_account_enrolled"]
    account: WorldAccount
    ou: OuPath
    summary = "Control Tower Account Factory enrolls {account.name} ({account.id}) in {ou}"  # CreateManagedAccount


class AccountMoved(_Step):
    action: Literal["account_moved"]
    account: AccountRef
    ou: OuPath
    summary = "Account {account} moves to {ou}"


class AccountTagged(_Step):
    action: Literal["account_tagged"]
    account: AccountRef
    tags: dict[NonEmptyStr, str] = Field(min_length=1)

    def describe(self) -> str:
        return f"Account {self.account} tagged {', '.join(f'{k}={v}' for k, v in self.tags.items())}"


class AccountUntagged(_Step):
    action: Literal["account_untagged"]
    account: AccountRef
    keys: list[NonEmptyStr] = Field(min_length=1)

    def describe(self) -> str:
        return f"Account {self.account} untagged {', '.join(self.keys)}"


class AccountRemoved(_Step):
    """The account leaves the organization (RemoveAccountFromOrganization)."""

    action: Literal["account_removed"]
    account: AccountRef
    summary = "Account {account} leaves the organization"


class ManualAssignment(_Step):
    """Someone assigns (or, with remove: true, unassigns) a group: in the console as the root user, or `by` a
    role's session (another tool, e.g. a temporary-access tool's role)."""

    action: Literal["manual_assignment"]
    group: NonEmptyStr
    account: AccountRef
    permission_set: NonEmptyStr
    remove: bool = False
    by: Annotated[str, StringConstraints(pattern=ROLE_ARN)] | None = Field(
        default=None, description="the IAM role ARN whose session makes the call; the root user when omitted"
    )

    def describe(self) -> str:
        verb = "removes" if self.remove else "adds"
        how = f"as {self.by}" if self.by else "by hand (console)"
        return f"Someone {verb} {self.group} -> {self.permission_set} on {self.account} {how}"


class ScheduledReconcile(_Step):
    """The schedule rule fires (full reconcile)."""

    action: Literal["scheduled_reconcile"]
    summary = "The reconcile schedule fires (full reconcile)"


Step = Annotated[
    ScimGroupCreated
    | ScimGroupRenamed
    | ScimGroupDeleted
    | GroupMemberAdded
    | GroupMemberRemoved
    | AccountCreated
    | ControlTowerAccountEnrolled
    | AccountMoved
    | AccountTagged
    | AccountUntagged
    | AccountRemoved
    | ManualAssignment
    | ScheduledReconcile,
    Field(discriminator="action"),
]
ACTIONS = (
    "scim_group_created, scim_group_renamed, scim_group_deleted, group_member_added, group_member_removed, "
    "account_created, control_tower_account_enrolled, "
    "account_moved, account_tagged, account_untagged, account_removed, manual_assignment, scheduled_reconcile"
)


class Scenario(Strict):
    description: str = ""
    organization: World
    deploy: bool = Field(default=True, description="start with the deploy-time full reconcile")
    steps: list[Step] = Field(default_factory=list)
    expect: Expectations = Field(default_factory=Expectations)

    @model_validator(mode="after")
    def _accounts_are_unique(self) -> Scenario:
        ids = [a.id for a in self.organization.all_accounts()]
        ids += [s.account.id for s in self.steps if isinstance(s, AccountCreated | ControlTowerAccountEnrolled)]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"account ids used twice: {', '.join(repeated)}")
        return self


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario; `organization` may name a file (relative to the scenario)."""
    path = Path(path)
    document = read_document(path)
    organization = document.get("organization")
    if isinstance(organization, str):
        world_path = (path.parent / organization).resolve()
        document = {**document, "organization": read_document(world_path)}
    try:
        return Scenario.model_validate(document)
    except ValidationError as error:
        raise ConfigError([_problem(path, e) for e in error.errors()]) from None


def _problem(path: Path, error: Any) -> str:
    message = str(error["msg"])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        message = f"unknown or missing action; allowed: {ACTIONS}"
    return f"{path}: {field_path(error['loc'])}: {message}"
