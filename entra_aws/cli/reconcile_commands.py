"""`entra-aws plan`, `entra-aws apply`, `entra-aws matrix`: the engine from a terminal."""

from __future__ import annotations

import json
import sys
from typing import Any

from entra_aws.cli.arguments import ArgumentParser, fail, guarded


def _parser(command: str) -> ArgumentParser:
    descriptions = {
        "plan": "Show what a reconcile would change. Read-only.",
        "apply": "Reconcile Identity Center with the config.",
        "matrix": "Print the access matrix (group x account x permission set), read live.",
    }
    parser = ArgumentParser(prog=f"entra-aws {command}", description=descriptions[command])
    parser.add_argument("--config", required=True, help="path to the YAML config")
    if command != "matrix":
        parser.add_argument(
            "--scope",
            default="all",
            help="all (default), group:<id|name>, user:<id|name>, account:<12-digit id>, permission-set:<name>",
        )
    if command == "apply":
        parser.add_argument("--yes", action="store_true", help="apply without asking")
        parser.add_argument(
            "--allow-mass-delete",
            action="store_true",
            help="apply a plan the deletion circuit breaker holds (apply.mass_delete in the config)",
        )
        parser.add_argument(
            "--enforce",
            action="store_true",
            help="apply once although the config says apply.mode: observe (the automation keeps observing)",
        )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


OBSERVE_REFUSAL = (
    "entra-aws apply: the config says apply.mode: observe, so nothing is changed; `entra-aws plan` shows what "
    "enforce would do, --enforce applies it once"
)


def _context(config: Any) -> Any:
    from entra_aws.adapters.aws import aws_context

    return aws_context(config)


def _show(report: Any, as_json: bool) -> None:
    from entra_aws.cli.render import plan_lines

    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(f"Plan for scope {report.scope}:")
        print("\n".join(plan_lines(report)))
        print(report.summary())


def _plan(args: Any, apply: bool) -> int:
    from entra_aws.cli.render import plan_lines, result_lines
    from entra_aws.config import load_config
    from entra_aws.engine.reconcile import execute, plan_changes
    from entra_aws.engine.scope import Scope

    config = load_config(args.config)
    scope = Scope.parse(args.scope)
    if apply and config.apply.mode == "observe":
        if not args.enforce:
            return fail(OBSERVE_REFUSAL, 2)
        config = config.model_copy(update={"apply": config.apply.model_copy(update={"mode": "enforce"})})
    context = _context(config)
    _check_subject(scope, context)
    preview = plan_changes(config, scope, context, allow_mass_delete=apply and args.allow_mass_delete)
    _check_permission_set(scope, config, preview)
    _name_accounts(preview, context)
    prog = f"entra-aws {'apply' if apply else 'plan'}"
    if preview.blocked is not None and preview.plan.empty:  # stopped before planning: nothing to show
        return fail(f"{prog}: {preview.blocked}", 2)
    if not apply or preview.plan.empty:
        _show(preview, args.json)
        return 1 if any(f.severity == "error" for f in preview.findings) else 0
    if preview.blocked is not None:
        _show(preview, args.json)
        return fail(f"{prog}: {preview.blocked}", 2)
    if not args.json:
        print(f"Plan for scope {scope}:")
        print("\n".join(plan_lines(preview)))
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                "entra-aws apply: refusing to change AWS without --yes (standard input is not a terminal)",
                file=sys.stderr,
            )
            return 2
        if input("Apply these changes? [y/N] ").strip().lower() not in ("y", "yes"):
            print("nothing applied")
            return 1
    total = len(preview.plan.operations)
    done = 0

    failed = 0

    def progress(result: Any) -> None:
        """A count now and then; each failure is printed once, with its reason, when the apply is done."""
        nonlocal done, failed
        done += 1
        failed += 0 if result.ok else 1
        if not args.json and (done % 25 == 0 or done == total):
            so_far = f", {failed} failed so far" if failed else ""
            print(f"  [{done}/{total}] done{so_far}", file=sys.stderr)

    report = execute(config, preview, context, progress)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print("\n".join(result_lines(report)))
        print(report.summary())
    return 0 if report.ok else 1


def _check_subject(scope: Any, context: Any) -> None:
    """A group or user named in --scope that the identity store does not have, or an account the organization does
    not have, is a bad --scope like a malformed one (one line, exit 2). A principal given by id may be gone: its
    scope cleans up what it still holds."""
    from entra_aws.engine.reads import looks_like_id
    from entra_aws.engine.scope import ScopeError

    value = scope.value or ""
    if scope.kind in ("group", "user") and not looks_like_id(value):
        named = context.directory.group_named if scope.kind == "group" else context.directory.user_named
        if named(value) is None:
            raise ScopeError(f"no {scope.kind} named {value!r} in the identity store (--scope {scope})")
    if scope.kind == "account" and context.organization.account(value) is None:
        raise ScopeError(f"account {value} is not in the organization (--scope {scope})")


def _check_permission_set(scope: Any, config: Any, report: Any) -> None:
    """A permission set neither in the config nor in Identity Center (as the plan read it) is a bad --scope."""
    from entra_aws.engine.operations import INSTANCE
    from entra_aws.engine.scope import ScopeError

    known = {spec.name for spec in config.permission_sets} | (set(report.arns) - {INSTANCE})
    if scope.kind == "permission_set" and scope.value not in known:
        raise ScopeError(f"no permission set named {scope.value!r} in the config or Identity Center (--scope {scope})")


def _name_accounts(report: Any, context: Any) -> None:
    """Account names beside their ids in the plan's lines, as the matrix shows them (the report's names map, which
    holds principals' names, takes the accounts' too: ids of the two never collide)."""
    for op in report.plan.operations:
        if op.assignment is None or op.assignment.account_id in report.names:
            continue
        account = context.organization.account(op.assignment.account_id)
        if account is not None and account.name:
            report.names[account.id] = account.name


def _matrix(args: Any) -> int:
    from entra_aws.cli.render import matrix_table
    from entra_aws.config import load_config
    from entra_aws.engine.matrix import read_matrix

    config = load_config(args.config)
    context = _context(config)
    grants = read_matrix(context)
    if args.json:
        print(json.dumps([g.__dict__ for g in grants], indent=2))
        return 0
    accounts = {a.id: a.name for a in context.organization.snapshot().accounts.values()}
    print(matrix_table(grants, accounts))
    return 0


def run(command: str, argv: list[str]) -> int:
    args = _parser(command).parse_args(argv)
    prog = f"entra-aws {command}"
    if command == "matrix":
        return guarded(prog, lambda: _matrix(args))
    return guarded(prog, lambda: _plan(args, apply=command == "apply"))
