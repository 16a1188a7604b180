"""Synthesize the automation from config/example.yaml and check its template: rules (evaluated against the
real published samples exactly as synthesized), targets, queues, alarms, policies, cdk-nag, cfn-lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from entra_aws.config import load_config
from tests.support.event_pattern import matches
from tests.unit.events import samples

REPO = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.infrastructure


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    from stacks.automation import add_automation_stacks

    out = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(out))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    add_automation_stacks(app, load_config(REPO / "config" / "example.yaml"))
    app.synth()  # raises ValidationFailed on any unacknowledged cdk-nag finding
    return out


@pytest.fixture(scope="module")
def template(assembly: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((assembly / "EntraAwsAutomation.template.json").read_text())
    return document


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in template["Resources"].items() if v["Type"] == kind}


def event_rules(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in resources(template, "AWS::Events::Rule").items() if "EventPattern" in v}


def resolve(value: Any) -> Any:
    """The template's intrinsics in the patterns: only the partition (a real account is in the config)."""
    if isinstance(value, dict):
        if set(value) == {"Fn::Join"}:
            sep, parts = value["Fn::Join"]
            return sep.join(str(resolve(p)) for p in parts)
        if value == {"Ref": "AWS::Partition"}:
            return "aws"
        return {k: resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v) for v in value]
    return value


def matching_rules(template: dict[str, Any], event: dict[str, Any]) -> list[str]:
    return sorted(
        name.rstrip("0123456789ABCDEF")
        for name, rule in event_rules(template).items()
        if matches(resolve(rule["EventPattern"]), event)
    )


def test_cfn_lint_reports_no_errors(assembly: Path) -> None:
    templates = sorted(str(p) for p in assembly.glob("EntraAws*.template.json"))
    result = subprocess.run(
        [sys.executable, "-m", "cfnlint", "--format", "parseable", *templates], capture_output=True, text=True
    )
    errors = [line for line in result.stdout.splitlines() if ":E" in line]
    assert errors == [], result.stdout


def test_forwarder_stack_in_us_east_1(assembly: Path) -> None:
    forwarder = json.loads((assembly / "EntraAwsOrgEventForwarder-us-east-1.template.json").read_text())
    (rule,) = resources(forwarder, "AWS::Events::Rule").values()
    assert "eu-west-1" in json.dumps(rule["Targets"])
    event = samples.cloudtrail("organizations-CreateAccountResult-SUCCEEDED.awsdocs.json")
    assert matches(rule["EventPattern"], event)


ROUTED = [
    ("sso-directory-CreateGroup-console-root.mgmtacct.json", "IdentityChanges"),
    ("organizations-CreateAccountResult-SUCCEEDED.awsdocs.json", "AccountCreated"),
    ("sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json", "ManualIdentityCenterChanges"),
    ("sso-CreatePermissionSet-console-root.mgmtacct.json", "ManualIdentityCenterChanges"),
]


@pytest.mark.parametrize(("name", "rule"), ROUTED)
def test_real_samples_reach_their_rule(template: dict[str, Any], name: str, rule: str) -> None:
    assert matching_rules(template, samples.cloudtrail(name)) == [rule]


@pytest.mark.parametrize("source", ["aws.sso", "aws.identitystore", "aws.identitystore-scim", "aws.unannounced"])
def test_scim_group_writes_match_whatever_aws_source_they_carry(template: dict[str, Any], source: str) -> None:
    """SCIM's EventBridge source is undocumented: any `aws.` source matches; a custom one never does."""
    for event in (samples.scim_create_group(), samples.scim_patch_group(), samples.scim_delete_group()):
        event["source"] = source
        assert matching_rules(template, event) == ["IdentityChanges"]
        event["source"] = source.replace("aws.", "custom.")
        assert matching_rules(template, event) == []


@pytest.mark.parametrize(
    "name",
    [
        "identitystore-scim-CreateGroup-failed-ConflictException.awsdocs.json",
        "identitystore-scim-PatchGroup-failed-ValidationException.awsdocs.json",
        "identitystore-scim-PatchUser-failed-ValidationException.awsdocs.json",
        "organizations-CreateOrganizationalUnit.awsdocs.json",
        "organizations-CreateAccount-ApiCall.awsdocs.json",
        "iam-CreateRole-invokedBy-sso-after-CreateAccountAssignment.mgmtacct.json",
    ],
)
def test_failed_and_irrelevant_calls_match_no_rule(template: dict[str, Any], name: str) -> None:
    assert matching_rules(template, samples.cloudtrail(name, source="aws.sso")) == []


