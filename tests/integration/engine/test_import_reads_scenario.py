"""The import benchmark's scenario (bench/import_reads.py) at a small scale: the import reads exactly what its
bound counts, and the plan of the config it writes says no changes (run() raises otherwise)."""

from __future__ import annotations

from bench.import_reads import run
from bench.reconcile_reads import Sizes


def test_the_import_of_the_benchmark_scenario_reads_its_bound_and_then_plans_no_changes(aws: str) -> None:
    measured = run(Sizes(accounts_per_unit=25, app_sets=13, convention_groups=40))
    assert measured["plan_after_import"] == "scope all: observed, nothing applied (plan: no changes)"
    assert measured["bound_parts"]["principal_assignments"] > measured["groups"], "some groups need several pages"
    assert measured["calls"] == measured["bound"], measured["breakdown"]
    assert measured["assignments"] > measured["rules"] == measured["groups"], "a rule per group: each has its targets"
