"""`entra-aws import --out FILE`: write a config from the live Identity Center and organization (read-only)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from entra_aws.cli.arguments import ArgumentParser, fail, guarded

PLACEHOLDER_TENANT = "00000000-0000-0000-0000-000000000000"


def _parser() -> ArgumentParser:
    from entra_aws.engine.importer import DEFAULT_LEAVE_OUT, POLICY_FOLDER

    parser = ArgumentParser(
        prog="entra-aws import",
        description="Write a config from what Identity Center and Organizations hold now; changes nothing in AWS. "
        f"Inline policies go to {POLICY_FOLDER}/ beside the config.",
    )
    parser.add_argument("--out", required=True, help="the config file to write (must not exist)")
    parser.add_argument("--tenant-id", default=PLACEHOLDER_TENANT, help="the Entra tenant id to write")
    parser.add_argument("--region", help="Identity Center home region (default: the AWS CLI's region)")
    parser.add_argument(
        "--leave-out",
        default=DEFAULT_LEAVE_OUT,
        help=f"regex: unmanaged permission sets managed elsewhere, left out (default {DEFAULT_LEAVE_OUT})",
    )
    return parser


def _problem(args: Any) -> str | None:
    from entra_aws.config.base import GUID

    out = Path(args.out)
    if out.exists():
        return f"--out {out}: already exists; choose another path (import never overwrites a config)"
    if not out.parent.is_dir():
        return f"--out {out}: no such folder {out.parent}"
    if not re.match(GUID, args.tenant_id):
        return f"--tenant-id {args.tenant_id!r}: is not a GUID (Entra admin center > Overview > Tenant ID)"
    try:
        re.compile(args.leave_out)
    except re.error as error:
        return f"--leave-out {args.leave_out!r}: is not a valid regex: {error}"
    if args.region is None:
        return "no region: pass --region (the Identity Center home region) or set AWS_REGION"
    return None


def write_imported(out: Path, document: dict[str, Any], policy_files: dict[str, str], left_out: list[str]) -> None:
    import yaml

    header = ["# Written by `entra-aws import` from the live Identity Center; principals are pinned by identity."]
    if left_out:
        header.append(f"# Left out as managed elsewhere (with their assignments): {', '.join(left_out)}")
    for name, text in policy_files.items():
        path = out.parent / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
    out.write_text("\n".join(header) + "\n" + body, encoding="utf-8")


def _import(args: Any) -> int:
    from entra_aws.adapters.aws import aws_context
    from entra_aws.config import load_config, parse_config
    from entra_aws.engine.importer import imported_config, read_live

    out = Path(args.out)
    bootstrap = parse_config({"tenant_id": args.tenant_id, "identity_center": {"region": args.region}})
    live = read_live(aws_context(bootstrap), re.compile(args.leave_out))
    imported = imported_config(live, tenant_id=args.tenant_id, region=args.region)
    write_imported(out, imported.document, imported.policy_files, imported.left_out)
    config = load_config(out)  # what was written must load: a ConfigError here is a bug worth one line each
    adopted = len(config.apply.adopt_permission_sets)
    print(
        f"{out}: {len(config.permission_sets)} permission sets ({adopted} to adopt), {imported.assignments} "
        f"assignments in {len(config.assignments)} rules, {len(imported.policy_files)} inline policy files; "
        f"left out: {', '.join(imported.left_out) or 'none'}; apply.mode: observe until you switch it to enforce"
    )
    if args.tenant_id == PLACEHOLDER_TENANT:
        print(
            f"{out}: tenant_id is a placeholder; set it to your Entra tenant id (or pass --tenant-id)", file=sys.stderr
        )
    return 0


def run(command: str, argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.region is None:
        import boto3

        args.region = boto3.Session().region_name
    problem = _problem(args)
    if problem is not None:
        return fail(f"entra-aws import: {problem}", 2)
    return guarded("entra-aws import", lambda: _import(args))
