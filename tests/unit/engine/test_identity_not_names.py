"""Access follows identity, not display names, and nothing unresolvable widens it: pinned rule principals, the
conventions' scope (groups provisioned from Entra), exclusions that select nothing, spoofable OU paths, the root
in a per-OU convention, rule principals missing from the directory."""

from __future__ import annotations

import uuid
from typing import Any

from entra_aws.config import Config, parse_config
from entra_aws.engine.desired import desired_state
from entra_aws.engine.model import Account, DesiredState, OrganizationalUnit, Principal
from entra_aws.engine.organization import Organization
from entra_aws.engine.reads import principals_in_scope
from entra_aws.engine.scope import Scope

from .fakes import FakeDirectory

MGMT, PROD, DEV, SANDBOX = "111111111111", "222222222222", "333333333333", "444444444444"
ADMINS_OBJECT_ID = "0b3c6a1e-7f2d-4c8e-9a5b-1d2e3f4a5b6c"
ADMINS_STORE_ID = "9067b8a0c2-8e3f4a5b-1c2d-4e3f-8a9b-0c1d2e3f4a5b"


def org(*extra_units: OrganizationalUnit, **parents: str) -> Organization:
    units = {
        "ou-root-workload1": OrganizationalUnit("ou-root-workload1", "Workloads", "r-root"),
        "ou-root-nonprod01": OrganizationalUnit("ou-root-nonprod01", "NonProd", "ou-root-workload1"),
        "ou-root-prod00001": OrganizationalUnit("ou-root-prod00001", "Prod", "ou-root-workload1"),
        "ou-root-sandbox01": OrganizationalUnit("ou-root-sandbox01", "Sandbox", "r-root"),
        **{unit.id: unit for unit in extra_units},
    }
    placed = {MGMT: "r-root", PROD: "ou-root-prod00001", DEV: "ou-root-nonprod01", SANDBOX: "ou-root-sandbox01"}
    placed.update(parents)
    accounts = {a: Account(a, f"account-{a}", parent_id=p, tags=(("env", "x"),)) for a, p in placed.items()}
    return Organization("r-root", MGMT, accounts, units)


def config(assignments: list[dict[str, Any]] | None = None, **convention: Any) -> Config:
    return parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": {"region": "eu-west-1"},
            "management_account_id": MGMT,
            "permission_sets": [
                {
                    "name": "Admin",
                    "managed_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"],
                    "privileged": True,
                },
                {"name": "ReadOnly", "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
            ],
            "assignments": assignments or [],
            "conventions": [
                {
                    "name": "per-ou",
                    "pattern": r"^AWS-OU-(?P<ou>[\w-]+)-(?P<permission_set>\w+)$",
                    "allowed_permission_sets": ["ReadOnly"],
                    **convention,
                }
            ],
        }
    )


def admins_rule(pin: dict[str, str]) -> dict[str, Any]:
    return {"name": "admins", "groups": [pin], "permission_sets": ["Admin"], "targets": {"organization": True}}


def readonly_rule(targets: dict[str, Any], exclude: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": "readers", "groups": ["Readers"], "permission_sets": ["ReadOnly"], "targets": targets} | (
        {"exclude": exclude} if exclude else {}
    )


def group(name: str, *, store_id: str | None = None, external_id: str | None = "") -> Principal:
    """A group provisioned from Entra (an object id of its own) unless `external_id` is None."""
    entra = str(uuid.uuid5(uuid.NAMESPACE_URL, name)) if external_id == "" else external_id
    return Principal("GROUP", store_id or str(uuid.uuid5(uuid.NAMESPACE_DNS, name)), name, entra)


def accounts_of(state: DesiredState) -> set[str]:
    return {a.account_id for a in state.assignments}


def errors(state: DesiredState) -> list[str]:
    return [f.message for f in state.findings if f.severity == "error"]


# -- pinned principals ----------------------------------------------------------------------------------------


def test_a_group_pinned_by_entra_object_id_keeps_its_access_when_renamed() -> None:
    pinned = config([admins_rule({"external_id": ADMINS_OBJECT_ID, "name": "AWS-Platform-Admins"})])
    renamed = group("AWS-Platform-Admins-Old", external_id=ADMINS_OBJECT_ID)
    assert accounts_of(desired_state(pinned, org(), [renamed])) == {PROD, DEV, SANDBOX}


def test_a_group_taking_a_pinned_name_gets_nothing_and_the_team_is_told() -> None:
    pinned = config([admins_rule({"external_id": ADMINS_OBJECT_ID, "name": "AWS-Platform-Admins"})])
    impostor = group("AWS-Platform-Admins")
    state = desired_state(pinned, org(), [impostor])
    assert state.assignments == set()
    assert errors(state) == [
        f"rule admins: group 'AWS-Platform-Admins' ({impostor.id}) has the name of a pinned rule principal but not "
        f"its identity (pinned: 'AWS-Platform-Admins' (external id {ADMINS_OBJECT_ID})); it gets nothing from this rule"
    ]


