"""The one table of operation kinds: when each runs, whether it is asynchronous, and which Identity Center port
method carries it out. The planner orders by it, the executor dispatches by it, the quota model answers by it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from entra_aws.config.models import MANAGED_TAG_KEY, SEAL_TAG_KEY
from entra_aws.engine.ports import StatusKind

if TYPE_CHECKING:
    from entra_aws.engine.plan import Operation

OperationKind = Literal[
    "create_permission_set",
    "update_permission_set",
    "tag_permission_set",
    "seal_permission_set",
    "untag_permission_set",
    "attach_managed_policy",
    "detach_managed_policy",
    "attach_customer_managed_policy",
    "detach_customer_managed_policy",
    "put_inline_policy",
    "delete_inline_policy",
    "put_permissions_boundary",
    "delete_permissions_boundary",
    "provision_permission_set",
    "create_assignment",
    "delete_assignment",
    "delete_permission_set",
    "create_access_control_attributes",
    "update_access_control_attributes",
    "delete_access_control_attributes",
]

INSTANCE = "(instance)"
"""What operations on the Identity Center instance itself (its ABAC attributes) name instead of a permission set:
the executor finds it among the ARNs it is given, as reconcile gives it."""

Arguments = Callable[["Operation", str], tuple[Any, ...]]
"""The port method's arguments, from the operation and its permission set's ARN."""


@dataclass(frozen=True)
class KindSpec:
    phase: int
    """Execution order: permission sets exist and are right before anyone is assigned to them; new access is
    granted before old access is removed; a permission set is deleted only after its assignments are gone."""
    method: str
    """The `IdentityCenterWrites` method that carries the operation out."""
    arguments: Arguments
    status: StatusKind | None = None
    """Asynchronous operations: the kind of request whose status is followed. None: synchronous."""


def _arn(_: Operation, arn: str) -> tuple[Any, ...]:
    return (arn,)


def _with(*keys: str) -> Arguments:
    return lambda op, arn: (arn, *(op.args[key] for key in keys))


def _tags(op: Operation, arn: str) -> tuple[Any, ...]:
    return (arn, {MANAGED_TAG_KEY: "true"} if op.adopts else dict(op.args["tags"]))


def _assignment(op: Operation, arn: str) -> tuple[Any, ...]:
    a = op.assignment
    assert a is not None
    return (a.account_id, arn, a.principal_type, a.principal_id)


KINDS: dict[OperationKind, KindSpec] = {
    "create_permission_set": KindSpec(0, "create_permission_set", lambda op, _: (op.args["spec"],)),
    "update_permission_set": KindSpec(
        1, "update_permission_set", _with("description", "session_duration", "relay_state")
    ),
    "tag_permission_set": KindSpec(1, "tag", _tags),
    "seal_permission_set": KindSpec(1, "tag", lambda op, arn: (arn, {SEAL_TAG_KEY: op.args["seal"]})),
    "untag_permission_set": KindSpec(1, "untag", lambda op, arn: (arn, list(op.args["keys"]))),
    "attach_managed_policy": KindSpec(1, "attach_managed_policy", _with("arn")),
    "detach_managed_policy": KindSpec(1, "detach_managed_policy", _with("arn")),
    "attach_customer_managed_policy": KindSpec(1, "attach_customer_managed_policy", _with("policy_name", "path")),
    "detach_customer_managed_policy": KindSpec(1, "detach_customer_managed_policy", _with("policy_name", "path")),
    "put_inline_policy": KindSpec(1, "put_inline_policy", _with("document")),
    "delete_inline_policy": KindSpec(1, "delete_inline_policy", _arn),
    "put_permissions_boundary": KindSpec(1, "put_permissions_boundary", _with("boundary")),
    "delete_permissions_boundary": KindSpec(1, "delete_permissions_boundary", _arn),
    "provision_permission_set": KindSpec(
        2, "provision", lambda op, arn: (arn, op.args.get("account")), status="provisioning"
    ),
    "create_assignment": KindSpec(3, "create_assignment", _assignment, status="creation"),
    "delete_assignment": KindSpec(4, "delete_assignment", _assignment, status="deletion"),
    "delete_permission_set": KindSpec(5, "delete_permission_set", _arn),
    # ABAC attributes before anyone is granted access whose policies may read them (aws:PrincipalTag).
    "create_access_control_attributes": KindSpec(
        0, "create_access_control_attributes", lambda op, _: (op.args["attributes"],)
    ),
    "update_access_control_attributes": KindSpec(
        0, "update_access_control_attributes", lambda op, _: (op.args["attributes"],)
    ),
    "delete_access_control_attributes": KindSpec(0, "delete_access_control_attributes", lambda op, _: ()),
}

ASSIGNMENT_KINDS: tuple[OperationKind, ...] = tuple(
    sorted((k for k, spec in KINDS.items() if spec.status in ("creation", "deletion")), key=lambda k: KINDS[k].phase)
)
"""Asynchronous assignment operations, run in a bounded window of outstanding requests (grants first)."""

SYNCHRONOUS_METHODS: frozenset[str] = frozenset(spec.method for spec in KINDS.values() if spec.status is None)
"""Port methods that finish when they return."""
