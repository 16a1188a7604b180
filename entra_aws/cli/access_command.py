"""`entra-aws access`: who can reach which account with which permission set, and through which group."""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from entra_aws.cli.arguments import ArgumentParser, fail, guarded

CSV_HEADER = ("user", "user_id", "via", "account_id", "account_name", "permission_set", "privileged")


def _parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="entra-aws access",
        description="Effective access: users through their groups and their direct assignments, read live.",
    )
    parser.add_argument("--config", required=True, help="path to the YAML config")
    parser.add_argument("--account", help="only this account (id or name)")
    parser.add_argument("--user", help="only this user (id or user name)")
    parser.add_argument("--group", help="only access through this group (id or display name)")
    parser.add_argument("--permission-set", help="only this permission set (name)")
    parser.add_argument("--privileged", action="store_true", help="only permission sets the config marks privileged")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output (default table)")
    parser.add_argument(
        "--html", type=Path, metavar="FILE", help="write a self-contained HTML report to FILE (instead of the table)"
    )
    parser.add_argument("--with-plan", action="store_true", help="with --html: include the pending plan")
    return parser


def csv_text(rows: list[Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(
        (r.user, r.user_id, r.via, r.account_id, r.account_name, r.permission_set, str(r.privileged).lower())
        for r in rows
    )
    return out.getvalue()


def table_text(rows: list[Any]) -> str:
    from entra_aws.cli.render import table

    if not rows:
        return "(no access)"
    shown = [
        (r.user, r.via, f"{r.account_id} {r.account_name}".strip(), r.permission_set, "yes" if r.privileged else "")
        for r in rows
    ]
    return table(shown, ("user", "via", "account", "permission set", "privileged"))


def _plan_lines(config: Any, context: Any) -> list[str]:
    from entra_aws.cli.render import plan_lines
    from entra_aws.engine.reconcile import plan_changes
    from entra_aws.engine.scope import Scope

    preview = plan_changes(config, Scope.everything(), context)
    return [*plan_lines(preview), preview.summary()]


def _access(args: Any) -> int:
    from entra_aws.adapters.aws import aws_context
    from entra_aws.cli.html_report import Page, render_html
    from entra_aws.config import load_config
    from entra_aws.engine.access import AccessQuery, AccessQueryError, read_access

    config = load_config(args.config)
    context = aws_context(config)
    query = AccessQuery(args.account, args.user, args.group, args.permission_set, args.privileged)
    privileged = [ps.name for ps in config.permission_sets if ps.privileged]
    try:
        report = read_access(context, privileged, query)
    except AccessQueryError as error:
        return fail(f"entra-aws access: {error}", 2)
    if args.html is not None:
        plan = _plan_lines(config, context) if args.with_plan else None
        generated = datetime.now(UTC).isoformat(timespec="seconds")
        args.html.write_text(render_html(report, Page("entra-aws access", generated), plan), encoding="utf-8")
        print(f"entra-aws access: wrote {args.html} ({len(report.rows)} access paths)", file=sys.stderr)
    if args.format == "csv":
        sys.stdout.write(csv_text(report.rows))
    elif args.format == "json":
        print(json.dumps([asdict(r) for r in report.rows], indent=2))
    elif args.html is None:
        print(table_text(report.rows))
    return 0


def run(command: str, argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.with_plan and args.html is None:
        return fail("entra-aws access: --with-plan needs --html FILE (see entra-aws access --help)", 2)
    return guarded("entra-aws access", lambda: _access(args))
