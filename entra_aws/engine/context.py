"""What one reconcile talks to: the ports, a clock, and what a warm process remembers between runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from entra_aws.engine.catalog import CatalogCache
from entra_aws.engine.pacing import Clock, RealClock
from entra_aws.engine.ports import CallCount, Directory, IdentityCenter, OrganizationView, OwnershipSeal


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
    ownership: OwnershipSeal | None = None
    """The ownership key (engine.ownership). None: permission sets are neither sealed nor deleted, and assignments
    of managed ones are pruned on their tag alone."""
    proven: dict[str, str] = field(default_factory=dict)
    """Permission-set ARN -> the seal that verified on it: a warm process verifies each set's seal once."""
