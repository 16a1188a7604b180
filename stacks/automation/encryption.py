"""The optional customer managed key for the queues, the topic and the log groups (deployment.kms_key_arn or
deployment.create_key). Without one, the queues use SQS-managed encryption, the log groups CloudWatch Logs' own,
and the topic its own key, as before.

A created key lets the services in only for this account: CloudWatch Logs with the encryption context of this
account's log groups ("Encrypt log data in CloudWatch Logs using AWS KMS"), CloudWatch alarms publishing to the
topic with aws:SourceAccount; EventBridge's grant comes with the queue targets, conditioned on aws:SourceAccount
too (the @aws-cdk/aws-events:eventsTargetQueueSameAccount feature flag). The roles get theirs as identity policies
through the queues' and the topic's grants. A given key's policy is its owner's (docs/deployment.md lists what it
must allow)."""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct, IConstruct

from entra_aws.config.models import DeploymentSettings
from stacks.automation import permissions

PUBLISH = ("kms:Decrypt", "kms:GenerateDataKey*")
"""What a service publishing to an encrypted topic or queue needs (SNS and SQS server-side encryption)."""
LOGS = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*")
"""What CloudWatch Logs needs of a log group's key, conditioned on the log group's ARN in the encryption context (the
CloudWatch Logs user guide's key policy, without its kms:Describe*: DescribeKey carries no encryption context, so
under that condition it could never be allowed; parliament flags it)."""


def allow_service(key: kms.IKey, service: str, actions: tuple[str, ...], conditions: Mapping[str, object]) -> None:
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(service)],
            actions=list(actions),
            resources=["*"],
            conditions=dict(conditions),
        )
    )


def acknowledge_key_grants(role: IConstruct) -> None:
    """The queues' grants on the key (grant_send_messages, grant_consume_messages) name action wildcards; their
    resource is the one key."""
    for action in ("kms:ReEncrypt*", "kms:GenerateDataKey*"):
        permissions.acknowledge(
            role,
            f"AwsSolutions-IAM5[Action::{action}]",
            "the queues' grants on the automation key only (SQS server-side encryption with a customer managed key)",
        )


def this_account(stack: cdk.Stack) -> Mapping[str, object]:
    return {"StringEquals": {"aws:SourceAccount": stack.account}}


class Encryption(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, deployment: DeploymentSettings) -> None:
        super().__init__(scope, construct_id)
        self.key: kms.IKey | None = None
        if deployment.kms_key_arn is not None:
            self.key = kms.Key.from_key_arn(self, "GivenKey", deployment.kms_key_arn)
        elif deployment.create_key:
            self.key = self._created()

    def _created(self) -> kms.Key:
        stack = cdk.Stack.of(self)
        key = kms.Key(
            self,
            "AutomationKey",
            enable_key_rotation=True,
            description="entra-aws queues, notifications topic and log groups",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        log_groups = f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*"
        context = {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}}
        allow_service(key, f"logs.{stack.region}.amazonaws.com", LOGS, context)
        allow_service(key, "cloudwatch.amazonaws.com", PUBLISH, this_account(stack))
        return key
