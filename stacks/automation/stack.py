"""EventBridge rules -> events queue -> router Lambda -> reconcile queue (FIFO, one message per scope) ->
worker Lambda (bounded concurrency) -> the engine. Plus a schedule, a deploy-time reconcile and a topic."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from entra_aws.config import Config
from entra_aws.engine.scope import Scope
from entra_aws.events import rules
from entra_aws.events.messages import ReconcileMessage
from stacks import lambda_asset
from stacks.automation import permissions

RUNTIME = lambda_.Runtime.PYTHON_3_13
# Powertools for AWS Lambda (Python) v3 layer, built per Python version (it carries pydantic v2, whose
# compiled core must match the runtime). Version 27: the newest in the Powertools docs (PR 7757).
# Override with `cdk synth -c powertools_layer_version=N`.
POWERTOOLS_LAYER_VERSION = 27
POWERTOOLS_ACCOUNT = "017000801446"
WORKER_ROLE_NAME = "entra-aws-reconcile-worker"
ROUTER_ROLE_NAME = "entra-aws-event-router"
ROUTER_TIMEOUT = cdk.Duration.seconds(60)
WORKER_TIMEOUT = cdk.Duration.minutes(15)
MAX_RECEIVES = 3


def event_pattern(pattern: dict[str, Any]) -> events.EventPattern:
    return events.EventPattern(
        source=_top_level(pattern.get("source")), detail_type=pattern.get("detail-type"), detail=pattern.get("detail")
    )


def _top_level(values: list[Any] | None) -> list[str] | None:
    """CDK types top-level pattern fields as strings; a `{"prefix": ...}` filter goes through `Match.prefix`."""
    if values and isinstance(values[0], dict):
        (only,) = values
        return events.Match.prefix(only["prefix"])
    return values


class AutomationStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config, **kwargs: Any) -> None:
        region = config.identity_center.region
        super().__init__(
            scope,
            construct_id,
            env=cdk.Environment(account=config.management_account_id, region=region),
            description="entra-aws: event-driven Identity Center reconciliation (rules, queues, handlers)",
            **kwargs,
        )
        self.config = config
        self.role_arns = {
            name: f"arn:{self.partition}:iam::{self.account}:role/{name}"
            for name in (WORKER_ROLE_NAME, ROUTER_ROLE_NAME)
        }
        self._key_and_topic()
        self._queues()
        self._idempotency_table()
        code = lambda_.Code.from_asset(str(lambda_asset.stage(config)))
        layer = lambda_.LayerVersion.from_layer_version_arn(self, "Powertools", self._layer_arn())
        self.router = self._function("EventRouter", ROUTER_ROLE_NAME, "lambdas.event_router.handler", code, layer)
        self.worker = self._function(
            "ReconcileWorker", WORKER_ROLE_NAME, "lambdas.reconcile_worker.handler", code, layer
        )
        self._wire_handlers()
        self._rules()
        self._schedule()
        if config.automation.reconcile_on_deploy:
            self._deploy_reconcile(code, layer)
        self._alarms()
        self._outputs()

    # --- storage and messaging -----------------------------------------------------------------------------

    def _key_and_topic(self) -> None:
        self.key = kms.Key(
            self, "NotificationKey", enable_key_rotation=True, description="entra-aws notifications topic"
        )
        self.key.grant_encrypt_decrypt(iam.ServicePrincipal("cloudwatch.amazonaws.com"))
        self.topic = sns.Topic(
            self,
            "Notifications",
            display_name="entra-aws drift and failures",
            master_key=self.key,
            enforce_ssl=True,
        )
        for email in self.config.automation.notification_emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))

    def _queue(self, name: str, *, fifo: bool, visibility: cdk.Duration, dlq: sqs.IQueue | None) -> sqs.Queue:
        return sqs.Queue(
            self,
            name,
            fifo=fifo or None,
            content_based_deduplication=True if fifo else None,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=visibility,
            retention_period=cdk.Duration.days(14 if dlq is None else 4),
            dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=MAX_RECEIVES) if dlq else None,
        )

    def _queues(self) -> None:
        self.events_dlq = self._queue("EventsDlq", fifo=False, visibility=cdk.Duration.seconds(30), dlq=None)
        self.events_queue = self._queue(
            "EventsQueue",
            fifo=False,
            visibility=cdk.Duration.seconds(6 * ROUTER_TIMEOUT.to_seconds()),
            dlq=self.events_dlq,
        )
        self.reconcile_dlq = self._queue("ReconcileDlq", fifo=True, visibility=cdk.Duration.seconds(30), dlq=None)
        self.reconcile_queue = self._queue(
            "ReconcileQueue", fifo=True, visibility=cdk.Duration.minutes(20), dlq=self.reconcile_dlq
        )
        for dlq in (self.events_dlq, self.reconcile_dlq):
            permissions.acknowledge(dlq, "AwsSolutions-SQS3", "This queue is itself a dead-letter queue.")

    def _idempotency_table(self) -> None:
        self.table = dynamodb.Table(
            self,
            "Idempotency",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute="expiration",
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )

    # --- functions ------------------------------------------------------------------------------------------

    def _layer_arn(self) -> str:
        version = self.node.try_get_context("powertools_layer_version") or POWERTOOLS_LAYER_VERSION
        runtime = RUNTIME.name.replace(".", "")
        return (
            f"arn:{self.partition}:lambda:{self.region}:{POWERTOOLS_ACCOUNT}:layer:"
            f"AWSLambdaPowertoolsPythonV3-{runtime}-x86_64:{version}"
        )

    def _function(
        self, name: str, role_name: str, handler: str, code: lambda_.Code, layer: lambda_.ILayerVersion
    ) -> lambda_.Function:
        worker = role_name == WORKER_ROLE_NAME
        log_group = logs.LogGroup(self, f"{name}Logs", retention=logs.RetentionDays.THREE_MONTHS)
        role = iam.Role(
            self,
            f"{name}Role",
            role_name=role_name,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"entra-aws {name}; its writes are excluded from the drift rule by this name",
        )
        log_group.grant_write(role)
        function = lambda_.Function(
            self,
            name,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.X86_64,
            handler=handler,
            code=code,
            layers=[layer],
            role=role,
            log_group=log_group,
            memory_size=1024 if worker else 512,
            timeout=WORKER_TIMEOUT if worker else ROUTER_TIMEOUT,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                "POWERTOOLS_SERVICE_NAME": "entra-aws",
                "POWERTOOLS_METRICS_NAMESPACE": "EntraAws",
                "POWERTOOLS_LOG_LEVEL": "INFO",
                "TOPIC_ARN": self.topic.topic_arn,
                "IDEMPOTENCY_TABLE": self.table.table_name,
                "RECONCILE_QUEUE_URL": self.reconcile_queue.queue_url,
                "AUTOMATION_ROLE_ARNS": ",".join(sorted(self.role_arns.values())),
                "MAX_CONCURRENT_RECONCILES": str(self.config.automation.max_concurrent_reconciles),
            },
        )
        self.table.grant_read_write_data(role)
        self.topic.grant_publish(role)
        return function

    def _wire_handlers(self) -> None:
        concurrency = self.config.automation.max_concurrent_reconciles
        self.router.add_event_source(
            sources.SqsEventSource(
                self.events_queue,
                batch_size=10,
                max_batching_window=cdk.Duration.seconds(5),
                max_concurrency=2,
                report_batch_item_failures=True,
            )
        )
        self.worker.add_event_source(
            sources.SqsEventSource(
                self.reconcile_queue,
                batch_size=1,
                max_concurrency=concurrency,
                report_batch_item_failures=True,
            )
        )
        self.reconcile_queue.grant_send_messages(self.router)
        self.reconcile_queue.grant_send_messages(self.worker)  # a reconcile out of time queues its continuation
        grants = {
            self.router: permissions.router_statements(self.config, self.partition),
            self.worker: permissions.worker_statements(self.config, self.partition, self.account),
        }
        for function, statements in grants.items():
            for statement in statements:
                function.add_to_role_policy(statement)
            assert function.role is not None
            permissions.acknowledge_wildcards(function.role, statements, self.account)
            permissions.acknowledge(
                function,
                "AwsSolutions-L1",
                "Python 3.13 matches the AWSLambdaPowertoolsPythonV3-python313 layer (pydantic-core is "
                "compiled per Python version); the runtime and the layer move together",
            )

    # --- triggers -------------------------------------------------------------------------------------------

    def _rules(self) -> None:
        self.rules: dict[str, events.Rule] = {}
        for spec in rules.rule_specs(
            include_users=self.config.assigns_users, automation_role_arns=self.role_arns.values()
        ):
            self.rules[spec.name] = events.Rule(
                self,
                spec.name,
                description=f"entra-aws ({spec.category}): {spec.description}",
                event_pattern=event_pattern(spec.pattern),
                targets=[
                    targets.SqsQueue(
                        self.events_queue,
                        dead_letter_queue=self.events_dlq,
                        retry_attempts=8,
                        max_event_age=cdk.Duration.hours(24),
                    )
                ],
            )

    def _schedule(self) -> None:
        template = ReconcileMessage.for_scope("schedule", "schedule", Scope.everything(), "scheduled")
        self.schedule = events.Rule(
            self,
            "ScheduledReconcile",
            description="entra-aws: full reconcile on the configured schedule",
            schedule=events.Schedule.expression(self.config.automation.reconcile_schedule),
            targets=[
                targets.SqsQueue(
                    self.reconcile_queue,
                    message_group_id=template.group_id,
                    dead_letter_queue=self.events_dlq,
                    message=events.RuleTargetInput.from_object(
                        {
                            "id": events.EventField.from_path("$.id"),
                            "trigger": "schedule",
                            "scope": template.scope.model_dump(),
                            "reason": "scheduled full reconcile",
                        }
                    ),
                )
            ],
        )

    def _deploy_reconcile(self, code: lambda_.Code, layer: lambda_.ILayerVersion) -> None:
        log_group = logs.LogGroup(self, "DeployReconcileLogs", retention=logs.RetentionDays.THREE_MONTHS)
        role = iam.Role(self, "DeployReconcileRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        log_group.grant_write(role)
        self.deploy_function = lambda_.Function(
            self,
            "DeployReconcile",
            runtime=RUNTIME,
            handler="lambdas.deploy_reconcile.handler",
            code=code,
            layers=[layer],
            role=role,
            log_group=log_group,
            timeout=cdk.Duration.seconds(60),
            environment={
                "POWERTOOLS_SERVICE_NAME": "entra-aws",
                "RECONCILE_QUEUE_URL": self.reconcile_queue.queue_url,
            },
        )
        self.reconcile_queue.grant_send_messages(role)
        permissions.acknowledge(
            self.deploy_function,
            "AwsSolutions-L1",
            "Python 3.13 matches the AWSLambdaPowertoolsPythonV3-python313 layer; they move together",
        )
        resource = cdk.CustomResource(
            self,
            "ReconcileAfterDeploy",
            service_token=self.deploy_function.function_arn,
            resource_type="Custom::EntraAwsReconcile",
            properties={"ConfigHash": lambda_asset.config_hash(self.config)},
        )
        resource.node.add_dependency(self.worker)

    # --- operations -----------------------------------------------------------------------------------------

    def _alarm(self, name: str, metric: cloudwatch.IMetric, threshold: float, what: str) -> None:
        alarm = cloudwatch.Alarm(
            self,
            name,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"entra-aws: {what}",
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))

    def _alarms(self) -> None:
        period = cdk.Duration.minutes(5)
        for name, dlq in (("EventsDlqDepth", self.events_dlq), ("ReconcileDlqDepth", self.reconcile_dlq)):
            metric = dlq.metric_approximate_number_of_messages_visible(period=period, statistic="Maximum")
            self._alarm(name, metric, 1, f"messages in {name.removesuffix('Depth')}; see docs/automation.md")
        age = self.events_queue.metric_approximate_age_of_oldest_message(period=period, statistic="Maximum")
        self._alarm("EventsQueueAge", age, 900, "events wait more than 15 minutes to be routed")
        age = self.reconcile_queue.metric_approximate_age_of_oldest_message(period=period, statistic="Maximum")
        self._alarm("ReconcileQueueAge", age, 3600, "reconciles wait more than an hour")
        for name, function in (("RouterErrors", self.router), ("WorkerErrors", self.worker)):
            self._alarm(name, function.metric_errors(period=period, statistic="Sum"), 1, f"{name} > 0")

    def _outputs(self) -> None:
        ic = self.config.identity_center
        values = {
            "EventsQueueUrl": self.events_queue.queue_url,
            "EventsDlqUrl": self.events_dlq.queue_url,
            "ReconcileQueueUrl": self.reconcile_queue.queue_url,
            "ReconcileDlqUrl": self.reconcile_dlq.queue_url,
            "TopicArn": self.topic.topic_arn,
            "EventRouterFunction": self.router.function_name,
            "ReconcileWorkerFunction": self.worker.function_name,
            "ReconcileSchedule": self.config.automation.reconcile_schedule,
            "ScheduleRuleName": self.schedule.rule_name,
            "IdentityCenterInstanceArn": ic.instance_arn or "discovered at run time (sso-admin ListInstances)",
            "RuleNames": cdk.Fn.join(",", [rule.rule_name for rule in self.rules.values()]),
        }
        if self.config.automation.reconcile_on_deploy:
            values["DeployReconcileFunction"] = self.deploy_function.function_name
        for name, value in values.items():
            cdk.CfnOutput(self, name, value=value)
