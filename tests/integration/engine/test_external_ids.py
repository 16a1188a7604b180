"""Groups' Entra object ids (SCIM externalId) read from the emulator's identity store, and the example config's
pinned privileged rule against a group that takes the retired admins group's name."""

from __future__ import annotations

from entra_aws.adapters.identity_store import IdentityStoreDirectory
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .conftest import Seeded, load_world

ADMINS = "AWS-Platform-Admins"


def test_the_directory_reads_each_groups_entra_object_id(seeded: Seeded) -> None:
    pinned = load_world().external_ids[ADMINS]
    directory = IdentityStoreDirectory(seeded.identitystore, seeded.store_id)
    listed = {group.name: group.external_id for group in directory.groups()}
    directory.forget()
    described = directory.group(seeded.groups[ADMINS])
    assert listed[ADMINS] == pinned and described is not None and described.external_id == pinned
    assert all(listed.values()), "every group the sandbox seeds stands for one provisioned from Entra"


def test_a_group_renamed_to_a_retired_privileged_groups_name_gets_none_of_its_access(seeded: Seeded) -> None:
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context()).ok
    seeded.identitystore.delete_group(IdentityStoreId=seeded.store_id, GroupId=seeded.groups[ADMINS])
    impostor = seeded.groups["AWS-Developers"]
    rename = [{"AttributePath": "displayName", "AttributeValue": ADMINS}]
    seeded.identitystore.update_group(IdentityStoreId=seeded.store_id, GroupId=impostor, Operations=rename)

    plan = reconcile(seeded.config, Scope.everything(), apply=False, context=seeded.context()).plan

    granted = [op for op in plan.operations if op.assignment and op.assignment.principal_id == impostor]
    assert all(op.kind == "delete_assignment" for op in granted), "the renamed group is granted nothing"
    assert any(
        f.severity == "error" and "has the name of a pinned rule principal but not its identity" in f.message
        for f in plan.findings
    ), plan.findings
