"""The config file: desired state. Pydantic models; unknown keys are errors everywhere."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    PrivateAttr,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

from entra_aws.config import aws_limits
from entra_aws.config.aws_limits import (
    ACCOUNT_ID,
    AWS_MANAGED_POLICY_ARN,
    IAM_NAME,
    IAM_PATH,
    PERMISSION_SET_NAME,
    REGION,
)
from entra_aws.config.base import (
    GUID,
    OU_ID,
    ROOT_ID,
    CustomerManagedPolicyReference,
    ManagedPolicyArn,
    PermissionsBoundary,
    PolicyDocument,
    Strict,
    check_session_duration,
)
from entra_aws.config.federation import FederationConfig

__all__ = [
    "ACCOUNT_ID",
    "AWS_MANAGED_POLICY_ARN",
    "IAM_NAME",
    "IAM_PATH",
    "PERMISSION_SET_NAME",
    "REGION",
    "CustomerManagedPolicyReference",
    "PermissionsBoundary",
    "Strict",
]

TENANT_ID = GUID
INSTANCE_ARN = r"^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$"
IDENTITY_STORE_ID = r"^d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
IDENTITY_STORE_PRINCIPAL_ID = r"^([0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

MANAGED_TAG_KEY = "entra-aws:managed"
SEAL_TAG_KEY = "entra-aws:seal"
"""The ownership seal: a MAC of the permission set's ARN only entra-aws's key can make (engine.ownership)."""
CONVENTION_TARGET_GROUPS = ("account", "account_name", "ou")

PermissionSetName = Annotated[str, StringConstraints(pattern=PERMISSION_SET_NAME)]
TagKey = Annotated[str, StringConstraints(pattern=aws_limits.TAG_TEXT, min_length=1, max_length=aws_limits.TAG_KEY_MAX)]
TagValue = Annotated[str, StringConstraints(pattern=aws_limits.TAG_TEXT, max_length=aws_limits.TAG_VALUE_MAX)]
AccountId = Annotated[str, StringConstraints(pattern=ACCOUNT_ID)]
NonEmptyStr = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


def _check_ou_reference(value: str) -> str:
    if re.match(OU_ID, value) or re.match(ROOT_ID, value) or value.startswith("/"):
        return value
    raise ValueError(
        f"must be an OU id (ou-xxxx-xxxxxxxx), a root id (r-xxxx) or an OU path from the root "
        f"like /Workloads/Prod, got {value!r}"
    )


def _check_tag_selector(value: str) -> str:
    key, sep, _ = value.partition("=")
    if not sep or not key:
        raise ValueError(f"must be key=value, got {value!r}")
    return value


OuReference = Annotated[str, AfterValidator(_check_ou_reference)]
TagSelector = Annotated[str, AfterValidator(_check_tag_selector)]


AccessControlKey = Annotated[
    str, StringConstraints(pattern=aws_limits.TAG_TEXT, min_length=1, max_length=aws_limits.TAG_KEY_MAX)
]
AccessControlSource = Annotated[
    str, StringConstraints(pattern=r'^[\p{L}\p{Z}\p{N}_.:/=+\-@\[\]{}$\\"]*$', max_length=256)
]
"""sso-admin AccessControlAttribute: Key 1-128 characters as a tag key; Value.Source one string of at most 256, e.g.
`${path:enterprise.department}`; at most 50 attributes (AccessControlAttributeList)."""
ACCESS_CONTROL_ATTRIBUTES_MAX = 50


class IdentityCenter(Strict):
    region: Annotated[str, StringConstraints(pattern=REGION)] = Field(
        description="Identity Center home region, e.g. eu-west-1."
    )
    instance_arn: Annotated[str, StringConstraints(pattern=INSTANCE_ARN)] | None = Field(
        default=None, description="Omit to discover with sso-admin ListInstances at run time."
    )
    identity_store_id: Annotated[str, StringConstraints(pattern=IDENTITY_STORE_ID)] | None = Field(
        default=None, description="Omit to discover with sso-admin ListInstances at run time."
    )
    access_control_attributes: dict[AccessControlKey, AccessControlSource] | None = Field(
        default=None,
        max_length=ACCESS_CONTROL_ATTRIBUTES_MAX,
        json_schema_extra={"additionalProperties": False},
        description="ABAC: session tag key -> identity source attribute, e.g. Department: "
        "${path:enterprise.department}. Reconciled by full reconciles; {} removes them all; omit to leave them alone.",
    )


AssignmentOwnership = Literal["exclusive", "additive"]
ApplyMode = Literal["observe", "enforce"]
TRUSTED_WRITER = re.compile(r"^arn:aws[a-z-]*:iam::[0-9*?]+:role/[!-+\--~]+$")
"""A role ARN or a glob over role ARNs; no comma (the router reads them comma-separated) and no space."""


def _check_trusted_writer(value: str) -> str:
    if not TRUSTED_WRITER.match(value):
        raise ValueError(
            f"must be a role ARN (arn:aws:iam::ACCOUNT:role/NAME) or a glob over them like "
            f"arn:aws:iam::*:role/TEAM-*, without commas or spaces, got {value!r}"
        )
    return value


MANAGED_POLICY_MAX = 6_144
"""IAM quotas: a managed policy document is at most 6,144 characters, whitespace not counted."""


class ReferencedPolicy(CustomerManagedPolicyReference):
    """A customer-managed policy a permission set references; with a document, the automation stack deploys it to
    the accounts the set's rules reach (docs/deployment.md, Policies that permission sets reference)."""

    document_file: str | None = Field(
        default=None,
        description="A JSON policy file, relative to the config file: the policy is deployed (a StackSet) to the "
        "accounts the permission set's rules reach. Omit: the policy must already exist there.",
    )
    document: PolicyDocument | None = Field(default=None, description="The policy document, instead of a file.")

    @model_validator(mode="after")
    def _managed_policy_size(self) -> ReferencedPolicy:
        if self.document_file is not None and self.document is not None:
            raise ValueError("give document or document_file, not both")
        if self.document is not None:
            text = json.dumps(self.document, separators=(",", ":"))
            counted = sum(1 for character in text if not character.isspace())
            if counted > MANAGED_POLICY_MAX:
                raise ValueError(
                    f"the policy is {counted} characters without whitespace; IAM allows at most "
                    f"{MANAGED_POLICY_MAX} in a managed policy"
                )
        return self


