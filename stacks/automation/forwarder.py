"""Organizations events exist only in us-east-1 (Control Tower's in its home region): forward them to the
default event bus of the Identity Center home region, where the automation's rules pick them up. With topology
delegated_admin that bus is the delegated administrator's, in another account (docs/deployment.md)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
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
        dlq = forward_dead_letter_queue(self)
        self.rule = events.Rule(
            self,
            "ForwardOrganizationEvents",
            description="Organizations and Control Tower account events, to the Identity Center home region",
            event_pattern=event_pattern(rules.organization_forward_pattern()),
            targets=[targets.EventBus(bus, dead_letter_queue=dlq)],
        )
        cdk.CfnOutput(self, "ForwardRuleName", value=self.rule.rule_name)


ORGANIZATION_FORWARD_RULE = "entra-aws-forward-organization"
IDENTITY_CENTER_FORWARD_RULE = "entra-aws-forward-identity-center"
RULE_CONSTRUCT_IDS = {
    ORGANIZATION_FORWARD_RULE: "ForwardOrganization",
    IDENTITY_CENTER_FORWARD_RULE: "ForwardIdentityCenter",
}


def management_forward_rules(config: Config, organizations_regions: list[str]) -> dict[str, list[str]]:
    """topology delegated_admin: region -> names of the management-account rules there. Organizations (us-east-1)
    and Control Tower events wherever they are; Identity Center and SCIM events from the home region."""
    home = config.identity_center.region
    regions: dict[str, list[str]] = {region: [ORGANIZATION_FORWARD_RULE] for region in organizations_regions}
    regions.setdefault(home, []).append(IDENTITY_CENTER_FORWARD_RULE)
    return dict(sorted(regions.items()))


def delegated_bus_arn(config: Config, partition: str) -> str:
    account = config.deployment.delegated_admin_account_id
    return f"arn:{partition}:events:{config.identity_center.region}:{account}:event-bus/default"


class ManagementForwarderStack(cdk.Stack):
    """topology delegated_admin: the management account's only entra-aws stack in a region. Rules forwarding to
    the delegated administrator's default bus (cross-account: a role EventBridge assumes), a dead-letter queue;
    no function, no Identity Center permission."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: Config, region: str, rule_names: list[str], **kwargs: Any
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=cdk.Environment(account=config.management_account_id, region=region),
            description=f"entra-aws: forwards management-account events from {region} to the delegated "
            f"administrator account {config.deployment.delegated_admin_account_id}",
            **kwargs,
        )
        bus_arn = delegated_bus_arn(config, self.partition)
        bus = events.EventBus.from_event_bus_arn(self, "DelegatedBus", bus_arn)
        role = iam.Role(
            self,
            "ForwardRole",
            assumed_by=iam.ServicePrincipal("events.amazonaws.com").with_conditions(
                {"StringEquals": {"aws:SourceAccount": self.account}}
            ),
            description="EventBridge puts the forwarded events on the delegated administrator's bus",
        )
        role.add_to_policy(iam.PolicyStatement(actions=["events:PutEvents"], resources=[bus_arn]))
        dlq = forward_dead_letter_queue(self)
        patterns = {
            ORGANIZATION_FORWARD_RULE: rules.organization_forward_pattern(),
            IDENTITY_CENTER_FORWARD_RULE: rules.identity_center_forward_pattern(config.assigns_users),
        }
        self.rules = {
            name: events.Rule(
                self,
                RULE_CONSTRUCT_IDS[name],
                rule_name=name,
                description=f"entra-aws: {name}, to the delegated administrator's event bus",
                event_pattern=event_pattern(patterns[name]),
                targets=[targets.EventBus(bus, role=role, dead_letter_queue=dlq)],
            )
            for name in rule_names
        }
        cdk.CfnOutput(self, "ForwardRuleNames", value=",".join(rule_names))


def forward_dead_letter_queue(scope: Construct) -> sqs.Queue:
    """Where a forwarding rule's target puts what it could not deliver (both forwarders, one shape)."""
    dlq = sqs.Queue(
        scope,
        "ForwardDlq",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=cdk.Duration.days(14),
    )
    acknowledge(dlq, "AwsSolutions-SQS3", "This queue is itself the dead-letter queue.")
    return dlq
