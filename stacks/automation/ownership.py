"""The ownership key: a KMS HMAC key that seals the permission sets entra-aws creates or adopts (engine.ownership,
docs/security.md "Ownership"). Its key policy lets only the worker role, and the admin roles the config names
(apply.ownership.admin_role_arns, for the CLI), generate or verify MACs, and denies GenerateMac to everyone else
outright: neither an IAM policy nor a grant can add a sealer; only a change of this key policy can."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

ALIAS = "alias/entra-aws-ownership"
"""What the CLI's apply.ownership.key names (the worker is given the key's ARN)."""
MAC_ACTIONS = ("kms:GenerateMac", "kms:VerifyMac")
KEY_ADMINISTRATION = (
    "kms:Describe*",
    "kms:Get*",
    "kms:List*",
    "kms:PutKeyPolicy",
    "kms:Enable*",
    "kms:Disable*",
    "kms:Update*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
)
"""The account's administrators keep the key manageable (no MACs, no grants): without kms:PutKeyPolicy here KMS
refuses the policy as a lock-out."""
ENVIRONMENT = "OWNERSHIP_KEY"
"""lambdas.settings.HandlerSettings.ownership_key, as the worker reads it."""


def key_policy(sealers: list[str]) -> iam.PolicyDocument:
    account = iam.AccountRootPrincipal()
    only_sealers = {"ArnEquals": {"aws:PrincipalArn": sealers}}
    return iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(
                sid="KeyAdministration", principals=[account], actions=list(KEY_ADMINISTRATION), resources=["*"]
            ),
            iam.PolicyStatement(
                sid="SealAndVerify",
                principals=[account],
                actions=list(MAC_ACTIONS),
                resources=["*"],
                conditions=only_sealers,
            ),
            iam.PolicyStatement(
                sid="NobodyElseSeals",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["kms:GenerateMac", "kms:CreateGrant"],
                resources=["*"],
                conditions={"ArnNotEquals": {"aws:PrincipalArn": sealers}},
            ),
        ]
    )


class Ownership(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, sealers: list[str]) -> None:
        """`sealers`: the role ARNs that may seal and verify (the worker's first)."""
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "OwnershipKey",
            key_spec=kms.KeySpec.HMAC_256,
            key_usage=kms.KeyUsage.GENERATE_VERIFY_MAC,
            policy=key_policy(sealers),
            description="entra-aws ownership seals of permission sets (HMAC of their ARNs)",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.alias = kms.Alias(self, "OwnershipAlias", alias_name=ALIAS, target_key=self.key)

    def grant_sealing(self, function: lambda_.Function) -> None:
        """The function's role may seal and verify, and is told the key's ARN."""
        assert function.role is not None
        self.key.grant(function.role, *MAC_ACTIONS)
        function.add_environment(ENVIRONMENT, self.key.key_arn)
