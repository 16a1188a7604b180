"""One IAM role for a federated principal, built from the config's role settings (shared by OIDC and SAML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from entra_aws.config.federation import RoleSettings, inline_policy, session_seconds


def federated_role(
    scope: Construct,
    construct_id: str,
    settings: RoleSettings,
    principal: iam.IPrincipal,
    base_dir: Path,
    where: str,
    description: str,
    extra_trust: iam.PolicyStatement | None = None,
) -> iam.Role:
    """`where` is the config path of the role (used in suppression reasons)."""
    boundary: iam.IManagedPolicy | None = None
    if settings.permissions_boundary is not None:
        pb = settings.permissions_boundary
        if pb.managed_policy_arn is not None:
            boundary = iam.ManagedPolicy.from_managed_policy_arn(
                scope, f"{construct_id}Boundary", pb.managed_policy_arn
            )
        elif pb.customer_managed_policy is not None:
            ref = pb.customer_managed_policy
            boundary = iam.ManagedPolicy.from_managed_policy_name(
                scope, f"{construct_id}Boundary", f"{ref.path.strip('/')}/{ref.name}".lstrip("/")
            )
    document = inline_policy(settings, base_dir)
    role = iam.Role(
        scope,
        construct_id,
        role_name=settings.name,
        assumed_by=principal,
        description=description,
        max_session_duration=cdk.Duration.seconds(session_seconds(settings.max_session_duration)),
        managed_policies=[
            iam.ManagedPolicy.from_managed_policy_arn(scope, f"{construct_id}Managed{i}", arn)
            for i, arn in enumerate(settings.managed_policies)
        ],
        inline_policies={"inline": iam.PolicyDocument.from_json(document)} if document else None,
        permissions_boundary=boundary,
    )
    if extra_trust is not None:
        assume = role.assume_role_policy
        if assume is None:  # pragma: no cover - a Role always has one
            raise ValueError(f"{where}: the role has no trust policy")
        assume.add_statements(extra_trust)
    for key, value in settings.tags.items():
        cdk.Tags.of(role).add(key, value)
    for arn in settings.managed_policies:
        cdk.Validations.of(role).acknowledge(
            cdk.Acknowledgment(
                id=f"AwsSolutions-IAM4[Policy::{arn}]",
                reason=f"AWS-managed policy chosen by the operator in the config ({where}.managed_policies)",
            )
        )
    for finding in wildcard_findings(document or {}):
        cdk.Validations.of(role).acknowledge(
            cdk.Acknowledgment(
                id=f"AwsSolutions-IAM5[{finding}]",
                reason=f"The inline policy is the operator's, reviewed in the config ({where}); entra-aws "
                f"deploys it "
                "unchanged",
            )
        )
    return role


def wildcard_findings(document: dict[str, Any]) -> list[str]:
    """cdk-nag's AwsSolutions-IAM5 finding ids (`Action::x`, `Resource::y`) for wildcards in a policy."""
    findings: list[str] = []
    statements = document.get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        for key, kind in (("Action", "Action"), ("Resource", "Resource")):
            values = statement.get(key) or []
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str) and "*" in value and f"{kind}::{value}" not in findings:
                    findings.append(f"{kind}::{value}")
    return findings
