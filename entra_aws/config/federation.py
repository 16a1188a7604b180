"""The `federation:` section: Entra workload identities (OIDC) and the Entra enterprise app (SAML) in AWS IAM.

Field-level problems are pydantic validators (short ValueError messages saying what is allowed); problems that
need several fields or files next to the config are `check_federation` lines `field.path: problem`, which the
loader prefixes with the config file name.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from entra_aws.config import base
from entra_aws.config.base import (
    CustomerManagedPolicyReference,
    ManagedPolicyArn,
    PermissionsBoundary,
    Strict,
    check_session_duration,
    duplicates,
    read_policy_file,
    resolve_file,
    session_duration,
)

__all__ = ["CustomerManagedPolicyReference", "PermissionsBoundary", "read_policy_file", "resolve_file"]

GUID = re.compile(base.GUID)
ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)
IAM_USER_NAME = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)
SAML_PROVIDER_NAME = re.compile(r"^[\w._-]{1,128}$", re.ASCII)
THUMBPRINT = re.compile(r"^[0-9a-fA-F]{40}$")
OU_OR_ROOT = re.compile(f"{base.OU_ID}|{base.ROOT_ID}")
ACCOUNT_ID = re.compile(base.ACCOUNT_ID)
REGION = re.compile(base.REGION)
AUDIENCE_URI = re.compile(r"^(api|https|urn):[\x21-\x7e]{1,250}$")
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
# The `aud` of a token requested for api://AzureADTokenExchange (always a v2 token).
TOKEN_EXCHANGE_AUD_CLAIM = "fb60f99c-7a34-4190-8149-302f77469936"
WILDCARD = re.compile(r"[*?]")
# AWS-managed policies that grant everything or all of IAM (any partition, at the root path).
PRIVILEGED_MANAGED_POLICY = re.compile(
    r"^arn:aws(-[a-z]+)*:iam::aws:policy/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$"
)
RESERVED_TAG_PREFIXES = ("aws:", "entra-aws:")
# Microsoft Graph appRole `value` is at most 120 characters; the role claim is
# arn:aws:iam::ACCOUNT:role/NAME,arn:aws:iam::ACCOUNT:saml-provider/NAME (72 characters plus both names in
# the aws partition; 78 in aws-cn / aws-us-gov).
APP_ROLE_VALUE_MAX = 120
ROLE_CLAIM_FIXED_CHARS = 78

TokenVersion = Literal[1, 2]


def _matching(pattern: re.Pattern[str], allowed: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"must be {allowed}, got {value!r}")
        return value

    return AfterValidator(check)


def session_seconds(value: str) -> int:
    """PT1H..PT12H (IAM's MaxSessionDuration range) as seconds; ValueError saying what is allowed."""
    return int(session_duration(value).total_seconds())


def _check_audience(value: str) -> str:
    if GUID.match(value) or AUDIENCE_URI.match(value):
        return value
    raise ValueError(
        "must be the Entra resource app's application ID URI (api://..., https://..., urn:...), its client "
        f"id (a GUID) or {TOKEN_EXCHANGE_AUDIENCE}, got {value!r}"
    )


RoleName = Annotated[str, _matching(ROLE_NAME, "an IAM role name: 1-64 characters of letters, digits and _+=,.@-")]
Guid = Annotated[str, _matching(GUID, "a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47")]
Duration = Annotated[str, AfterValidator(check_session_duration)]
Audience = Annotated[str, AfterValidator(_check_audience)]


class RoleSettings(Strict):
    """What every IAM role made here can carry."""

    name: RoleName = Field(description="The IAM role name (the same in every account).")
    description: Annotated[str, Field(min_length=1, max_length=900)] | None = None
    max_session_duration: Duration = Field(default="PT1H", description="PT1H..PT12H.")
    managed_policies: list[ManagedPolicyArn] = Field(default_factory=list, max_length=20)
    inline_policy: dict[str, Any] | None = Field(default=None, description="An IAM policy document.")
    inline_policy_file: str | None = Field(default=None, description="A JSON policy file, relative to the config.")
    permissions_boundary: PermissionsBoundary | None = None
    tags: dict[str, str] = Field(default_factory=dict, max_length=40)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: dict[str, str]) -> dict[str, str]:
        for key, value in tags.items():
            if not 1 <= len(key) <= 128 or key.lower().startswith(RESERVED_TAG_PREFIXES):
                raise ValueError(f"tag key {key!r} must be 1-128 characters and not start with aws: or entra-aws:")
            if len(value) > 256:
                raise ValueError(f"tag {key!r}: values are at most 256 characters")
        return tags

    @model_validator(mode="after")
    def _one_inline_policy(self) -> RoleSettings:
        if self.inline_policy is not None and self.inline_policy_file is not None:
            raise ValueError("give inline_policy or inline_policy_file, not both")
        if self.inline_policy is not None and "Statement" not in self.inline_policy:
            raise ValueError("inline_policy: an IAM policy document needs a Statement")
        return self


