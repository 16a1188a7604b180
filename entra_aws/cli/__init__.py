"""`entra-aws` command line: a tiny lazy dispatcher.

Each command lives in its own module exposing ``run(command: str, argv: list[str]) -> int`` and is imported only
when asked for, so `entra-aws credentials` (run by the AWS CLI before every command) pays for nothing it does not
use.
"""

from __future__ import annotations

import sys
from importlib import import_module

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("entra_aws.cli.config_commands", "check a config file"),
    "schema": ("entra_aws.cli.config_commands", "print the config JSON Schema"),
    "plan": ("entra_aws.cli.reconcile_commands", "show what a reconcile would change (read-only)"),
    "apply": ("entra_aws.cli.reconcile_commands", "reconcile Identity Center with the config"),
    "matrix": (
        "entra_aws.cli.reconcile_commands",
        "print the access matrix (group x account x permission set)",
    ),
    "credentials": ("entra_aws.credentials.cli", "credential_process helper: Entra token -> AWS credentials"),
    "doctor": ("entra_aws.credentials.doctor", "explain why AWS refuses an Entra token"),
    "simulate": ("entra_aws.sandbox.cli", "run a scenario through a local AWS emulator"),
    "demo": ("entra_aws.sandbox.cli", "the quick-start story on the embedded example config"),
}

USAGE = "usage: entra-aws COMMAND [options]   (entra-aws COMMAND --help for a command's options)"


def _help() -> str:
    lines = [USAGE, "", "commands:"]
    lines += [f"  {name:<12} {summary}" for name, (_, summary) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        print(_help())
        return 0 if args else 2
    if args[0] == "--version":
        from entra_aws import __version__

        print(__version__)
        return 0
    command = args[0]
    if command not in COMMANDS:
        print(f"entra-aws: unknown command {command!r}; expected one of: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    module = import_module(COMMANDS[command][0])
    result: int = module.run(command, args[1:])
    return result
