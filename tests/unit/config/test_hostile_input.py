"""Hostile and mistaken config input: bounded YAML, AWS's own field rules, strict inline policies.

In-process through `load_config` (the CLI's exit code 2 and one-line output are covered by test_validate_cli).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from entra_aws.config import ConfigError, load_config
from entra_aws.config.yaml_loader import MAX_DEPTH, MAX_NODES, YamlError, load_yaml

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = (REPO / "config" / "example.yaml").read_text(encoding="utf-8")
POLICY = (REPO / "config" / "policies" / "developer-deny.json").read_text(encoding="utf-8")


def _problems(tmp_path: Path, text: str, policy: str | bytes = POLICY) -> list[str]:
    """The one-line problems of `text` as a config next to a copy of the example's files (policy replaced)."""
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "policies").mkdir(exist_ok=True)
    policy_path = tmp_path / "policies" / "developer-deny.json"
    if isinstance(policy, bytes):
        policy_path.write_bytes(policy)
    else:
        policy_path.write_text(policy, encoding="utf-8")
    federation = tmp_path / "federation"
    federation.mkdir(exist_ok=True)
    for source in (REPO / "config" / "federation").iterdir():
        (federation / source.name).write_bytes(source.read_bytes())
    try:
        load_config(path)
    except ConfigError as exc:
        assert all("\n" not in problem and problem.startswith(str(path)) for problem in exc.problems)
        return exc.problems
    return []


def _one_problem(tmp_path: Path, text: str, policy: str | bytes = POLICY) -> str:
    problems = _problems(tmp_path, text, policy)
    assert len(problems) == 1, problems
    return problems[0]


# --- YAML -------------------------------------------------------------------------------------------------------


def test_merge_keys_work_and_own_keys_override() -> None:
    text = "defaults: &d {session_duration: PT1H, privileged: false}\nps:\n  <<: *d\n  privileged: true\n"
    document = load_yaml(text)
    assert document["ps"] == {"session_duration": "PT1H", "privileged": True}


def test_merge_keys_in_a_real_config(tmp_path: Path) -> None:
    text = EXAMPLE.replace(
        "permission_sets:\n  - name: AdministratorAccess\n    description: Full administrative access "
        "(break-glass and platform team)\n    session_duration: PT1H\n",
        "permission_sets:\n  - &admin\n    name: AdministratorAccess\n    description: Full administrative access\n"
        "    session_duration: PT1H\n",
    ).replace(
        "  - name: PowerUser\n    description: Everything except IAM and Organizations\n    session_duration: PT4H\n",
        "  - <<: *admin\n    name: PowerUser\n    description: Everything except IAM and Organizations\n"
        "    session_duration: PT4H\n",
    )
    assert "<<: *admin" in text
    assert _problems(tmp_path, text) == []


def test_a_key_repeated_next_to_a_merge_is_still_a_duplicate() -> None:
    with pytest.raises(YamlError, match="duplicate key 'a'"):
        load_yaml("d: &d {a: 1}\nx:\n  <<: *d\n  a: 2\n  a: 3\n")


def _alias_bomb(levels: int) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_fails_fast_with_one_line() -> None:
    started = time.perf_counter()
    with pytest.raises(YamlError, match=f"more than {MAX_NODES} values once aliases are expanded") as caught:
        load_yaml(_alias_bomb(9))  # 9**9 = 387 million strings if expanded
    assert time.perf_counter() - started < 0.5
    assert "\n" not in str(caught.value)


def test_an_alias_bomb_under_a_schema_valid_field_is_refused(tmp_path: Path) -> None:
    bomb = "x-lol: &b0 " + json.dumps(["lol"] * 50) + "\n"
    bomb += "".join(f"x-{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 50)}]\n" for i in range(1, 5))
    text = EXAMPLE.replace("apply:\n", bomb + "apply:\n").replace(
        "notification_emails: [cloud-platform@example.com]", "notification_emails: *b4"
    )
    problem = _one_problem(tmp_path, text)
    assert "once aliases are expanded" in problem


def test_a_small_alias_is_fine() -> None:
    assert load_yaml("a: &a [1, 2]\nb: *a\n") == {"a": [1, 2], "b": [1, 2]}


def test_deep_nesting_is_one_line_not_a_recursion_error() -> None:
    with pytest.raises(YamlError, match=f"nested more than {MAX_DEPTH} levels"):
        load_yaml("a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n")
    with pytest.raises(YamlError):
        load_yaml("a: " + "[" * 1000 + "]" * 1000 + "\n")


def test_depth_counts_through_aliases() -> None:
    half = MAX_DEPTH // 2 + 2
    text = "a: &a " + "[" * half + "]" * half + "\nb: " + "[" * half + "*a" + "]" * half + "\n"
    with pytest.raises(YamlError, match="once aliases are expanded"):
        load_yaml(text)


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlError, match="inside the node it refers to"):
        load_yaml("a: &a [1, *a]\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: " + "9" * 5000 + "\n", "a value YAML cannot represent"),
        ("a: 2024-02-30\n", "day is out of range"),
        ("? [a, b]\n: 1\n", "a mapping key must be a plain value"),
        ("a: !!python/object:os.system ls\n", "YAML syntax error"),
    ],
)
def test_values_yaml_cannot_build_are_one_line(text: str, expected: str) -> None:
    with pytest.raises(YamlError, match=expected) as caught:
        load_yaml(text)
    assert "\n" not in str(caught.value)


