"""Concurrent workers split the Identity Center budget between them."""

from __future__ import annotations

from entra_aws.config import load_config
from lambdas.reconcile_worker import throttled
from tests.conftest import REPO

CONFIG = load_config(REPO / "config" / "example.yaml")


def test_each_worker_gets_its_share_of_the_rate_and_the_window() -> None:
    shared = throttled(CONFIG, 2)
    assert (shared.apply.max_tps, shared.apply.max_outstanding_operations) == (10.0, 5)
    assert (CONFIG.apply.max_tps, CONFIG.apply.max_outstanding_operations) == (20, 10), "the config is not changed"


def test_nonsense_worker_counts_are_clamped() -> None:
    assert throttled(CONFIG, 0).apply.max_tps == 20
    assert throttled(CONFIG, 64).apply.max_outstanding_operations == 1
