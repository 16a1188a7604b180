"""Least-privilege statements for the handlers: scoped to the Identity Center instance, its permission sets,
the identity store and the roles Identity Center provisions. Only APIs without resource-level permissions
(Organizations List*/Describe*, sso:ListInstances, X-Ray) use `*`; each is acknowledged with its reason."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from entra_aws.config import MANAGED_TAG_KEY, Config

SSO_READ = [
    "sso:DescribePermissionSet",
    "sso:DescribeAccountAssignmentCreationStatus",
    "sso:DescribeAccountAssignmentDeletionStatus",
    "sso:DescribePermissionSetProvisioningStatus",
    "sso:GetInlinePolicyForPermissionSet",
    "sso:GetPermissionsBoundaryForPermissionSet",
    "sso:ListAccountAssignments",
    "sso:ListAccountAssignmentsForPrincipal",
    "sso:ListAccountAssignmentCreationStatus",
    "sso:ListAccountAssignmentDeletionStatus",
    "sso:ListAccountsForProvisionedPermissionSet",
    "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
    "sso:ListManagedPoliciesInPermissionSet",
    "sso:ListPermissionSetProvisioningStatus",
    "sso:ListPermissionSets",
    "sso:ListPermissionSetsProvisionedToAccount",
    "sso:ListTagsForResource",
]
SSO_WRITE = [
    "sso:CreateAccountAssignment",
    "sso:DeleteAccountAssignment",
    "sso:CreatePermissionSet",
    "sso:UpdatePermissionSet",
    "sso:DeletePermissionSet",
    "sso:ProvisionPermissionSet",
    "sso:AttachManagedPolicyToPermissionSet",
    "sso:DetachManagedPolicyFromPermissionSet",
    "sso:AttachCustomerManagedPolicyReferenceToPermissionSet",
    "sso:DetachCustomerManagedPolicyReferenceFromPermissionSet",
    "sso:PutInlinePolicyToPermissionSet",
    "sso:DeleteInlinePolicyFromPermissionSet",
    "sso:PutPermissionsBoundaryToPermissionSet",
    "sso:DeletePermissionsBoundaryFromPermissionSet",
    "sso:TagResource",
    "sso:UntagResource",
]
IDENTITY_STORE_READ = [
    "identitystore:DescribeGroup",
    "identitystore:DescribeUser",
    "identitystore:GetGroupId",
    "identitystore:GetUserId",
    "identitystore:ListGroups",
    "identitystore:ListUsers",
]
ORGANIZATIONS_READ = [
    "organizations:DescribeOrganization",
    "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListRoots",
    "organizations:ListTagsForResource",
]
# Identity Center provisions permission sets in the management account as the caller (User Guide,
# "Permissions required to use the IAM Identity Center console" / delegated administration).
PROVISIONED_ROLE_ACTIONS = [
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:GetRole",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:UpdateRole",
]
SAML_PROVIDER_ACTIONS = ["iam:CreateSAMLProvider", "iam:GetSAMLProvider", "iam:UpdateSAMLProvider"]


def instance_resources(config: Config, partition: str) -> tuple[str, str]:
    """(instance ARN, permission-set ARNs); a wildcard id only when the instance is discovered at run time."""
    arn = config.identity_center.instance_arn
    if arn:
        instance_id = arn.rsplit("/", 1)[-1]
        return arn, f"arn:{partition}:sso:::permissionSet/{instance_id}/*"
    return f"arn:{partition}:sso:::instance/*", f"arn:{partition}:sso:::permissionSet/*/*"


def router_statements(config: Config, partition: str) -> list[iam.PolicyStatement]:
    instance, permission_sets = instance_resources(config, partition)
    return [iam.PolicyStatement(actions=["sso:DescribePermissionSet"], resources=[instance, permission_sets])]


MANAGED = {"StringEquals": {f"aws:ResourceTag/{MANAGED_TAG_KEY}": "true"}}
"""Only permission sets carrying the ownership tag (Service Authorization Reference: sso PermissionSet resources
support aws:ResourceTag; CreatePermissionSet and TagResource support aws:RequestTag and aws:TagKeys)."""
CREATES_MANAGED = {"StringEquals": {f"aws:RequestTag/{MANAGED_TAG_KEY}": "true"}}
ON_ACCOUNTS = ["sso:CreateAccountAssignment", "sso:DeleteAccountAssignment", "sso:ProvisionPermissionSet"]
ON_INSTANCE = [a for a in SSO_WRITE if a not in ("sso:TagResource", "sso:UntagResource")]
"""TagResource/UntagResource name the permission set only (the instance ARN is a parameter, not a resource)."""
ON_MANAGED_SETS = [a for a in SSO_WRITE if a not in ("sso:CreatePermissionSet", "sso:UntagResource")]


ACCESS_CONTROL_ATTRIBUTE_ACTIONS = [
    f"sso:{verb}InstanceAccessControlAttributeConfiguration" for verb in ("Create", "Describe", "Update", "Delete")
]
"""Only when the config manages ABAC attributes (identity_center.access_control_attributes); instance-scoped."""


def reaches_management_account(config: Config) -> bool:
    """Some rule may assign in the management account: Identity Center then writes IAM there as the caller."""
    return not config.deployment.delegated and any(rule.allow_management_account for rule in config.assignments)


def worker_statements(config: Config, partition: str, account: str) -> list[iam.PolicyStatement]:
    instance, permission_sets = instance_resources(config, partition)
    accounts = f"arn:{partition}:sso:::account/*"
    statements = [
        iam.PolicyStatement(actions=["sso:ListInstances"], resources=["*"]),
        iam.PolicyStatement(actions=SSO_READ, resources=[instance, permission_sets, accounts]),
        *sso_write_statements(config, partition),
        iam.PolicyStatement(actions=IDENTITY_STORE_READ, resources=_identity_store(config, partition, account)),
        iam.PolicyStatement(actions=ORGANIZATIONS_READ, resources=["*"]),
        iam.PolicyStatement(
            actions=["organizations:DescribeAccount"],
            resources=[f"arn:{partition}:organizations::{config.management_account_id or '*'}:account/o-*/*"],
        ),
    ]
    if config.identity_center.access_control_attributes is not None:
        statements.append(iam.PolicyStatement(actions=ACCESS_CONTROL_ATTRIBUTE_ACTIONS, resources=[instance]))
    if reaches_management_account(config):
        statements += [
            iam.PolicyStatement(
                actions=PROVISIONED_ROLE_ACTIONS,
                resources=[f"arn:{partition}:iam::{account}:role/aws-reserved/sso.amazonaws.com/*"],
            ),
            iam.PolicyStatement(
                actions=SAML_PROVIDER_ACTIONS,
                resources=[f"arn:{partition}:iam::{account}:saml-provider/AWSSSO_*_DO_NOT_DELETE"],
            ),
        ]
    return statements


def sso_write_statements(config: Config, partition: str) -> list[iam.PolicyStatement]:
    """IAM authorizes each resource a request names: the instance and the accounts unconditioned, the permission
    sets only when they carry the ownership tag (or a creation carries it)."""
    instance, permission_sets = instance_resources(config, partition)
    statements = [
        iam.PolicyStatement(actions=ON_INSTANCE, resources=[instance]),
        iam.PolicyStatement(actions=ON_ACCOUNTS, resources=[f"arn:{partition}:sso:::account/*"]),
        iam.PolicyStatement(actions=ON_MANAGED_SETS, resources=[permission_sets], conditions=MANAGED),
        iam.PolicyStatement(
            actions=["sso:UntagResource"],
            resources=[permission_sets],
            conditions={**MANAGED, "ForAllValues:StringNotEquals": {"aws:TagKeys": [MANAGED_TAG_KEY]}},
        ),
        iam.PolicyStatement(
            actions=["sso:CreatePermissionSet"], resources=[permission_sets], conditions=CREATES_MANAGED
        ),
    ]
    if config.apply.adopt_permission_sets:
        statements.append(
            iam.PolicyStatement(
                actions=["sso:TagResource"],
                resources=[permission_sets],
                conditions={**CREATES_MANAGED, "ForAllValues:StringEquals": {"aws:TagKeys": [MANAGED_TAG_KEY]}},
            )
        )
    management = config.management_account_id
    if management and not reaches_management_account(config):  # removing what an earlier config granted stays allowed
        statements.append(
            iam.PolicyStatement(
                effect=iam.Effect.DENY,
                actions=["sso:CreateAccountAssignment"],
                resources=[f"arn:{partition}:sso:::account/{management}"],
            )
        )
    return statements


def _identity_store(config: Config, partition: str, account: str) -> list[str]:
    """The identity store belongs to the organization's management account, wherever the automation runs."""
    owner = config.management_account_id or account
    store_id = config.identity_center.identity_store_id or "*"
    return [
        f"arn:{partition}:identitystore::{owner}:identitystore/{store_id}",
        f"arn:{partition}:identitystore:::group/*",
        f"arn:{partition}:identitystore:::user/*",
    ]


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """cdk-nag v3: acknowledge one finding (`AwsSolutions-IAM5[Resource::*]`) on a construct and below."""
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=finding, reason=reason))


