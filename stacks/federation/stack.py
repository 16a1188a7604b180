"""The federation stack: the providers and roles in this account and/or a StackSet for member accounts."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from entra_aws.config import Config
from entra_aws.config.federation import FederationConfig, federation_problems
from stacks.federation.saml import SamlFederation
from stacks.federation.stackset import FederationStackSet
from stacks.federation.workload_identity import WorkloadIdentity


def build_federation(scope: cdk.Stack, config: Config, federation: FederationConfig, region: str) -> None:
    """The providers, roles and outputs, in one stack (management stack or StackSet member template)."""
    if federation.workload_identity is not None:
        WorkloadIdentity(
            scope,
            "WorkloadIdentity",
            settings=federation.workload_identity,
            tenant_id=config.tenant_id,
            base_dir=config.source_dir,
            region=region,
        )
    if federation.saml is not None:
        SamlFederation(scope, "Saml", settings=federation.saml, base_dir=config.source_dir)


class FederationStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config, **kwargs: object) -> None:
        super().__init__(
            scope,
            construct_id,
            description="entra-aws: Entra ID workload identity (OIDC) and SAML federation",
            **kwargs,  # type: ignore[arg-type]
        )
        federation = config.federation
        if federation is None:
            raise ValueError("federation: the config has no federation section")
        problems = federation_problems(federation)
        if problems:
            raise ValueError("; ".join(problems))
        region = config.identity_center.region
        if federation.deploy_to.management_account:
            build_federation(self, config, federation, region)
        stackset = federation.deploy_to.stackset
        if stackset is not None:
            FederationStackSet(
                self,
                "MemberAccounts",
                settings=stackset,
                region=stackset.region or region,
                build=lambda member: build_federation(member, config, federation, stackset.region or region),
            )