def test_enveloped_samples(template: dict[str, Any]) -> None:
    nuvibit = samples.load("eventbridge/eventbridge-organizations-CreateAccountResult.nuvibit.json")
    assert matching_rules(template, nuvibit) == ["AccountCreated"]
    control_tower = samples.load(
        "eventbridge/eventbridge-controltower-CreateManagedAccount.awsdocs.WITH-COMMENTS.jsonc"
    )
    assert matching_rules(template, control_tower) == ["ControlTowerAccount"]
    failed = samples.derive(control_tower, serviceEventDetails__createManagedAccountStatus__state="FAILED")
    assert matching_rules(template, failed) == []


def test_root_console_change_is_drift_but_our_own_is_not(template: dict[str, Any]) -> None:
    event = samples.cloudtrail("sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json")
    assert event["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"] == {}
    assert matching_rules(template, event) == ["ManualIdentityCenterChanges"]
    own = samples.derive(
        event,
        userIdentity=samples.role_arn_identity("arn:aws:iam::111111111111:role/entra-aws-reconcile-worker"),
    )
    assert matching_rules(template, own) == []
    other = samples.derive(event, userIdentity=samples.role_arn_identity("arn:aws:iam::111111111111:role/Admin"))
    assert matching_rules(template, other) == ["ManualIdentityCenterChanges"]


def test_rules_target_the_events_queue_with_a_dlq(template: dict[str, Any]) -> None:
    queues = resources(template, "AWS::SQS::Queue")
    assert len(queues) == 4
    for rule in event_rules(template).values():
        (target,) = rule["Targets"]
        assert target["Arn"]["Fn::GetAtt"][0].startswith("EventsQueue")
        assert target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0].startswith("EventsDlq")
    fifo = [q for q in queues.values() if q.get("FifoQueue")]
    assert len(fifo) == 2
    for queue in queues.values():
        assert queue.get("SqsManagedSseEnabled") is True
        if "RedrivePolicy" in queue:
            assert queue["RedrivePolicy"]["maxReceiveCount"] == 3


def test_schedule_and_deploy_reconcile(template: dict[str, Any]) -> None:
    schedules = [r for r in resources(template, "AWS::Events::Rule").values() if "ScheduleExpression" in r]
    assert [s["ScheduleExpression"] for s in schedules] == ["rate(6 hours)"]
    (target,) = schedules[0]["Targets"]
    assert target["SqsParameters"]["MessageGroupId"]
    (custom,) = [v for v in template["Resources"].values() if v["Type"] == "Custom::EntraAwsReconcile"]
    assert len(custom["Properties"]["ConfigHash"]) == 64


def test_alarms_on_dlq_depth_and_queue_age(template: dict[str, Any]) -> None:
    metrics = sorted(a["MetricName"] for a in resources(template, "AWS::CloudWatch::Alarm").values())
    assert metrics.count("ApproximateNumberOfMessagesVisible") == 2
    assert metrics.count("ApproximateAgeOfOldestMessage") == 2
    for alarm in resources(template, "AWS::CloudWatch::Alarm").values():
        assert alarm["AlarmActions"]


