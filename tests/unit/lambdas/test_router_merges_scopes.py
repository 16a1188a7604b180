"""Events for a scope the router already queued in this invocation are merged into that message; none is lost:
a new invocation, another trigger, or a send that failed queues its own; the FIFO message ids keep a redelivered
event from running twice while a different event for the same scope always gets a message of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from entra_aws.config import load_config
from entra_aws.engine.scope import Scope
from entra_aws.events.messages import ReconcileMessage
from lambdas import _runtime, event_router
from tests.conftest import REPO
from tests.unit.events.samples import GROUP_ID, scim_create_group, scim_delete_group, scim_patch_group
from tests.unit.lambdas.test_settings import HANDLER

OTHER_GROUP = "44887428-4081-7042-c3c6-928d413009e7"


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[ReconcileMessage]]]:
    """What the router sends to the reconcile queue, one list per send."""
    sent: list[list[ReconcileMessage]] = []
    config = load_config(REPO / "config" / "example.yaml")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Test")
    for name, value in HANDLER.to_environment().items():
        monkeypatch.setenv(name, value)
    _runtime.handler_settings.cache_clear()
    monkeypatch.setattr(_runtime, "config", lambda: config)
    monkeypatch.setattr(_runtime, "automation_role_arns", frozenset)
    monkeypatch.setattr(_runtime, "queue_reconciles", lambda messages: sent.append(list(messages)))
    event_router._queued.clear()
    yield sent
    event_router._queued.clear()
    _runtime.handler_settings.cache_clear()


def scopes(sent: list[list[ReconcileMessage]]) -> list[str]:
    return [str(m.to_scope()) for batch in sent for m in batch]


def test_events_for_a_scope_queued_in_this_invocation_are_merged(queued: list[list[ReconcileMessage]]) -> None:
    routed = [event_router.handle_event(e) for e in (scim_create_group(), scim_patch_group(), scim_delete_group())]
    routed.append(event_router.handle_event(scim_create_group(OTHER_GROUP)))
    assert scopes(queued) == [f"group:{GROUP_ID}", f"group:{OTHER_GROUP}"]
    assert [r["queued"] for r in routed[:3]] == [[f"group:{GROUP_ID}"]] * 3, "each event says what covers it"


def test_a_new_invocation_queues_the_scope_again(queued: list[list[ReconcileMessage]]) -> None:
    invoke = event_router._each_invocation_afresh(lambda event, context: event_router.handle_event(event))
    invoke(scim_create_group(), None)
    invoke(scim_patch_group(), None)
    assert scopes(queued) == [f"group:{GROUP_ID}"] * 2


def test_a_scope_whose_send_failed_is_queued_by_the_next_event(
    queued: list[list[ReconcileMessage]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(messages: Any) -> None:
        raise RuntimeError("could not queue reconciles")

    monkeypatch.setattr(_runtime, "queue_reconciles", refused)
    with pytest.raises(RuntimeError):
        event_router.handle_event(scim_create_group())
    monkeypatch.setattr(_runtime, "queue_reconciles", lambda messages: queued.append(list(messages)))
    event_router.handle_event(scim_patch_group())
    assert scopes(queued) == [f"group:{GROUP_ID}"]


def test_fifo_ids_keep_a_redelivery_from_running_twice_and_never_drop_another_event() -> None:
    scope = Scope.group(GROUP_ID)
    first, again = (ReconcileMessage.for_scope("event-1", "event", scope) for _ in range(2))
    other = ReconcileMessage.for_scope("event-2", "event", scope)
    elsewhere = ReconcileMessage.for_scope("event-1", "event", Scope.group(OTHER_GROUP))
    assert first.deduplication_id == again.deduplication_id, "SQS drops the redelivery within 5 minutes"
    assert other.deduplication_id != first.deduplication_id, "a later change to the scope is never dropped"
    assert first.group_id == other.group_id != elsewhere.group_id, "one scope's reconciles run one at a time"
