"""The access benchmark's scenario (bench/access_report.py) at a small scale: the report has every access path
the world has (run() raises otherwise) and reads exactly the lower bound, but for the organization walk."""

from __future__ import annotations

from bench.access_report import People, run
from bench.reconcile_reads import Sizes


def test_the_access_report_of_the_benchmark_scenario_reads_its_bound_but_for_the_walk(aws: str) -> None:
    people = People(users=240, per_convention_group=5, per_unit_group=120, unit_group_stride=5, direct=5)
    measured = run(Sizes(accounts_per_unit=4, app_sets=5, convention_groups=10), people)
    parts = measured["bound_parts"]
    assert parts["members"] > measured["groups"], "some groups need several pages of members"
    walk_instead_of_listing = measured["organization_walk"] - parts["account_names"]
    assert measured["calls"] == measured["bound"] + walk_instead_of_listing, measured["breakdown"]
    assert measured["rows"] > measured["users"] and measured["peak_mb"] > 0