class ReferencedBoundary(PermissionsBoundary):
    customer_managed_policy: ReferencedPolicy | None = None


class PermissionSetSpec(Strict):
    name: PermissionSetName = Field(description="At most 32 characters of [A-Za-z0-9_+=,.@-].")
    description: (
        Annotated[
            str,
            StringConstraints(pattern=aws_limits.DESCRIPTION, min_length=1, max_length=aws_limits.DESCRIPTION_MAX),
        ]
        | None
    ) = Field(default=None, description="Up to 700 characters: Latin-1 letters, no emoji or other scripts.")
    session_duration: Annotated[str, AfterValidator(check_session_duration)] = "PT1H"
    managed_policies: list[ManagedPolicyArn] = Field(default_factory=list)
    customer_managed_policies: list[ReferencedPolicy] = Field(default_factory=list)
    inline_policy: PolicyDocument | None = Field(default=None, description="An IAM policy document.")
    inline_policy_file: str | None = Field(default=None, description="A JSON policy file, relative to the config file.")
    permissions_boundary: ReferencedBoundary | None = None
    relay_state: Annotated[str, StringConstraints(pattern=aws_limits.RELAY_STATE, max_length=240)] | None = Field(
        default=None, description="An https URL the access portal opens after sign-in (at most 240 characters)."
    )
    tags: dict[TagKey, TagValue] = Field(
        default_factory=dict, max_length=aws_limits.TAGS_MAX, json_schema_extra={"additionalProperties": False}
    )
    privileged: bool = Field(default=False, description="Granted only by explicit rules, never by a naming convention.")
    assignments: AssignmentOwnership = Field(
        default="exclusive",
        description="exclusive: assignments no rule explains are deleted (drift reverted). additive: they are "
        "kept and reported, for sets other tools also grant (temporary access, Control Tower).",
    )

    @field_validator("tags")
    @classmethod
    def _reserved_tag(cls, tags: dict[str, str]) -> dict[str, str]:
        for reserved in (MANAGED_TAG_KEY, SEAL_TAG_KEY):
            if reserved in tags:
                raise ValueError(f"the tag key {reserved!r} is reserved for entra-aws")
        return aws_limits.check_tags(tags)

    @model_validator(mode="after")
    def _policies(self) -> PermissionSetSpec:
        if self.inline_policy is not None and self.inline_policy_file is not None:
            raise ValueError("give inline_policy or inline_policy_file, not both")
        attached = len(self.managed_policies) + len(self.customer_managed_policies)
        if attached > aws_limits.POLICIES_PER_PERMISSION_SET:
            raise ValueError(
                f"{attached} managed and customer-managed policies; Identity Center allows at most "
                f"{aws_limits.POLICIES_PER_PERMISSION_SET} per permission set"
            )
        return self

    @property
    def documented_policies(self) -> list[ReferencedPolicy]:
        """The customer-managed policies and boundary it references that come with their documents."""
        boundary = self.permissions_boundary.customer_managed_policy if self.permissions_boundary else None
        return [ref for ref in [*self.customer_managed_policies, boundary] if ref is not None and ref.document]


