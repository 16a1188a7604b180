"""Organizations events exist only in us-east-1 (Control Tower's in its home region): forward them to the
default event bus of the Identity Center home region, where the automation's rules pick them up."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from entra_aws.config import Config
from entra_aws.events import rules
from stacks.automation.permissions import acknowledge
from stacks.automation.triggers import event_pattern


class OrganizationEventForwarderStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config, region: str, **kwargs: Any) -> None:
        env = cdk.Environment(account=config.management_account_id, region=region)
        super().__init__(
            scope,
            construct_id,
            env=env,
            description=f"entra-aws: forwards Organizations / Control Tower events from {region} to "
            f"{config.identity_center.region}",
            **kwargs,
        )
        home = config.identity_center.region
        bus = events.EventBus.from_event_bus_arn(
            self, "HomeBus", f"arn:{self.partition}:events:{home}:{self.account}:event-bus/default"
        )
        dlq = sqs.Queue(
            self,
            "ForwardDlq",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )
        acknowledge(dlq, "AwsSolutions-SQS3", "This queue is itself the dead-letter queue.")
        self.rule = events.Rule(
            self,
            "ForwardOrganizationEvents",
            description="Organizations and Control Tower account events, to the Identity Center home region",
            event_pattern=event_pattern(rules.organization_forward_pattern()),
            targets=[targets.EventBus(bus, dead_letter_queue=dlq)],
        )
        cdk.CfnOutput(self, "ForwardRuleName", value=self.rule.rule_name)
