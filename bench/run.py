"""`make bench`: run the benchmark sections, compare each with its reference, write bench/results.json
and print the comparison as a Markdown table (docs/benchmark.md explains every section).

    python -m bench.run                          # all sections, writes bench/results.json
    python -m bench.run --only assignment_makespan,cold_start_import_ms    # prints only
    python -m bench.run --only cold_start_import_ms --output /tmp/cold.json
    python -m bench.run --strict                 # exit 1 when a goal is missed

Exit status: 0 when every section ran, whether or not its goal was met (a miss is marked NO in the table and
`"met": false` in results.json); 1 with --strict when a goal was missed; 2 when a section could not run (its
one-line error is printed and recorded, the other sections still run). Each section's module is imported only
when that section runs. The timed sections run first, before anything else has loaded in this process.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"

Result = dict[str, Any]
Importer = Callable[[str], Any]


@dataclass(frozen=True)
class Row:
    """One measured value against its reference and goal."""

    what: str
    measured: str
    reference: str
    goal: str
    met: bool


@dataclass(frozen=True)
class Section:
    name: str
    """The key in results.json."""
    module: str
    """Exposes `measure() -> dict`; imported only when the section runs."""
    evaluate: Callable[[Result], list[Row]]


@dataclass(frozen=True)
class Outcome:
    section: Section
    result: Result | None
    rows: list[Row]
    error: str = ""

    @property
    def met(self) -> bool:
        return not self.error and all(row.met for row in self.rows)


# -- goals ---------------------------------------------------------------------------------------------------


def reconcile_reads_rows(r: Result) -> list[Row]:
    calls, bound = r["calls"], r["lower_bound"]
    size = f"{r['accounts']:,} accounts x {r['permission_sets']:,} permission sets x {r['groups']:,} groups"
    return [
        Row(
            what=f"full reconcile reads, {size}",
            measured=f"{calls:,} calls ({calls / bound:.2f} x bound)",
            reference=f"lower bound {bound:,}; naive {r['naive_calls']:,}",
            goal="<= 1.1 x lower bound",
            met=calls <= 1.1 * bound,
        )
    ]


def import_reads_rows(r: Result) -> list[Row]:
    calls, bound = r["calls"], r["bound"]
    return [
        Row(
            what=f"`entra-aws import` reads, {r['accounts']:,} accounts (then its config plans no changes)",
            measured=f"{calls:,} calls ({calls / bound:.2f} x bound)",
            reference=f"bound {bound:,}",
            goal="<= bound",
            met=calls <= bound,
        )
    ]


def assignment_makespan_rows(r: Result) -> list[Row]:
    seconds, bound, operations = r["seconds"], r["lower_bound_seconds"], r["operations"]
    lost = operations - r["succeeded"]
    return [
        Row(
            what=f"{operations:,} assignments over {r['accounts']:,} accounts under the quota model (virtual time)",
            measured=f"{seconds:.1f} s ({seconds / bound:.2f} x bound), {r['throttles']} throttles, {lost} not done",
            reference=f"lower bound {bound:.1f} s; naive FIFO {r['naive_seconds']:,.0f} s",
            goal="<= 1.1 x lower bound, all done",
            met=seconds <= 1.1 * bound and lost == 0,
        )
    ]


def event_calls_rows(r: Result) -> list[Row]:
    calls, bound = r["scim_group_created"], r["lower_bound"]
    return [
        Row(
            what="AWS calls for one SCIM group-created event (warm worker)",
            measured=f"{calls} calls",
            reference=f"lower bound {bound}",
            goal="<= lower bound + 2",
            met=calls <= bound + 2,
        )
    ]


def account_event_calls_rows(r: Result) -> list[Row]:
    calls, bound = r["calls"], r["lower_bound"]
    return [
        Row(
            what=f"AWS calls for one account-created event, {r['accounts']:,} accounts (warm worker)",
            measured=f"{calls} calls",
            reference=f"lower bound {bound}",
            goal="<= lower bound + 2",
            met=calls <= bound + 2,
        )
    ]


def cold_start_rows(r: Result) -> list[Row]:
    return [
        Row(
            what=f"import {handler} (fresh interpreter)",
            measured=f"{ms:.0f} ms",
            reference="target 300 ms",
            goal="<= 300 ms",
            met=ms <= 300.0,
        )
        for handler, ms in r.items()
    ]


def credentials_cache_hit_rows(r: Result) -> list[Row]:
    helper, python = r["helper_ms"], r["python_ms"]
    return [
        Row(
            what="`entra-aws credentials`, cache hit",
            measured=f"{helper:.0f} ms ({helper / python:.2f} x python)",
            reference=f"`python -c pass` {python:.0f} ms",
            goal="<= 1.5 x `python -c pass`",
            met=helper <= 1.5 * python,
        )
    ]


def access_report_rows(r: Result) -> list[Row]:
    calls, bound, peak = r["calls"], r["bound"], r["peak_mb"]
    size = f"{r['accounts']:,} accounts x {r['groups']:,} groups x {r['users']:,} users, {r['rows']:,} access paths"
    return [
        Row(
            what=f"`entra-aws access` reads, {size}",
            measured=f"{calls:,} calls ({calls / bound:.2f} x bound)",
            reference=f"lower bound {bound:,}",
            goal="<= 1.1 x lower bound",
            met=calls <= 1.1 * bound,
        ),
        Row(
            what="`entra-aws access` peak memory (child process, CSV rendered)",
            measured=f"{peak:.0f} MB",
            reference=f"goal {r['memory_goal_mb']} MB",
            goal=f"< {r['memory_goal_mb']} MB",
            met=peak < r["memory_goal_mb"],
        ),
    ]


SECTIONS = (
    Section("reconcile_reads", "bench.reconcile_reads", reconcile_reads_rows),
    Section("assignment_makespan", "bench.makespan", assignment_makespan_rows),
    Section("event_calls", "bench.event_calls", event_calls_rows),
    Section("cold_start_import_ms", "bench.cold_start", cold_start_rows),
    Section("credentials_cache_hit", "bench.credentials_cache_hit", credentials_cache_hit_rows),
    Section("import_reads", "bench.import_reads", import_reads_rows),
    Section("access_report", "bench.access_report", access_report_rows),
    Section("account_event_calls", "bench.account_event_calls", account_event_calls_rows),
)
TIMED_FIRST = ("cold_start_import_ms", "credentials_cache_hit")


# -- running -------------------------------------------------------------------------------------------------


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def measure_section(section: Section, importer: Importer = importlib.import_module) -> Outcome:
    """Import the section's module, measure, evaluate; any failure becomes the outcome's one-line error."""
    try:
        module = importer(section.module)
    except ModuleNotFoundError as error:
        if error.name != section.module:
            return Outcome(section, None, [], _first_line(error))
        path = section.module.replace(".", "/") + ".py"
        return Outcome(section, None, [], f"{path} does not exist (yet)")
    try:
        result: Result = module.measure()
    except Exception as error:
        return Outcome(section, None, [], f"measure() failed: {_first_line(error)}")
    try:
        rows = section.evaluate(result)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as error:
        return Outcome(section, result, [], f"unexpected result shape: {_first_line(error)}")
    return Outcome(section, result, rows)


def run_order(sections: Sequence[Section]) -> list[Section]:
    """Timed sections first, so nothing another section starts (an emulator, threads) competes with them."""
    return sorted(sections, key=lambda s: (s.name not in TIMED_FIRST, sections.index(s)))


def measure_all(
    sections: Sequence[Section],
    importer: Importer = importlib.import_module,
    log: Callable[[str], None] = lambda line: None,
) -> list[Outcome]:
    outcomes: dict[str, Outcome] = {}
    for section in run_order(sections):
        started = time.perf_counter()
        outcome = measure_section(section, importer)
        elapsed = time.perf_counter() - started
        log(f"{section.name}: {outcome.error or 'measured'} ({elapsed:.1f} s)")
        outcomes[section.name] = outcome
    return [outcomes[s.name] for s in sections]


# -- reporting -----------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def results_document(outcomes: Sequence[Outcome], measured_at: datetime, machine: dict[str, Any]) -> dict[str, Any]:
    """results.json: one key per section (its measure() result, or {"error": ...} with the result if there was
    one), the evaluated goals, when and where."""
    document: dict[str, Any] = {o.section.name: _section_entry(o) for o in outcomes}
    document["goals"] = {
        o.section.name: {"met": o.met, "error": o.error, "rows": [asdict(row) for row in o.rows]} for o in outcomes
    }
    document["measured_at"] = measured_at.astimezone(UTC).isoformat(timespec="seconds")
    document["machine"] = machine
    return document


def _section_entry(outcome: Outcome) -> Result:
    if not outcome.error:
        return outcome.result or {}
    return {"error": outcome.error} | ({"result": outcome.result} if outcome.result is not None else {})


def _cells(outcome: Outcome) -> list[list[str]]:
    name = outcome.section.name
    if outcome.error:
        return [[name, "", f"not measured: {outcome.error}", "", "", "ERROR"]]
    return [[name, r.what, r.measured, r.reference, r.goal, "yes" if r.met else "**NO**"] for r in outcome.rows]


def table(outcomes: Sequence[Outcome]) -> str:
    """The comparison as a Markdown table: one row per measured value, an error row for a section that failed."""
    lines = ["| section | what | measured | reference | goal | met |", "|---|---|---|---|---|---|"]
    for outcome in outcomes:
        for cells in _cells(outcome):
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def exit_status(outcomes: Sequence[Outcome], *, strict: bool) -> int:
    if any(o.error for o in outcomes):
        return 2
    if strict and not all(o.met for o in outcomes):
        return 1
    return 0


# -- command line --------------------------------------------------------------------------------------------


def select(only: str | None) -> list[Section]:
    if not only:
        return list(SECTIONS)
    by_name = {s.name: s for s in SECTIONS}
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise SystemExit(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(by_name)}")
    return [by_name[name] for name in names]


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--only", metavar="SECTION[,SECTION]", help=f"sections: {', '.join(s.name for s in SECTIONS)}")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument(
        "--output", type=Path, help="where to write the results (default: bench/results.json, only without --only)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    sections = select(arguments.only)
    outcomes = measure_all(sections, log=lambda line: print(line, file=sys.stderr, flush=True))
    output: Path | None = arguments.output or (None if arguments.only else RESULTS)
    if output is not None:
        document = results_document(outcomes, datetime.now(UTC), machine())
        output.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    print(table(outcomes))
    if output is not None:
        print(f"\nwritten to {output}")
    return exit_status(outcomes, strict=arguments.strict)


if __name__ == "__main__":
    sys.exit(main())
