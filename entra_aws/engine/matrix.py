"""The access matrix: which group holds which permission set on which account, read live."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from entra_aws.config.models import MANAGED_TAG_KEY

if TYPE_CHECKING:
    from entra_aws.engine.context import AwsContext
    from entra_aws.engine.model import Principal


@dataclass(frozen=True, order=True)
class Grant:
    principal: str
    account_id: str
    permission_set: str
    managed: bool


def read_matrix(context: AwsContext, groups: Iterable[Principal] | None = None) -> list[Grant]:
    """Every group's assignments (or these groups', which may include deleted ones), with permission-set names
    (one describe per set)."""
    admin, directory = context.admin, context.directory
    names: dict[str, tuple[str, bool]] = {}
    for arn in admin.permission_set_arns():
        managed = admin.tags(arn).get(MANAGED_TAG_KEY) == "true"
        names[arn] = (admin.describe(arn)["Name"], managed)
    grants = []
    for principal in directory.groups() if groups is None else groups:
        for account_id, arn in admin.assignments_for_principal("GROUP", principal.id):
            name, managed = names.get(arn, (arn.rsplit("/", 1)[-1], False))
            grants.append(Grant(principal.name, account_id, name, managed))
    return sorted(grants)