def test_a_config_larger_than_512_kib_is_refused_unread(tmp_path: Path) -> None:
    problem = _one_problem(tmp_path, EXAMPLE + "#" * 600_000 + "\n")
    assert "larger than 524288 bytes" in problem


# --- AWS field rules --------------------------------------------------------------------------------------------

FIELD_CASES = {
    "non-ascii-name": (EXAMPLE.replace("- name: ReadOnly\n", "- name: RéadOnly\n"), "permission_sets[2].name"),
    "emoji-description": (
        EXAMPLE.replace("description: Shared network operations", "description: Shared network 🚀"),
        "permission_sets[6].description: must be text of printable ASCII and Latin-1",
    ),
    "bare-host-relay-state": (
        EXAMPLE.replace("relay_state: https://console.aws.amazon.com/billing/home", "relay_state: console.aws"),
        "permission_sets[5].relay_state: must be an https URL",
    ),
    "http-relay-state": (
        EXAMPLE.replace("relay_state: https://", "relay_state: http://"),
        "relay_state: must be an https URL",
    ),
    "javascript-relay-state": (
        EXAMPLE.replace("relay_state: https://console.aws.amazon.com/billing/home", "relay_state: javascript:x"),
        "relay_state: must be an https URL",
    ),
    "tag-key-charset": (EXAMPLE.replace("tags: {cost-center: engineering}", "tags: {'cost#center': x}"), "tags"),
    "tag-value-too-long": (
        EXAMPLE.replace("tags: {cost-center: engineering}", "tags: {cost-center: " + "x" * 257 + "}"),
        "permission_sets[3].tags.cost-center",
    ),
    "aws-tag-prefix": (
        EXAMPLE.replace("tags: {cost-center: engineering}", "tags: {AWS:owner: me}"),
        "starts with 'aws:', which AWS reserves",
    ),
    "too-many-tags": (
        EXAMPLE.replace("tags: {cost-center: engineering}", "tags: {" + ", ".join(f"t{i}: v" for i in range(51)) + "}"),
        "permission_sets[3].tags",
    ),
    "plural-rate-for-one": (
        EXAMPLE.replace("reconcile_schedule: rate(6 hours)", "reconcile_schedule: rate(1 minutes)"),
        "automation.reconcile_schedule: must be an EventBridge schedule",
    ),
    "singular-rate-for-many": (
        EXAMPLE.replace("reconcile_schedule: rate(6 hours)", "reconcile_schedule: rate(6 hour)"),
        "automation.reconcile_schedule",
    ),
    "five-field-cron": (
        EXAMPLE.replace("reconcile_schedule: rate(6 hours)", "reconcile_schedule: cron(0 6 * * *)"),
        "automation.reconcile_schedule: must be an EventBridge schedule",
    ),
    "cron-without-question-mark": (
        EXAMPLE.replace("reconcile_schedule: rate(6 hours)", "reconcile_schedule: cron(0 6 * * * *)"),
        "exactly one of day-of-month (3rd field) and day-of-week (5th field) must be ?",
    ),
    "arabic-indic-account-id": (
        EXAMPLE.replace('management_account_id: "111111111111"', 'management_account_id: "' + "\u0661" * 12 + '"'),
        "management_account_id: must be a 12-digit AWS account id",
    ),
    "nan-max-tps": (EXAMPLE.replace("max_tps: 20", "max_tps: .nan"), "apply.max_tps: must be a finite number"),
    "infinite-max-tps": (EXAMPLE.replace("max_tps: 20", "max_tps: .inf"), "apply.max_tps: must be a finite number"),
    "twenty-one-policies": (
        EXAMPLE.replace(
            "managed_policies: [arn:aws:iam::aws:policy/job-function/Billing]",
            "managed_policies: [" + ", ".join(f"arn:aws:iam::aws:policy/P{i}" for i in range(21)) + "]",
        ),
        "21 managed and customer-managed policies; Identity Center allows at most 20",
    ),
    "double-slash-policy-path": (
        EXAMPLE.replace("path: /boundaries/", "path: //boundaries/"),
        "permissions_boundary.customer_managed_policy.path: must be an IAM path",
    ),
    "session-duration-newline": (
        EXAMPLE.replace("session_duration: PT4H\n", 'session_duration: "PT4H\\n"\n', 1),
        "permission_sets[1].session_duration",
    ),
}


@pytest.mark.parametrize("case", sorted(FIELD_CASES))
def test_aws_field_rules_are_checked_at_validate(case: str, tmp_path: Path) -> None:
    text, expected = FIELD_CASES[case]
    assert text != EXAMPLE, "the replacement did not apply"
    problem = _one_problem(tmp_path, text)
    assert expected in problem


