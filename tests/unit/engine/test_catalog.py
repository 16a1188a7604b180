"""The remembered catalog's rules, without AWS: what it explains, what makes it stale, when it expires."""

from __future__ import annotations

import pytest

from entra_aws.engine.catalog import Catalog, CatalogCache, StaleCatalogError
from entra_aws.engine.model import PermissionSetContent, PermissionSetRecord

READ_ONLY = "arn:aws:sso:::permissionSet/ssoins-1/ps-readonly"
HAND_MADE = "arn:aws:sso:::permissionSet/ssoins-1/ps-handmade"
NEWER = "arn:aws:sso:::permissionSet/ssoins-1/ps-newer"


def live() -> Catalog:
    records = {
        "ReadOnly": PermissionSetRecord(READ_ONLY, "ReadOnly", True, PermissionSetContent(description="x")),
        "Billing": PermissionSetRecord(HAND_MADE, "Billing", False),
    }
    return Catalog(records, frozenset({READ_ONLY, HAND_MADE}))


def test_a_live_catalog_names_managed_sets_and_ignores_others() -> None:
    catalog = live()
    assert catalog.managed_name(READ_ONLY) == "ReadOnly"
    assert catalog.managed_name(HAND_MADE) is None
    assert catalog.managed_name(NEWER) is None, "a live read is the truth: an unlisted ARN is simply not ours"
    catalog.require_managed({"ReadOnly", "Billing", "Missing"})  # a live catalog lets the planner decide


def test_a_remembered_catalog_keeps_names_and_arns_but_no_content() -> None:
    cache = CatalogCache(ttl=60)
    cache.remember(live(), now=0)
    remembered = cache.recall(now=1)
    assert remembered is not None and remembered.remembered
    assert remembered.arns() == {"ReadOnly": READ_ONLY, "Billing": HAND_MADE}
    assert all(r.content is None for r in remembered.records.values())


def test_a_remembered_catalog_refuses_what_it_cannot_explain() -> None:
    remembered = live().names_only()
    assert remembered.managed_name(READ_ONLY) == "ReadOnly"
    assert remembered.managed_name(HAND_MADE) is None, "listed when read, and not ours"
    with pytest.raises(StaleCatalogError):
        remembered.managed_name(NEWER)
    remembered.require_managed({"ReadOnly"})
    with pytest.raises(StaleCatalogError):
        remembered.require_managed({"ReadOnly", "Missing"})
    with pytest.raises(StaleCatalogError):
        remembered.require_managed({"Billing"})  # unmanaged when read: it may have been adopted since


def test_the_cache_expires_and_can_be_dropped() -> None:
    cache = CatalogCache(ttl=60)
    assert cache.recall(now=0) is None
    cache.remember(live(), now=100)
    assert cache.recall(now=159) is not None
    assert cache.recall(now=160) is None
    assert cache.recall(now=100) is None, "an expired entry is gone, not revived"
    cache.remember(live(), now=200)
    cache.forget()
    assert cache.recall(now=200) is None


def test_own_creations_adoptions_and_deletions_are_folded_in() -> None:
    cache = CatalogCache(ttl=60)
    cache.remember(live(), now=0.0)
    cache.amend(created={"Newer": NEWER}, adopted=["Billing"], deleted=["ReadOnly"])
    catalog = cache.recall(now=59.0)
    assert catalog is not None and catalog.remembered
    assert catalog.managed_name(NEWER) == "Newer"
    assert catalog.managed_name(HAND_MADE) == "Billing", "adopted: now ours"
    catalog.require_managed({"Newer", "Billing"})
    with pytest.raises(StaleCatalogError):
        catalog.managed_name(READ_ONLY)  # deleted: no longer listed
    assert cache.recall(now=60.0) is None, "amending keeps the original read's age"


def test_amending_nothing_remembered_remembers_nothing() -> None:
    cache = CatalogCache()
    cache.amend(created={"Newer": NEWER}, adopted=[], deleted=[])
    assert cache.recall(now=0.0) is None
