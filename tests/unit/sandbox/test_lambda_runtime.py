"""What the sandbox shows when a handler fails: the last meaningful line of the error, not pydantic's link."""

from __future__ import annotations

from sandbox.lambda_runtime import LambdaContext, _last_error


def test_the_last_line_of_a_logged_exception_explains_the_failure() -> None:
    log = [
        {"level": "INFO", "message": "started"},
        {
            "level": "ERROR",
            "exception": "ValidationError: 1 validation error\nidentity_store_id\n  String should match pattern\n"
            "    For further information visit https://errors.pydantic.dev/2/v/string_pattern_mismatch",
        },
    ]
    assert _last_error(None, log) == "String should match pattern"


def test_an_exception_result_counts_and_no_error_is_empty() -> None:
    assert _last_error(RuntimeError("All records failed\nboom: no table"), []) == "boom: no table"
    assert _last_error({"batchItemFailures": []}, [{"message": "ok"}]) == ""


def test_the_context_counts_down_from_the_function_timeout() -> None:
    context = LambdaContext("f", 512, "arn:aws:lambda:eu-west-1:111111111111:function:f", timeout_seconds=60)
    assert 59_000 < context.get_remaining_time_in_millis() <= 60_000
