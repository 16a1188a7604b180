"""Effective access over the in-memory ports: users through groups and direct assignments, filters, reads."""

from __future__ import annotations

import pytest

from entra_aws.engine.access import AccessQuery, AccessQueryError, AccessRow, read_access
from entra_aws.engine.model import Principal

from .fakes import FakeAssignment, FakeDirectory, FakeIdentityCenter, FakePermissionSet, FakeWorld, organization

MANAGEMENT, PROD, DEV = "111111111111", "222222222222", "333333333333"
ADMINS = Principal("GROUP", "g-admins", "AWS-Admins")
READERS = Principal("GROUP", "g-readers", "AWS-Readers")
EMPTY = Principal("GROUP", "g-empty", "AWS-Nothing")
ANN = Principal("USER", "u-ann", "ann@example.com")
BEN = Principal("USER", "u-ben", "ben@example.com")


def world() -> FakeWorld:
    admin = FakeIdentityCenter()
    administrator = admin.add(FakePermissionSet("AdministratorAccess"), managed=True)
    read_only = admin.add(FakePermissionSet("ReadOnly"), managed=True)
    admin.granted |= {
        FakeAssignment(PROD, administrator, "GROUP", ADMINS.id),
        FakeAssignment(PROD, read_only, "GROUP", READERS.id),
        FakeAssignment(DEV, read_only, "GROUP", READERS.id),
        FakeAssignment(DEV, administrator, "USER", BEN.id),
    }
    directory = FakeDirectory(
        [ADMINS, READERS, EMPTY, ANN, BEN],
        {(ADMINS.id, ANN.id), (READERS.id, ANN.id), (READERS.id, BEN.id), (EMPTY.id, BEN.id)},
    )
    return FakeWorld(admin, directory, organization(MANAGEMENT, PROD, DEV))


def rows(query: AccessQuery | None = None, fake: FakeWorld | None = None) -> list[AccessRow]:
    return read_access((fake or world()).context(), ["AdministratorAccess"], query or AccessQuery()).rows


def test_every_path_is_a_row_naming_the_user_the_group_or_direct_the_account_and_whether_privileged() -> None:
    assert rows() == sorted(
        [
            AccessRow(ANN.name, ANN.id, "group AWS-Admins", PROD, f"account-{PROD}", "AdministratorAccess", True),
            AccessRow(ANN.name, ANN.id, "group AWS-Readers", PROD, f"account-{PROD}", "ReadOnly", False),
            AccessRow(ANN.name, ANN.id, "group AWS-Readers", DEV, f"account-{DEV}", "ReadOnly", False),
            AccessRow(BEN.name, BEN.id, "group AWS-Readers", PROD, f"account-{PROD}", "ReadOnly", False),
            AccessRow(BEN.name, BEN.id, "group AWS-Readers", DEV, f"account-{DEV}", "ReadOnly", False),
            AccessRow(BEN.name, BEN.id, "direct", DEV, f"account-{DEV}", "AdministratorAccess", True),
        ]
    )


def test_filters_by_account_id_or_name_permission_set_and_privileged() -> None:
    by_name = rows(AccessQuery(account=f"account-{DEV}"))
    assert {r.account_id for r in by_name} == {DEV} and len(by_name) == 3
    assert rows(AccessQuery(account=DEV)) == by_name
    assert {r.permission_set for r in rows(AccessQuery(permission_set="ReadOnly"))} == {"ReadOnly"}
    assert [(r.user, r.via) for r in rows(AccessQuery(privileged_only=True))] == [
        (ANN.name, "group AWS-Admins"),
        (BEN.name, "direct"),
    ]


def test_a_group_filter_reads_only_that_group_and_no_direct_assignments() -> None:
    fake = world()
    found = rows(AccessQuery(group="AWS-Readers"), fake)
    assert {r.via for r in found} == {"group AWS-Readers"} and len(found) == 4
    assert fake.admin.calls["assignments_for_principal"] == 1


def test_a_user_filter_reads_only_that_users_groups_and_direct_assignments() -> None:
    fake = world()
    found = rows(AccessQuery(user=BEN.id), fake)
    assert {r.user for r in found} == {BEN.name}
    assert sorted(r.via for r in found) == ["direct", "group AWS-Readers", "group AWS-Readers"]
    assert fake.admin.calls["assignments_for_principal"] == 3  # AWS-Readers, AWS-Nothing, ben directly


def test_members_are_listed_only_for_groups_that_hold_something() -> None:
    fake = world()
    listed: list[str] = []
    members = fake.directory.members

    def listing(group_id: str) -> list[str]:
        listed.append(group_id)
        return members(group_id)

    fake.directory.members = listing  # type: ignore[method-assign]
    read_access(fake.context(), [], AccessQuery())
    assert sorted(listed) == [ADMINS.id, READERS.id]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (AccessQuery(user="nobody"), "no user 'nobody' in the identity store"),
        (AccessQuery(group="AWS-Nope"), "no group 'AWS-Nope' in the identity store"),
        (AccessQuery(account="999999999999"), "no account '999999999999' in the organization"),
        (AccessQuery(permission_set="Nope"), "no permission set 'Nope' in Identity Center"),
    ],
)
def test_a_filter_naming_nothing_is_an_error_not_an_empty_report(query: AccessQuery, message: str) -> None:
    with pytest.raises(AccessQueryError, match=f"^{message}$"):
        rows(query)
