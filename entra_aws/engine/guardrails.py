"""Checks that stop a whole reconcile before anything is applied: a config naming the wrong management account,
and a plan deleting much of what entra-aws manages (a rule lost by mistake, a directory that came back empty)."""

from __future__ import annotations

from dataclasses import dataclass

from entra_aws.config.models import MassDeleteGuard
from entra_aws.engine.model import Finding
from entra_aws.engine.plan import Plan


@dataclass(frozen=True)
class Verdict:
    finding: Finding
    blocked: str | None
    """Why nothing may be applied; None: the finding only informs."""


def management_account_check(configured: str | None, reported: str) -> Verdict | None:
    """The config's management_account_id must be the one Organizations reports (when the config names one)."""
    if configured is None or configured == reported:
        return None
    reason = (
        f"management_account_id {configured} in the config is not the organization's management account "
        f"{reported} (Organizations DescribeOrganization); nothing planned or applied: correct the config"
    )
    return Verdict(Finding("error", reason, "management_account_id", kind="management_account_mismatch"), reason)


def mass_deletion_check(plan: Plan, guard: MassDeleteGuard, *, allowed: bool) -> Verdict | None:
    """The deletion circuit breaker: a plan over both of the guard's limits is held unless allowed (by
    `apply --allow-mass-delete`) or acknowledged in the config."""
    count = plan.deletions
    if not guard.exceeded(count, plan.managed):
        return None
    what = (
        f"the plan deletes {count} of the {plan.managed} managed assignments and permission sets in its scope "
        f"(apply.mass_delete: more than {guard.max_count} and more than {guard.max_share:.0%})"
    )
    if allowed:
        return Verdict(
            Finding("warning", f"{what}; allowed by --allow-mass-delete", "mass_delete", kind="mass_delete_allowed"),
            None,
        )
    if guard.acknowledges(count):
        note = f"{what}; acknowledged by apply.mass_delete.acknowledge: {guard.acknowledge}"
        return Verdict(Finding("warning", note, "mass_delete", kind="mass_delete_acknowledged"), None)
    reason = (
        f"mass deletion held: {what}; nothing applied: if the deletions are meant, run "
        f"`entra-aws apply --allow-mass-delete` or set apply.mass_delete.acknowledge: {count}"
    )
    return Verdict(Finding("error", reason, "mass_delete", kind="mass_delete_held"), reason)
