"""bench.run with fake sections: goal evaluation, the table, results.json's shape, exit status."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bench import run
from bench.run import Outcome, Section

READS = {"accounts": 50, "permission_sets": 10, "groups": 20, "calls": 110, "lower_bound": 100, "naive_calls": 520}
MAKESPAN = {
    "operations": 1200,
    "accounts": 100,
    "seconds": 170.5,
    "lower_bound_seconds": 160.0,
    "naive_seconds": 2454.5,
    "succeeded": 1200,
    "throttles": 0,
}
EVENT = {"scim_group_created": 7, "lower_bound": 5}
ACCOUNT_EVENT = {"calls": 14, "lower_bound": 12, "accounts": 2001}
COLD = {"lambdas.event_router": 170.0, "lambdas.reconcile_worker": 301.0}
CACHE_HIT = {"helper_ms": 30.0, "python_ms": 20.0}
IMPORT_READS = {"accounts": 2001, "calls": 2740, "bound": 2740}
ACCESS: dict[str, Any] = {"accounts": 2001, "groups": 500, "users": 5000, "rows": 413375, "calls": 6600}
ACCESS |= {"bound": 6000, "peak_mb": 499.9, "memory_goal_mb": 500}
MACHINE = {"cpu": "Test CPU", "cores": 2, "os": "Linux", "python": "CPython 3.11.9"}


def section(name: str) -> Section:
    return next(s for s in run.SECTIONS if s.name == name)


def evaluate(name: str, result: dict[str, Any]) -> list[bool]:
    return [row.met for row in section(name).evaluate(result)]


def test_each_goal_holds_at_its_boundary_and_fails_past_it() -> None:
    assert evaluate("reconcile_reads", READS) == [True]
    assert evaluate("reconcile_reads", READS | {"calls": 111}) == [False]
    assert evaluate("assignment_makespan", MAKESPAN | {"seconds": 1.1 * 160.0}) == [True]
    assert evaluate("assignment_makespan", MAKESPAN | {"seconds": 176.5}) == [False]
    assert evaluate("assignment_makespan", MAKESPAN | {"succeeded": 1199}) == [False], "a lost operation fails"
    assert evaluate("event_calls", EVENT) == [True]
    assert evaluate("event_calls", EVENT | {"scim_group_created": 8}) == [False]
    assert evaluate("cold_start_import_ms", COLD) == [True, False]
    assert evaluate("credentials_cache_hit", CACHE_HIT) == [True]
    assert evaluate("credentials_cache_hit", CACHE_HIT | {"helper_ms": 30.1}) == [False]
    assert evaluate("import_reads", IMPORT_READS) == [True]
    assert evaluate("import_reads", IMPORT_READS | {"calls": 2741}) == [False]
    assert evaluate("access_report", ACCESS) == [True, True]
    assert evaluate("access_report", ACCESS | {"calls": 6601, "peak_mb": 500.0}) == [False, False]


def fake_importer(modules: dict[str, Any]) -> Any:
    def importer(name: str) -> Any:
        if name not in modules:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return modules[name]

    return importer


def measured(sections: list[Section], modules: dict[str, Any]) -> list[Outcome]:
    return run.measure_all(sections, importer=fake_importer(modules))


def failing() -> dict[str, Any]:
    raise RuntimeError("moto server did not start\nTraceback ...")


def test_a_missing_or_failing_section_is_one_line_and_the_others_still_run() -> None:
    sections = [section("reconcile_reads"), section("assignment_makespan"), section("event_calls")]
    modules = {
        "bench.makespan": SimpleNamespace(measure=lambda: MAKESPAN),
        "bench.event_calls": SimpleNamespace(measure=failing),
    }
    reads, makespan, event = measured(sections, modules)
    assert reads.error == "bench/reconcile_reads.py does not exist (yet)"
    assert event.error == "measure() failed: RuntimeError: moto server did not start"
    assert makespan.met and makespan.result == MAKESPAN
    assert run.exit_status([reads, makespan, event], strict=False) == 2


def test_an_unexpected_result_shape_is_reported_not_raised() -> None:
    (outcome,) = measured([section("event_calls")], {"bench.event_calls": SimpleNamespace(measure=lambda: {})})
    assert outcome.error == "unexpected result shape: KeyError: 'scim_group_created'"
    assert not outcome.met


def test_timed_sections_run_before_the_others_and_results_keep_the_listed_order() -> None:
    order: list[str] = []

    def module(name: str, result: dict[str, Any]) -> Any:
        def measure() -> dict[str, Any]:
            order.append(name)
            return result

        return SimpleNamespace(measure=measure)

    modules = {
        "bench.makespan": module("makespan", MAKESPAN),
        "bench.cold_start": module("cold_start", COLD),
        "bench.credentials_cache_hit": module("cache_hit", CACHE_HIT),
    }
    names = ["assignment_makespan", "cold_start_import_ms", "credentials_cache_hit"]
    outcomes = measured([section(n) for n in names], modules)
    assert order == ["cold_start", "cache_hit", "makespan"]
    assert [o.section.name for o in outcomes] == names


def all_sections_measured() -> list[Outcome]:
    results: dict[str, dict[str, Any]] = {
        "reconcile_reads": READS,
        "assignment_makespan": MAKESPAN,
        "event_calls": EVENT,
        "cold_start_import_ms": COLD,
        "credentials_cache_hit": CACHE_HIT,
        "import_reads": IMPORT_READS,
        "access_report": ACCESS,
        "account_event_calls": ACCOUNT_EVENT,
    }
    return [Outcome(s, results[s.name], s.evaluate(results[s.name])) for s in run.SECTIONS]


def test_results_json_has_every_section_the_goals_the_time_and_the_machine() -> None:
    outcomes = all_sections_measured()
    document = run.results_document(outcomes, datetime(2026, 11, 21, 9, 30, tzinfo=UTC), MACHINE)
    assert list(document) == [*(s.name for s in run.SECTIONS), "goals", "measured_at", "machine"]
    assert [s.name for s in run.SECTIONS] == [
        "reconcile_reads",
        "assignment_makespan",
        "event_calls",
        "cold_start_import_ms",
        "credentials_cache_hit",
        "import_reads",
        "access_report",
        "account_event_calls",
    ]
    assert document["assignment_makespan"] == MAKESPAN
    assert document["measured_at"] == "2026-11-21T09:30:00+00:00"
    assert document["machine"] == MACHINE
    assert document["goals"]["cold_start_import_ms"]["met"] is False
    assert document["goals"]["credentials_cache_hit"] == {
        "met": True,
        "error": "",
        "rows": [
            {
                "what": "`entra-aws credentials`, cache hit",
                "measured": "30 ms (1.50 x python)",
                "reference": "`python -c pass` 20 ms",
                "goal": "<= 1.5 x `python -c pass`",
                "met": True,
            }
        ],
    }
    json.dumps(document)


def test_the_table_has_one_row_per_measured_value_and_marks_misses_and_errors() -> None:
    outcomes = all_sections_measured()
    outcomes[2] = Outcome(outcomes[2].section, None, [], "bench/event_calls.py does not exist (yet)")
    lines = run.table(outcomes).splitlines()
    assert lines[0] == "| section | what | measured | reference | goal | met |"
    assert len(lines) == 2 + 1 + 1 + 1 + 2 + 1 + 1 + 2 + 1
    assert lines[3] == (
        "| assignment_makespan | 1,200 assignments over 100 accounts under the quota model (virtual time) | "
        "170.5 s (1.07 x bound), 0 throttles, 0 not done | lower bound 160.0 s; naive FIFO 2,454 s | "
        "<= 1.1 x lower bound, all done | yes |"
    )
    assert lines[4].endswith("| not measured: bench/event_calls.py does not exist (yet) |  |  | ERROR |")
    assert lines[6].startswith("| cold_start_import_ms | import lambdas.reconcile_worker") and lines[6].endswith(
        "| **NO** |"
    )


def test_exit_status_is_zero_on_a_miss_unless_strict() -> None:
    outcomes = all_sections_measured()
    assert run.exit_status(outcomes, strict=False) == 0
    assert run.exit_status(outcomes, strict=True) == 1
    met = [o for o in outcomes if o.section.name != "cold_start_import_ms"]
    assert run.exit_status(met, strict=True) == 0


def test_only_runs_the_named_sections_and_writes_only_where_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "bench.makespan", SimpleNamespace(measure=lambda: MAKESPAN))
    output = tmp_path / "results.json"
    assert run.main(["--only", "assignment_makespan", "--output", str(output)]) == 0
    document = json.loads(output.read_text())
    assert [k for k in document if k not in ("goals", "measured_at", "machine")] == ["assignment_makespan"]
    assert "| assignment_makespan |" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="unknown section"):
        run.main(["--only", "makespan"])


def test_a_section_that_failed_is_recorded_with_its_error_and_any_result_it_produced() -> None:
    outcomes = [
        Outcome(section("event_calls"), {"calls": 3}, [], "unexpected result shape: KeyError: 'scim_group_created'"),
        Outcome(section("reconcile_reads"), None, [], "bench/reconcile_reads.py does not exist (yet)"),
    ]
    document = run.results_document(outcomes, datetime(2026, 11, 21, tzinfo=UTC), MACHINE)
    assert document["event_calls"] == {
        "error": "unexpected result shape: KeyError: 'scim_group_created'",
        "result": {"calls": 3},
    }
    assert document["reconcile_reads"] == {"error": "bench/reconcile_reads.py does not exist (yet)"}
    assert document["goals"]["reconcile_reads"] == {
        "met": False,
        "error": "bench/reconcile_reads.py does not exist (yet)",
        "rows": [],
    }


def test_counts_are_printed_with_thousands_separators() -> None:
    big = READS | {"accounts": 2001, "calls": 1480, "lower_bound": 1480, "naive_calls": 200831}
    (row,) = section("reconcile_reads").evaluate(big)
    assert row.what == "full reconcile reads, 2,001 accounts x 10 permission sets x 20 groups"
    assert (row.measured, row.reference) == ("1,480 calls (1.00 x bound)", "lower bound 1,480; naive 200,831")
