"""`entra-aws validate CONFIG` and `entra-aws schema`."""

from __future__ import annotations

import json

from entra_aws.cli.arguments import ArgumentParser, guarded


def config_schema() -> dict[str, object]:
    from entra_aws.config.models import Config

    schema = Config.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "entra-aws configuration"
    return schema


def _validate(path: str) -> int:
    import sys
    from datetime import UTC, datetime
    from pathlib import Path

    from entra_aws.config import load_config

    config = load_config(path)
    if config.federation is not None:
        from entra_aws.config.federation import federation_warnings

        for warning in federation_warnings(config.federation, Path(path).parent, datetime.now(UTC)):
            print(f"{path}: warning: {warning}", file=sys.stderr)
    print(
        f"{path}: ok ({len(config.permission_sets)} permission sets, {len(config.assignments)} assignment rules, "
        f"{len(config.conventions)} naming conventions)"
    )
    return 0


def run(command: str, argv: list[str]) -> int:
    if command == "schema":
        parser = ArgumentParser(prog="entra-aws schema", description="Print the config JSON Schema.")
        parser.parse_args(argv)
        print(json.dumps(config_schema(), indent=2, sort_keys=True))
        return 0
    parser = ArgumentParser(prog="entra-aws validate", description="Check a config file; exit 2 on problems.")
    parser.add_argument("config", help="path to the YAML config")
    args = parser.parse_args(argv)
    return guarded("entra-aws validate", lambda: _validate(args.config))
