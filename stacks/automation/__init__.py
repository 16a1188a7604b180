"""The event-driven automation: a stack in the Identity Center home region of the management account, and
small forwarder stacks for Organizations (us-east-1 only) and Control Tower lifecycle events."""

from __future__ import annotations

import aws_cdk as cdk

from entra_aws.config import Config
from stacks.automation.forwarder import OrganizationEventForwarderStack
from stacks.automation.stack import AutomationStack

ORGANIZATIONS_REGION = "us-east-1"


def forwarding_regions(config: Config) -> list[str]:
    home = config.identity_center.region
    regions = [ORGANIZATIONS_REGION, config.automation.control_tower_region]
    return sorted({r for r in regions if r and r != home})


def add_automation_stacks(app: cdk.App, config: Config) -> AutomationStack:
    stack = AutomationStack(app, "EntraAwsAutomation", config=config)
    for region in forwarding_regions(config):
        forwarder = OrganizationEventForwarderStack(
            app, f"EntraAwsOrgEventForwarder-{region}", config=config, region=region
        )
        forwarder.add_stack_dependency(stack)
    return stack
