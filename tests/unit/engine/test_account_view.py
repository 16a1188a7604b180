"""An account scope's view (the account, its ancestors and what the exclusions name) grants on that account
exactly what the complete organization grants there, and reports what stops a rule just as well."""

from __future__ import annotations

from typing import Any

import pytest

from entra_aws.config import Config, parse_config
from entra_aws.engine.desired import desired_state
from entra_aws.engine.model import Account, Assignment, OrganizationalUnit, Principal
from entra_aws.engine.organization import AccountView, Organization, Reach

MGMT, PROD, DEV, SEC, LOOSE, SLASHED = (f"{n}" * 12 for n in "123456")
GROUP = Principal(
    "GROUP", "9067b8a0c2-8e3f4a5b-1c2d-4e3f-8a9b-0c1d2e3f4a5b", "Team", "0b3c6a1e-7f2d-4c8e-9a5b-1d2e3f4a5b6c"
)
ACCOUNT_GROUP = Principal(
    "GROUP",
    "9067b8a0c2-8e3f4a5b-1c2d-4e3f-8a9b-0c1d2e3f4a5c",
    f"AWS-{DEV}-ReadOnly",
    "1c4d7b2f-8a3e-4d9f-8b6c-2e3f4a5b6c7d",
)
OU_GROUP = Principal(
    "GROUP",
    "9067b8a0c2-8e3f4a5b-1c2d-4e3f-8a9b-0c1d2e3f4a5d",
    "AWS-OU-Prod-ReadOnly",
    "2d5e8c3a-9b4f-4e0a-9c7d-3f4a5b6c7d8e",
)
UNITS = (
    OrganizationalUnit("ou-root-workload1", "Workloads", "r-root"),
    OrganizationalUnit("ou-root-prod00001", "Prod", "ou-root-workload1"),
    OrganizationalUnit("ou-root-nonprod01", "NonProd", "ou-root-workload1"),
    OrganizationalUnit("ou-root-security1", "Security", "r-root"),
    OrganizationalUnit("ou-root-slashed01", "Workloads/Sandbox", "r-root"),
    OrganizationalUnit("ou-root-deeper001", "Prod/Edge", "ou-root-nonprod01"),
)
PLACED = {
    MGMT: "r-root",
    PROD: "ou-root-prod00001",
    DEV: "ou-root-nonprod01",
    SEC: "ou-root-security1",
    LOOSE: "r-root",
    SLASHED: "ou-root-slashed01",
}


def organization() -> Organization:
    accounts = {
        a: Account(a, f"name-{a[0]}", parent_id=p, tags=(("team", "pay"),) if a == PROD else ())
        for a, p in PLACED.items()
    }
    return Organization("r-root", MGMT, accounts, {u.id: u for u in UNITS})


def config(targets: dict[str, Any], exclude: dict[str, Any] | None = None) -> Config:
    return parse_config(
        {
            "tenant_id": "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b",
            "identity_center": {"region": "eu-west-1"},
            "management_account_id": MGMT,
            "permission_sets": [{"name": "ReadOnly", "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}],
            "assignments": [
                {
                    "name": "team",
                    "groups": [{"external_id": "0b3c6a1e-7f2d-4c8e-9a5b-1d2e3f4a5b6c", "name": "Team"}],
                    "permission_sets": ["ReadOnly"],
                    "targets": targets,
                    "exclude": exclude or {},
                }
            ],
            "conventions": [
                {
                    "name": "per-account",
                    "pattern": r"^AWS-(?P<account>\d{12})-(?P<permission_set>\w+)$",
                    "allowed_permission_sets": ["ReadOnly"],
                },
                {
                    "name": "per-ou",
                    "pattern": r"^AWS-OU-(?P<ou>[\w-]+)-(?P<permission_set>\w+)$",
                    "allowed_permission_sets": ["ReadOnly"],
                },
            ],
        }
    )


Case = tuple[dict[str, Any], dict[str, Any] | None]
CASES: dict[str, Case] = {
    "organization": ({"organization": True}, None),
    "organization-but-security": ({"organization": True}, {"ous": ["/Security"]}),
    "nested-path": ({"ous": ["/Workloads"]}, {"ous": ["/Workloads/NonProd"]}),
    "by-id": ({"ous": ["ou-root-workload1"]}, {"ous": ["ou-root-prod00001"]}),
    "exclude-missing-path": ({"organization": True}, {"ous": ["/Workloads/Typo"]}),
    "exclude-missing-id": ({"organization": True}, {"ous": ["ou-root-missing01"]}),
    "exclude-spoofable-path": ({"organization": True}, {"ous": ["/Workloads/Sandbox"]}),
    "spoofable-target": ({"ous": ["/Workloads/Sandbox", "/Workloads/Prod"]}, None),
    "spoofable-target-beside-others": ({"accounts": [PROD, DEV], "ous": ["/Workloads/Sandbox"]}, None),
    "spoofed-deeper": ({"ous": ["/Workloads/Prod", "/Workloads/NonProd/Prod/Edge"]}, None),
    "accounts": ({"accounts": [PROD, DEV, "999999999999"]}, {"accounts": [DEV]}),
    "names-and-tags": ({"account_names": [f"name-{DEV[0]}"], "tags": ["team=pay"]}, None),
    "exclude-by-tag": ({"organization": True}, {"tags": ["team=pay"]}),
    "exclude-by-name": ({"organization": True}, {"account_names": ["nobody"]}),
}


def grants(cfg: Config, org: Any, within: str | None = None) -> tuple[set[Assignment], set[str]]:
    state = desired_state(cfg, org, [GROUP, ACCOUNT_GROUP, OU_GROUP], within=within)
    return state.assignments, {f.message for f in state.findings if f.severity == "error"}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("account", PLACED)
def test_an_account_view_grants_what_the_whole_organization_grants_on_that_account(case: str, account: str) -> None:
    cfg = config(*CASES[case])
    full = organization()
    everywhere, stopped = grants(cfg, full)
    view = AccountView(full, full.surroundings(account, Reach.of(cfg)))
    here, stopped_here = grants(cfg, view, within=account)
    assert here == {a for a in everywhere if a.account_id == account}
    assert stopped_here == stopped


def test_the_view_holds_one_account_and_only_the_units_its_scope_needs() -> None:
    near = organization().surroundings(DEV, Reach(paths=frozenset({"/Security"})))
    assert list(near.accounts) == [DEV]
    assert set(near.units) == {
        "ou-root-nonprod01",
        "ou-root-workload1",  # DEV's ancestors
        "ou-root-security1",
        "ou-root-slashed01",  # the root's children, on the way to /Security
    }


def test_an_account_outside_the_organization_is_granted_nothing_and_nothing_is_reported() -> None:
    cfg = config({"organization": True}, {"ous": ["/Security"]})
    view = AccountView(organization(), organization().surroundings("999999999999", Reach.of(cfg)))
    state = desired_state(cfg, view, [GROUP], within="999999999999")
    assert state.assignments == set() and state.findings == []
