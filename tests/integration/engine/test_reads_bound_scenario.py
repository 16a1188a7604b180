"""The reads benchmark's scenario (bench/reconcile_reads.py) at a small scale: a steady full reconcile makes no
more reads than the size-derived lower bound allows (and not fewer: the bound counts only what AWS requires)."""

from __future__ import annotations

from bench.reconcile_reads import Sizes, run


def test_a_steady_full_reconcile_of_the_benchmark_scenario_stays_within_its_lower_bound(aws: str) -> None:
    measured = run(Sizes(accounts_per_unit=25, app_sets=13, convention_groups=40))
    calls, bound = measured["calls"], measured["lower_bound"]
    assert measured["lower_bound_parts"]["group_assignments"] > measured["groups"], "some groups need several pages"
    assert bound <= calls <= 1.1 * bound, measured["breakdown"]
    assert calls < measured["naive_calls"] / 5