class Targets(Strict):
    """Accounts selected by any of these (a union)."""

    accounts: list[AccountId] = Field(default_factory=list)
    account_names: list[NonEmptyStr] = Field(default_factory=list)
    ous: list[OuReference] = Field(
        default_factory=list, description="OU ids or paths like /Workloads/Prod; nested OUs included."
    )
    tags: list[TagSelector] = Field(default_factory=list, description="key=value account tags.")
    organization: bool = Field(default=False, description="Every account in the organization.")

    def is_empty(self) -> bool:
        return not (self.accounts or self.account_names or self.ous or self.tags or self.organization)


class PinnedPrincipal(Strict):
    """A principal by identity: its identity store id or its Entra object id (the SCIM externalId)."""

    id: Annotated[str, StringConstraints(pattern=IDENTITY_STORE_PRINCIPAL_ID)] | None = Field(
        default=None, description="Identity store group or user id (aws identitystore list-groups)."
    )
    external_id: Annotated[str, StringConstraints(pattern=GUID)] | None = Field(
        default=None, description="Entra object id (Entra admin center > Groups > the group > Object ID)."
    )
    name: NonEmptyStr | None = Field(default=None, description="The display name, for people; never matched on.")

    @model_validator(mode="after")
    def _one_identity(self) -> PinnedPrincipal:
        if (self.id is None) == (self.external_id is None):
            raise ValueError("give exactly one of id (identity store id) or external_id (Entra object id)")
        return self

    def __str__(self) -> str:
        identity = f"id {self.id}" if self.id else f"external id {self.external_id}"
        return f"{self.name!r} ({identity})" if self.name else identity


def _principal_kind(value: object) -> str:
    return "by identity" if isinstance(value, dict | PinnedPrincipal) else "by name"


UNION_TAGS = frozenset({"by name", "by identity"})
"""The tags of tagged unions, which error locations leave out (the loader's field paths skip them)."""

PrincipalEntry = Annotated[
    Annotated[NonEmptyStr, Tag("by name")] | Annotated[PinnedPrincipal, Tag("by identity")],
    Discriminator(_principal_kind),
]
"""A display name (matched by name), or a principal pinned by identity."""


class AssignmentRule(Strict):
    """Explicit: these groups/users get these permission sets on these accounts."""

    name: NonEmptyStr
    groups: list[PrincipalEntry] = Field(
        default_factory=list, description="Group display names, or {external_id: <Entra object id>, name: ...}."
    )
    users: list[PrincipalEntry] = Field(
        default_factory=list, description="User names, or {id: <identity store user id>, name: ...}."
    )
    permission_sets: list[PermissionSetName] = Field(min_length=1)
    targets: Targets
    exclude: Targets = Field(default_factory=Targets)
    allow_management_account: bool = Field(
        default=False, description="Let this rule reach the management account (off by default)."
    )

    @model_validator(mode="after")
    def _principals_and_targets(self) -> AssignmentRule:
        if not self.groups and not self.users:
            raise ValueError("name at least one group or user")
        if self.targets.is_empty():
            raise ValueError("targets selects no account: give accounts, account_names, ous, tags or organization")
        return self


class NamingConvention(Strict):
    """Groups whose display name matches the pattern get the named permission set on the named target."""

    name: NonEmptyStr
    pattern: str = Field(
        description="A regex with named groups: permission_set, and exactly one of account (12-digit id), "
        "account_name or ou (OU id or name)."
    )
    allowed_permission_sets: list[PermissionSetName] = Field(min_length=1)
    exclude: Targets = Field(default_factory=Targets)
    match_unprovisioned_groups: bool = Field(
        default=False,
        description="Also match groups not provisioned from Entra (no external id: made in Identity Center by "
        "hand or by API). Off: only SCIM-provisioned groups are matched.",
    )

    @field_validator("pattern")
    @classmethod
    def _pattern_groups(cls, pattern: str) -> str:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"is not a valid regex: {exc}") from None
        groups = set(compiled.groupindex)
        targets = [g for g in CONVENTION_TARGET_GROUPS if g in groups]
        if "permission_set" not in groups or len(targets) != 1:
            raise ValueError(
                "must have the named group (?P<permission_set>...) and exactly one of "
                "(?P<account>...), (?P<account_name>...), (?P<ou>...)"
            )
        return pattern

    @property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    @property
    def target_kind(self) -> str:
        return next(g for g in CONVENTION_TARGET_GROUPS if g in self.compiled.groupindex)


