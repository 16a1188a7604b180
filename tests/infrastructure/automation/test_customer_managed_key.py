"""deployment.create_key / kms_key_arn (stacks/automation/encryption.py): the queues, the topic and the log groups
use the customer managed key; the created key lets the services in only for this account. Synthesized with
cdk-nag (the synth raises on findings)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from entra_aws.config import load_config
from tests.infrastructure.synthesized import EXAMPLE, Template, synth_config, template, with_deployment

pytestmark = pytest.mark.infrastructure
GIVEN = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(scope="module")
def created_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth_config(
        with_deployment(load_config(EXAMPLE), create_key=True), tmp_path_factory.mktemp("cdk.out.created-key")
    )


@pytest.fixture(scope="module")
def created(created_assembly: Path) -> Template:
    return template(created_assembly, "EntraAwsAutomation")


@pytest.fixture(scope="module")
def given(tmp_path_factory: pytest.TempPathFactory) -> Template:
    outdir = synth_config(
        with_deployment(load_config(EXAMPLE), kms_key_arn=GIVEN), tmp_path_factory.mktemp("cdk.out.given-key")
    )
    return template(outdir, "EntraAwsAutomation")


def automation_key(automation: Template) -> str:
    (key,) = [k for k, p in automation.resources("AWS::KMS::Key").items() if "queues" in p.get("Description", "")]
    return key


def encrypted_with(automation: Template) -> set[str]:
    """What each queue, topic and log group names as its key, as resolved ARNs."""
    keys = [q.get("KmsMasterKeyId") for q in automation.resources("AWS::SQS::Queue").values()]
    keys += [t.get("KmsMasterKeyId") for t in automation.resources("AWS::SNS::Topic").values()]
    keys += [g.get("KmsKeyId") for g in automation.resources("AWS::Logs::LogGroup").values()]
    return {str(automation.resolve(k)) for k in keys}


def test_a_created_key_encrypts_the_queues_the_topic_and_the_log_groups(created: Template) -> None:
    key = automation_key(created)
    assert encrypted_with(created) == {created.resolve({"Fn::GetAtt": [key, "Arn"]})}
    properties = created.resources("AWS::KMS::Key")[key]
    assert properties["EnableKeyRotation"] is True
    assert created.document["Resources"][key]["DeletionPolicy"] == "Retain"


def test_the_created_key_lets_services_in_for_this_account_only(created: Template) -> None:
    policy = created.resources("AWS::KMS::Key")[automation_key(created)]["KeyPolicy"]
    services = {
        str(created.resolve(s["Principal"]["Service"])): created.resolve(s.get("Condition"))
        for s in policy["Statement"]
        if "Service" in s.get("Principal", {})
    }
    assert services == {
        "logs.eu-west-1.amazonaws.com": {
            "ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:111111111111:log-group:*"}
        },
        "cloudwatch.amazonaws.com": {"StringEquals": {"aws:SourceAccount": "111111111111"}},
        "events.amazonaws.com": {"StringEquals": {"aws:SourceAccount": "111111111111"}},
    }
    queue_policies = created.resources("AWS::SQS::QueuePolicy").values()
    events = [
        s
        for p in queue_policies
        for s in p["PolicyDocument"]["Statement"]
        if s["Principal"] == {"Service": "events.amazonaws.com"}
    ]
    assert events and all(
        "aws:SourceAccount" in str(s["Condition"]) or "aws:SourceArn" in str(s["Condition"]) for s in events
    )


def test_a_given_key_is_used_and_no_key_is_made_for_the_topic(given: Template) -> None:
    assert encrypted_with(given) == {GIVEN}
    assert not [p for p in given.resources("AWS::KMS::Key").values() if p.get("KeySpec") != "HMAC_256"]


def test_cfn_lint_reports_no_errors(created_assembly: Path) -> None:
    names = sorted(str(p) for p in created_assembly.glob("EntraAws*.template.json"))
    result = subprocess.run(
        [sys.executable, "-m", "cfnlint", "--format", "parseable", *names], capture_output=True, text=True
    )
    assert [line for line in result.stdout.splitlines() if ":E" in line] == [], result.stdout


def test_without_a_key_the_topics_own_key_lets_cloudwatch_in_for_this_account_only(management_assembly: Path) -> None:
    automation = template(management_assembly, "EntraAwsAutomation")
    (policy,) = [p["KeyPolicy"] for p in automation.resources("AWS::KMS::Key").values() if "topic" in p["Description"]]
    services = [s for s in policy["Statement"] if "Service" in s.get("Principal", {})]
    assert [(s["Principal"], s["Action"], s["Condition"]) for s in services] == [
        (
            {"Service": "cloudwatch.amazonaws.com"},
            ["kms:Decrypt", "kms:GenerateDataKey*"],
            {"StringEquals": {"aws:SourceAccount": "111111111111"}},
        )
    ]
