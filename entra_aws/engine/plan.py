"""Plan: the ordered operations that turn actual state into desired state. Pure."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from entra_aws.config.models import SEAL_TAG_KEY, PermissionSetSpec
from entra_aws.engine.model import (
    AccessControlAttributes,
    Assignment,
    Boundary,
    Finding,
    PermissionSetContent,
    PermissionSetRecord,
    access_control_attributes,
    canonical_policy,
)
from entra_aws.engine.operations import INSTANCE, KINDS, OperationKind


@dataclass(frozen=True)
class Operation:
    kind: OperationKind
    permission_set: str
    detail: tuple[tuple[str, Any], ...] = ()
    assignment: Assignment | None = None

    @property
    def args(self) -> dict[str, Any]:
        return dict(self.detail)

    @property
    def adopts(self) -> bool:
        """Tags an unmanaged permission set as managed: entra-aws takes it over."""
        return self.kind == "tag_permission_set" and bool(self.args.get("adopt"))

    def describe(self, names: Mapping[str, str] | None = None) -> str:
        """In words, with names beside ids where `names` (principal and account id -> name) has them."""
        known = names or {}
        if self.assignment is not None:
            a = self.assignment
            who = known.get(a.principal_id, a.principal_id)
            account = f"{a.account_id} ({known[a.account_id]})" if known.get(a.account_id) else a.account_id
            return f"{a.principal_type.lower()} {who} -> {a.permission_set} on {account}"
        what = _in_words(self.kind, self.args)
        if self.permission_set == INSTANCE:
            return f"instance access-control attributes: {what}"
        return self.permission_set + (f": {what}" if what else "")


def _boundary_words(boundary: Boundary) -> str:
    if boundary.managed_policy_arn:
        return f"managed policy {boundary.managed_policy_arn}"
    assert boundary.customer_managed_policy is not None
    name, path = boundary.customer_managed_policy
    return f"customer-managed policy {path}{name}"


def _pairs(pairs: Iterable[tuple[str, str]]) -> str:
    return ", ".join(f"{key}={value}" for key, value in pairs)


def _attributes_words(args: dict[str, Any]) -> str:
    fields = (("session duration", "session_duration"), ("description", "description"), ("relay state", "relay_state"))
    return ", ".join(f"{label} {args[key]}" for label, key in fields if args.get(key) is not None)


_WORDS: dict[OperationKind, Callable[[dict[str, Any]], str]] = {
    "update_permission_set": _attributes_words,
    "tag_permission_set": lambda a: "adopted (tagged managed)" if a.get("adopt") else f"tags {_pairs(a['tags'])}",
    "seal_permission_set": lambda a: "ownership seal",
    "untag_permission_set": lambda a: "tags " + ", ".join(a["keys"]),
    "attach_managed_policy": lambda a: a["arn"],
    "detach_managed_policy": lambda a: a["arn"],
    "attach_customer_managed_policy": lambda a: f"{a['path']}{a['policy_name']}",
    "detach_customer_managed_policy": lambda a: f"{a['path']}{a['policy_name']}",
    "put_inline_policy": lambda a: a["document"],
    "put_permissions_boundary": lambda a: _boundary_words(a["boundary"]),
    "create_access_control_attributes": lambda a: _pairs(a["attributes"]),
    "update_access_control_attributes": lambda a: _pairs(a["attributes"]),
    "delete_access_control_attributes": lambda a: "all removed (ABAC off)",
    "provision_permission_set": lambda a: (
        f"to {a['account']}, whose role does not carry the latest version" if a.get("account") else ""
    ),
}


def _in_words(kind: OperationKind, args: dict[str, Any]) -> str:
    """An operation's detail as a person reads it (no Python reprs); empty where the kind says it all."""
    words = _WORDS.get(kind)
    return words(args) if words is not None else ""


