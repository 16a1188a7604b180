"""The whole reconcile (read, plan, apply) through in-memory fakes of the ports: no moto, no boto3."""

from __future__ import annotations

from typing import Any

from entra_aws.config import Config, parse_config
from entra_aws.engine.model import Principal
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.report import Report
from entra_aws.engine.scope import Scope

from .fakes import FakeDirectory, FakeIdentityCenter, FakePermissionSet, FakeWorld, organization

MANAGEMENT, DEV, PROD = "111111111111", "222222222222", "333333333333"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def principal_id(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-000000000000"


DEVELOPERS = Principal("GROUP", principal_id(1), "Developers")
AUDITORS = Principal("GROUP", principal_id(2), "Auditors")
ALICE = Principal("USER", principal_id(3), "alice")


def config(**apply: Any) -> Config:
    return parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": {"region": "eu-west-1"},
            "management_account_id": MANAGEMENT,
            "permission_sets": [{"name": "ReadOnly", "managed_policies": [READ_ONLY]}],
            "assignments": [
                {
                    "name": "dev",
                    "groups": ["Developers"],
                    "permission_sets": ["ReadOnly"],
                    "targets": {"accounts": [DEV]},
                },
                {
                    "name": "audit",
                    "groups": ["Auditors"],
                    "users": ["alice"],
                    "permission_sets": ["ReadOnly"],
                    "targets": {"accounts": [DEV, PROD]},
                },
            ],
            "apply": apply,
        }
    )


def world(*principals: Principal) -> FakeWorld:
    return FakeWorld(FakeIdentityCenter(), FakeDirectory(list(principals)), organization(MANAGEMENT, DEV, PROD))


def with_read_only(fake: FakeWorld, *policies: str) -> str:
    """A managed ReadOnly that matches the config (plus any extra `policies`)."""
    return fake.admin.add(FakePermissionSet("ReadOnly", managed_policies={READ_ONLY, *policies}), managed=True)


def run(fake: FakeWorld, scope: Scope, **apply: Any) -> Report:
    return reconcile(config(**apply), scope, apply=True, context=fake.context())


def test_a_full_reconcile_creates_permission_sets_and_assignments_and_then_has_nothing_to_do() -> None:
    fake = world(DEVELOPERS, AUDITORS, ALICE)
    report = run(fake, Scope.everything())
    assert report.ok, [r.error for r in report.failed]
    arn = fake.admin.arn_of("ReadOnly")
    assert fake.admin.permission_sets[arn].managed_policies == {READ_ONLY}
    assert fake.admin.held(DEVELOPERS.id) == {(DEV, "ReadOnly")}
    assert fake.admin.held(AUDITORS.id) == fake.admin.held(ALICE.id) == {(DEV, "ReadOnly"), (PROD, "ReadOnly")}
    assert reconcile(config(), Scope.everything(), apply=False, context=fake.context()).plan.empty


def test_a_group_scope_creates_the_groups_assignment_only() -> None:
    fake = world(DEVELOPERS, AUDITORS)
    with_read_only(fake)
    report = run(fake, Scope.group(DEVELOPERS.id))
    assert [(r.operation.kind, r.ok) for r in report.results] == [("create_assignment", True)]
    assert fake.admin.held(DEVELOPERS.id) == {(DEV, "ReadOnly")}
    assert fake.admin.held(AUDITORS.id) == set(), "outside the scope"


def test_a_deleted_groups_managed_assignments_are_removed_and_unmanaged_ones_kept() -> None:
    fake = world()  # the group no longer exists in the directory
    managed = with_read_only(fake)
    theirs = fake.admin.add(FakePermissionSet("HandMade"), managed=False)
    for arn in (managed, theirs):
        fake.admin.create_assignment(DEV, arn, "GROUP", DEVELOPERS.id)
    report = run(fake, Scope.group(DEVELOPERS.id))
    assert [r.operation.kind for r in report.results if r.ok] == ["delete_assignment"]
    assert fake.admin.held(DEVELOPERS.id) == {(DEV, "HandMade")}


def test_a_user_scope_grants_the_user_what_rules_name_them_for() -> None:
    fake = world(ALICE, AUDITORS)
    with_read_only(fake)
    report = run(fake, Scope.user(ALICE.id))
    assert report.ok
    assert fake.admin.held(ALICE.id) == {(DEV, "ReadOnly"), (PROD, "ReadOnly")}
    assert fake.admin.held(AUDITORS.id) == set()


def test_an_account_scope_reconciles_that_account_only() -> None:
    fake = world(DEVELOPERS, AUDITORS)
    arn = with_read_only(fake)
    fake.admin.create_assignment(PROD, arn, "GROUP", DEVELOPERS.id)  # nobody asks for it
    report = run(fake, Scope.account(PROD))
    assert sorted(r.operation.kind for r in report.results if r.ok) == ["create_assignment", "delete_assignment"]
    assert fake.admin.held(AUDITORS.id) == {(PROD, "ReadOnly")}, "DEV is outside the scope"
    assert fake.admin.held(DEVELOPERS.id) == set()