class Workload(RoleSettings):
    """One Entra workload identity (managed identity or service principal) and the AWS role it may assume."""

    subject: str | None = Field(
        default=None,
        description="The `sub` claim: object id of the managed identity / service principal (a GUID).",
    )
    wildcard_subject_reason: Annotated[str, Field(min_length=10, max_length=400)] | None = Field(
        default=None,
        description="Opt-in for a subject with * or ?: why any matching identity may assume the role.",
    )
    audience: Audience = Field(
        description="What the credential helper requests: the resource app's application ID URI or client "
        "id, "
        f"or {TOKEN_EXCHANGE_AUDIENCE}."
    )
    audience_client_id: Guid | None = Field(
        default=None,
        description="The resource app's client id; needed for v2 tokens when audience is an application "
        "ID URI "
        "(a v2 token's aud is always the client id).",
    )
    token_version: TokenVersion | None = Field(
        default=None, description="The resource app's accessTokenAcceptedVersion; default from the section."
    )
    client_id: Guid | None = Field(
        default=None, description="Client id of a user-assigned managed identity (goes into the AWS profile)."
    )
    profile_name: Annotated[str, _matching(ROLE_NAME, "1-64 characters of letters, digits and _+=,.@-")] | None = None
    allow_tag_session: bool = Field(default=False, description="Also allow sts:TagSession.")
    allow_set_source_identity: bool = Field(default=False, description="Also allow sts:SetSourceIdentity.")

    @property
    def has_wildcard_subject(self) -> bool:
        return self.subject is not None and bool(WILDCARD.search(self.subject))

    def version(self, default: TokenVersion) -> TokenVersion:
        return self.token_version if self.token_version is not None else default

    def aud_claim(self, default: TokenVersion) -> str | None:
        """The `aud` claim the workload's token carries (None when it cannot be known from the config)."""
        if self.audience == TOKEN_EXCHANGE_AUDIENCE:
            return TOKEN_EXCHANGE_AUD_CLAIM
        if self.version(default) == 1 or GUID.match(self.audience):
            return self.audience
        return self.audience_client_id


class WorkloadIdentity(Strict):
    """IAM OIDC provider(s) for the Entra tenant and one role per workload."""

    token_versions: list[TokenVersion] = Field(
        min_length=1,
        max_length=2,
        description="Issuers to trust: 1 -> https://sts.windows.net/<tenant>/, "
        "2 -> https://login.microsoftonline.com/<tenant>/v2.0.",
    )
    default_token_version: TokenVersion | None = Field(
        default=None,
        description="Version of workloads that do not say; needed when both versions are listed.",
    )
    thumbprints: list[Annotated[str, _matching(THUMBPRINT, "a SHA-1 thumbprint: 40 hex digits")]] = Field(
        default_factory=list,
        max_length=5,
        description="Only for certificates outside IAM's trusted CA library; normally empty.",
    )
    workloads: list[Workload] = Field(min_length=1)

    @field_validator("token_versions")
    @classmethod
    def _unique_versions(cls, versions: list[TokenVersion]) -> list[TokenVersion]:
        if len(set(versions)) != len(versions):
            raise ValueError("list each token version once: [1], [2] or [1, 2]")
        return versions

    @property
    def default_version(self) -> TokenVersion:
        if self.default_token_version is not None:
            return self.default_token_version
        return self.token_versions[0]