def test_worker_concurrency_is_bounded(template: dict[str, Any]) -> None:
    mappings = resources(template, "AWS::Lambda::EventSourceMapping").values()
    assert all(m["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in mappings)
    functions = resources(template, "AWS::Lambda::Function")
    [(worker_id, worker)] = [(k, f) for k, f in functions.items() if f["Handler"] == "lambdas.reconcile_worker.handler"]
    [mapping] = [m for m in mappings if m["FunctionName"] == {"Ref": worker_id}]
    configured = load_config(REPO / "config" / "example.yaml").automation.max_concurrent_reconciles
    share = int(worker["Environment"]["Variables"]["MAX_CONCURRENT_RECONCILES"])
    assert mapping["ScalingConfig"]["MaximumConcurrency"] == share == configured, "the quota split must match"


def test_write_actions_never_use_a_star_resource(template: dict[str, Any]) -> None:
    for policy in resources(template, "AWS::IAM::Policy").values():
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            writes = [
                a
                for a in actions
                if a.split(":")[1].startswith(("Create", "Delete", "Put", "Update", "Attach", "Detach", "Provision"))
            ]
            if writes and not any(a.startswith("xray:") for a in actions):
                assert statement["Resource"] != "*", statement


def test_functions_run_python_313_on_x86_64_with_no_layer(template: dict[str, Any]) -> None:
    """The asset's wheels are built for CPython 3.13 x86_64; a layer would bring untested versions."""
    functions = resources(template, "AWS::Lambda::Function").values()
    assert functions
    for function in functions:
        assert function["Runtime"] == "python3.13"
        assert function["Architectures"] == ["x86_64"]
        assert "Layers" not in function


def test_outputs(template: dict[str, Any]) -> None:
    expected = {
        "EventsQueueUrl",
        "EventsDlqUrl",
        "ReconcileQueueUrl",
        "ReconcileDlqUrl",
        "TopicArn",
        "EventRouterFunction",
        "ReconcileWorkerFunction",
        "ReconcileSchedule",
        "IdentityCenterInstanceArn",
        "RuleNames",
        "DeployReconcileFunction",
    }
    assert expected <= set(template["Outputs"])


def test_asset_carries_config_json_and_its_pinned_dependencies(assembly: Path) -> None:
    from entra_aws.config.models import Config

    (asset,) = [p for p in assembly.glob("asset.*") if (p / "config.json").exists()]
    config = Config.model_validate(json.loads((asset / "config.json").read_text()))
    developer = config.permission_set("Developer")
    assert developer is not None and developer.inline_policy is not None
    assert (asset / "lambdas" / "event_router.py").exists()
    assert not (asset / "entra_aws" / "sandbox").exists() and not (asset / "sandbox").exists()
    assert not list((asset / "entra_aws").rglob("*.so"))
    pins = [line.split("==") for line in (REPO / "requirements-lambda.txt").read_text().splitlines() if "==" in line]
    missing = [f"{name}=={version}" for name, version in pins if not list(asset.glob(f"*-{version}.dist-info"))]
    assert missing == []
    compiled = {p.name for p in (asset / "pydantic_core").glob("*.so")}
    assert compiled and all("cpython-313-x86_64-linux-gnu" in name for name in compiled), compiled


def test_the_concern_constructs_keep_the_logical_ids_of_a_flat_stack(template: dict[str, Any]) -> None:
    """A changed logical id makes CloudFormation replace the resource: a named role or an event-source mapping
    would collide with the one it replaces, a queue or the table would lose what it holds."""
    kept = {
        "EventsQueueB96EB0D2": "AWS::SQS::Queue",
        "ReconcileQueue152AB589": "AWS::SQS::Queue",
        "IdempotencyC15CBC33": "AWS::DynamoDB::Table",
        "EventRouterRoleFF2F1485": "AWS::IAM::Role",
        "ReconcileWorkerRoleE89B8B54": "AWS::IAM::Role",
        "EventRouterSqsEventSourceEntraAwsAutomationEventsQueue4684EDB78D7EEE04": "AWS::Lambda::EventSourceMapping",
        "ReconcileWorkerSqsEventSourceEntraAwsAutomationReconcileQueue4EFFE9A3AF7C3B1C": (
            "AWS::Lambda::EventSourceMapping"
        ),
        "ScheduledReconcileC472EECA": "AWS::Events::Rule",
        "ReconcileAfterDeploy": "Custom::EntraAwsReconcile",
    }
    assert {name: template["Resources"].get(name, {}).get("Type") for name in kept} == kept


def test_the_functions_environment_is_the_settings_model(template: dict[str, Any]) -> None:
    from lambdas.settings import FunctionSettings, HandlerSettings, WorkerSettings

    functions = resources(template, "AWS::Lambda::Function").values()
    handlers = {f["Handler"]: set(f["Environment"]["Variables"]) for f in functions}
    assert handlers["lambdas.event_router.handler"] == {name.upper() for name in HandlerSettings.model_fields} - {
        "ENTRA_AWS_CONFIG"
    }
    worker = {name.upper() for name in WorkerSettings.model_fields} - {"ENTRA_AWS_CONFIG"}
    assert (
        handlers["lambdas.reconcile_worker.handler"]
        == worker
        == handlers["lambdas.event_router.handler"] | {"OWNERSHIP_KEY"}
    )
    assert handlers["lambdas.deploy_reconcile.handler"] == {"POWERTOOLS_SERVICE_NAME", "RECONCILE_QUEUE_URL"}
    assert set(FunctionSettings.model_fields) < set(HandlerSettings.model_fields)
