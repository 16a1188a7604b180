"""The account_event_calls section: its goal at the boundary, and (at a small size in the emulator) an account
event's calls meet it and do not grow with the organization."""

from __future__ import annotations

from bench import run
from bench.account_event_calls import lower_bound, measure_at
from bench.reconcile_reads import Sizes


def met(result: dict[str, int]) -> list[bool]:
    section = next(s for s in run.SECTIONS if s.name == "account_event_calls")
    return [row.met for row in section.evaluate(result)]


def test_the_goal_is_the_lower_bound_plus_two() -> None:
    assert met({"calls": 14, "lower_bound": 12, "accounts": 2001}) == [True]
    assert met({"calls": 15, "lower_bound": 12, "accounts": 2001}) == [False]


def test_the_lower_bound_counts_list_groups_pages() -> None:
    assert (lower_bound(500), lower_bound(100), lower_bound(101)) == (12, 8, 9)


def test_an_account_event_costs_the_same_in_a_small_and_a_five_times_larger_organization() -> None:
    small = measure_at(Sizes(accounts_per_unit=2, app_sets=3, convention_groups=4))
    large = measure_at(Sizes(accounts_per_unit=10, app_sets=3, convention_groups=4))
    assert large["accounts"] > 4 * small["accounts"] // 2
    assert small["breakdown"] == large["breakdown"]
    assert large["calls"] <= large["lower_bound"] + 2
