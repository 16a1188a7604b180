"""SAML: the Entra enterprise app as an IAM SAML provider, roles trusting it, and the Entra-side values."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from entra_aws.config.federation import SamlFederation as SamlSettings
from entra_aws.config.federation import resolve_file
from entra_aws.federation.app_roles import app_role, role_claim
from entra_aws.federation.saml_metadata import read_metadata
from entra_aws.federation.trust_policy import saml_conditions
from stacks.federation.roles import federated_role
from stacks.federation.workload_identity import output_id


class SamlFederation(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: SamlSettings, base_dir: Path) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        metadata = read_metadata(resolve_file(base_dir, settings.metadata_file))
        for warning in metadata.certificate_warnings(str(settings.metadata_file), datetime.now(UTC)):
            cdk.Annotations.of(self).add_warning_v2("entra-aws:saml-signing-certificate", warning)
        self.provider = iam.SamlProvider(
            self,
            "Provider",
            name=settings.provider_name,
            metadata_document=iam.SamlMetadataDocument.from_xml(metadata.document),
        )
        cdk.CfnOutput(stack, "SamlProviderArn", value=self.provider.saml_provider_arn, description="IAM SAML provider")
        self.roles: dict[str, iam.Role] = {}
        app_roles = []
        for index, spec in enumerate(settings.roles):
            where = f"federation.saml.roles[{index}]"
            # SamlPrincipal, not SamlConsolePrincipal: the latter replaces StringEquals with its own.
            principal = iam.SamlPrincipal(self.provider, saml_conditions())
            description = spec.description or f"Entra SAML sign-in role {spec.name}"
            name = output_id(spec.name)
            role = federated_role(self, f"Saml{name}", spec, principal, base_dir, where, description)
            self.roles[spec.name] = role
            claim = role_claim(stack.account, spec.name, settings.provider_name, stack.partition)
            cdk.CfnOutput(
                stack,
                f"{name}RoleClaim",
                value=claim,
                description=f"Value of https://aws.amazon.com/SAML/Attributes/Role for {spec.name}",
            )
            app_roles.append(
                app_role(stack.account, spec.name, settings.provider_name, spec.description, stack.partition)
            )
        cdk.CfnOutput(
            stack,
            "SamlAppRolesJson",
            value=json.dumps(app_roles, separators=(",", ":")),
            description="appRoles to merge into the enterprise app's service principal with Microsoft Graph",
        )
        if settings.role_import_user.enabled:
            user = iam.User(self, "RoleImportUser", user_name=settings.role_import_user.user_name)
            user.add_to_principal_policy(iam.PolicyStatement(actions=["iam:ListRoles"], resources=["*"]))
            cdk.Validations.of(user).acknowledge(
                cdk.Acknowledgment(
                    id="AwsSolutions-IAM5[Resource::*]",
                    reason="iam:ListRoles lists all roles of the account; Entra's role import needs "
                    "exactly that and "
                    "nothing else (opted in with federation.saml.role_import_user.enabled)",
                )
            )
            cdk.CfnOutput(
                stack,
                "RoleImportUserName",
                value=user.user_name,
                description="IAM user for Entra role import: create its access key yourself "
                f"(aws iam create-access-key --user-name {settings.role_import_user.user_name}); it is a "
                "long-lived secret, rotate it",
            )