def _wildcard_reason(resource: str) -> str:
    reasons = {
        ":sso:::instance/": "instance_arn is unset (discovered at run time); set it to narrow this",
        ":sso:::permissionSet/": "any permission set of the instance; the engine refuses unmanaged ones",
        ":sso:::account/": "assignments may target any account of the organization, per the config's rules",
        ":identitystore::": "identity_center.identity_store_id is not set (discovered at run time)",
        ":identitystore:::": "identity-store group/user ARNs have no per-store form; reads only",
        ":organizations::": "any account of the organization (its id is not in the config); reads only",
        ":role/aws-reserved/sso.amazonaws.com/": "roles Identity Center provisions in the management account",
        ":saml-provider/AWSSSO_": "the SAML provider Identity Center provisions in the management account",
    }
    for needle, reason in reasons.items():
        if needle in resource:
            return reason
    raise ValueError(f"no documented reason for the wildcard resource {resource}")


def _as_nag_renders(resource: str, partition: str, account: str) -> str:
    """cdk-nag names a resource with unresolved tokens as `<AWS::Partition>` / `<AWS::AccountId>`; literals (the
    partition is one when cdk.json sets @aws-cdk/core:enablePartitionLiterals and the region is known) stay."""
    text = resource
    if cdk.Token.is_unresolved(partition):
        text = text.replace(partition, "<AWS::Partition>")
    if cdk.Token.is_unresolved(account):
        text = text.replace(account, "<AWS::AccountId>")
    return text


def acknowledge_wildcards(role: IConstruct, statements: list[iam.PolicyStatement], account: str) -> None:
    """Acknowledge exactly the wildcards these statements hold (cdk-nag v3 wants each finding by name)."""
    partition = cdk.Stack.of(role).partition
    seen: set[str] = set()
    for statement in statements:
        for resource in statement.resources:
            if "*" not in resource or resource == "*" or resource in seen:
                continue
            seen.add(resource)
            text = _as_nag_renders(resource, partition, account)
            acknowledge(role, f"AwsSolutions-IAM5[Resource::{text}]", _wildcard_reason(resource))
    acknowledge(
        role,
        "AwsSolutions-IAM5[Resource::*]",
        "X-Ray PutTraceSegments/PutTelemetryRecords, sso:ListInstances and Organizations List*/Describe* "
        "have no resource-level permissions",
    )
    acknowledge(
        role,
        "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
        "topic.grant_publish on the topic's own key (GenerateDataKey and GenerateDataKeyWithoutPlaintext)",
    )
