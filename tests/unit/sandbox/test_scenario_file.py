"""Scenario files: the shipped ones load; each kind of mistake is one line naming the field and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from entra_aws.config import ConfigError
from sandbox.scenario import ManualAssignment, ScimGroupCreated, load_scenario

REPO = Path(__file__).resolve().parents[3]
ORGANIZATION = "organization:\n  management_account: {id: '111111111111', name: management}\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as error:
        load_scenario(path)
    return error.value.problems


def test_quickstart_loads_with_the_example_organization() -> None:
    scenario = load_scenario(REPO / "scenarios" / "quickstart.yaml")
    assert scenario.organization.management_account.id == "111111111111"
    assert len(scenario.organization.all_accounts()) == 10
    assert isinstance(scenario.steps[0], ScimGroupCreated)
    assert any(isinstance(step, ManualAssignment) for step in scenario.steps)
    assert scenario.expect.permission_sets[0].name == "ReadOnly"


def test_an_unknown_action_names_the_allowed_ones(tmp_path: Path) -> None:
    path = write(tmp_path, ORGANIZATION + "steps:\n  - action: group_renamed\n    group: x\n")
    [problem] = problems(path)
    assert problem.startswith(f"{path}: steps[0]:")
    assert "unknown or missing action" in problem
    assert "scim_group_renamed" in problem


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, ORGANIZATION + "steps:\n  - action: manual_assignment\n    group: g\n    account: a\n")
    assert any("permission_set" in p and "Field required" in p for p in problems(path))


def test_an_ou_must_be_a_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ORGANIZATION + "steps:\n  - action: account_moved\n    account: a\n    ou: Workloads\n",
    )
    [problem] = problems(path)
    assert (
        problem
        == f"{path}: steps[0].account_moved.ou: Value error, expected an OU path from the root, like /Workloads/Prod"
    )


def test_account_ids_must_be_unique(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ORGANIZATION + "steps:\n  - action: account_created\n    account: {id: '111111111111', name: again}\n",
    )
    [problem] = problems(path)
    assert "account ids used twice: 111111111111" in problem


def test_unknown_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ORGANIZATION + "expect:\n  presnt: []\n")
    [problem] = problems(path)
    assert "expect.presnt" in problem


def test_not_a_mapping(tmp_path: Path) -> None:
    [problem] = problems(write(tmp_path, "- just a list\n"))
    assert "must be a mapping" in problem