def test_a_group_pinned_by_identity_store_id_matches_that_id_only() -> None:
    pinned = config([admins_rule({"id": ADMINS_STORE_ID, "name": "AWS-Platform-Admins"})])
    genuine = group("Renamed", store_id=ADMINS_STORE_ID, external_id=None)
    impostor = group("AWS-Platform-Admins")
    state = desired_state(pinned, org(), [genuine, impostor])
    assert {a.principal_id for a in state.assignments} == {ADMINS_STORE_ID}
    assert len(errors(state)) == 1


# -- conventions match groups provisioned from Entra ---------------------------------------------------------


def test_a_convention_ignores_a_group_not_provisioned_from_entra() -> None:
    state = desired_state(config(), org(), [group("AWS-OU-Sandbox-ReadOnly", external_id=None)])
    assert state.assignments == set()
    assert any("not provisioned from Entra" in f.message for f in state.findings)


def test_a_convention_may_opt_in_to_groups_made_in_identity_center() -> None:
    opted_in = config(match_unprovisioned_groups=True)
    state = desired_state(opted_in, org(), [group("AWS-OU-Sandbox-ReadOnly", external_id=None)])
    assert accounts_of(state) == {SANDBOX}


# -- unresolvable means stop, never widen --------------------------------------------------------------------


def test_an_exclusion_that_selects_nothing_skips_its_whole_rule() -> None:
    typo = config([readonly_rule({"organization": True}, {"ous": ["/Workload/NonProd"]})])
    state = desired_state(typo, org(), [group("Readers")])
    assert state.assignments == set()
    assert errors(state) == [
        "rule readers: exclude: no OU matches '/Workload/NonProd'; it grants nothing until this is fixed"
    ]


def test_an_excluded_tag_or_account_that_selects_nothing_skips_the_rule_too() -> None:
    for exclude in ({"tags": ["env=prdo"]}, {"accounts": ["999999999999"]}):
        state = desired_state(config([readonly_rule({"organization": True}, exclude)]), org(), [group("Readers")])
        assert state.assignments == set() and len(errors(state)) == 1, exclude


def test_an_ou_named_with_a_slash_cannot_pass_for_a_nested_path() -> None:
    spoof = OrganizationalUnit("ou-root-spoofed01", "Workloads/NonProd", "r-root")
    planted = "555555555555"
    state = desired_state(
        config([readonly_rule({"ous": ["/Workloads/NonProd"]})]),
        org(spoof, **{planted: spoof.id}),
        [group("Readers")],
    )
    assert state.assignments == set()
    assert len(errors(state)) == 1 and "whose name contains '/'" in errors(state)[0]


def test_an_ou_named_with_a_slash_in_an_exclusion_skips_the_rule() -> None:
    spoof = OrganizationalUnit("ou-root-spoofed01", "Workloads/NonProd", "r-root")
    rule = readonly_rule({"organization": True}, {"ous": ["/Workloads/NonProd"]})
    state = desired_state(config([rule]), org(spoof), [group("Readers")])
    assert state.assignments == set() and len(errors(state)) == 1


def test_the_root_in_a_per_ou_convention_grants_nothing() -> None:
    state = desired_state(config(), org(), [group("AWS-OU-r-root-ReadOnly")])
    assert state.assignments == set()
    assert any("organization root" in f.message for f in state.findings)


# -- rule principals missing from the directory --------------------------------------------------------------


def test_a_rule_group_missing_from_the_directory_is_an_error_naming_the_rule() -> None:
    typo = config([{**readonly_rule({"accounts": [PROD]}), "groups": ["AWS-Networks"]}])
    principals = principals_in_scope(typo, Scope.everything(), FakeDirectory([group("AWS-Network")]))
    assert [(f.severity, f.subject) for f in principals.findings] == [("error", "readers")]
    assert "group 'AWS-Networks' is not in the identity store" in principals.findings[0].message
    assert "deletions of ReadOnly" in principals.findings[0].message


def test_a_pinned_group_that_exists_is_not_reported_missing() -> None:
    pinned = config([admins_rule({"external_id": ADMINS_OBJECT_ID})])
    directory = FakeDirectory([group("Renamed", external_id=ADMINS_OBJECT_ID)])
    assert principals_in_scope(pinned, Scope.everything(), directory).findings == []


def test_a_user_pinned_by_entra_object_id_is_found_among_the_users() -> None:
    alice = Principal("USER", str(uuid.uuid4()), "alice@example.com", "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d")
    rule = {**readonly_rule({"accounts": [PROD]}), "groups": [], "users": [{"external_id": alice.external_id}]}
    principals = principals_in_scope(config([rule]), Scope.everything(), FakeDirectory([alice]))
    assert principals.present == [alice] and principals.findings == []
