"""The event-driven automation: a stack in the Identity Center home region of the management account (topology
management) or of the delegated administrator account (delegated_admin), and small forwarder stacks for
Organizations (us-east-1 only) and Control Tower lifecycle events; with delegated_admin they are in the management
account and also forward its Identity Center and SCIM events (docs/deployment.md)."""

from __future__ import annotations

import aws_cdk as cdk

from entra_aws.config import Config
from stacks.automation.forwarder import (
    ManagementForwarderStack,
    OrganizationEventForwarderStack,
    management_forward_rules,
)
from stacks.automation.stack import AutomationStack

ORGANIZATIONS_REGION = "us-east-1"


def forwarding_regions(config: Config) -> list[str]:
    home = config.identity_center.region
    regions = [ORGANIZATIONS_REGION, config.automation.control_tower_region]
    return sorted({r for r in regions if r and r != home})


def add_automation_stacks(app: cdk.App, config: Config) -> AutomationStack:
    if config.deployment.delegated:
        return _delegated(app, config)
    stack = AutomationStack(app, "EntraAwsAutomation", config=config)
    for region in forwarding_regions(config):
        forwarder = OrganizationEventForwarderStack(
            app, f"EntraAwsOrgEventForwarder-{region}", config=config, region=region
        )
        forwarder.add_stack_dependency(stack)
    return stack


def organizations_regions(config: Config) -> list[str]:
    """Where Organizations (us-east-1) and Control Tower (its home region) record their events."""
    return sorted({r for r in (ORGANIZATIONS_REGION, config.automation.control_tower_region) if r})


def _delegated(app: cdk.App, config: Config) -> AutomationStack:
    """The automation in the delegated administrator account; the management account holds only forwarders,
    deployed after the bus policy that lets their events in."""
    rules_by_region = management_forward_rules(config, organizations_regions(config))
    stack = AutomationStack(app, "EntraAwsAutomation", config=config, forwarded_rules=rules_by_region)
    for region, names in rules_by_region.items():
        forwarder = ManagementForwarderStack(
            app, f"EntraAwsManagementForwarder-{region}", config=config, region=region, rule_names=names
        )
        forwarder.add_stack_dependency(stack, "the delegated administrator's bus accepts the forwarded events first")
    return stack
