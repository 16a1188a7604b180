"""An account whose state Organizations did not give is not targeted, and the report says so."""

from __future__ import annotations

from entra_aws.engine.model import Account
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .fakes import FakeDirectory, FakeIdentityCenter, FakeWorld, organization
from .test_reconcile_fakes import AUDITORS, DEV, MANAGEMENT, PROD, config


def test_an_account_without_a_state_gets_nothing_and_a_warning() -> None:
    org = organization(MANAGEMENT, DEV, PROD)
    org.accounts[PROD] = Account(PROD, "prod", status="", parent_id=org.root_id)
    fake = FakeWorld(FakeIdentityCenter(), FakeDirectory([AUDITORS]), org)
    report = reconcile(config(), Scope.everything(), apply=True, context=fake.context())
    assert report.ok
    assert fake.admin.held(AUDITORS.id) == {(DEV, "ReadOnly")}
    [warning] = [f for f in report.findings if PROD in f.message]
    assert warning.severity == "warning" and "rule audit" in warning.message and "no State" in warning.message