@dataclass(frozen=True)
class CatalogChanges:
    """Permission-set names operations create, adopt and delete: what they change in the catalog."""

    created: frozenset[str]
    adopted: frozenset[str]
    deleted: frozenset[str]

    @classmethod
    def of(cls, operations: Iterable[Operation]) -> CatalogChanges:
        ops = list(operations)
        return cls(
            frozenset(op.permission_set for op in ops if op.kind == "create_permission_set"),
            frozenset(op.permission_set for op in ops if op.adopts),
            frozenset(op.permission_set for op in ops if op.kind == "delete_permission_set"),
        )

    def __bool__(self) -> bool:
        return bool(self.created or self.adopted or self.deleted)


def _op(kind: OperationKind, ps: str, **detail: Any) -> Operation:
    return Operation(kind, ps, tuple(sorted(detail.items())))


DELETIONS: tuple[OperationKind, ...] = ("delete_assignment", "delete_permission_set")
"""What the deletion circuit breaker counts."""


@dataclass
class Plan:
    operations: list[Operation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    managed: int = 0
    """Managed assignments and deletable managed permission sets in the plan's scope, as read (what the deletion
    circuit breaker weighs `deletions` against)."""

    @property
    def empty(self) -> bool:
        return not self.operations

    @property
    def deletions(self) -> int:
        return sum(1 for op in self.operations if op.kind in DELETIONS)

    def ordered(self) -> list[Operation]:
        return sorted(self.operations, key=lambda op: KINDS[op.kind].phase)

    def count(self, kind: str) -> int:
        return sum(1 for op in self.operations if op.kind == kind)


def desired_content(spec: PermissionSetSpec) -> PermissionSetContent:
    boundary = None
    if spec.permissions_boundary is not None:
        ref = spec.permissions_boundary.customer_managed_policy
        boundary = Boundary(
            managed_policy_arn=spec.permissions_boundary.managed_policy_arn,
            customer_managed_policy=(ref.name, ref.path) if ref else None,
        )
    return PermissionSetContent(
        description=spec.description,
        session_duration=spec.session_duration,
        relay_state=spec.relay_state,
        managed_policies=frozenset(spec.managed_policies),
        customer_managed_policies=frozenset((c.name, c.path) for c in spec.customer_managed_policies),
        inline_policy=canonical_policy(spec.inline_policy),
        permissions_boundary=boundary,
        tags=tuple(sorted(spec.tags.items())),
    )


def content_operations(name: str, want: PermissionSetContent, have: PermissionSetContent) -> list[Operation]:
    """Operations that make `have` equal `want` for one existing permission set."""
    ops: list[Operation] = []
    if _attributes_differ(want, have):
        ops.append(
            _op(
                "update_permission_set",
                name,
                description=want.description,
                session_duration=want.session_duration,
                relay_state=want.relay_state,
            )
        )
    ops += [_op("attach_managed_policy", name, arn=a) for a in sorted(want.managed_policies - have.managed_policies)]
    ops += [_op("detach_managed_policy", name, arn=a) for a in sorted(have.managed_policies - want.managed_policies)]
    for ref in sorted(want.customer_managed_policies - have.customer_managed_policies):
        ops.append(_op("attach_customer_managed_policy", name, policy_name=ref[0], path=ref[1]))
    for ref in sorted(have.customer_managed_policies - want.customer_managed_policies):
        ops.append(_op("detach_customer_managed_policy", name, policy_name=ref[0], path=ref[1]))
    if want.inline_policy != have.inline_policy:
        if want.inline_policy is None:
            ops.append(_op("delete_inline_policy", name))
        else:
            ops.append(_op("put_inline_policy", name, document=want.inline_policy))
    if want.permissions_boundary != have.permissions_boundary:
        if want.permissions_boundary is None:
            ops.append(_op("delete_permissions_boundary", name))
        else:
            ops.append(_op("put_permissions_boundary", name, boundary=want.permissions_boundary))
    want_tags = dict(want.tags)
    have_tags = {k: v for k, v in have.tags if k != SEAL_TAG_KEY}  # the seal is ownership, not content
    changed = {k: v for k, v in want_tags.items() if have_tags.get(k) != v}
    if changed:
        ops.append(_op("tag_permission_set", name, tags=tuple(sorted(changed.items()))))
    removed = sorted(set(have_tags) - set(want_tags))
    if removed:
        ops.append(_op("untag_permission_set", name, keys=tuple(removed)))
    return ops


def _attributes_differ(want: PermissionSetContent, have: PermissionSetContent) -> bool:
    """What UpdatePermissionSet can change differs. It takes Description (1-700 characters) and RelayState (1-240):
    it can set them, never clear them, so a field the config no longer sets is not compared (no diff is left that
    no update closes)."""
    if want.session_duration != have.session_duration:
        return True
    return any(mine is not None and mine != theirs for mine, theirs in _optional_attributes(want, have).values())


def _optional_attributes(
    want: PermissionSetContent, have: PermissionSetContent
) -> dict[str, tuple[str | None, str | None]]:
    return {"description": (want.description, have.description), "relay state": (want.relay_state, have.relay_state)}


def uncleared_attributes(name: str, want: PermissionSetContent, have: PermissionSetContent) -> list[Finding]:
    """Fields the config no longer sets but the permission set still has: reported, not planned (see
    `_attributes_differ`); an update omitting them may or may not clear them, either way nothing is planned again."""
    return [
        Finding(
            "warning",
            f"permission set {name!r} still has the {field} {theirs!r}, which the config no longer sets; "
            "UpdatePermissionSet cannot clear it, so it is left as it is (set it in the config to change it)",
            name,
            kind="attribute_not_cleared",
            permission_set=name,
        )
        for field, (mine, theirs) in _optional_attributes(want, have).items()
        if mine is None and theirs is not None
    ]


def creation_operations(spec: PermissionSetSpec, *, seal: bool = False) -> list[Operation]:
    want = desired_content(spec)
    ops = [_op("create_permission_set", spec.name, spec=spec)]
    if seal:
        ops.append(_op("seal_permission_set", spec.name))
    return ops + content_operations(
        spec.name,
        want,
        PermissionSetContent(
            description=want.description,
            session_duration=want.session_duration,
            relay_state=want.relay_state,
            tags=want.tags,
        ),
    )


def plan_permission_sets(
    specs: Iterable[PermissionSetSpec],
    catalog: Mapping[str, PermissionSetRecord],
    *,
    adopt: Iterable[str] = (),
    prune_unlisted: bool,
    keep_unlisted: bool = False,
    seal: bool = False,
) -> Plan:
    """Create, correct, adopt or delete permission sets. Unmanaged ones are never changed unless adopted.

    `keep_unlisted`: managed sets that left the config are reported, not deleted (apply.delete_permission_sets
    off). `seal`: what is created or adopted gets an ownership seal, and so does an adopted-listed managed set
    that has none (one made before seals, or tagged by hand: listing it in apply.adopt_permission_sets claims it).
    """
    plan = Plan()
    adopt_names = set(adopt)
    wanted = {spec.name: spec for spec in specs}
    for name, spec in wanted.items():
        record = catalog.get(name)
        if record is None:
            plan.operations += creation_operations(spec, seal=seal)
            continue
        if not record.managed:
            if name not in adopt_names:
                plan.findings.append(
                    Finding(
                        "error",
                        f"permission set {name!r} exists but is not managed by entra-aws; it is left untouched "
                        f"(list it in apply.adopt_permission_sets to take it over)",
                        name,
                        kind="unmanaged_namesake",
                        permission_set=name,
                    )
                )
                continue
            plan.operations.append(_op("tag_permission_set", name, adopt=True))
        if seal and name in adopt_names and (not record.managed or (record.content is not None and not record.seal)):
            plan.operations.append(_op("seal_permission_set", name))
        if record.content is None:  # not read in this scope: content is corrected by full reconciles
            continue
        changes = content_operations(name, desired_content(spec), record.content)
        plan.findings += uncleared_attributes(name, desired_content(spec), record.content)
        plan.operations += changes
        if changes:
            plan.operations.append(_op("provision_permission_set", name))
    if prune_unlisted:
        managed = [name for name, record in catalog.items() if record.managed]
        plan.managed = len(managed)
        unlisted = [name for name in managed if name not in wanted]
        if keep_unlisted:
            plan.findings += [_kept_permission_set(name) for name in unlisted]
        else:
            plan.operations += [_op("delete_permission_set", name) for name in unlisted]
    return plan


def plan_reprovisioning(lagging: Mapping[str, Iterable[str]]) -> list[Operation]:
    """Provision each permission set to the accounts whose role lags its content (`lagging`: name -> account ids,
    as ListAccountsForProvisionedPermissionSet says): an update that was never provisioned, or a provisioning that
    failed there. The content already matches, so only these accounts, one request each."""
    return [
        _op("provision_permission_set", name, account=account)
        for name, accounts in sorted(lagging.items())
        for account in sorted(accounts)
    ]


def lagging_findings(lagging: Mapping[str, Iterable[str]], operations: Iterable[Operation]) -> list[Finding]:
    """One warning per permission set whose roles lagged (worth knowing: they ran on an old version), saying
    which accounts `operations` (the plan, after what was withheld from it) provision it to."""
    planned = {
        (op.permission_set, op.args.get("account")) for op in operations if op.kind == "provision_permission_set"
    }
    findings = []
    for name, accounts in sorted(lagging.items()):
        ids = sorted(accounts)
        fixed = [account for account in ids if (name, account) in planned]
        remedy = (
            f"this plan provisions it to {', '.join(fixed)}"
            if fixed
            else "this plan provisions it to none of them (see the other findings)"
        )
        findings.append(
            Finding(
                "warning",
                f"permission set {name!r}: the role in {len(ids)} account(s) does not carry its latest version (a "
                f"provisioning that failed there, or a change made without provisioning): {', '.join(ids)}; "
                f"{remedy}",
                name,
                kind="roles_lagging",
                permission_set=name,
            )
        )
    return findings


def _kept_permission_set(name: str) -> Finding:
    return Finding(
        "warning",
        f"permission set {name!r} is managed by entra-aws but no longer in the config; it is kept (set "
        f"apply.delete_permission_sets: true to delete it)",
        name,
        kind="permission_set_kept",
        permission_set=name,
    )


def plan_assignments(
    desired: set[Assignment],
    actual: set[Assignment],
    managed: set[str],
    *,
    prune: bool,
    additive: frozenset[str] = frozenset(),
) -> list[Operation]:
    """Create what is missing; delete managed assignments nobody asks for.

    `managed` names the permission sets entra-aws will own after this plan; assignments of any other permission
    set are neither created nor deleted. Assignments of an `additive` permission set are created, never deleted.
    """
    ops = [
        Operation("create_assignment", a.permission_set, assignment=a)
        for a in sorted(desired - actual)
        if a.permission_set in managed
    ]
    if prune:
        ops += [
            Operation("delete_assignment", a.permission_set, assignment=a)
            for a in sorted(actual - desired)
            if a.permission_set in managed and a.permission_set not in additive
        ]
    return ops


def kept_by_additive(
    desired: set[Assignment], actual: set[Assignment], managed: set[str], additive: frozenset[str]
) -> list[Assignment]:
    """The assignments of managed additive permission sets that no rule explains: kept, and reported."""
    return sorted(a for a in actual - desired if a.permission_set in managed and a.permission_set in additive)


def plan_access_control_attributes(
    wanted: Mapping[str, str] | None, actual: AccessControlAttributes | None
) -> list[Operation]:
    """The instance's ABAC attributes as the config says: None leaves them alone, {} removes the configuration
    (Identity Center then passes no attributes), anything else creates or replaces it whole."""
    if wanted is None:
        return []
    want = access_control_attributes(dict(wanted))
    if not want:
        return [] if actual is None else [_op("delete_access_control_attributes", INSTANCE)]
    if actual is None:
        return [_op("create_access_control_attributes", INSTANCE, attributes=want)]
    return [] if actual == want else [_op("update_access_control_attributes", INSTANCE, attributes=want)]
