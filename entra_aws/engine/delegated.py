"""What a delegated administrator cannot do (deployment.topology: delegated_admin): "manage permission sets
provisioned in the management account" (IAM Identity Center User Guide, Delegated administration). Such sets are
neither changed, re-provisioned nor deleted, no assignment on the management account is created or deleted, and
each is reported instead.

The one read: ListPermissionSetsProvisionedToAccount(management account), made only when the plan would change
an existing permission set (a steady state and every scoped plan without content changes cost nothing)."""

from __future__ import annotations

from collections.abc import Callable

from entra_aws.engine.catalog import Catalog
from entra_aws.engine.model import Finding
from entra_aws.engine.operations import INSTANCE
from entra_aws.engine.plan import Operation, Plan

CANNOT = "a delegated administrator cannot manage permission sets provisioned in the management account"


def _on_existing_set(op: Operation, catalog: Catalog) -> bool:
    return op.assignment is None and op.permission_set != INSTANCE and op.permission_set in catalog.records


def _on_management(op: Operation, management: str) -> bool:
    return op.assignment is not None and op.assignment.account_id == management


def withhold_management_account(
    plan: Plan, catalog: Catalog, management: str, provisioned: Callable[[str], list[str]]
) -> None:
    """Drop (in place) the operations a delegated administrator may not make and report each permission set
    they concerned. `provisioned`: ListPermissionSetsProvisionedToAccount, read at most once."""
    held = {op.permission_set for op in plan.operations if _on_management(op, management)}
    touched = {op.permission_set for op in plan.operations if _on_existing_set(op, catalog)}
    in_management: set[str] = set()
    if touched:
        arns = set(provisioned(management))
        in_management = {name for name in touched if catalog.records[name].arn in arns}
    plan.operations = [
        op
        for op in plan.operations
        if not _on_management(op, management) and not (op.assignment is None and op.permission_set in in_management)
    ]
    plan.findings += [
        _finding(name, management, content=name in in_management) for name in sorted(held | in_management)
    ]


def _finding(name: str, management: str, *, content: bool) -> Finding:
    what = (
        f"is provisioned to the management account {management}: its changes (content, provisioning, deletion) and "
        "its assignments there are withheld"
        if content
        else f"has assignment changes on the management account {management}: withheld"
    )
    return Finding(
        "warning",
        f"permission set {name!r} {what}; {CANNOT} (deployment.topology: delegated_admin; change it from the "
        "management account)",
        name,
        kind="management_account_withheld",
        account=management,
        permission_set=name,
    )
