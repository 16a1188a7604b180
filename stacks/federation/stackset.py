"""Roll the federation resources out to member accounts with a service-managed CloudFormation StackSet.

The member template is synthesized in a separate, bootstrap-less CDK app (member accounts need no CDK
bootstrap) and embedded as the StackSet's TemplateBody. The outer app's validation plugins cannot see inside
that string, so the member app always runs cdk-nag's AwsSolutions pack itself (synthesis fails on an
unacknowledged finding); the outer app's aspects are applied too, and the member app's error/warning
annotations are repeated on this construct so that `cdk synth` and tests see them.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable

import aws_cdk as cdk
from aws_cdk import aws_cloudformation as cloudformation
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from entra_aws.config.federation import StackSetDeployment

# CloudFormation's limit for a TemplateBody passed inline.
TEMPLATE_BODY_MAX_BYTES = 51_200
# Feature flags that change what IAM constructs synthesize; copied from the outer app's context.
CARRIED_CONTEXT = (
    "@aws-cdk/aws-iam:minimizePolicies",
    "@aws-cdk/core:enablePartitionLiterals",
    "@aws-cdk/aws-iam:standardizedServicePrincipals",
    "@aws-cdk/core:target-partitions",
)


def member_template(
    outer: Construct, build: Callable[[cdk.Stack], None], description: str
) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """Synthesize one member-account stack; return its template and (level, message) annotations."""
    root = outer.node.root
    context = {key: value for key in CARRIED_CONTEXT if (value := root.node.try_get_context(key)) is not None}
    with tempfile.TemporaryDirectory(prefix="entra-aws-stackset-") as outdir:
        inner = cdk.App(outdir=outdir, analytics_reporting=False, context=context)
        stack = cdk.Stack(inner, "Member", synthesizer=cdk.BootstraplessSynthesizer(), description=description)
        build(stack)
        for aspect in cdk.Aspects.of(root).all:
            cdk.Aspects.of(inner).add(aspect)
        cdk.Validations.of(inner).add_plugins(AwsSolutionsChecks(inner))
        artifact = inner.synth().get_stack_artifact(stack.artifact_id)
        template: dict[str, object] = artifact.template
        messages = [
            (str(m.entry.type), f"{m.id}: {m.entry.data}")
            for m in artifact.messages
            if str(m.entry.type) in ("aws:cdk:error", "aws:cdk:warning")
        ]
    return template, messages


class FederationStackSet(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: StackSetDeployment,
        region: str,
        build: Callable[[cdk.Stack], None],
    ) -> None:
        super().__init__(scope, construct_id)
        template, messages = member_template(
            self, build, "entra-aws federation: Entra OIDC/SAML providers and roles (StackSet instance)"
        )
        for level, text in messages:
            if level == "aws:cdk:error":
                cdk.Annotations.of(self).add_error(f"StackSet member template: {text}")
            else:
                cdk.Annotations.of(self).add_warning(f"StackSet member template: {text}")
        body = json.dumps(template, separators=(",", ":"), sort_keys=True)
        if len(body.encode()) > TEMPLATE_BODY_MAX_BYTES:
            raise ValueError(
                f"federation.deploy_to.stackset: the member template is {len(body.encode())} bytes; a "
                f"StackSet "
                f"TemplateBody is at most {TEMPLATE_BODY_MAX_BYTES}. Use the enterprise app's own federation "
                "metadata (one signing certificate) or fewer roles per StackSet"
            )
        self.template = template
        targets = cloudformation.CfnStackSet.DeploymentTargetsProperty(
            organizational_unit_ids=list(settings.organizational_units),
            accounts=list(settings.exclude_accounts) or None,
            account_filter_type="DIFFERENCE" if settings.exclude_accounts else None,
        )
        self.stack_set = cloudformation.CfnStackSet(
            self,
            "StackSet",
            stack_set_name=settings.stack_set_name,
            description="entra-aws federation: Entra OIDC/SAML providers and roles in member accounts",
            permission_model="SERVICE_MANAGED",
            auto_deployment=cloudformation.CfnStackSet.AutoDeploymentProperty(
                enabled=settings.auto_deployment,
                retain_stacks_on_account_removal=settings.retain_stacks_on_account_removal,
            ),
            call_as=settings.call_as,
            capabilities=["CAPABILITY_NAMED_IAM"],
            managed_execution={"Active": True},
            operation_preferences=cloudformation.CfnStackSet.OperationPreferencesProperty(
                max_concurrent_percentage=settings.max_concurrent_percentage,
                failure_tolerance_percentage=settings.failure_tolerance_percentage,
                region_concurrency_type="PARALLEL",
            ),
            stack_instances_group=[
                cloudformation.CfnStackSet.StackInstancesProperty(deployment_targets=targets, regions=[region])
            ],
            template_body=body,
        )
        cdk.CfnOutput(
            cdk.Stack.of(self),
            "StackSetName",
            value=settings.stack_set_name,
            description="Member accounts' providers, roles and profiles are the outputs of its stack instances",
        )
