"""What starts a reconcile: the EventBridge rules (CloudTrail events into the events queue), the schedule (a
full reconcile straight into the reconcile queue) and, when the config asks for it, a custom resource that
queues a full reconcile after each deploy that changes the config."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from entra_aws.config import Config
from entra_aws.engine.scope import Scope
from entra_aws.events import rules
from entra_aws.events.messages import ReconcileMessage
from stacks import lambda_asset
from stacks.automation.queues import Queues


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


class Triggers(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: Config,
        queues: Queues,
        automation_role_arns: Iterable[str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.config, self.queues = config, queues
        self.rules: dict[str, events.Rule] = {}
        specs = rules.rule_specs(
            include_users=config.assigns_users,
            automation_role_arns=automation_role_arns,
            trusted_writers=config.automation.trusted_writers,
        )
        for spec in specs:
            self.rules[spec.name] = events.Rule(
                self,
                spec.name,
                description=f"entra-aws ({spec.category}): {spec.description}",
                event_pattern=event_pattern(spec.pattern),
                targets=[
                    targets.SqsQueue(
                        queues.events,
                        dead_letter_queue=queues.events_dlq,
                        retry_attempts=8,
                        max_event_age=cdk.Duration.hours(24),
                    )
                ],
            )
        self.schedule = self._schedule()

    def _schedule(self) -> events.Rule:
        template = ReconcileMessage.for_scope("schedule", "schedule", Scope.everything(), "scheduled")
        return events.Rule(
            self,
            "ScheduledReconcile",
            description="entra-aws: full reconcile on the configured schedule",
            schedule=events.Schedule.expression(self.config.automation.reconcile_schedule),
            targets=[
                targets.SqsQueue(
                    self.queues.reconcile,
                    message_group_id=template.group_id,
                    dead_letter_queue=self.queues.events_dlq,
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

    def reconcile_after_deploy(self, function: lambda_.IFunction, *, after: Construct) -> None:
        """CloudFormation calls `function` (Update) exactly when the config hash changes; `after` (the worker)
        exists by then."""
        resource = cdk.CustomResource(
            self,
            "ReconcileAfterDeploy",
            service_token=function.function_arn,
            resource_type="Custom::EntraAwsReconcile",
            properties={"ConfigHash": lambda_asset.config_hash(self.config)},
        )
        resource.node.add_dependency(after)
