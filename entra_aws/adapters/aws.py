"""The engine's context over boto3: one session, one call log, the three adapters."""

from __future__ import annotations

from typing import Any

import boto3

from entra_aws.adapters.clients import CallLog, make_client
from entra_aws.adapters.identity_store import IdentityStoreDirectory
from entra_aws.adapters.kms import KmsOwnershipSeal
from entra_aws.adapters.organizations import OrganizationReader
from entra_aws.adapters.sso_admin import IdentityCenterAdmin, discover_instance
from entra_aws.config.models import Config
from entra_aws.engine.context import AwsContext


def uses_tag_targets(config: Config) -> bool:
    selectors = [r.targets for r in config.assignments] + [r.exclude for r in config.assignments]
    selectors += [c.exclude for c in config.conventions]
    return any(t.tags for t in selectors)


def aws_context(config: Config, session: Any = None, *, ownership_key: str | None = None) -> AwsContext:
    """Clients from `session` (the standard credential chain when None); the Identity Center instance and
    identity store are discovered when the config does not pin them. The ownership key is `ownership_key` (the
    worker's, from the stack), else the config's apply.ownership.key; neither: no seals (engine.ownership)."""
    session = session or boto3.Session()
    log = CallLog()
    region = config.identity_center.region
    sso = make_client(session, "sso-admin", region, log)
    instance_arn = config.identity_center.instance_arn
    store = config.identity_center.identity_store_id
    if not instance_arn or not store:
        found = discover_instance(sso)
        instance_arn, store = instance_arn or found.arn, store or found.identity_store_id
    directory = IdentityStoreDirectory(make_client(session, "identitystore", region, log), store)
    organization = OrganizationReader(
        make_client(session, "organizations", "us-east-1", log),
        with_tags=uses_tag_targets(config),
    )
    key = ownership_key or config.apply.ownership.key
    ownership = KmsOwnershipSeal(make_client(session, "kms", region, log), key, instance_arn) if key else None
    return AwsContext(IdentityCenterAdmin(sso, instance_arn), directory, organization, log, ownership=ownership)
