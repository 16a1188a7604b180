"""The Lambda environment contract: what the stack writes is what the handlers read, and a broken environment
fails in one line naming each variable."""

from __future__ import annotations

import pytest

from lambdas.settings import FunctionSettings, HandlerSettings, SettingsError

ROLES = (
    "arn:aws:iam::111111111111:role/entra-aws-event-router",
    "arn:aws:iam::111111111111:role/entra-aws-reconcile-worker",
)
HANDLER = HandlerSettings(
    reconcile_queue_url="https://sqs.eu-west-1.amazonaws.com/111111111111/reconcile.fifo",
    topic_arn="arn:aws:sns:eu-west-1:111111111111:notifications",
    idempotency_table="idempotency",
    automation_role_arns=ROLES,
    max_concurrent_reconciles=3,
)


def test_the_handler_environment_reads_back_as_written() -> None:
    environment = HANDLER.to_environment()
    assert environment["AUTOMATION_ROLE_ARNS"] == ",".join(ROLES)
    assert environment["MAX_CONCURRENT_RECONCILES"] == "3"
    assert environment["POWERTOOLS_SERVICE_NAME"] == "entra-aws"
    assert "ENTRA_AWS_CONFIG" not in environment, "unset optional variables are left out"
    assert HandlerSettings.from_environment({**environment, "PATH": "/usr/bin"}) == HANDLER


def test_the_deploy_function_needs_only_the_queue() -> None:
    environment = FunctionSettings(reconcile_queue_url="https://sqs/q.fifo").to_environment()
    assert environment == {"POWERTOOLS_SERVICE_NAME": "entra-aws", "RECONCILE_QUEUE_URL": "https://sqs/q.fifo"}
    settings = FunctionSettings.from_environment({**environment, "ENTRA_AWS_CONFIG": "/tmp/config.json"})
    assert str(settings.entra_aws_config) == "/tmp/config.json"


def test_a_missing_or_invalid_variable_fails_in_one_line_naming_it() -> None:
    environment = HANDLER.to_environment()
    del environment["TOPIC_ARN"]
    environment["MAX_CONCURRENT_RECONCILES"] = "two"
    with pytest.raises(SettingsError) as raised:
        HandlerSettings.from_environment(environment)
    message = str(raised.value)
    assert "\n" not in message
    assert "TOPIC_ARN is not set" in message
    assert "MAX_CONCURRENT_RECONCILES input should be a valid integer" in message


@pytest.mark.parametrize("value", ["", ","])
def test_no_automation_role_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="AUTOMATION_ROLE_ARNS"):
        HandlerSettings.from_environment({**HANDLER.to_environment(), "AUTOMATION_ROLE_ARNS": value})