def test_nan_says_it_is_not_a_number(tmp_path: Path) -> None:
    problem = _one_problem(tmp_path, EXAMPLE.replace("max_tps: 20", "max_tps: .nan"))
    assert "not a number" in problem and "less than or equal" not in problem


@pytest.mark.parametrize(
    "schedule", ["rate(1 minute)", "rate(15 minutes)", "rate(1 day)", "cron(0 6 * * ? *)", "cron(0/15 * ? * MON-FRI *)"]
)
def test_valid_schedules_pass(schedule: str, tmp_path: Path) -> None:
    text = EXAMPLE.replace("reconcile_schedule: rate(6 hours)", f"reconcile_schedule: {schedule}")
    assert _problems(tmp_path, text) == []


def test_unicode_tags_and_latin1_descriptions_pass(tmp_path: Path) -> None:
    text = EXAMPLE.replace("tags: {cost-center: engineering}", "tags: {Kostenstelle: Entwicklung Straße, 部門: 開発}")
    text = text.replace("description: Shared network operations", "description: Opérations réseau partagées")
    assert _problems(tmp_path, text) == []


# --- Inline policies --------------------------------------------------------------------------------------------

STATEMENT = {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}

POLICY_CASES: dict[str, tuple[str | bytes, str]] = {
    "duplicate-effect": (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",'
        ' "Effect": "Allow"}]}',
        "Statement[0]: the key 'Effect' appears twice",
    ),
    "nan": (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",'
        ' "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": NaN}}}]}',
        "Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge: NaN is not a JSON number",
    ),
    "huge-float": ('{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*", "Sid": 1e999}}', "1e999"),
    "statement-string": ('{"Version": "2012-10-17", "Statement": "Allow everything"}', "Statement: must be an object"),
    "effect-lowercase": (json.dumps({"Statement": [dict(STATEMENT, Effect="allow")]}), "Statement[0].Effect"),
    "no-action": (json.dumps({"Statement": {"Effect": "Deny", "Resource": "*"}}), "exactly one of Action or NotAction"),
    "action-and-notaction": (
        json.dumps({"Statement": [dict(STATEMENT, NotAction="s3:*")]}),
        "exactly one of Action or NotAction",
    ),
    "bad-action": (json.dumps({"Statement": [dict(STATEMENT, Action=["iam CreateUser"])]}), "Action[0]: must be *"),
    "bad-resource": (json.dumps({"Statement": [dict(STATEMENT, Resource="bucket")]}), "Resource: must be * or an ARN"),
    "principal": (json.dumps({"Statement": [dict(STATEMENT, Principal="*")]}), "names no Principal"),
    "condition-not-object": (json.dumps({"Statement": [dict(STATEMENT, Condition=["x"])]}), "Condition: must be"),
    "unknown-top-level": (json.dumps({"Statement": [STATEMENT], "Statment": []}), "Statment: unknown policy element"),
    "bad-version": (json.dumps({"Version": "2024-01-01", "Statement": [STATEMENT]}), "Version: must be 2012-10-17"),
    "too-long": (
        json.dumps({"Statement": [dict(STATEMENT, Resource=[f"arn:aws:s3:::b{i}" for i in range(2000)])]}),
        "characters without whitespace; AWS allows at most 10240",
    ),
    "file-too-large": (" " * 70_000 + json.dumps({"Statement": [STATEMENT]}), "larger than 65536 bytes"),
    "deep": ('{"Statement": ' + "[" * 5000 + "]" * 5000 + "}", "nests deeper than an IAM policy can"),
    "syntax": ('{"Statement": [}', "line 1 column 16: not JSON"),
    "not-utf8": (b'{"Statement": "\xff"}', "is not UTF-8"),
    "top-level-list": ("[]", "must be a JSON object with a Statement"),
}


@pytest.mark.parametrize("case", sorted(POLICY_CASES))
def test_inline_policy_files_are_strict_and_name_file_and_position(case: str, tmp_path: Path) -> None:
    policy, expected = POLICY_CASES[case]
    problem = _one_problem(tmp_path, EXAMPLE, policy)
    assert problem.startswith(f"{tmp_path / 'config.yaml'}: permission_sets[3].inline_policy_file: ")
    assert "developer-deny.json" in problem
    assert expected in problem


def test_a_utf8_bom_is_read(tmp_path: Path) -> None:
    assert _problems(tmp_path, EXAMPLE, b"\xef\xbb\xbf" + POLICY.encode("utf-8")) == []


def test_an_inline_policy_in_the_config_follows_the_same_grammar(tmp_path: Path) -> None:
    text = EXAMPLE.replace(
        "inline_policy_file: policies/developer-deny.json",
        "inline_policy: {Version: '2012-10-17', Statement: {Effect: Permit, Action: '*', Resource: '*'}}",
    )
    problem = _one_problem(tmp_path, text)
    assert "permission_sets[3].inline_policy: Statement.Effect: must be Allow or Deny, got 'Permit'" in problem


def test_the_example_policy_is_accepted_with_a_single_statement_object(tmp_path: Path) -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": STATEMENT})
    assert _problems(tmp_path, EXAMPLE, policy) == []
