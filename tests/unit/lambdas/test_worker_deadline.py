"""The worker stops starting operations with time to spare before the Lambda timeout."""

from __future__ import annotations

from lambdas.reconcile_worker import DEADLINE_MARGIN, deadline


def test_a_full_timeout_keeps_the_margin_back() -> None:
    assert deadline(900.0, now=1000.0) == 1000.0 + 900.0 - DEADLINE_MARGIN


def test_a_short_remaining_time_still_leaves_half_for_work() -> None:
    assert deadline(60.0, now=0.0) == 30.0
    assert deadline(0.0, now=5.0) == 5.0
