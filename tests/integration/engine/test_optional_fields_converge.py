"""Against the emulator: a description and a relay state removed from the config leave no update that is planned
on every full reconcile (UpdatePermissionSet cannot clear them; moto's clears an omitted field, AWS's is
undocumented)."""

from __future__ import annotations

from entra_aws.config import Config
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .conftest import Seeded


def without_optional_fields(config: Config) -> Config:
    """ReadOnly loses its description and gets a longer session; Billing loses its relay state."""
    specs = []
    for spec in config.permission_sets:
        if spec.name == "ReadOnly":
            spec = spec.model_copy(update={"description": None, "session_duration": "PT12H"})
        elif spec.name == "Billing":
            spec = spec.model_copy(update={"relay_state": None})
        specs.append(spec)
    return config.model_copy(update={"permission_sets": specs})


def test_two_full_reconciles_after_removing_optional_fields_and_the_second_plans_nothing(seeded: Seeded) -> None:
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context()).ok
    config = without_optional_fields(seeded.config)
    first = reconcile(config, Scope.everything(), apply=True, context=seeded.context())
    assert first.ok and [op.permission_set for op in first.plan.operations if op.kind == "update_permission_set"] == [
        "ReadOnly"
    ]
    second = reconcile(config, Scope.everything(), apply=True, context=seeded.context())
    assert second.plan.empty, [op.describe() for op in second.plan.operations]
