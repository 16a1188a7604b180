"""Workload (OIDC) and SAML federation stacks. Owned by the federation work."""

from __future__ import annotations

import aws_cdk as cdk

from entra_aws.config import Config


def add_federation_stacks(app: cdk.App, config: Config) -> None:
    return None
