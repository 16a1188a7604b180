"""`entra-aws demo`: the example config planned and applied against a local AWS, then the access matrix.

Everything runs on 127.0.0.1: moto in server mode, seeded with the example organization and groups.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from entra_aws.cli.arguments import ArgumentParser, guarded

DEFAULT_WORLD = Path(__file__).resolve().parents[2] / "scenarios" / "example-organization.yaml"


def _sandbox_environment(url: str) -> None:
    """Point every boto3 client in this process at the emulator, with throwaway credentials."""
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": url,
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    for variable in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(variable, None)
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull


def seed_world(world_path: Path, region: str) -> dict[str, str]:
    import boto3
    from pydantic import ValidationError

    from entra_aws.config.loader import ConfigError, field_path, read_document
    from entra_aws.sandbox.world import World, seed_identity_store, seed_organization

    try:
        world = World.model_validate(read_document(world_path))
    except ValidationError as error:
        raise ConfigError([f"{world_path}: {field_path(e['loc'])}: {e['msg']}" for e in error.errors()]) from None
    seed_organization(boto3.client("organizations", region_name="us-east-1"), world)
    sso = boto3.client("sso-admin", region_name=region)
    store = sso.list_instances()["Instances"][0]["IdentityStoreId"]
    return seed_identity_store(boto3.client("identitystore", region_name=region), store, world)


def _demo(args: Any) -> int:
    from entra_aws.cli.render import matrix_table, plan_lines, result_lines
    from entra_aws.config import load_config
    from entra_aws.engine.matrix import read_matrix
    from entra_aws.engine.reconcile import AwsContext, execute, plan_changes
    from entra_aws.engine.scope import Scope
    from entra_aws.sandbox.emulator import Emulator

    config = load_config(args.config)
    emulator = Emulator.start(management_account_id=config.management_account_id or "111111111111")
    try:
        _sandbox_environment(emulator.url)
        seed_world(Path(args.world), config.identity_center.region)
        print(f"Local AWS emulator on {emulator.url}, seeded from {args.world}\n")
        context = AwsContext.from_session(config)
        preview = plan_changes(config, Scope.everything(), context)
        print("Plan (entra-aws plan):")
        print("\n".join(plan_lines(preview)))
        print(preview.summary(), "\n")
        report = execute(config, preview, context)
        print("Apply (entra-aws apply --yes):")
        print("\n".join(result_lines(report)) or "  all operations succeeded")
        print(report.summary(), "\n")
        again = plan_changes(config, Scope.everything(), context)
        print(f"Second plan: {again.summary()}\n")
        accounts = {a.id: a.name for a in context.organization.snapshot().accounts.values()}
        print("Access matrix (group x account x permission set):")
        print(matrix_table(read_matrix(context), accounts))
        return 0 if report.ok and again.plan.empty else 1
    finally:
        emulator.stop()


def run(command: str, argv: list[str]) -> int:
    parser = ArgumentParser(prog=f"entra-aws {command}", description=__doc__)
    parser.add_argument("--config", default="config/example.yaml", help="config to try (default: the example)")
    parser.add_argument("--world", default=str(DEFAULT_WORLD), help="organization and groups to seed")
    args = parser.parse_args(argv)
    return guarded(f"entra-aws {command}", lambda: _demo(args))
