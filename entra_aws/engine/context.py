"""What one reconcile talks to: the ports, a clock, and what a warm process remembers between runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from entra_aws.engine.catalog import CatalogCache
from entra_aws.engine.pacing import Clock, RealClock
from entra_aws.engine.ports import CallCount, Directory, IdentityCenter, OrganizationView


@dataclass
class AwsContext:
    """Built over boto3 by `entra_aws.adapters.aws.aws_context`; over in-memory fakes by the unit tests."""

    admin: IdentityCenter
    directory: Directory
    organization: OrganizationView
    calls: CallCount
    """API calls made through the ports so far; reports carry the difference."""
    clock: Clock = field(default_factory=RealClock)
    catalog_cache: CatalogCache = field(default_factory=CatalogCache)
    """Permission-set names and ARNs from the last live read, for later group, user and account scopes."""
