"""Workload identity: an IAM OIDC provider per Entra token version and one role per workload."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from entra_aws.config.federation import TOKEN_EXCHANGE_AUDIENCE
from entra_aws.config.federation import WorkloadIdentity as WorkloadIdentitySettings
from entra_aws.federation.aws_profile import profile_text
from entra_aws.federation.issuers import TokenVersion, access_token_accepted_version, issuer_url
from entra_aws.federation.trust_policy import WILDCARD_MARKER, web_identity_conditions
from stacks.federation.roles import federated_role


def output_id(name: str) -> str:
    """A CloudFormation-friendly id from a config name: letters and digits, PascalCase."""
    parts = [p for p in "".join(c if c.isalnum() else " " for c in name).split() if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or "Unnamed"


def entra_settings(audience: str, version: TokenVersion, aud: str, issuer: str, subject: str) -> str:
    """One line: what the Entra side must look like for this workload's tokens to be accepted."""
    common = f"request audience {audience} (token aud claim {aud}); issuer {issuer}"
    if audience == TOKEN_EXCHANGE_AUDIENCE:
        return (
            f"no resource app: {common}; any identity of the tenant can get this audience, so the sub pin "
            f"(object id {subject}) is the only guard"
        )
    return (
        f"resource app accessTokenAcceptedVersion={access_token_accepted_version(version)}; {common}; set "
        f"assignment required and assign an app role of the resource app to object id {subject}"
    )


class WorkloadIdentity(Construct):
    """OIDC provider(s) for the tenant's issuers; per workload a role pinned to aud and sub, with outputs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: WorkloadIdentitySettings,
        tenant_id: str,
        base_dir: Path,
        region: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        default = settings.default_version
        self.providers: dict[TokenVersion, iam.OidcProviderNative] = {}
        self.roles: dict[str, iam.Role] = {}
        for version in settings.token_versions:
            client_ids = sorted(
                {
                    aud
                    for w in settings.workloads
                    if w.version(default) == version and (aud := w.aud_claim(default)) is not None
                }
            )
            if not client_ids:
                continue
            provider = iam.OidcProviderNative(
                self,
                f"EntraV{version}",
                url=issuer_url(tenant_id, version),
                client_ids=client_ids,
                thumbprints=list(settings.thumbprints) or None,
            )
            self.providers[version] = provider
            cdk.CfnOutput(
                stack,
                f"OidcProviderV{version}Arn",
                value=provider.oidc_provider_arn,
                description=f"IAM OIDC provider for Entra v{version} tokens ({issuer_url(tenant_id, version)})",
            )
        for index, workload in enumerate(settings.workloads):
            where = f"federation.workload_identity.workloads[{index}]"
            version = workload.version(default)
            aud = workload.aud_claim(default)
            subject = workload.subject
            # FederationStack refused the section before building it if any of these were missing
            assert subject and aud is not None, f"{where}: federation_problems must run first"
            provider = self.providers[version]
            conditions = web_identity_conditions(tenant_id, version, aud, subject, workload.has_wildcard_subject)
            principal = iam.WebIdentityPrincipal(provider.oidc_provider_arn, conditions)
            extra = [
                action
                for action, wanted in (
                    ("sts:TagSession", workload.allow_tag_session),
                    ("sts:SetSourceIdentity", workload.allow_set_source_identity),
                )
                if wanted
            ]
            extra_trust = (
                iam.PolicyStatement(
                    actions=extra,
                    principals=[iam.FederatedPrincipal(provider.oidc_provider_arn)],
                    conditions=conditions,
                )
                if extra
                else None
            )
            description = workload.description or f"Entra workload {workload.name} (object id {subject})"
            if workload.has_wildcard_subject:
                description = f"{WILDCARD_MARKER}{workload.wildcard_subject_reason}. {description}"
            name = output_id(workload.name)
            role = federated_role(
                self, f"Workload{name}", workload, principal, base_dir, where, description[:1000], extra_trust
            )
            self.roles[workload.name] = role
            cdk.CfnOutput(stack, f"{name}RoleArn", value=role.role_arn, description=f"Role of workload {workload.name}")
            cdk.CfnOutput(
                stack,
                f"{name}AwsProfile",
                value=profile_text(
                    workload.profile_name or workload.name,
                    role.role_arn,
                    workload.audience,
                    region,
                    workload.client_id,
                ),
                description=f"~/.aws/config profile for workload {workload.name} (credential_process)",
            )
            cdk.CfnOutput(
                stack,
                f"{name}EntraSettings",
                value=entra_settings(workload.audience, version, aud, issuer_url(tenant_id, version), subject),
                description=f"What to set in Entra for workload {workload.name}",
            )
