"""IAM policy documents (inline policies): strict JSON, AWS's size limits and the IAM policy grammar.

Every problem is a ValueError with one line: `FILE: line L column C: ...` for JSON syntax, `FILE: Statement[1].Effect:
...` (the position as a path into the document) for everything else.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Read at most this much of a policy file: far above any policy AWS accepts, bounded before parsing.
MAX_FILE_BYTES = 65_536
# sso-admin PutInlinePolicyToPermissionSet InlinePolicy (PermissionSetPolicyDocument): length 1-32768.
MAX_DOCUMENT_CHARACTERS = 32_768
# "Quotas and limits in IAM Identity Center" (inline policy per permission set) and "IAM and AWS STS quotas"
# (role policy size): 10,240 characters, whitespace not counted.
MAX_NON_WHITESPACE_CHARACTERS = 10_240
MAX_DEPTH = 16  # a Condition value sits at depth 5: Statement[i].Condition.Operator.Key[j]
VERSIONS = ("2012-10-17", "2008-10-17")
TOP_LEVEL_KEYS = ("Version", "Id", "Statement")
STATEMENT_KEYS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition")
SID = re.compile(r"[A-Za-z0-9]*")
ACTION = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+")
CONDITION_OPERATOR = re.compile(r"((ForAnyValue|ForAllValues):)?[A-Za-z]+")


class _RepeatedKeys(dict[str, Any]):
    """A JSON object that named a key more than once (reported where the walk finds it)."""

    def __init__(self, pairs: list[tuple[str, Any]], repeated: str) -> None:
        super().__init__(pairs)
        self.repeated = repeated


@dataclass(frozen=True)
class _NotJson:
    """NaN, Infinity or a number too large for a double: Python's json reads them, JSON has no such value."""

    text: str


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return _RepeatedKeys(pairs, key)
        seen.add(key)
    return dict(pairs)


def _number(text: str) -> float | _NotJson:
    value = float(text)
    return value if math.isfinite(value) else _NotJson(text)


def parse_policy_json(text: str) -> Any:
    """Strict JSON: repeated keys, NaN and infinities become markers `check_policy` reports with their position."""
    return json.loads(text, object_pairs_hook=_object, parse_constant=_NotJson, parse_float=_number)


