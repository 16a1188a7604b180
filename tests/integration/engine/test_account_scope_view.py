"""Against the emulator: after a full reconcile, every account's own scope agrees with it (plans nothing) and
reads the account's surroundings, never a listing of the organization's accounts (the example config's per-OU
convention does list the OUs: a name must be unique)."""

from __future__ import annotations

from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .conftest import Seeded

WALK = ("organizations:ListAccountsForParent", "organizations:ListAccounts", "organizations:ListRoots")


def test_every_account_scope_agrees_with_the_full_reconcile_and_lists_no_accounts(seeded: Seeded) -> None:
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context()).ok
    accounts = [a["Id"] for page in seeded.orgs.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
    assert len(accounts) > 5
    for account_id in accounts:
        context = seeded.context()
        report = reconcile(seeded.config, Scope.account(account_id), apply=False, context=context)
        assert report.plan.empty, (account_id, [op.describe() for op in report.plan.operations])
        assert not any(context.calls.calls[op] for op in WALK), account_id
        assert context.calls.calls["organizations:ListParents"] >= 1
