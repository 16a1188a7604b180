"""Workload (OIDC) and SAML federation stacks: Entra ID as the identity source for AWS workloads and sign-in.

One stack, `EntraAws-Federation`, in the account it is deployed to (normally the management account). It holds
the providers and roles itself (`deploy_to.management_account`) and/or a service-managed StackSet that puts
the same providers and roles into member accounts (`deploy_to.stackset`).
"""

from __future__ import annotations

import aws_cdk as cdk

from entra_aws.config import Config
from stacks.federation.stack import FederationStack

STACK_NAME = "EntraAws-Federation"

__all__ = ["STACK_NAME", "FederationStack", "add_federation_stacks"]


def add_federation_stacks(app: cdk.App, config: Config) -> FederationStack:
    env = (
        cdk.Environment(account=config.management_account_id, region=config.identity_center.region)
        if config.management_account_id
        else None
    )
    return FederationStack(app, STACK_NAME, config=config, env=env)
