"""EventBridge input transformation as AWS documents it (placeholders in quotes get the raw text, outside
quotes the JSON value): the scheduled reconcile's target input depends on it."""

from __future__ import annotations

import json

from sandbox.eventbridge_gaps import transform_input

EVENT = {"id": "7bfb35bc", "detail": {"n": 3, "list": ["a"], "state": "RUNNING"}, "source": "aws.events"}


def test_an_unquoted_string_placeholder_becomes_a_json_string() -> None:
    template = '{"id":<id>,"trigger":"schedule","scope":{"kind":"all","value":""}}'
    assert json.loads(transform_input(template, {"id": "$.id"}, EVENT)) == {
        "id": "7bfb35bc",
        "trigger": "schedule",
        "scope": {"kind": "all", "value": ""},
    }


def test_a_quoted_placeholder_is_replaced_by_the_raw_text() -> None:
    template = '{"text": "instance <id> is \\"<state>\\""}'
    result = json.loads(transform_input(template, {"id": "$.id", "state": "$.detail.state"}, EVENT))
    assert result == {"text": 'instance 7bfb35bc is "RUNNING"'}


def test_numbers_lists_and_objects_keep_their_json_type() -> None:
    template = '{"n": <n>, "list": <list>, "detail": <detail>}'
    paths = {"n": "$.detail.n", "list": "$.detail.list", "detail": "$.detail"}
    assert json.loads(transform_input(template, paths, EVENT)) == {
        "n": 3,
        "list": ["a"],
        "detail": EVENT["detail"],
    }


def test_unknown_placeholders_and_missing_paths() -> None:
    assert transform_input("<other> stays", {}, EVENT) == "<other> stays"
    assert json.loads(transform_input('{"x": <x>}', {"x": "$.detail.missing"}, EVENT)) == {"x": None}
