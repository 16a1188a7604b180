"""EventBridge rules -> events queue -> router Lambda -> reconcile queue (FIFO, one message per scope) ->
worker Lambda (bounded concurrency) -> the engine. Plus a schedule, a deploy-time reconcile and a topic.

One construct per concern; this stack wires them and names its outputs."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from entra_aws.config import Config
from stacks.automation.encryption import Encryption
from stacks.automation.functions import ROUTER_TIMEOUT, WORKER_ROLE_NAME, Functions, automation_role_arns
from stacks.automation.notifications import Alarms, Notifications
from stacks.automation.ownership import Ownership
from stacks.automation.queues import Queues
from stacks.automation.receiver import ForwardedEvents
from stacks.automation.referenced_policies import ReferencedPolicies, documented_policies
from stacks.automation.triggers import Triggers

CONCERNS = ("Notifications", "Queues", "Functions", "Triggers", "Alarms")
"""The ids of the concern constructs: they group resources in the construct tree, not in their logical ids."""


class AutomationStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: Config,
        forwarded_rules: dict[str, list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        """`forwarded_rules` (topology delegated_admin): region -> the management-account rules whose events this
        account's default bus accepts."""
        super().__init__(
            scope,
            construct_id,
            env=cdk.Environment(account=automation_account(config), region=config.identity_center.region),
            description="entra-aws: event-driven Identity Center reconciliation (rules, queues, handlers)",
            **kwargs,
        )
        self.config = config
        key = Encryption(self, "Encryption", deployment=config.deployment).key
        self.notifications = Notifications(self, "Notifications", emails=config.automation.notification_emails, key=key)
        self.queues = Queues(self, "Queues", router_timeout=ROUTER_TIMEOUT, key=key)
        self.functions = Functions(
            self, "Functions", config=config, queues=self.queues, topic=self.notifications.topic, key=key
        )
        worker = f"arn:{self.partition}:iam::{self.account}:role/{WORKER_ROLE_NAME}"
        self.ownership = Ownership(self, "Ownership", sealers=[worker, *config.apply.ownership.admin_role_arns])
        self.ownership.grant_sealing(self.functions.worker)
        self.triggers = Triggers(
            self, "Triggers", config=config, queues=self.queues, automation_role_arns=automation_role_arns(self)
        )
        if self.functions.deploy is not None:
            self.triggers.reconcile_after_deploy(self.functions.deploy, after=self.functions.worker)
        Alarms(self, "Alarms", topic=self.notifications.topic, queues=self.queues, functions=self.functions)
        if documented_policies(config):
            call_as = "DELEGATED_ADMIN" if config.deployment.delegated else "SELF"
            ReferencedPolicies(self, "ReferencedPolicies", config=config, call_as=call_as)
        self.forwarded: ForwardedEvents | None = None
        if forwarded_rules is not None:
            assert config.management_account_id is not None  # loader.check_topology
            self.forwarded = ForwardedEvents(
                self,
                "ForwardedEvents",
                management_account_id=config.management_account_id,
                rules_by_region=forwarded_rules,
            )
        self._outputs()

    def _allocate_logical_id(self, cfn_element: cdk.CfnElement) -> str:
        """The logical id the element had before the concerns were constructs: their ids are left out of the
        path, and out of the unique ids CDK writes into child ids (an event-source mapping is
        `SqsEventSource:<the queue's unique id>`).

        A changed logical id makes CloudFormation replace the resource: the named roles and the event-source
        mappings would collide with the ones they replace, the queues and the table would lose what they hold.
        """
        path = [scope.node.id for scope in cfn_element.node.scopes][len(self.node.scopes) :]
        if len(path) > 1 and path[0] in CONCERNS:
            path = path[1:]
        if any(_alphanumeric(self.node.id + concern) in component for component in path for concern in CONCERNS):
            for nested, unique_id in self._flat_unique_ids().items():
                path = [component.replace(nested, unique_id) for component in path]
        return _unique_id(path)

    def _flat_unique_ids(self) -> dict[str, str]:
        """Unique id (as CDK computes it) of each construct directly in a concern -> its unique id in a flat stack."""
        flat: dict[str, str] = {}
        for concern in self.node.children:
            if concern.node.id in CONCERNS:
                for child in concern.node.children:
                    flat[cdk.Names.node_unique_id(child.node)] = _unique_id([self.node.id, child.node.id])
        return flat

    def _outputs(self) -> None:
        ic = self.config.identity_center
        queues, functions = self.queues, self.functions
        values = {
            "EventsQueueUrl": queues.events.queue_url,
            "EventsDlqUrl": queues.events_dlq.queue_url,
            "ReconcileQueueUrl": queues.reconcile.queue_url,
            "ReconcileDlqUrl": queues.reconcile_dlq.queue_url,
            "TopicArn": self.notifications.topic.topic_arn,
            "EventRouterFunction": functions.router.function_name,
            "ReconcileWorkerFunction": functions.worker.function_name,
            "ReconcileSchedule": self.config.automation.reconcile_schedule,
            "ScheduleRuleName": self.triggers.schedule.rule_name,
            "IdentityCenterInstanceArn": ic.instance_arn or "discovered at run time (sso-admin ListInstances)",
            "RuleNames": cdk.Fn.join(",", [rule.rule_name for rule in self.triggers.rules.values()]),
        }
        if functions.deploy is not None:
            values["DeployReconcileFunction"] = functions.deploy.function_name
        for name, value in values.items():
            cdk.CfnOutput(self, name, value=value)


def automation_account(config: Config) -> str | None:
    """The delegated administrator with topology delegated_admin, else the management account."""
    if config.deployment.delegated:
        return config.deployment.delegated_admin_account_id
    return config.management_account_id


def _unique_id(components: list[str]) -> str:
    """CDK's makeUniqueId (aws-cdk-lib core/lib/private/uniqueid), which Stack.allocateLogicalId applies to the
    path below the stack."""
    components = [c for c in components if c != "Default"]
    if len(components) == 1 and len(_alphanumeric(components[0])) <= 255:
        return _alphanumeric(components[0])
    digest = hashlib.md5("/".join(components).encode(), usedforsecurity=False).hexdigest()[:8].upper()
    readable: list[str] = []
    for component in components:
        if not readable or not readable[-1].endswith(component):
            readable.append(component)
    return "".join(_alphanumeric(c) for c in readable if c != "Resource")[:240] + digest


def _alphanumeric(text: str) -> str:
    return re.sub("[^A-Za-z0-9]", "", text)
