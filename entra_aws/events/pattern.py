"""A small, faithful EventBridge event-pattern matcher for the operators this project uses.

Semantics follow the EventBridge user guide ("Creating event patterns", "Content filtering"):
- a pattern is an object; every key must match (AND); `$or` holds alternative sub-patterns (OR);
- a leaf is an array of matchers; it matches if any matcher matches any of the event's values at that path
  (an event array is a set of values);
- only `{"exists": false}` matches a missing field; every other matcher, `anything-but` included, needs the
  field to be present. Exists matching works on leaves only: a path whose value is an object or an empty
  array has no leaf value and counts as missing;
- exact strings match exactly (case-sensitive); numbers compare numerically; `null` matches JSON null.

Unsupported operators raise `UnsupportedPatternError` rather than guessing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_MISSING = object()
SUPPORTED = frozenset({"prefix", "suffix", "anything-but", "exists", "equals-ignore-case"})


class UnsupportedPatternError(ValueError):
    pass


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    return _match_object(pattern, event)


def _match_object(pattern: Mapping[str, Any], node: Any) -> bool:
    for key, sub in pattern.items():
        if key == "$or":
            if not isinstance(sub, list) or len(sub) < 2:
                raise UnsupportedPatternError("$or needs an array of at least two patterns")
            if not any(_match_object(alternative, node) for alternative in sub):
                return False
            continue
        value = node.get(key, _MISSING) if isinstance(node, Mapping) else _MISSING
        if isinstance(sub, Mapping):
            if not _match_object(sub, value if isinstance(value, Mapping) else {}):
                return False
        elif isinstance(sub, list):
            if not _match_leaf(sub, value):
                return False
        else:
            raise UnsupportedPatternError(f"pattern value for {key!r} must be an object or an array")
    return True


def _leaf_values(value: Any) -> list[Any]:
    if value is _MISSING or isinstance(value, Mapping):
        return []
    if isinstance(value, list):
        return [v for v in value if not isinstance(v, (Mapping, list))]
    return [value]


def _match_leaf(matchers: Sequence[Any], value: Any) -> bool:
    values = _leaf_values(value)
    for matcher in matchers:
        if isinstance(matcher, Mapping):
            if _match_operator(matcher, values):
                return True
        elif any(_equal(matcher, v) for v in values):
            return True
    return False


def _equal(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return float(expected) == float(actual)
    return type(expected) is type(actual) and bool(expected == actual)


def _match_operator(matcher: Mapping[str, Any], values: list[Any]) -> bool:
    if len(matcher) != 1:
        raise UnsupportedPatternError(f"a matcher object holds exactly one operator, got {sorted(matcher)}")
    ((operator, argument),) = matcher.items()
    if operator not in SUPPORTED:
        raise UnsupportedPatternError(f"operator {operator!r} is not implemented by this matcher")
    if operator == "exists":
        if not isinstance(argument, bool):
            raise UnsupportedPatternError("exists takes true or false")
        return bool(values) is argument
    if operator == "prefix":
        return any(isinstance(v, str) and v.startswith(_text(argument, "prefix")) for v in values)
    if operator == "suffix":
        return any(isinstance(v, str) and v.endswith(_text(argument, "suffix")) for v in values)
    if operator == "equals-ignore-case":
        wanted = _text(argument, "equals-ignore-case").casefold()
        return any(isinstance(v, str) and v.casefold() == wanted for v in values)
    return any(_anything_but(argument, v) for v in values)


def _anything_but(argument: Any, value: Any) -> bool:
    if isinstance(argument, Mapping):
        if set(argument) != {"prefix"}:
            raise UnsupportedPatternError(f"anything-but takes values or a prefix, got {sorted(argument)}")
        return not (isinstance(value, str) and value.startswith(_text(argument["prefix"], "prefix")))
    excluded = argument if isinstance(argument, list) else [argument]
    return not any(_equal(e, value) for e in excluded)


def _text(argument: Any, operator: str) -> str:
    if not isinstance(argument, str):
        raise UnsupportedPatternError(f"{operator} takes a string")
    return argument
