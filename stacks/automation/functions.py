"""The Lambda functions: the router and the worker, fed by their queues, and the deploy-time reconcile. One
code asset staged at synth (the handlers with their pinned dependencies: no layer, not the runtime's boto3), a
role and a log group each, and the environment `lambdas.settings` defines."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from entra_aws.config import Config
from lambdas.settings import FunctionSettings, HandlerSettings
from stacks import lambda_asset
from stacks.automation import permissions
from stacks.automation.encryption import acknowledge_key_grants
from stacks.automation.queues import Queues

RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.X86_64
"""The runtime and architecture the asset's wheels are built for (scripts/fetch_lambda_dependencies.py)."""
TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
"""Powertools idempotency records and the notices' deduplication: item reads and writes, no scans or streams."""
WORKER_ROLE_NAME = "entra-aws-reconcile-worker"
ROUTER_ROLE_NAME = "entra-aws-event-router"
ROUTER_TIMEOUT = cdk.Duration.seconds(60)
WORKER_TIMEOUT = cdk.Duration.minutes(15)
RUNTIME_REASON = (
    "Python 3.13 is what the asset's pinned wheels (requirements-lambda.txt; pydantic-core is compiled per Python "
    "version) are built for and tested under; the runtime and the wheels move together"
)


def automation_role_arns(stack: cdk.Stack) -> list[str]:
    """The router's and the worker's roles: their writes are the automation's own, not drift."""
    return [f"arn:{stack.partition}:iam::{stack.account}:role/{name}" for name in (WORKER_ROLE_NAME, ROUTER_ROLE_NAME)]


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: Config,
        queues: Queues,
        topic: sns.ITopic,
        key: kms.IKey | None = None,
    ) -> None:
        """`key`: the customer managed key for the log groups (stacks.automation.encryption)."""
        super().__init__(scope, construct_id)
        self.config, self.queues, self.topic, self.key = config, queues, topic, key
        self.code = lambda_.Code.from_asset(str(lambda_asset.stage(config)))
        settings = HandlerSettings(
            reconcile_queue_url=queues.reconcile.queue_url,
            topic_arn=topic.topic_arn,
            idempotency_table=queues.table.table_name,
            automation_role_arns=tuple(sorted(automation_role_arns(cdk.Stack.of(self)))),
            max_concurrent_reconciles=config.automation.max_concurrent_reconciles,
            trusted_writers=tuple(config.automation.trusted_writers),
        )
        self.router = self._handler(
            "EventRouter", ROUTER_ROLE_NAME, "lambdas.event_router.handler", settings, 512, ROUTER_TIMEOUT
        )
        self.worker = self._handler(
            "ReconcileWorker", WORKER_ROLE_NAME, "lambdas.reconcile_worker.handler", settings, 1024, WORKER_TIMEOUT
        )
        self._feed()
        self._grant()
        self.deploy: lambda_.Function | None = None
        if config.automation.reconcile_on_deploy:
            self.deploy = self._deploy_reconcile()

    def _handler(
        self,
        name: str,
        role_name: str,
        handler: str,
        settings: HandlerSettings,
        memory_mb: int,
        timeout: cdk.Duration,
    ) -> lambda_.Function:
        log_group = self._log_group(f"{name}Logs")
        role = iam.Role(
            self,
            f"{name}Role",
            role_name=role_name,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"entra-aws {name}; its writes are excluded from the drift rule by this name",
        )
        log_group.grant_write(role)
        if self.key is not None:
            acknowledge_key_grants(role)
        function = lambda_.Function(
            self,
            name,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=handler,
            code=self.code,
            role=role,
            log_group=log_group,
            memory_size=memory_mb,
            timeout=timeout,
            tracing=lambda_.Tracing.ACTIVE,
            environment=settings.to_environment(),
        )
        self.queues.table.grant(role, *TABLE_ACTIONS)
        self.topic.grant_publish(role)
        return function

    def _log_group(self, construct_id: str) -> logs.LogGroup:
        """deployment.log_retention_days, any value CloudWatch Logs accepts (RetentionDays names only some)."""
        log_group = logs.LogGroup(self, construct_id, encryption_key=self.key)
        cfn = log_group.node.default_child
        assert isinstance(cfn, logs.CfnLogGroup)
        cfn.retention_in_days = self.config.deployment.log_retention_days
        return log_group

    def _feed(self) -> None:
        """Each handler polls its queue; the worker's concurrency is the number the quota is split by."""
        self.router.add_event_source(
            sources.SqsEventSource(
                self.queues.events,
                batch_size=10,
                max_batching_window=cdk.Duration.seconds(5),
                max_concurrency=2,
                report_batch_item_failures=True,
            )
        )
        self.worker.add_event_source(
            sources.SqsEventSource(
                self.queues.reconcile,
                batch_size=1,
                max_concurrency=self.config.automation.max_concurrent_reconciles,
                report_batch_item_failures=True,
            )
        )

    def _grant(self) -> None:
        stack = cdk.Stack.of(self)
        self.queues.reconcile.grant_send_messages(self.router)
        self.queues.reconcile.grant_send_messages(self.worker)  # a reconcile out of time queues its continuation
        grants = {
            self.router: permissions.router_statements(self.config, stack.partition),
            self.worker: permissions.worker_statements(self.config, stack.partition, stack.account),
        }
        for function, statements in grants.items():
            for statement in statements:
                function.add_to_role_policy(statement)
            assert function.role is not None
            permissions.acknowledge_wildcards(function.role, statements, stack.account)
            permissions.acknowledge(function, "AwsSolutions-L1", RUNTIME_REASON)

    def _deploy_reconcile(self) -> lambda_.Function:
        """The custom resource's function: it only queues a full reconcile for the worker."""
        log_group = self._log_group("DeployReconcileLogs")
        role = iam.Role(self, "DeployReconcileRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        log_group.grant_write(role)
        function = lambda_.Function(
            self,
            "DeployReconcile",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler="lambdas.deploy_reconcile.handler",
            code=self.code,
            role=role,
            log_group=log_group,
            timeout=cdk.Duration.seconds(60),
            environment=FunctionSettings(reconcile_queue_url=self.queues.reconcile.queue_url).to_environment(),
        )
        self.queues.reconcile.grant_send_messages(role)
        if self.key is not None:
            acknowledge_key_grants(role)
        permissions.acknowledge(function, "AwsSolutions-L1", RUNTIME_REASON)
        return function
