"""topology delegated_admin: the delegated administrator's default bus accepts events from the management
account's forwarding rules only (EventBridge User Guide, "Example policy: Send events from specific rules to an
Amazon EventBridge bus": the `aws:SourceArn` condition names the sending rules)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from constructs import Construct


def rule_arns(partition: str, account: str, rules_by_region: dict[str, list[str]]) -> list[str]:
    """ARNs of rules on the default bus (no bus name in the ARN)."""
    return [
        f"arn:{partition}:events:{region}:{account}:rule/{name}"
        for region, names in rules_by_region.items()
        for name in names
    ]


class ForwardedEvents(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, management_account_id: str, rules_by_region: dict[str, list[str]]
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.source_rule_arns = rule_arns(stack.partition, management_account_id, rules_by_region)
        self.policy = events.CfnEventBusPolicy(
            self,
            "Policy",
            statement_id="entra-aws-management-forwarders",
            event_bus_name="default",
            statement={
                "Sid": "EntraAwsManagementForwarders",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{stack.partition}:iam::{management_account_id}:root"},
                "Action": "events:PutEvents",
                "Resource": f"arn:{stack.partition}:events:{stack.region}:{stack.account}:event-bus/default",
                "Condition": {"ArnEquals": {"aws:SourceArn": self.source_rule_arns}},
            },
        )
