"""Ownership seals over real KMS HMAC (moto's GenerateMac / VerifyMac): a seal verifies on its own permission set
only, and the engine, given the key by alias, seals what it creates and deletes only what verifies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from entra_aws.adapters.aws import aws_context
from entra_aws.adapters.kms import KmsOwnershipSeal
from entra_aws.config import MANAGED_TAG_KEY, Config
from entra_aws.config.models import SEAL_TAG_KEY
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .conftest import Seeded

ALIAS = "alias/entra-aws-ownership"
pytestmark = pytest.mark.integration


@pytest.fixture
def kms(aws: str) -> Any:
    client = boto3.client("kms", region_name="eu-west-1")
    key = client.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    client.create_alias(AliasName=ALIAS, TargetKeyId=key["KeyId"])
    return client


def permission_set(seeded: Seeded, name: str) -> str:
    arn: str = seeded.sso.create_permission_set(InstanceArn=seeded.instance_arn, Name=name)["PermissionSet"][
        "PermissionSetArn"
    ]
    return arn


def tags(seeded: Seeded, arn: str) -> dict[str, str]:
    listed = seeded.sso.list_tags_for_resource(InstanceArn=seeded.instance_arn, ResourceArn=arn)["Tags"]
    return {t["Key"]: t["Value"] for t in listed}


def tag(seeded: Seeded, arn: str, values: dict[str, str]) -> None:
    pairs = [{"Key": k, "Value": v} for k, v in values.items()]
    seeded.sso.tag_resource(InstanceArn=seeded.instance_arn, ResourceArn=arn, Tags=pairs)


def with_apply(config: Config, **apply: Any) -> Config:
    ownership = config.apply.ownership.model_copy(update={"key": ALIAS})
    return config.model_copy(update={"apply": config.apply.model_copy(update={"ownership": ownership, **apply})})


def test_a_seal_verifies_on_its_set_and_a_copy_fails_on_another(seeded: Seeded, kms: Any) -> None:
    ownership = KmsOwnershipSeal(kms, ALIAS, seeded.instance_arn)
    ours, theirs = permission_set(seeded, "Ours"), permission_set(seeded, "Theirs")
    seal = ownership.seal(ours)
    assert len(seal) == 44 and ownership.verify(ours, seal)
    assert not ownership.verify(theirs, seal)
    assert not ownership.verify(ours, "not base64!") and not ownership.verify(ours, "A" * 44)


def test_the_engine_seals_what_it_creates_and_deletes_only_what_verifies(seeded: Seeded, kms: Any) -> None:
    config = with_apply(seeded.config, delete_permission_sets=True)
    assert reconcile(config, Scope.everything(), apply=True, context=aws_context(config)).ok
    ownership = KmsOwnershipSeal(kms, ALIAS, seeded.instance_arn)
    arns = seeded.sso.list_permission_sets(InstanceArn=seeded.instance_arn)["PermissionSets"]
    assert arns and all(ownership.verify(arn, tags(seeded, arn)[SEAL_TAG_KEY]) for arn in arns)

    ours = next(arn for arn in arns if tags(seeded, arn).get(SEAL_TAG_KEY))
    copied, bare = permission_set(seeded, "CopiedSeal"), permission_set(seeded, "TaggedByHand")
    tag(seeded, copied, {MANAGED_TAG_KEY: "true", SEAL_TAG_KEY: tags(seeded, ours)[SEAL_TAG_KEY]})
    tag(seeded, bare, {MANAGED_TAG_KEY: "true"})
    report = reconcile(config, Scope.everything(), apply=True, context=aws_context(config))
    left = set(seeded.sso.list_permission_sets(InstanceArn=seeded.instance_arn)["PermissionSets"])
    assert {copied, bare} <= left and report.plan.count("delete_permission_set") == 0
    refused = sorted(f.permission_set for f in report.findings if f.kind == "ownership_unproven")
    assert refused == ["CopiedSeal", "TaggedByHand"]


def test_the_sandbox_creates_the_hmac_key_and_alias_a_template_defines(aws: str) -> None:
    from sandbox.deployment import StackTemplate, _keys, _Resolver

    key = {"Type": "AWS::KMS::Key", "Properties": {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}}
    alias = {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": ALIAS, "TargetKeyId": {"Fn::GetAtt": ["K", "Arn"]}}}
    document = {"Resources": {"K": key, "A": alias}}
    resolve = _Resolver("123456789012", "eu-west-1", document)
    _keys(boto3.Session(), StackTemplate("Stack", "eu-west-1", document, Path()), resolve)
    client = boto3.client("kms", region_name="eu-west-1")
    by_arn = KmsOwnershipSeal(client, resolve({"Fn::GetAtt": ["K", "Arn"]}), "arn:aws:sso:::instance/ssoins-x")
    by_alias = KmsOwnershipSeal(client, ALIAS, by_arn.instance_arn)
    assert by_arn.verify("arn:ps", by_alias.seal("arn:ps"))
