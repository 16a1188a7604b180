"""Which permission sets entra-aws may delete, or delete the assignments of: the ones it can prove are its own.

The `entra-aws:managed` tag says which sets entra-aws manages, but anyone allowed sso:TagResource can set it.
So what entra-aws creates or adopts is also sealed: the tag `entra-aws:seal` holds a MAC of the set's ARN under
a KMS HMAC key that only the worker (and the admin roles the config names) may use (port `OwnershipSeal`). A seal
copied onto another set does not verify (its ARN differs), and nobody else can make one. Before a plan deletes a
permission set or any of its assignments, the set's seal must verify; a set whose seal does not is left alone and
reported. Verified (ARN, seal) pairs are remembered by a warm context, so only a set's first destructive plan
costs a KMS call; a plan that deletes nothing costs none.
"""

from __future__ import annotations

from entra_aws.config.models import SEAL_TAG_KEY
from entra_aws.engine.catalog import Catalog, StaleCatalogError
from entra_aws.engine.context import AwsContext
from entra_aws.engine.model import Finding, PermissionSetRecord
from entra_aws.engine.plan import Plan
from entra_aws.engine.ports import ApiError

DESTRUCTIVE = ("delete_assignment", "delete_permission_set")
NO_KEY = "no ownership key is configured (apply.ownership.key), and permission sets are never deleted without one"


def _seal_of(ctx: AwsContext, record: PermissionSetRecord, catalog: Catalog) -> str | None:
    """The set's seal: as read with the catalog, or (a remembered catalog keeps none) read now."""
    if not catalog.remembered:
        return record.seal
    try:
        return ctx.admin.tags(record.arn).get(SEAL_TAG_KEY)
    except ApiError as error:
        raise StaleCatalogError(f"permission set {record.arn}: {error}") from error


def unproven(ctx: AwsContext, record: PermissionSetRecord, catalog: Catalog, *, deletes_set: bool) -> str | None:
    """Why the set may not be deleted or pruned; None when it is provably ours. Without a key, assignments are
    pruned on the tag alone (as before seals) and no set is deleted."""
    if ctx.ownership is None:
        return NO_KEY if deletes_set else None
    if catalog.remembered and record.arn in ctx.proven:
        return None
    seal = _seal_of(ctx, record, catalog)
    if seal is None:
        return "tagged managed but it has no seal: not ours"
    if ctx.proven.get(record.arn) == seal:
        return None
    try:
        verified = ctx.ownership.verify(record.arn, seal)
    except ApiError as error:
        return f"tagged managed but its seal could not be verified ({error})"
    if not verified:
        return "tagged managed but its seal does not verify: not ours"
    ctx.proven[record.arn] = seal
    return None


def _refusal(name: str, why: str, count: int) -> Finding:
    if why == NO_KEY:
        message = f"permission set {name!r} left the config but is not deleted: {why}"
    else:
        message = (
            f"permission set {name!r} is {why}; none of its {count} planned deletion(s) is made (if entra-aws did "
            f"make it: remove any {SEAL_TAG_KEY} tag from it and list it in apply.adopt_permission_sets to seal it)"
        )
    return Finding("error", message, name, kind="ownership_unproven", permission_set=name)


def _after_sealing(name: str, count: int) -> Finding:
    """The set is sealed by this very plan (adopted, or listed for adoption and not sealed yet): its deletions wait
    for a run that can verify the seal, rather than trusting a tag this run has not proven."""
    return Finding(
        "warning",
        f"permission set {name!r} is sealed by this plan (apply.adopt_permission_sets); its {count} planned "
        "deletion(s) wait for the next reconcile, which verifies the seal first",
        name,
        kind="deletions_after_sealing",
        permission_set=name,
    )


def _announcement(name: str) -> Finding:
    return Finding(
        "warning",
        f"permission set {name!r} left the config and is deleted by this plan (apply.delete_permission_sets), after "
        "its assignments",
        name,
        kind="permission_set_deleted",
        permission_set=name,
    )


def guard_ownership(plan: Plan, catalog: Catalog, ctx: AwsContext) -> None:
    """Drop the deletions of sets not provably ours (with an error finding each); announce the set deletions
    that remain. StaleCatalogError: a remembered catalog names a set that is gone."""
    counts: dict[str, int] = {}
    deleted: set[str] = set()
    for op in plan.operations:
        if op.kind in DESTRUCTIVE:
            counts[op.permission_set] = counts.get(op.permission_set, 0) + 1
            if op.kind == "delete_permission_set":
                deleted.add(op.permission_set)
    refused: dict[str, str] = {}
    for name in sorted(counts):
        record = catalog.records.get(name)
        why = None if record is None else unproven(ctx, record, catalog, deletes_set=name in deleted)
        if why is not None:
            refused[name] = why
    plan.operations = [op for op in plan.operations if op.kind not in DESTRUCTIVE or op.permission_set not in refused]
    sealing = {op.permission_set for op in plan.operations if op.kind == "seal_permission_set"}
    plan.findings += [
        _after_sealing(name, counts[name]) if name in sealing and why != NO_KEY else _refusal(name, why, counts[name])
        for name, why in refused.items()
    ]
    plan.findings += [_announcement(name) for name in sorted(deleted - refused.keys())]