class SamlRole(RoleSettings):
    """A role the Entra enterprise app's users can pick (one appRole in Entra)."""


class RoleImportUser(Strict):
    enabled: bool = Field(
        default=False,
        description="An IAM user with iam:ListRoles only, for Entra's role import; its access key is a "
        "long-lived secret you create and rotate yourself. Prefer the Graph appRoles output.",
    )
    user_name: Annotated[
        str, _matching(IAM_USER_NAME, "an IAM user name: 1-64 characters of letters, digits and _+=,.@-")
    ] = "entra-aws-role-import"


class SamlFederation(Strict):
    provider_name: Annotated[str, _matching(SAML_PROVIDER_NAME, "1-128 characters of letters, digits and ._-")] = (
        "EntraID"
    )
    metadata_file: Annotated[str, Field(min_length=1)] = Field(
        description="The enterprise app's Federation Metadata XML, relative to the config file."
    )
    roles: list[SamlRole] = Field(min_length=1)
    role_import_user: RoleImportUser = Field(default_factory=RoleImportUser)


class StackSetDeployment(Strict):
    """The same providers and roles in member accounts, through a service-managed CloudFormation StackSet."""

    organizational_units: list[
        Annotated[str, _matching(OU_OR_ROOT, "an OU id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx)")]
    ] = Field(min_length=1)
    exclude_accounts: list[Annotated[str, _matching(ACCOUNT_ID, "a 12-digit AWS account id")]] = Field(
        default_factory=list
    )
    region: Annotated[str, _matching(REGION, "an AWS region like eu-west-1")] | None = Field(
        default=None,
        description="The one region the stack instances go to (IAM is global); default identity_center.region.",
    )
    auto_deployment: bool = Field(default=True, description="Deploy to accounts that join the OUs later.")
    retain_stacks_on_account_removal: bool = False
    call_as: Literal["SELF", "DELEGATED_ADMIN"] = "SELF"
    max_concurrent_percentage: int = Field(default=25, ge=1, le=100)
    failure_tolerance_percentage: int = Field(default=0, ge=0, le=100)
    stack_set_name: Annotated[
        str,
        _matching(re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{0,127}$"), "a StackSet name: a letter, then letters, digits, -"),
    ] = "EntraAws-Federation"


class DeployTo(Strict):
    management_account: bool = Field(
        default=True, description="Create the providers and roles in the account the stack is deployed to."
    )
    stackset: StackSetDeployment | None = None


class FederationConfig(Strict):
    deploy_to: DeployTo = Field(default_factory=DeployTo)
    workload_identity: WorkloadIdentity | None = None
    saml: SamlFederation | None = None

    @model_validator(mode="after")
    def _something(self) -> FederationConfig:
        if self.workload_identity is None and self.saml is None:
            raise ValueError("give workload_identity, saml or both")
        if not self.deploy_to.management_account and self.deploy_to.stackset is None:
            raise ValueError("deploy_to deploys nowhere: set management_account: true or give a stackset")
        return self

    def all_roles(self) -> list[RoleSettings]:
        roles: list[RoleSettings] = []
        if self.workload_identity:
            roles += self.workload_identity.workloads
        if self.saml:
            roles += self.saml.roles
        return roles


def federation_problems(federation: FederationConfig) -> list[str]:
    """Cross-field checks without files. Each line `federation.path: problem`."""
    problems: list[str] = []
    names = [role.name.lower() for role in federation.all_roles()]
    for name in duplicates(names):
        problems.append(f"federation: the role name {name!r} is used more than once (IAM names ignore case)")
    wi = federation.workload_identity
    if wi is not None:
        where = "federation.workload_identity"
        if len(wi.token_versions) == 2 and wi.default_token_version is None:
            problems.append(f"{where}.default_token_version: is required when token_versions lists both 1 and 2")
        if wi.default_token_version is not None and wi.default_token_version not in wi.token_versions:
            problems.append(
                f"{where}.default_token_version: must be one of token_versions {wi.token_versions}, "
                f"got {wi.default_token_version}"
            )
        profiles = [w.profile_name or w.name for w in wi.workloads]
        for name in duplicates(profiles):
            problems.append(f"{where}.workloads: the profile name {name!r} is used more than once")
        for i, workload in enumerate(wi.workloads):
            problems += _workload_problems(f"{where}.workloads[{i}]", workload, wi)
    saml = federation.saml
    if saml is not None:
        for i, role in enumerate(saml.roles):
            length = ROLE_CLAIM_FIXED_CHARS + len(role.name) + len(saml.provider_name)
            if length > APP_ROLE_VALUE_MAX:
                problems.append(
                    f"federation.saml.roles[{i}].name: the role claim value would be {length} characters; "
                    f"Entra "
                    f"app role values are at most {APP_ROLE_VALUE_MAX}: shorten the role or provider name "
                    f"(together at most {APP_ROLE_VALUE_MAX - ROLE_CLAIM_FIXED_CHARS} characters)"
                )
    return problems


def _workload_problems(where: str, workload: Workload, wi: WorkloadIdentity) -> list[str]:
    problems: list[str] = []
    version = workload.version(wi.default_version)
    if workload.subject is None or not workload.subject.strip():
        problems.append(
            f"{where}.subject: is required: the object id (a GUID) of the managed identity or service "
            f"principal "
            "whose tokens may assume this role"
        )
    elif workload.has_wildcard_subject:
        problems += _wildcard_problems(where, workload, workload.subject)
    elif not GUID.match(workload.subject):
        problems.append(
            f"{where}.subject: must be the object id (a GUID) of the managed identity or service principal, "
            f"got {workload.subject!r}"
        )
    if workload.wildcard_subject_reason is not None and not workload.has_wildcard_subject:
        problems.append(f"{where}.wildcard_subject_reason: only allowed with a subject containing * or ?")
    if workload.token_version is not None and workload.token_version not in wi.token_versions:
        problems.append(
            f"{where}.token_version: {workload.token_version} is not in "
            f"federation.workload_identity.token_versions {wi.token_versions}"
        )
    if workload.audience == TOKEN_EXCHANGE_AUDIENCE and version != 2:
        problems.append(
            f"{where}.token_version: {TOKEN_EXCHANGE_AUDIENCE} always yields v2 tokens; set token_version: 2 "
            "(and list 2 in token_versions)"
        )
    if version == 2 and workload.aud_claim(wi.default_version) is None:
        problems.append(
            f"{where}.audience_client_id: is required: v2 tokens carry the resource app's client id as aud, "
            f"and the audience {workload.audience!r} is an application ID URI"
        )
    return problems


def _wildcard_problems(where: str, workload: Workload, subject: str) -> list[str]:
    if subject.strip("*?") == "":
        return [f"{where}.subject: a subject of only wildcards matches every identity; not allowed"]
    if workload.audience == TOKEN_EXCHANGE_AUDIENCE:
        return [
            f"{where}.subject: workload {workload.name!r} has the wildcard subject {subject!r} with the audience "
            f"{TOKEN_EXCHANGE_AUDIENCE}, for which any identity in the tenant can get a token; give one object id "
            "(wildcard_subject_reason does not override this)"
        ]
    if workload.wildcard_subject_reason is None:
        return [
            f"{where}.subject: {subject!r} is a wildcard and would let any matching identity in the tenant assume "
            "the role; give one object id, or opt in with wildcard_subject_reason: <why>"
        ]
    return []


def _privileged_wildcard_problems(federation: FederationConfig, base_dir: Path) -> list[str]:
    """A wildcard subject on a role that can do everything, or change IAM: whatever the reason given."""
    wi = federation.workload_identity
    problems: list[str] = []
    for i, workload in enumerate(wi.workloads if wi else []):
        if not workload.has_wildcard_subject:
            continue
        try:
            grants = _privileged_grants(workload, inline_policy(workload, base_dir))
        except ValueError:
            continue  # an unreadable policy file is reported on its own
        if grants:
            problems.append(
                f"federation.workload_identity.workloads[{i}].subject: workload {workload.name!r} has the wildcard "
                f"subject {workload.subject!r} and privileged permissions ({'; '.join(grants)}); give one object id "
                "or narrow the policies (wildcard_subject_reason does not override this)"
            )
    return problems


def _privileged_grants(role: RoleSettings, policy: dict[str, Any] | None) -> list[str]:
    """What makes the role privileged: a full-access managed policy, or an inline Allow of every action or of
    every IAM action (`*`, `*:*`, `iam:*` or a pattern covering it, or NotAction: everything but a few)."""
    grants = [
        f"managed policy {arn.rsplit('/', 1)[1]}"
        for arn in role.managed_policies
        if PRIVILEGED_MANAGED_POLICY.match(arn)
    ]
    for statement in _statements(policy):
        if statement.get("Effect") != "Allow":
            continue
        if "NotAction" in statement:
            grants.append(f"inline policy allows every action but NotAction {statement['NotAction']!r}")
        grants += [
            f"inline policy allows {action!r}" for action in _listed(statement.get("Action")) if _all_iam(action)
        ]
    return grants


def _statements(policy: dict[str, Any] | None) -> list[dict[str, Any]]:
    statements = (policy or {}).get("Statement", [])
    return [s for s in (statements if isinstance(statements, list) else [statements]) if isinstance(s, dict)]


def _listed(value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def _all_iam(action: str) -> bool:
    """Whether the action pattern matches every IAM action (IAM matches actions case-insensitively)."""
    if action == "*":
        return True
    service, _, name = action.partition(":")
    pattern = re.escape(service).replace(r"\*", ".*").replace(r"\?", ".")
    return name == "*" and re.fullmatch(pattern, "iam", re.IGNORECASE) is not None


def inline_policy(role: RoleSettings, base_dir: Path) -> dict[str, Any] | None:
    if role.inline_policy_file is not None:
        return read_policy_file(resolve_file(base_dir, role.inline_policy_file))
    return role.inline_policy


def check_federation(federation: FederationConfig, base_dir: Path, tenant_id: str) -> list[str]:
    """Every problem of the section, including files next to the config (SAML metadata, policy files)."""
    from entra_aws.federation.saml_metadata import SamlMetadataError, read_metadata

    problems = federation_problems(federation)
    sections: list[tuple[str, list[RoleSettings]]] = []
    if federation.workload_identity:
        sections.append(("federation.workload_identity.workloads", list(federation.workload_identity.workloads)))
    if federation.saml:
        sections.append(("federation.saml.roles", list(federation.saml.roles)))
    for where, roles in sections:
        for i, role in enumerate(roles):
            if role.inline_policy_file is None:
                continue
            try:
                inline_policy(role, base_dir)
            except ValueError as exc:
                problems.append(f"{where}[{i}].inline_policy_file: {exc}")
    problems += _privileged_wildcard_problems(federation, base_dir)
    if federation.saml is not None:
        path = resolve_file(base_dir, federation.saml.metadata_file)
        try:
            problem = read_metadata(path).tenant_problem(tenant_id, str(path))
        except SamlMetadataError as exc:
            problem = str(exc)
        if problem is not None:
            problems.append(f"federation.saml.metadata_file: {problem}")
    return problems


def federation_warnings(federation: FederationConfig, base_dir: Path, now: datetime) -> list[str]:
    """What still works today but needs a person soon (the SAML signing certificate's expiry)."""
    from entra_aws.federation.saml_metadata import SamlMetadataError, read_metadata

    if federation.saml is None:
        return []
    try:
        metadata = read_metadata(resolve_file(base_dir, federation.saml.metadata_file))
    except SamlMetadataError:
        return []  # reported as a problem by check_federation
    warnings = metadata.certificate_warnings(str(federation.saml.metadata_file), now)
    return [f"federation.saml.metadata_file: {w}" for w in warnings]
