"""The customer-managed policies and permissions boundaries that permission sets reference, deployed with their
documents (document_file) to the accounts the sets' rules reach, so that provisioning never fails for a missing
policy. One service-managed StackSet (the federation StackSet's mechanism, stacks/federation/stackset.py): every
documented policy in one member template, deployed to the OUs and roots the rules name, and to the accounts they
name as the root's accounts filtered to them (AccountFilterType INTERSECTION: a StackSet resource creates stack
instances by OU, UNION is refused on create), with automatic deployment to accounts that join those OUs. A policy
left unattached in an account a set does not reach grants nothing."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudformation as cloudformation
from aws_cdk import aws_iam as iam
from constructs import Construct

from entra_aws.config import Config
from entra_aws.config.models import ReferencedPolicy
from stacks.automation import permissions
from stacks.federation.stackset import TEMPLATE_BODY_MAX_BYTES, member_template

STACK_SET_NAME = "entra-aws-referenced-policies"
DOCUMENT_REASON = "the config's own policy document (document_file), deployed as written"


def documented_policies(config: Config) -> dict[tuple[str, str], ReferencedPolicy]:
    """(path, name) -> the reference, for every policy the config gives a document (loader: one per policy)."""
    return {(ref.path, ref.name): ref for spec in config.permission_sets for ref in spec.documented_policies}


Targets = cloudformation.CfnStackSet.DeploymentTargetsProperty


def deployment_targets(config: Config) -> list[Targets]:
    """The OUs and roots the rules granting a set with documented policies name, and the accounts they name under
    the root (loader: all by id, the root id given when accounts or the organization are named)."""
    documented = {spec.name for spec in config.permission_sets if spec.documented_policies}
    rules = [rule for rule in config.assignments if documented.intersection(rule.permission_sets)]
    root = config.deployment.organization_root_id
    if any(rule.targets.organization for rule in rules):
        assert root is not None
        return [Targets(organizational_unit_ids=[root])]
    units = sorted({ou for rule in rules for ou in rule.targets.ous})
    accounts = sorted({account for rule in rules for account in rule.targets.accounts})
    targets = [Targets(organizational_unit_ids=units)] if units else []
    if accounts:
        assert root is not None
        targets.append(Targets(organizational_unit_ids=[root], accounts=accounts, account_filter_type="INTERSECTION"))
    return targets


def _wildcards(document: dict[str, Any]) -> list[str]:
    """cdk-nag's IAM5 finding ids for the wildcards a document holds."""
    statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
    found: set[str] = set()
    for statement in statements:
        for key, kind in (("Action", "Action"), ("NotAction", "Action"), ("Resource", "Resource")):
            values = statement.get(key, [])
            for value in [values] if isinstance(values, str) else values:
                if "*" in value:
                    found.add(f"AwsSolutions-IAM5[{kind}::{value}]")
    return sorted(found)


def _member(policies: dict[tuple[str, str], ReferencedPolicy]) -> Any:
    def build(stack: cdk.Stack) -> None:
        for index, ((path, name), ref) in enumerate(sorted(policies.items())):
            assert ref.document is not None
            policy = iam.ManagedPolicy(
                stack,
                f"Policy{index}",
                managed_policy_name=name,
                path=path,
                document=iam.PolicyDocument.from_json(ref.document),
                description="entra-aws: referenced by an Identity Center permission set",
            )
            for finding in _wildcards(ref.document):
                permissions.acknowledge(policy, finding, DOCUMENT_REASON)

    return build


class ReferencedPolicies(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config, call_as: str) -> None:
        """`call_as`: SELF in the management account, DELEGATED_ADMIN in a StackSets delegated administrator."""
        super().__init__(scope, construct_id)
        policies = documented_policies(config)
        template, messages = member_template(
            self, _member(policies), "entra-aws: customer-managed policies permission sets reference (StackSet)"
        )
        for level, text in messages:
            annotate = (
                cdk.Annotations.of(self).add_error if level == "aws:cdk:error" else cdk.Annotations.of(self).add_warning
            )
            annotate(f"StackSet member template: {text}")
        body = json.dumps(template, separators=(",", ":"), sort_keys=True)
        if len(body.encode()) > TEMPLATE_BODY_MAX_BYTES:
            raise ValueError(
                f"permission_sets: the referenced policies' template is {len(body.encode())} bytes; a StackSet "
                f"TemplateBody is at most {TEMPLATE_BODY_MAX_BYTES}"
            )
        self.template = template
        region = config.identity_center.region  # IAM is global: one region is enough
        self.stack_set = cloudformation.CfnStackSet(
            self,
            "StackSet",
            stack_set_name=STACK_SET_NAME,
            description="entra-aws: customer-managed policies and boundaries that permission sets reference",
            permission_model="SERVICE_MANAGED",
            auto_deployment=cloudformation.CfnStackSet.AutoDeploymentProperty(
                enabled=True, retain_stacks_on_account_removal=False
            ),
            call_as=call_as,
            capabilities=["CAPABILITY_NAMED_IAM"],
            managed_execution={"Active": True},
            operation_preferences=cloudformation.CfnStackSet.OperationPreferencesProperty(
                max_concurrent_percentage=25, failure_tolerance_percentage=0, region_concurrency_type="PARALLEL"
            ),
            stack_instances_group=[
                cloudformation.CfnStackSet.StackInstancesProperty(deployment_targets=targets, regions=[region])
                for targets in deployment_targets(config)
            ],
            template_body=body,
        )
