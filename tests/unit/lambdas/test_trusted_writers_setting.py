"""The router reads automation.trusted_writers from its environment: what the stack writes reads back."""

from __future__ import annotations

from lambdas.settings import HandlerSettings

TRUSTED = ("arn:aws:iam::111111111111:role/ControlTowerAdmin", "arn:aws:iam::*:role/TEAM-*")


def settings(**extra: object) -> HandlerSettings:
    return HandlerSettings.model_validate(
        {
            "reconcile_queue_url": "https://sqs.eu-west-1.amazonaws.com/111111111111/reconcile.fifo",
            "topic_arn": "arn:aws:sns:eu-west-1:111111111111:notifications",
            "idempotency_table": "idempotency",
            "automation_role_arns": ("arn:aws:iam::111111111111:role/entra-aws-event-router",),
            "max_concurrent_reconciles": 2,
            **extra,
        }
    )


def test_trusted_writers_travel_comma_separated_and_read_back() -> None:
    written = settings(trusted_writers=TRUSTED)
    environment = written.to_environment()
    assert environment["TRUSTED_WRITERS"] == ",".join(TRUSTED)
    assert HandlerSettings.from_environment(environment).trusted_writers == TRUSTED


def test_no_trusted_writers_is_the_default() -> None:
    environment = settings().to_environment()
    assert HandlerSettings.from_environment(environment).trusted_writers == ()
    del environment["TRUSTED_WRITERS"]
    assert HandlerSettings.from_environment(environment).trusted_writers == ()
