"""document_file on customer-managed policy and boundary references: read by the strict policy reader, one document
per policy, and rules whose targets the referenced policies' StackSet can name offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from entra_aws.config import ConfigError, load_config

BOUNDARY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
OU, ROOT, DEV = "ou-abcd-11111111", "r-abcd", "222222222222"


def write(tmp_path: Path, targets: dict[str, Any], **extra: Any) -> Path:
    (tmp_path / "boundary.json").write_text(json.dumps(BOUNDARY))
    document = {
        "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
        "identity_center": {"region": "eu-west-1"},
        "management_account_id": "111111111111",
        "permission_sets": [
            {
                "name": "Developer",
                "permissions_boundary": {
                    "customer_managed_policy": {"name": "DevBoundary", "path": "/b/", "document_file": "boundary.json"}
                },
            }
        ],
        "assignments": [{"name": "dev", "groups": ["Devs"], "permission_sets": ["Developer"], "targets": targets}],
        **extra,
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    return raised.value.problems


def test_the_document_file_is_read_into_the_reference(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, {"ous": [OU]}))
    (reference,) = config.permission_sets[0].documented_policies
    assert (reference.path, reference.name, reference.document) == ("/b/", "DevBoundary", BOUNDARY)


def test_a_document_that_is_no_policy_is_refused_with_its_file(tmp_path: Path) -> None:
    path = write(tmp_path, {"ous": [OU]})
    (tmp_path / "boundary.json").write_text('{"Statement": [{"Effect": "Maybe"}]}')
    (problem,) = problems(path)
    assert problem.startswith(f"{path}: permission_sets[0].permissions_boundary.customer_managed_policy.document_file:")
    assert "Effect: must be Allow or Deny" in problem


def test_targets_the_stackset_cannot_name_are_refused(tmp_path: Path) -> None:
    (problem,) = problems(write(tmp_path, {"ous": ["/Workloads"], "tags": ["team=a"]}))
    assert "name the OU path /Workloads, the tag team=a by id" in problem


def test_accounts_by_id_need_the_root(tmp_path: Path) -> None:
    (problem,) = problems(write(tmp_path, {"accounts": [DEV]}))
    assert "set deployment.organization_root_id" in problem
    config = load_config(write(tmp_path, {"accounts": [DEV]}, deployment={"organization_root_id": ROOT}))
    assert config.deployment.organization_root_id == ROOT


def test_one_policy_with_two_documents_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, {"ous": [OU]})
    document = yaml.safe_load(path.read_text())
    other = {
        "name": "DevBoundary",
        "path": "/b/",
        "document": {"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}},
    }
    document["permission_sets"].append({"name": "Other", "customer_managed_policies": [other]})
    path.write_text(yaml.safe_dump(document))
    (problem,) = problems(path)
    assert "the policy /b/DevBoundary is given two different documents" in problem


def test_a_managed_policy_over_6144_characters_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, {"ous": [OU]})
    actions = [f"s3:Get{'x' * 40}{n}" for n in range(150)]
    (tmp_path / "boundary.json").write_text(
        json.dumps({"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    )
    (problem,) = problems(path)
    assert "IAM allows at most 6144 in a managed policy" in problem


def test_a_convention_may_not_grant_a_set_with_documented_policies(tmp_path: Path) -> None:
    path = write(tmp_path, {"ous": [OU]})
    document = yaml.safe_load(path.read_text())
    document["conventions"] = [
        {
            "name": "c",
            "pattern": "^AWS-(?P<account>[0-9]{12})-(?P<permission_set>.+)$",
            "allowed_permission_sets": ["Developer"],
        }
    ]
    path.write_text(yaml.safe_dump(document))
    (problem,) = problems(path)
    assert problem.endswith(
        "conventions[0].allowed_permission_sets: 'Developer' has policies deployed with their "
        "documents (document_file) to the accounts its rules reach, and a convention may reach any "
        "account; grant it by assignment rules"
    )
