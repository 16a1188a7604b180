"""The operation table: every kind the planner can emit has a phase and a port method the executor can call."""

from __future__ import annotations

import inspect
from typing import get_args

from entra_aws.engine.operations import ASSIGNMENT_KINDS, KINDS, SYNCHRONOUS_METHODS, OperationKind
from entra_aws.engine.ports import IdentityCenterWrites
from sandbox.quota_model import QuotaModel


def port_methods() -> set[str]:
    return {name for name, _ in inspect.getmembers(IdentityCenterWrites, inspect.isfunction)}


def test_every_operation_kind_is_in_the_table_and_calls_a_write_port_method() -> None:
    assert set(KINDS) == set(get_args(OperationKind))
    assert {spec.method for spec in KINDS.values()} <= port_methods()


def test_assignments_are_granted_before_they_are_revoked() -> None:
    assert ASSIGNMENT_KINDS == ("create_assignment", "delete_assignment")


def test_the_quota_model_answers_every_synchronous_method_of_the_table() -> None:
    model = QuotaModel()
    for method in SYNCHRONOUS_METHODS - {"create_permission_set"}:
        getattr(model, method)("arn")
    assert model.calls == len(SYNCHRONOUS_METHODS) - 1