def read_policy_file(path: Path) -> dict[str, Any]:
    """An IAM policy document from a JSON file (a UTF-8 BOM is fine); ValueError with one line naming the file."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ValueError(f"no such file {path}") from None
    except IsADirectoryError:
        raise ValueError(f"{path} is a directory, expected a JSON policy file") from None
    except OSError as exc:
        raise ValueError(f"cannot read {path} ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(
            f"{path} is larger than {MAX_FILE_BYTES} bytes; an inline policy is at most "
            f"{MAX_NON_WHITESPACE_CHARACTERS} characters without whitespace"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: byte {exc.start} is not UTF-8; a policy file is UTF-8 JSON") from None
    try:
        document = parse_policy_json(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: line {exc.lineno} column {exc.colno}: not JSON: {exc.msg}") from None
    except RecursionError:
        raise ValueError(f"{path}: nests deeper than an IAM policy can (at most {MAX_DEPTH} levels)") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ValueError(f"{path}: not JSON: {exc}") from None
    problem = policy_problem(document)
    if problem is not None:
        raise ValueError(f"{path}: {problem}")
    return dict(document)


def check_policy(document: dict[str, Any]) -> dict[str, Any]:
    """For a document given inline in the config (a pydantic validator: ValueError on the first problem)."""
    problem = policy_problem(document)
    if problem is not None:
        raise ValueError(problem)
    return document


def policy_problem(document: Any) -> str | None:
    """The first thing that makes this not an IAM identity policy AWS accepts, as `position: problem`."""
    problem = _strict_json_problem(document)
    if problem is not None:
        return problem
    if not isinstance(document, dict):
        return f"(top level): must be a JSON object with a Statement (an IAM policy document), got {_kind(document)}"
    problem = _grammar_problem(document)
    if problem is not None:
        return problem
    return _size_problem(document)


def _strict_json_problem(document: Any) -> str | None:
    pending: list[tuple[str, Any, int]] = [("", document, 0)]
    while pending:
        where, value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return f"{where}: nests deeper than an IAM policy can (at most {MAX_DEPTH} levels)"
        if isinstance(value, _RepeatedKeys):
            return f"{where or '(top level)'}: the key {value.repeated!r} appears twice; JSON keys must be unique"
        if isinstance(value, _NotJson) or (isinstance(value, float) and not math.isfinite(value)):
            text = value.text if isinstance(value, _NotJson) else str(value)
            return f"{where or '(top level)'}: {text} is not a JSON number"
        if isinstance(value, dict):
            pending += [(_key_path(where, str(key)), item, depth + 1) for key, item in value.items()]
        elif isinstance(value, list):
            pending += [(f"{where}[{index}]", item, depth + 1) for index, item in enumerate(value)]
        elif value is not None and not isinstance(value, str | bool | int | float):
            return f"{where or '(top level)'}: {_kind(value)} is not a JSON value"
    return None


def _grammar_problem(document: dict[str, Any]) -> str | None:
    unknown = [key for key in document if key not in TOP_LEVEL_KEYS]
    if unknown:
        return f"{unknown[0]}: unknown policy element; a policy has {', '.join(TOP_LEVEL_KEYS)}"
    version = document.get("Version")
    if version is not None and version not in VERSIONS:
        return f"Version: must be {' or '.join(VERSIONS)}, got {version!r}"
    if "Id" in document and not isinstance(document["Id"], str):
        return f"Id: must be a string, got {_kind(document['Id'])}"
    statements = document.get("Statement")
    if statements is None:
        return "Statement: is required (an object or a list of objects)"
    if isinstance(statements, dict):
        return _statement_problem("Statement", statements)
    if not isinstance(statements, list) or not statements:
        return f"Statement: must be an object or a non-empty list of objects, got {_kind(statements)}"
    for index, statement in enumerate(statements):
        problem = _statement_problem(f"Statement[{index}]", statement)
        if problem is not None:
            return problem
    return None


def _statement_problem(where: str, statement: Any) -> str | None:
    if not isinstance(statement, dict):
        return f"{where}: a statement must be an object, got {_kind(statement)}"
    if "Principal" in statement or "NotPrincipal" in statement:
        return f"{where}: an identity policy names no Principal (the permission set or role is the principal)"
    unknown = [key for key in statement if key not in STATEMENT_KEYS]
    if unknown:
        return f"{where}.{unknown[0]}: unknown statement element; a statement has {', '.join(STATEMENT_KEYS)}"
    sid = statement.get("Sid")
    if sid is not None and not (isinstance(sid, str) and SID.fullmatch(sid)):
        return f"{where}.Sid: must be letters and digits only, got {sid!r}"
    if statement.get("Effect") not in ("Allow", "Deny"):
        return f"{where}.Effect: must be Allow or Deny, got {statement.get('Effect')!r}"
    problem = _one_of(where, statement, "Action", "NotAction", _action_problem)
    if problem is not None:
        return problem
    problem = _one_of(where, statement, "Resource", "NotResource", _resource_problem)
    if problem is not None:
        return problem
    if "Condition" in statement:
        return _condition_problem(f"{where}.Condition", statement["Condition"])
    return None


def _one_of(
    where: str, statement: dict[str, Any], name: str, negated: str, check: Callable[[Any], str | None]
) -> str | None:
    given = [key for key in (name, negated) if key in statement]
    if len(given) != 1:
        return f"{where}: give exactly one of {name} or {negated}"
    key = given[0]
    values = statement[key]
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not values:
        return f"{where}.{key}: must be a string or a non-empty list of strings, got {_kind(values)}"
    for index, value in enumerate(values):
        problem = check(value)
        if problem is not None:
            position = f"{where}.{key}" if isinstance(statement[key], str) else f"{where}.{key}[{index}]"
            return f"{position}: {problem}"
    return None


def _action_problem(value: Any) -> str | None:
    if isinstance(value, str) and ACTION.fullmatch(value):
        return None
    return f"must be * or service:Action (wildcards * and ? allowed), got {_describe(value)}"


def _resource_problem(value: Any) -> str | None:
    if isinstance(value, str) and (value == "*" or value.startswith("arn:")):
        return None
    return f"must be * or an ARN (arn:...), got {_describe(value)}"


def _condition_problem(where: str, condition: Any) -> str | None:
    if not isinstance(condition, dict):
        return f"{where}: must be an object of condition operators, got {_kind(condition)}"
    for operator, keys in condition.items():
        if not CONDITION_OPERATOR.fullmatch(operator):
            return f"{where}: {operator!r} is not a condition operator (like StringEquals or ForAnyValue:StringLike)"
        if not isinstance(keys, dict) or not keys:
            return f"{where}.{operator}: must be an object of condition keys and values, got {_kind(keys)}"
        for key, values in keys.items():
            items = values if isinstance(values, list) else [values]
            if not items or not all(isinstance(item, str | bool | int | float) for item in items):
                return f"{where}.{operator}.{key}: must be a string, number, boolean or a non-empty list of them"
    return None


def _size_problem(document: dict[str, Any]) -> str | None:
    # As the engine sends it (engine.model.canonical_policy): sorted keys, no spaces, non-ASCII escaped.
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    counted = sum(1 for character in text if not character.isspace())
    if counted > MAX_NON_WHITESPACE_CHARACTERS:
        return (
            f"(top level): the policy is {counted} characters without whitespace; AWS allows at most "
            f"{MAX_NON_WHITESPACE_CHARACTERS} in an inline policy"
        )
    if len(text) > MAX_DOCUMENT_CHARACTERS:
        return f"(top level): the policy is {len(text)} characters as sent to AWS; at most {MAX_DOCUMENT_CHARACTERS}"
    return None


def _key_path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return f"the string {_describe(value)}"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    return {dict: "an object", bool: "a boolean", int: "a number", float: "a number", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
