"""`cdk deploy`, locally: synthesize the CDK app for a config and create in the emulator what the automation
templates define — queues (with their redrive policies), the idempotency table, the topic, the EventBridge rules
with their exact patterns and targets (the us-east-1 forwarder included) — and record the Lambda functions and
their SQS event-source mappings so the handlers can run in-process. Each stack goes to the account its template
is for: with topology delegated_admin, the automation to the delegated administrator, the forwarders to the
management account (sandbox.emulator.AccountRouting).

The KMS keys (the ownership key is an HMAC key the worker seals with) and their aliases are created too, without
their key policies (moto does not enforce them). Not created (nothing in the sandbox reads them): IAM roles and
policies, log groups, alarms.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from entra_aws.config import Config

CHECKOUT = Path(__file__).resolve().parents[1]
AUTOMATION_STACK = "EntraAwsAutomation"
FORWARDER_STACK_PREFIX = "EntraAwsOrgEventForwarder"
MANAGEMENT_FORWARDER_PREFIX = "EntraAwsManagementForwarder"
PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": None}


class DeploymentError(RuntimeError):
    """The synthesized template uses something the sandbox cannot create."""


@dataclass(frozen=True)
class StackTemplate:
    name: str
    region: str
    template: dict[str, Any]
    assembly_dir: Path
    account: str | None = None
    """The account the stack is for (None: unresolved, the deployment's)."""


@dataclass
class Function:
    name: str
    handler: str
    environment: dict[str, str]
    timeout_seconds: int
    memory_mb: int
    config_path: Path


@dataclass
class EventSourceMapping:
    queue_url: str
    queue_arn: str
    function: Function
    batch_size: int


@dataclass
class Deployment:
    account_id: str
    region: str
    functions: dict[str, Function] = field(default_factory=dict)
    mappings: list[EventSourceMapping] = field(default_factory=list)
    dead_letter_queues: dict[str, str] = field(default_factory=dict)
    """Logical id -> URL of every queue that is some queue's dead-letter target."""
    rules: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Logical id -> (region, rule name)."""
    schedules: list[tuple[str, str]] = field(default_factory=list)
    topic_arn: str = ""
    inbox_url: str = ""
    """A queue subscribed to the topic, standing in for the e-mail subscriptions."""
    deploy_function: Function | None = None


def _node_on_path() -> None:
    """jsii runs the CDK in Node.js: prefer the supported Node installed next to this interpreter (make setup)."""
    venv_bin = str(Path(sys.executable).parent)
    if (Path(venv_bin) / "node").exists() and not os.environ.get("PATH", "").startswith(venv_bin):
        os.environ["PATH"] = venv_bin + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
    if shutil.which("node") is None:
        raise DeploymentError("Node.js is needed to synthesize the CDK app; run `make setup`")


def _checkout_on_path() -> None:
    """The CDK app (stacks/) and the handlers (lambdas/) live in the checkout beside the package."""
    if not (CHECKOUT / "stacks" / "application.py").is_file():
        raise DeploymentError(f"simulate runs from an entra-aws checkout; no stacks/ beside {CHECKOUT / 'entra_aws'}")
    if str(CHECKOUT) not in sys.path:
        sys.path.insert(0, str(CHECKOUT))


def synthesize(config: Config, outdir: Path | None = None) -> list[StackTemplate]:
    """The automation stacks of the app, synthesized in this process (no Docker, no credentials, no network)."""
    _checkout_on_path()
    _node_on_path()
    import aws_cdk as cdk

    from stacks.application import build_app

    out = outdir or Path(tempfile.mkdtemp(prefix="entra-aws-cdk-out-"))
    app = cdk.App(outdir=str(out))
    try:
        build_app(app, config)
        assembly = app.synth()
    except Exception as error:  # jsii reports construct errors as JSIIError; say what CDK said, in one line
        first = next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)
        raise DeploymentError(f"cdk synth failed: {first}") from None
    return [
        StackTemplate(s.stack_name, s.environment.region, s.template, Path(assembly.directory), _account(s))
        for s in assembly.stacks
        if s.stack_name == AUTOMATION_STACK
        or s.stack_name.startswith((FORWARDER_STACK_PREFIX, MANAGEMENT_FORWARDER_PREFIX))
    ]


def _account(stack: Any) -> str | None:
    account = str(stack.environment.account)
    return account if account.isdigit() else None


def _in_account(account: str) -> Any:
    """A session whose requests name their emulated account (moto's `x-moto-account-id` header)."""
    import boto3

    session = boto3.Session()

    def name_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    session.events.register("before-sign", name_account)
    return session


class _Resolver:
    """CloudFormation intrinsics, for the references these templates use."""

    def __init__(self, account_id: str, region: str, template: dict[str, Any]) -> None:
        self.account_id, self.region = account_id, region
        self.resources: dict[str, dict[str, Any]] = template["Resources"]
        self.refs: dict[str, str] = {}
        self.arns: dict[str, str] = {}

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(argument)
            if key == "Fn::GetAtt":
                return self._get_att(*argument)
            if key == "Fn::Join":
                separator, parts = argument
                return separator.join(str(self(p)) for p in parts)
            if key.startswith("Fn::"):
                raise DeploymentError(f"the sandbox does not evaluate {key}")
        return {k: self(v) for k, v in value.items()}

    def _ref(self, name: str) -> Any:
        if name in PSEUDO:
            return PSEUDO[name]
        if name == "AWS::Region":
            return self.region
        if name == "AWS::AccountId":
            return self.account_id
        if name in self.refs:
            return self.refs[name]
        raise DeploymentError(f"Ref {name}: not created in the sandbox")

    def _get_att(self, logical_id: str, attribute: str) -> str:
        if attribute == "Arn" and logical_id in self.arns:
            return self.arns[logical_id]
        resource = self.resources.get(logical_id, {})
        if attribute == "Arn" and resource.get("Type") == "AWS::IAM::Role":
            name = resource.get("Properties", {}).get("RoleName", logical_id)
            return f"arn:aws:iam::{self.account_id}:role/{name}"
        raise DeploymentError(f"Fn::GetAtt {logical_id}.{attribute}: not created in the sandbox")


def _of_type(template: dict[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(k, r.get("Properties", {})) for k, r in template["Resources"].items() if r["Type"] == kind]


def _physical_name(stack: str, logical_id: str, fifo: bool = False) -> str:
    base = f"{stack}-{logical_id}"[: 75 if fifo else 80]
    return base + (".fifo" if fifo else "")


QUEUE_ATTRIBUTES = (
    "FifoQueue",
    "ContentBasedDeduplication",
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "RedrivePolicy",
)


def _queue_attribute(value: Any, resolve: _Resolver) -> str:
    """CloudFormation property value -> SQS attribute string (booleans lower-case, policies as JSON)."""
    if isinstance(value, dict):
        return json.dumps(resolve(value))
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _queue_arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def _queues(session: Any, stack: StackTemplate, resolve: _Resolver, deployment: Deployment) -> None:
    sqs = session.client("sqs", region_name=stack.region)
    queues = _of_type(stack.template, "AWS::SQS::Queue")
    # dead-letter queues first: the others' redrive policies point at them
    queues.sort(key=lambda item: "RedrivePolicy" in item[1])
    for logical_id, properties in queues:
        attributes = {k: _queue_attribute(v, resolve) for k, v in properties.items() if k in QUEUE_ATTRIBUTES}
        name = _physical_name(stack.name, logical_id, bool(properties.get("FifoQueue")))
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        resolve.refs[logical_id], resolve.arns[logical_id] = url, _queue_arn(sqs, url)
    for _, properties in queues:
        redrive = properties.get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            deployment.dead_letter_queues[target] = resolve.refs[target]


def _tables(session: Any, stack: StackTemplate, resolve: _Resolver) -> None:
    dynamodb = session.client("dynamodb", region_name=stack.region)
    for logical_id, properties in _of_type(stack.template, "AWS::DynamoDB::Table"):
        name = _physical_name(stack.name, logical_id)
        dynamodb.create_table(
            TableName=name,
            KeySchema=properties["KeySchema"],
            AttributeDefinitions=properties["AttributeDefinitions"],
            BillingMode=properties.get("BillingMode", "PAY_PER_REQUEST"),
        )
        resolve.refs[logical_id] = name


def _topics(session: Any, stack: StackTemplate, resolve: _Resolver, deployment: Deployment) -> None:
    sns = session.client("sns", region_name=stack.region)
    sqs = session.client("sqs", region_name=stack.region)
    for logical_id, _ in _of_type(stack.template, "AWS::SNS::Topic"):
        arn = sns.create_topic(Name=_physical_name(stack.name, logical_id))["TopicArn"]
        resolve.refs[logical_id] = resolve.arns[logical_id] = arn
        inbox = sqs.create_queue(QueueName=_physical_name(stack.name, f"{logical_id}-inbox"))["QueueUrl"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=_queue_arn(sqs, inbox))
        deployment.topic_arn, deployment.inbox_url = arn, inbox
    for _, properties in _of_type(stack.template, "AWS::SNS::Subscription"):
        sns.subscribe(
            TopicArn=resolve(properties["TopicArn"]),
            Protocol=properties["Protocol"],
            Endpoint=resolve(properties["Endpoint"]),
        )


def _keys(session: Any, stack: StackTemplate, resolve: _Resolver) -> None:
    """KMS keys with their spec and usage (the ownership key: HMAC_256, GENERATE_VERIFY_MAC), and their aliases."""
    kms = session.client("kms", region_name=stack.region)
    for logical_id, properties in _of_type(stack.template, "AWS::KMS::Key"):
        arguments = {"KeySpec": properties.get("KeySpec", "SYMMETRIC_DEFAULT")}
        arguments["KeyUsage"] = properties.get("KeyUsage", "ENCRYPT_DECRYPT")
        created = kms.create_key(**arguments, Description=properties.get("Description", logical_id))["KeyMetadata"]
        resolve.refs[logical_id], resolve.arns[logical_id] = created["KeyId"], created["Arn"]
    for _, properties in _of_type(stack.template, "AWS::KMS::Alias"):
        kms.create_alias(AliasName=properties["AliasName"], TargetKeyId=resolve(properties["TargetKeyId"]))


def _rules(session: Any, stack: StackTemplate, resolve: _Resolver, deployment: Deployment) -> None:
    events = session.client("events", region_name=stack.region)
    for logical_id, properties in _of_type(stack.template, "AWS::Events::Rule"):
        name = _physical_name(stack.name, logical_id)[:64]
        arguments: dict[str, Any] = {"Name": name, "State": properties.get("State", "ENABLED")}
        if "EventPattern" in properties:
            arguments["EventPattern"] = json.dumps(resolve(properties["EventPattern"]))
        if "ScheduleExpression" in properties:
            arguments["ScheduleExpression"] = properties["ScheduleExpression"]
            deployment.schedules.append((stack.region, name))
        events.put_rule(**arguments)
        targets = [
            {k: resolve(v) for k, v in target.items() if k not in ("RetryPolicy",)}
            for target in properties.get("Targets", [])
        ]
        if targets:
            events.put_targets(Rule=name, Targets=targets)
        deployment.rules[logical_id] = (stack.region, name)


def _config_path(stack: StackTemplate, function: dict[str, Any], config: Config) -> Path:
    """The config.json staged in the function's code asset (what the Lambda reads), else written from the
    config the same way the asset stager writes it."""
    asset: str | None = function.get("Metadata", {}).get("aws:asset:path")
    if asset and (stack.assembly_dir / asset / "config.json").is_file():
        return stack.assembly_dir / asset / "config.json"
    from stacks.lambda_asset import config_document

    path = Path(tempfile.mkdtemp(prefix="entra-aws-config-")) / "config.json"
    path.write_text(json.dumps(config_document(config), indent=1, sort_keys=True), encoding="utf-8")
    return path


def _functions(stack: StackTemplate, resolve: _Resolver, deployment: Deployment, config: Config) -> None:
    for logical_id, resource in stack.template["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        properties = resource["Properties"]
        resolve.refs[logical_id] = logical_id
        resolve.arns[logical_id] = f"arn:aws:lambda:{stack.region}:{deployment.account_id}:function:{logical_id}"
        variables = resolve(properties.get("Environment", {}).get("Variables", {}))
        deployment.functions[logical_id] = Function(
            name=logical_id,
            handler=properties["Handler"],
            environment={k: str(v) for k, v in variables.items()},
            timeout_seconds=int(properties.get("Timeout", 3)),
            memory_mb=int(properties.get("MemorySize", 128)),
            config_path=_config_path(stack, resource, config),
        )
        if properties["Handler"].startswith("lambdas.deploy_reconcile."):
            deployment.deploy_function = deployment.functions[logical_id]
    for _, properties in _of_type(stack.template, "AWS::Lambda::EventSourceMapping"):
        queue = properties["EventSourceArn"]["Fn::GetAtt"][0]
        deployment.mappings.append(
            EventSourceMapping(
                queue_url=resolve.refs[queue],
                queue_arn=resolve.arns[queue],
                function=deployment.functions[properties["FunctionName"]["Ref"]],
                batch_size=int(properties.get("BatchSize", 10)),
            )
        )


def deploy(templates: list[StackTemplate], config: Config, account_id: str, session: Any = None) -> Deployment:
    """Create the automation's resources in the emulator, each stack in its own region and account;
    `account_id` is the automation's (the handlers run there). Dead-letter queues of another account's stack are
    not watched (the simulator reads the automation's account)."""
    import boto3

    from sandbox import eventbridge_gaps

    eventbridge_gaps.install()
    session = session or boto3.Session()
    home = next((t for t in templates if t.name == AUTOMATION_STACK), None)
    if home is None:
        raise DeploymentError(f"the synthesized app has no {AUTOMATION_STACK} stack")
    deployment = Deployment(account_id=account_id, region=home.region)
    for stack in sorted(templates, key=lambda t: t.name != AUTOMATION_STACK):
        account = stack.account or account_id
        resolve = _Resolver(account, stack.region, stack.template)
        target = session if account == account_id else _in_account(account)
        _queues(target, stack, resolve, deployment if account == account_id else Deployment(account, stack.region))
        _tables(target, stack, resolve)
        _keys(target, stack, resolve)
        _topics(target, stack, resolve, deployment)
        _functions(stack, resolve, deployment, config)
        _rules(target, stack, resolve, deployment)
    return deployment
