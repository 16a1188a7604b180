"""The ownership key (stacks/automation/ownership.py): an HMAC key only the worker (and the config's admin roles)
may seal with, its alias, and the worker told its ARN. Synthesized with cdk-nag (the fixture raises on findings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.automation.ownership import ALIAS
from tests.infrastructure.synthesized import Template, template

pytestmark = pytest.mark.infrastructure
WORKER = "arn:aws:iam::111111111111:role/entra-aws-reconcile-worker"


@pytest.fixture(scope="module")
def automation(management_assembly: Path) -> Template:
    return template(management_assembly, "EntraAwsAutomation")


def statements(automation: Template) -> dict[str, dict[str, Any]]:
    (policy,) = [p["KeyPolicy"] for p in automation.resources("AWS::KMS::Key").values() if p.get("KeySpec")]
    return {s["Sid"]: automation.resolve(s) for s in policy["Statement"]}


def test_the_key_is_an_hmac_key_with_its_alias(automation: Template) -> None:
    (key_id,) = [k for k, p in automation.resources("AWS::KMS::Key").items() if p.get("KeySpec") == "HMAC_256"]
    key = automation.document["Resources"][key_id]
    assert key["Properties"]["KeyUsage"] == "GENERATE_VERIFY_MAC" and key["DeletionPolicy"] == "Retain"
    aliases = automation.resources("AWS::KMS::Alias").values()
    assert [a["TargetKeyId"] for a in aliases if a["AliasName"] == ALIAS] == [{"Fn::GetAtt": [key_id, "Arn"]}]


def test_only_the_worker_may_generate_or_verify_macs(automation: Template) -> None:
    found = statements(automation)
    assert found["SealAndVerify"]["Condition"] == {"ArnEquals": {"aws:PrincipalArn": [WORKER]}}
    deny = found["NobodyElseSeals"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"} and "kms:GenerateMac" in deny["Action"]
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": [WORKER]}}
    administration = found["KeyAdministration"]["Action"]
    assert not any(
        a.startswith(("kms:GenerateMac", "kms:VerifyMac", "kms:CreateGrant", "kms:*")) for a in administration
    )


def test_the_worker_alone_is_given_the_key(automation: Template) -> None:
    functions = automation.resources("AWS::Lambda::Function")
    told = {k: f["Environment"]["Variables"].get("OWNERSHIP_KEY") for k, f in functions.items()}
    (worker,) = [k for k, value in told.items() if value is not None]
    assert worker.startswith("ReconcileWorker")
    granted = [
        (policy["Roles"], s["Action"])
        for policy in automation.resources("AWS::IAM::Policy").values()
        for s in policy["PolicyDocument"]["Statement"]
        if "kms:GenerateMac" in s["Action"]
    ]
    assert granted == [
        (
            [{"Ref": automation.document["Resources"][worker]["Properties"]["Role"]["Fn::GetAtt"][0]}],
            ["kms:GenerateMac", "kms:VerifyMac"],
        )
    ]
