"""Human output: a terraform-like plan, progress lines, the access matrix."""

from __future__ import annotations

from collections.abc import Iterable

from entra_aws.engine.matrix import Grant
from entra_aws.engine.report import Report

SYMBOL = {"create": "+", "delete": "-", "detach": "-", "untag": "-"}


def _symbol(kind: str) -> str:
    return SYMBOL.get(kind.split("_", 1)[0], "~")


def plan_lines(report: Report) -> list[str]:
    lines = []
    for op in report.plan.ordered():
        lines.append(f"  {_symbol(op.kind)} {op.kind.replace('_', ' '):<32} {op.describe(report.names)}")
    for finding in report.findings:
        lines.append(f"  ! {finding}")
    if report.plan.empty:
        lines.append("  no changes: Identity Center matches the config")
    return lines


def result_lines(report: Report) -> list[str]:
    lines = [
        f"  FAILED {r.operation.kind.replace('_', ' ')} {r.operation.describe(report.names)}: {r.error}"
        for r in report.failed
    ]
    return lines


def table(rows: Iterable[tuple[str, ...]], header: tuple[str, ...]) -> str:
    rows = [header, *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    out = []
    for index, row in enumerate(rows):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def matrix_table(grants: Iterable[Grant], account_names: dict[str, str] | None = None) -> str:
    names = account_names or {}
    rows = [
        (
            g.principal,
            f"{g.account_id} {names.get(g.account_id, '')}".strip(),
            g.permission_set + ("" if g.managed else " (unmanaged)"),
        )
        for g in grants
    ]
    if not rows:
        return "(no assignments)"
    return table(rows, ("group", "account", "permission set"))
