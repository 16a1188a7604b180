"""`entra-aws validate`: every bad config exits 2 with one clear line per problem and no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = (REPO / "config" / "example.yaml").read_text()


def validate(path: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "entra_aws", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def test_the_example_config_is_valid() -> None:
    result = validate(REPO / "config" / "example.yaml")
    assert result.returncode == 0, result.stderr
    assert "7 permission sets" in result.stdout


BROKEN = {
    "empty": ("", "is empty"),
    "syntax": ("tenant_id: [unclosed\n", "YAML syntax error"),
    "top-level-list": ("- a\n- b\n", "top level must be a mapping"),
    "unknown-key": (EXAMPLE + "\nfrobnicate: true\n", "frobnicate: unknown key"),
    "wrong-type": (EXAMPLE.replace("max_tps: 20", "max_tps: fast"), "apply.max_tps: "),
    "unknown-permission-set": (
        EXAMPLE.replace("permission_sets: [Billing]", "permission_sets: [Billingg]"),
        "assignments[2].permission_sets[0]: unknown permission set 'Billingg'",
    ),
    "bad-name": (
        EXAMPLE.replace("- name: ReadOnly\n", "- name: Read Only!\n"),
        "permission_sets[2].name: must be 1-32",
    ),
    "long-session": (
        EXAMPLE.replace("session_duration: PT8H", "session_duration: PT13H", 1),
        "between PT1H and PT12H",
    ),
    "bad-account": (
        EXAMPLE.replace('accounts: ["111111111111"]', 'accounts: ["1234"]'),
        "a 12-digit AWS account id",
    ),
    "bad-ou": (EXAMPLE.replace("ous: [/Security]", "ous: [Security]"), "must be an OU id"),
    "regex-without-groups": (
        EXAMPLE.replace(r"'^AWS-OU-(?P<ou>[\w-]+)-(?P<permission_set>[\w+=,.@-]{1,32})$'", "'^AWS-(.*)$'"),
        "conventions[1].pattern",
    ),
    "privileged-by-convention": (
        EXAMPLE.replace(
            "allowed_permission_sets: [ReadOnly, Developer, Billing]",
            "allowed_permission_sets: [ReadOnly, AdministratorAccess]",
        ),
        "privileged permission sets are granted only by explicit assignment rules",
    ),
    "duplicate-key": ("version: 1\nversion: 1\n", "duplicate key 'version'"),
    "management-account-without-opt-in": (
        EXAMPLE.replace(
            '    targets: {accounts: ["111111111111"]}\n    allow_management_account: true',
            '    targets: {accounts: ["111111111111"]}',
        ),
        "is the management account",
    ),
    "bad-tenant": (
        EXAMPLE.replace("7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b", "contoso"),
        "tenant_id: must be a GUID",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_configs_exit_2_with_one_line_per_problem(case: str, tmp_path: Path) -> None:
    text, expected = BROKEN[case]
    path = tmp_path / "config.yaml"
    path.write_text(text)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "developer-deny.json").write_text(
        (REPO / "config/policies/developer-deny.json").read_text()
    )
    result = validate(path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr
    assert all(line.startswith(str(path)) for line in result.stderr.splitlines()), result.stderr


def test_missing_file(tmp_path: Path) -> None:
    result = validate(tmp_path / "nope.yaml")
    assert (result.returncode, result.stderr.strip()) == (2, f"{tmp_path / 'nope.yaml'}: no such file")


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    result = validate(path)
    assert result.returncode == 2 and "binary file" in result.stderr and "Traceback" not in result.stderr


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("tenant_id: caf\xe9\n".encode("latin-1"))
    result = validate(path)
    assert result.returncode == 2 and "not UTF-8" in result.stderr


def test_inline_policy_file_problems_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(EXAMPLE)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "developer-deny.json").write_text("{not json")
    result = validate(path)
    assert result.returncode == 2
    assert "permission_sets[3].inline_policy_file" in result.stderr and "developer-deny.json" in result.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["validate"], "the following arguments are required: config"),
        (["plan", "--config", "config/example.yaml", "--scope", "galaxy:1"], "invalid scope"),
        (["frobnicate"], "unknown command"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv: list[str], expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "entra_aws", *argv], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 2
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_schema_is_written_for_editors() -> None:
    committed = json.loads((REPO / "config" / "schema.json").read_text())
    result = subprocess.run(
        [sys.executable, "-m", "entra_aws", "schema"], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert json.loads(result.stdout) == committed, "config/schema.json is stale: run `make schema`"
    assert "permission_sets" in committed["properties"]
