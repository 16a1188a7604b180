"""The whole event path with the real engine: a SCIM CreateGroup event (derived from the published sample, with
the id of a group created in the moto identity store) goes through the events queue, the real router and the
real worker, and the assignment appears in Identity Center; the SCIM DeleteGroup event cleans it up."""

from __future__ import annotations

import boto3
import pytest

from sandbox.world import seed_world
from tests.integration.engine.conftest import load_world
from tests.unit.events import samples

from .test_event_flow import Deployed, env, send, templates  # noqa: F401  (fixtures)

pytestmark = pytest.mark.integration


def assignments_of(sso: object, instance_arn: str, group_id: str) -> list[tuple[str, str]]:
    items = sso.list_account_assignments_for_principal(  # type: ignore[attr-defined]
        InstanceArn=instance_arn, PrincipalType="GROUP", PrincipalId=group_id
    )["AccountAssignments"]
    return [(i["AccountId"], i["PermissionSetArn"]) for i in items]


def test_scim_group_created_then_deleted_drives_identity_center(env: Deployed) -> None:  # noqa: F811
    import json

    world = load_world().model_copy(update={"groups": ["AWS-444444444445-ReadOnly"], "users": []})
    seeded = seed_world(world, "eu-west-1")
    sso = boto3.client("sso-admin", region_name="eu-west-1")
    store = seeded.identity_store_id
    group_id = seeded.ids["AWS-444444444445-ReadOnly"]

    send(env.events, json.dumps(samples.scim_create_group(group_id)))
    env.drain(env.events)
    env.drain(env.reconcile)
    granted = assignments_of(sso, seeded.instance_arn, group_id)
    assert [account for account, _ in granted] == ["444444444445"]
    name = sso.describe_permission_set(InstanceArn=seeded.instance_arn, PermissionSetArn=granted[0][1])
    assert name["PermissionSet"]["Name"] == "ReadOnly"

    boto3.client("identitystore", region_name="eu-west-1").delete_group(IdentityStoreId=store, GroupId=group_id)
    send(env.events, json.dumps(samples.scim_delete_group(group_id)))
    env.drain(env.events)
    env.drain(env.reconcile)
    assert assignments_of(sso, seeded.instance_arn, group_id) == []
