"""A reconcile cut short by its deadline (a Lambda about to time out) leaves the rest deferred, not failed, and
the next reconcile of the scope finishes the job from live state."""

from __future__ import annotations

import pytest

from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .conftest import Seeded

pytestmark = pytest.mark.integration


def test_a_reconcile_past_its_deadline_defers_and_the_next_one_converges(seeded: Seeded) -> None:
    context = seeded.context()
    first = reconcile(seeded.config, Scope.everything(), apply=True, context=context, deadline=context.clock.now())
    assert first.ok, first.summary()
    assert first.deferred and {op.kind for op in first.deferred} == {"create_assignment"}
    assert any(r.operation.kind == "create_permission_set" for r in first.succeeded)
    assert "deferred" in first.summary()
    second = reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context())
    assert second.ok and not second.deferred
    assert len(second.succeeded) == len(first.deferred)
    assert reconcile(seeded.config, Scope.everything(), apply=False, context=seeded.context()).plan.empty