class MassDeleteGuard(Strict):
    """The deletion circuit breaker: a plan deleting more than `max_count` AND more than `max_share` of the
    managed assignments and permission sets in its scope is held (nothing applied) until allowed."""

    max_count: int = Field(default=10, ge=0, description="Deletions a plan may make without being held.")
    max_share: float = Field(
        default=0.25, ge=0, le=1, description="Share of the scope's managed assignments a plan may delete unheld."
    )
    acknowledge: int | None = Field(
        default=None,
        ge=1,
        description="Deletions acknowledged in advance: a held plan deleting at most this many is applied "
        "(like `apply --allow-mass-delete`); remove it once applied.",
    )

    def exceeded(self, deletions: int, managed: int) -> bool:
        """A plan making `deletions` of the `managed` assignments and permission sets in its scope trips it."""
        return deletions > self.max_count and deletions > self.max_share * managed

    def acknowledges(self, deletions: int) -> bool:
        return self.acknowledge is not None and deletions <= self.acknowledge


class OwnershipSettings(Strict):
    """The KMS HMAC key whose seals prove a permission set is entra-aws's (docs/security.md, Ownership)."""

    key: Annotated[str, StringConstraints(pattern=r"^(alias/[A-Za-z0-9/_-]+|arn:aws[a-z-]*:kms:.+)$")] | None = Field(
        default=None,
        description="The ownership key for the CLI: alias/entra-aws-ownership (the automation stack's) or its ARN. "
        "The workers are given it by the stack. Unset: no permission set is deleted and none is sealed.",
    )
    admin_role_arns: list[Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")]] = Field(
        default_factory=list,
        description="Roles besides the worker's that the key policy lets seal and verify (who runs the CLI).",
    )


class ApplySettings(Strict):
    max_tps: float = Field(default=20.0, gt=0, le=100, description="Identity Center admin API calls/s.")
    max_outstanding_operations: int = Field(
        default=15,
        ge=1,
        le=15,
        description="Asynchronous assignment operations in flight at once (Identity Center allows 15 outstanding "
        "CreateAccountAssignment calls, not increasable; concurrent workers share them).",
    )
    max_concurrent_provisioning: int = Field(
        default=3,
        ge=1,
        le=3,
        description="ProvisionPermissionSet requests in progress at once (Identity Center allows 3; concurrent "
        "workers share them).",
    )
    prune: bool = Field(default=True, description="Delete managed assignments no rule asks for.")
    adopt_permission_sets: list[PermissionSetName] = Field(
        default_factory=list,
        description="Unmanaged permission sets whose names collide with the catalog and may be taken over.",
    )
    sweep_users: bool = Field(
        default=False,
        description="Full reconciles also list every user's assignments (finds manual direct-user grants "
        "of managed permission sets; costs one call per user).",
    )
    mass_delete: MassDeleteGuard = Field(default_factory=MassDeleteGuard)
    delete_permission_sets: bool = Field(
        default=False,
        description="Delete managed permission sets that left the config (with prune, and only those whose "
        "ownership seal verifies); off: they are reported and kept.",
    )
    ownership: OwnershipSettings = Field(default_factory=OwnershipSettings)
    mode: ApplyMode = Field(
        default="enforce",
        description="enforce: apply plans. observe: plan, report and notify what would change; change nothing.",
    )


class AutomationSettings(Strict):
    reconcile_schedule: Annotated[
        str, StringConstraints(pattern=aws_limits.SCHEDULE), AfterValidator(aws_limits.check_schedule)
    ] = Field(default="rate(6 hours)", description="EventBridge rate(1 hour), rate(6 hours) or cron(0 6 * * ? *).")
    notification_emails: list[Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]] = Field(
        default_factory=list
    )
    reconcile_on_deploy: bool = True
    max_concurrent_reconciles: int = Field(
        default=2,
        ge=2,
        le=10,
        description="Reconcile workers at once (the SQS event-source minimum is 2); they share max_tps.",
    )
    control_tower_region: Annotated[str, StringConstraints(pattern=REGION)] | None = Field(
        default=None,
        description="Control Tower home region, when it is neither us-east-1 nor the Identity Center region: "
        "its lifecycle events are forwarded from there.",
    )
    trusted_writers: list[
        Annotated[
            str, AfterValidator(_check_trusted_writer), Field(json_schema_extra={"pattern": TRUSTED_WRITER.pattern})
        ]
    ] = Field(
        default_factory=list,
        description="Role ARNs, or glob patterns like arn:aws:iam::*:role/TEAM-*, whose Identity Center changes "
        "are not drift (not reverted, not notified).",
    )


