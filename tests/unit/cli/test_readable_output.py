"""`entra-aws plan / apply` read by a person, over in-memory fakes: names beside ids, operations in words (no Python
reprs), each failure printed once with its reason, failures counted by kind, unknown scopes refused alike, and
`--version` in the help."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from entra_aws.cli import main, reconcile_commands
from entra_aws.engine.model import Boundary, Principal
from entra_aws.engine.plan import Operation
from tests.unit.engine.fakes import FakeDirectory, FakeIdentityCenter, FakePermissionSet, FakeWorld, organization

MANAGEMENT, DEV, PROD = "111111111111", "222222222222", "333333333333"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
DEVELOPERS = Principal("GROUP", "00000001-0000-4000-8000-000000000000", "Developers")
CONFIG: dict[str, Any] = {
    "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
    "identity_center": {"region": "eu-west-1"},
    "management_account_id": MANAGEMENT,
    "permission_sets": [
        {
            "name": "ReadOnly",
            "managed_policies": [READ_ONLY],
            "permissions_boundary": {"customer_managed_policy": {"name": "Boundary", "path": "/guard/"}},
            "tags": {"team": "platform"},
        }
    ],
    "assignments": [
        {"name": "dev", "groups": ["Developers"], "permission_sets": ["ReadOnly"], "targets": {"accounts": [DEV, PROD]}}
    ],
}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeWorld:
    world = FakeWorld(FakeIdentityCenter(), FakeDirectory([DEVELOPERS]), organization(MANAGEMENT, DEV, PROD))
    context = world.context()
    monkeypatch.setattr(reconcile_commands, "_context", lambda config: context)
    return world


@pytest.fixture
def config_file(tmp_path: Path) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    return str(path)


def test_plan_lines_name_groups_and_accounts_and_say_policies_in_words(
    fake: FakeWorld, config_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    drifted = FakePermissionSet("ReadOnly", managed_policies={READ_ONLY}, tags={"team": "old", "stale": "x"})
    fake.admin.add(drifted, managed=True)
    assert reconcile_commands.run("plan", ["--config", config_file]) == 0
    out = capsys.readouterr().out
    assert f"group Developers -> ReadOnly on {DEV} (account-{DEV})" in out
    assert "ReadOnly: customer-managed policy /guard/Boundary" in out
    assert "ReadOnly: tags team=platform" in out and "ReadOnly: tags stale" in out
    assert "Boundary(" not in out and "((" not in out and "=None" not in out


def test_a_managed_boundary_is_said_in_words_too() -> None:
    op = Operation("put_permissions_boundary", "ReadOnly", (("boundary", Boundary(managed_policy_arn=READ_ONLY)),))
    assert op.describe() == f"ReadOnly: managed policy {READ_ONLY}"


def test_each_failure_is_printed_once_with_its_reason_and_counted_by_kind(
    fake: FakeWorld, config_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.admin.add(FakePermissionSet("ReadOnly", managed_policies={READ_ONLY}), managed=True)
    fake.admin.fail("create_assignment", "AccessDeniedException", "not allowed here", times=2)
    assert reconcile_commands.run("apply", ["--config", config_file, "--yes"]) == 1
    captured = capsys.readouterr()
    everything = captured.out + captured.err
    assert everything.count("not allowed here") == 2, everything  # two failures, each once
    assert f"FAILED create assignment group Developers -> ReadOnly on {DEV} (account-{DEV})" in captured.out
    summary = captured.out.strip().splitlines()[-1]
    assert "succeeded, 2 failed (failed: 2 create assignment)" in summary, summary


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ("permission-set:Nope", "no permission set named 'Nope'"),
        ("group:Nope", "no group named 'Nope'"),
        ("user:nobody", "no user named 'nobody'"),
        ("account:999999999999", "account 999999999999 is not in the organization"),
    ],
)
def test_an_unknown_scope_subject_is_one_line_and_exit_2(
    fake: FakeWorld, config_file: str, capsys: pytest.CaptureFixture[str], scope: str, message: str
) -> None:
    for command in ("plan", "apply"):
        argv = ["--config", config_file, "--scope", scope] + (["--yes"] if command == "apply" else [])
        code = reconcile_commands.run(command, argv)
        captured = capsys.readouterr()
        assert code == 2 and captured.out == ""
        assert message in captured.err and len(captured.err.strip().splitlines()) == 1, captured.err
    assert fake.admin.granted == set()


def test_help_lists_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "--version" in capsys.readouterr().out
