"""Policies that permission sets reference, deployed with their documents (stacks/automation/referenced_policies.py):
a service-managed StackSet with every documented policy, targeting the OUs and the accounts the rules name, with
automatic deployment. Synthesized with cdk-nag (the member template too: synthesis raises on findings), cfn-lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from entra_aws.config import load_config
from stacks.automation.referenced_policies import STACK_SET_NAME
from tests.infrastructure.synthesized import synth_config, template

pytestmark = pytest.mark.infrastructure
BOUNDARY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
TEAM = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}
OU, ROOT, DEV = "ou-abcd-11111111", "r-abcd", "222222222222"


def config_file(folder: Path, **deployment: str) -> Path:
    (folder / "boundary.json").write_text(json.dumps(BOUNDARY))
    (folder / "team.json").write_text(json.dumps(TEAM))
    document = {
        "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
        "identity_center": {"region": "eu-west-1"},
        "management_account_id": "111111111111",
        "deployment": {"organization_root_id": ROOT, **deployment},
        "permission_sets": [
            {
                "name": "Developer",
                "customer_managed_policies": [{"name": "TeamPolicy", "document_file": "team.json"}],
                "permissions_boundary": {
                    "customer_managed_policy": {"name": "DevBoundary", "path": "/b/", "document_file": "boundary.json"}
                },
            },
            {"name": "Existing", "customer_managed_policies": [{"name": "TheirPolicy"}]},
        ],
        "assignments": [
            {
                "name": "dev",
                "groups": ["Devs"],
                "permission_sets": ["Developer"],
                "targets": {"ous": [OU], "accounts": [DEV]},
            },
            {"name": "other", "groups": ["Ops"], "permission_sets": ["Existing"], "targets": {"ous": ["/Ops"]}},
        ],
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def synthesized(config: Path, outdir: Path) -> Path:
    return synth_config(load_config(config), outdir)


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = config_file(tmp_path_factory.mktemp("config"))
    return synthesized(config, tmp_path_factory.mktemp("cdk.out.referenced-policies"))


@pytest.fixture(scope="module")
def stack_set(assembly: Path) -> dict[str, Any]:
    (found,) = template(assembly, "EntraAwsAutomation").resources("AWS::CloudFormation::StackSet").values()
    return found


def test_the_stackset_deploys_every_documented_policy_and_no_other(stack_set: dict[str, Any]) -> None:
    member = json.loads(stack_set["TemplateBody"])
    policies = {
        (p["Properties"]["Path"], p["Properties"]["ManagedPolicyName"]): p["Properties"]["PolicyDocument"]
        for p in member["Resources"].values()
        if p["Type"] == "AWS::IAM::ManagedPolicy"
    }
    assert policies == {("/b/", "DevBoundary"): BOUNDARY, ("/", "TeamPolicy"): TEAM}


def test_it_targets_the_rules_ous_and_accounts_with_auto_deployment(stack_set: dict[str, Any]) -> None:
    assert stack_set["StackSetName"] == STACK_SET_NAME and stack_set["PermissionModel"] == "SERVICE_MANAGED"
    assert stack_set["AutoDeployment"]["Enabled"] is True and stack_set["CallAs"] == "SELF"
    groups = [(g["DeploymentTargets"], g["Regions"]) for g in stack_set["StackInstancesGroup"]]
    assert groups == [
        ({"OrganizationalUnitIds": [OU]}, ["eu-west-1"]),
        ({"OrganizationalUnitIds": [ROOT], "Accounts": [DEV], "AccountFilterType": "INTERSECTION"}, ["eu-west-1"]),
    ]


def test_cfn_lint_reports_no_errors(assembly: Path) -> None:
    names = sorted(str(p) for p in assembly.glob("EntraAws*.template.json"))
    result = subprocess.run(
        [sys.executable, "-m", "cfnlint", "--format", "parseable", *names], capture_output=True, text=True
    )
    assert [line for line in result.stdout.splitlines() if ":E" in line] == [], result.stdout


def test_a_delegated_administrator_calls_as_one(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("delegated-config")
    config = config_file(folder, topology="delegated_admin", delegated_admin_account_id="333333333334")
    outdir = synthesized(config, tmp_path_factory.mktemp("cdk.out.referenced-policies-delegated"))
    (found,) = template(outdir, "EntraAwsAutomation").resources("AWS::CloudFormation::StackSet").values()
    assert found["CallAs"] == "DELEGATED_ADMIN"
