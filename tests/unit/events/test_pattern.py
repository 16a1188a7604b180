"""The tests' EventBridge pattern matcher (moto's) on its own, on the semantics the EventBridge user guide documents:
the rules' patterns are checked with it, so it must agree with EventBridge on every operator they use."""

from __future__ import annotations

import pytest
from moto.events.exceptions import InvalidEventPatternException

from tests.support.event_pattern import matches

EVENT = {
    "source": "aws.sso",
    "detail": {
        "eventName": "CreateGroup",
        "errorCode": None,
        "list": ["a", "b"],
        "n": 5,
        "userIdentity": {"sessionContext": {"sessionIssuer": {}}},
        "issuer": {"arn": "arn:aws:iam::111111111111:role/other"},
    },
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"source": ["aws.sso"]}, True),
        ({"source": ["aws.SSO"]}, False),
        ({"source": [{"prefix": "aws."}]}, True),
        ({"source": [{"suffix": ".sso"}]}, True),
        ({"source": [{"equals-ignore-case": "AWS.SSO"}]}, True),
        ({"detail": {"eventName": ["DeleteGroup", "CreateGroup"]}}, True),
        ({"detail": {"list": ["b"]}}, True),
        ({"detail": {"list": ["c"]}}, False),
        ({"detail": {"n": [5.0]}}, True),
        ({"detail": {"n": ["5"]}}, False),
        ({"detail": {"errorCode": [None]}}, True),
        ({"detail": {"missing": [{"exists": False}]}}, True),
        ({"detail": {"missing": [{"exists": True}]}}, False),
        ({"detail": {"eventName": [{"exists": False}]}}, False),
        ({"detail": {"missing": [{"anything-but": ["x"]}]}}, False),
        ({"detail": {"eventName": [{"anything-but": ["DeleteGroup"]}]}}, True),
        ({"detail": {"eventName": [{"anything-but": "CreateGroup"}]}}, False),
        ({"detail": {"eventName": [{"anything-but": {"prefix": "Create"}}]}}, False),
        # An empty object has no leaf: a field below it is missing.
        (
            {"detail": {"userIdentity": {"sessionContext": {"sessionIssuer": {"arn": [{"exists": False}]}}}}},
            True,
        ),
        (
            {"detail": {"userIdentity": {"sessionContext": {"sessionIssuer": {"arn": [{"anything-but": ["x"]}]}}}}},
            False,
        ),
        # Exists works on leaves only: an object-valued path does not "exist".
        ({"detail": {"userIdentity": [{"exists": True}]}}, False),
        ({"detail": {"$or": [{"eventName": ["nope"]}, {"n": [5]}]}}, True),
        ({"detail": {"$or": [{"eventName": ["nope"]}, {"n": [6]}]}}, False),
        ({"source": ["aws.sso"], "detail": {"eventName": ["nope"]}}, False),
    ],
)
def test_operators(pattern: dict[str, object], expected: bool) -> None:
    assert matches(pattern, EVENT) is expected


def test_missing_issuer_needs_exists_false_alongside_anything_but() -> None:
    """The drift rule's shape: other roles match through anything-but, the root user through exists:false."""
    own = "arn:aws:iam::111111111111:role/entra-aws-reconcile-worker"
    pattern = {
        "detail": {
            "$or": [
                {"issuer": {"arn": [{"anything-but": [own]}]}},
                {"issuer": {"arn": [{"exists": False}]}},
            ]
        }
    }
    assert matches(pattern, EVENT)
    assert not matches(pattern, {"detail": {"issuer": {"arn": own}}})
    assert matches(pattern, {"detail": {"issuer": {}}})
    assert matches(pattern, {"detail": {}})


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"detail": {"n": [{"numeric": [">", 1]}]}}, True),
        ({"source": [{"numeric": [">", 1]}]}, False),
        ({"source": [{"wildcard": "aws.*"}]}, True),
        ({"source": [{"wildcard": "aws.s"}]}, False),
    ],
)
def test_operators_the_rules_may_use_later(pattern: dict[str, object], expected: bool) -> None:
    assert matches(pattern, EVENT) is expected


@pytest.mark.parametrize("pattern", [{"source": "aws.sso"}, {"source": []}])
def test_invalid_patterns_are_refused(pattern: dict[str, object]) -> None:
    with pytest.raises(InvalidEventPatternException):
        matches(pattern, EVENT)