def test_drift_on_a_managed_permission_set_is_corrected_by_its_scope() -> None:
    fake = world(DEVELOPERS)
    arn = with_read_only(fake, ADMIN)
    report = run(fake, Scope.permission_set("ReadOnly"))
    kinds = sorted(r.operation.kind for r in report.results if r.ok)
    assert kinds == ["create_assignment", "detach_managed_policy", "provision_permission_set"]
    assert fake.admin.permission_sets[arn].managed_policies == {READ_ONLY}


def provisionings(report: Report) -> list[tuple[str, str | None, bool]]:
    return [
        (r.operation.permission_set, r.operation.args.get("account"), r.ok)
        for r in report.results
        if r.operation.kind == "provision_permission_set"
    ]


def test_an_account_whose_role_lags_a_matching_set_is_provisioned_alone_by_full_and_set_scopes() -> None:
    for scope in (Scope.everything(), Scope.permission_set("ReadOnly")):
        fake = world(DEVELOPERS, AUDITORS, ALICE)
        arn = with_read_only(fake)
        fake.admin.lagging[arn] = {PROD}  # e.g. a provisioning that failed there, or an update never provisioned
        report = run(fake, scope)
        assert report.ok and provisionings(report) == [("ReadOnly", PROD, True)], scope
        described = [op.describe() for op in report.plan.operations if op.kind == "provision_permission_set"]
        assert described == [f"ReadOnly: to {PROD}, whose role does not carry the latest version"]
        (told,) = [f for f in report.findings if f.kind == "roles_lagging"]
        assert told.severity == "warning" and told.permission_set == "ReadOnly" and PROD in told.message
        assert fake.admin.lagging[arn] == set()
        assert reconcile(config(), scope, apply=False, context=fake.context()).plan.empty


def test_narrow_scopes_do_not_read_lagging_accounts_and_a_content_change_provisions_to_all() -> None:
    fake = world(DEVELOPERS, AUDITORS, ALICE)
    arn = with_read_only(fake, ADMIN)  # drifted content
    fake.admin.lagging[arn] = {PROD}
    for scope in (Scope.group(DEVELOPERS.id), Scope.user(ALICE.id), Scope.account(PROD)):
        run(fake, scope)
    assert fake.admin.calls["lagging_accounts"] == 0, "content and provisioning are the full reconcile's to correct"
    report = run(fake, Scope.everything())
    assert provisionings(report) == [("ReadOnly", None, True)], "one provisioning to every account, no second"
    assert fake.admin.calls["lagging_accounts"] == 0 and fake.admin.lagging == {}


def test_an_unmanaged_namesake_is_left_alone_and_reported() -> None:
    fake = world(DEVELOPERS)
    theirs = fake.admin.add(
        FakePermissionSet("ReadOnly", session_duration="PT2H", managed_policies={ADMIN}), managed=False
    )
    fake.admin.create_assignment(PROD, theirs, "GROUP", DEVELOPERS.id)
    report = run(fake, Scope.everything())
    assert any("'ReadOnly' exists but is not managed" in f.message for f in report.findings)
    assert report.results == []
    untouched = fake.admin.permission_sets[theirs]
    assert (untouched.session_duration, untouched.managed_policies) == ("PT2H", {ADMIN})
    assert fake.admin.held(DEVELOPERS.id) == {(PROD, "ReadOnly")}


def test_throttling_is_retried_until_the_call_succeeds() -> None:
    fake = world(DEVELOPERS)
    with_read_only(fake)
    fake.admin.fail("create_assignment", "ThrottlingException", "Rate exceeded", times=3)
    report = run(fake, Scope.group(DEVELOPERS.id))
    assert report.ok, [r.error for r in report.failed]
    assert fake.admin.calls["create_assignment"] == 4
    assert fake.admin.held(DEVELOPERS.id) == {(DEV, "ReadOnly")}


def test_a_refusal_that_is_not_retryable_is_reported_failed_with_its_code() -> None:
    fake = world(DEVELOPERS)
    with_read_only(fake)
    fake.admin.fail("create_assignment", "AccessDeniedException", "not allowed")
    report = run(fake, Scope.group(DEVELOPERS.id))
    assert [(r.operation.kind, r.error) for r in report.failed] == [
        ("create_assignment", "AccessDeniedException: not allowed")
    ]
    assert fake.admin.calls["create_assignment"] == 1, "not retried"
    assert fake.admin.held(DEVELOPERS.id) == set()


def test_the_report_counts_the_calls_made_through_the_ports() -> None:
    fake = world(DEVELOPERS)
    with_read_only(fake)
    before = fake.admin.total
    report = run(fake, Scope.group(DEVELOPERS.id))
    assert report.api_calls == fake.admin.total - before > 0