Topology = Literal["management", "delegated_admin"]
LOG_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
"""The values CloudWatch Logs PutRetentionPolicy accepts."""
KMS_KEY_ARN = r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/(mrk-)?[0-9a-f-]+$"


class DeploymentSettings(Strict):
    """Which accounts the stacks go to (docs/deployment.md)."""

    topology: Topology = Field(
        default="management",
        description="management: everything in the management account. delegated_admin: the automation in the "
        "Identity Center delegated administrator account, only event forwarders in the management account.",
    )
    delegated_admin_account_id: AccountId | None = Field(
        default=None, description="The Identity Center delegated administrator (member) account; delegated_admin only."
    )
    log_retention_days: int = Field(
        default=90,
        description="Days the functions' CloudWatch log groups keep events: " + ", ".join(map(str, LOG_DAYS)),
        json_schema_extra={"enum": list(LOG_DAYS)},
    )
    kms_key_arn: Annotated[str, StringConstraints(pattern=KMS_KEY_ARN)] | None = Field(
        default=None,
        description="A customer managed key (in the automation account and region) for the queues, the topic and "
        "the log groups; its key policy must let the services in (docs/deployment.md). Omit: AWS-managed.",
    )
    organization_root_id: Annotated[str, StringConstraints(pattern=ROOT_ID)] | None = Field(
        default=None,
        description="The organization's root id (r-...): where the referenced policies' StackSet finds the accounts "
        "rules name by id or with organization: true (aws organizations list-roots).",
    )
    create_key: bool = Field(
        default=False,
        description="Create a customer managed key (rotated, its key policy conditioned on this account) for the "
        "queues, the topic and the log groups.",
    )

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, days: int) -> int:
        if days not in LOG_DAYS:
            raise ValueError(f"must be one of {', '.join(map(str, LOG_DAYS))} (CloudWatch Logs), got {days}")
        return days

    @model_validator(mode="after")
    def _account_for_topology(self) -> DeploymentSettings:
        if self.topology == "delegated_admin" and self.delegated_admin_account_id is None:
            raise ValueError("topology delegated_admin needs delegated_admin_account_id (the member account)")
        if self.topology == "management" and self.delegated_admin_account_id is not None:
            raise ValueError("delegated_admin_account_id is used only with topology: delegated_admin")
        if self.create_key and self.kms_key_arn is not None:
            raise ValueError("give kms_key_arn (your key) or create_key: true (a new one), not both")
        return self

    @property
    def delegated(self) -> bool:
        return self.topology == "delegated_admin"


class Config(Strict):
    version: Literal[1] = 1
    tenant_id: Annotated[str, StringConstraints(pattern=TENANT_ID)] = Field(description="Entra tenant id (GUID).")
    identity_center: IdentityCenter
    management_account_id: AccountId | None = Field(
        default=None, description="Omit to discover with organizations DescribeOrganization."
    )
    permission_sets: list[PermissionSetSpec] = Field(default_factory=list)
    assignments: list[AssignmentRule] = Field(default_factory=list)
    conventions: list[NamingConvention] = Field(default_factory=list)
    apply: ApplySettings = Field(default_factory=ApplySettings)
    automation: AutomationSettings = Field(default_factory=AutomationSettings)
    deployment: DeploymentSettings = Field(default_factory=DeploymentSettings)
    federation: FederationConfig | None = None

    _source: Path | None = PrivateAttr(default=None)

    def attach_source(self, path: Path) -> None:
        self._source = path

    @property
    def source_dir(self) -> Path:
        """Folder that relative file names in the config (policies, SAML metadata) are read from."""
        return self._source.parent if self._source else Path.cwd()

    def permission_set(self, name: str) -> PermissionSetSpec | None:
        return next((ps for ps in self.permission_sets if ps.name == name), None)

    @property
    def additive_permission_sets(self) -> frozenset[str]:
        """Permission sets whose assignments no rule explains are kept (`assignments: additive`)."""
        return frozenset(ps.name for ps in self.permission_sets if ps.assignments == "additive")

    @property
    def assigns_users(self) -> bool:
        """Some rule names users: user events matter (the rule pattern and the router both follow this)."""
        return any(rule.users for rule in self.assignments)
