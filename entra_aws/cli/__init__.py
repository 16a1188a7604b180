"""`entra-aws` command line: a tiny lazy dispatcher.

Each command lives in its own module exposing ``run(command: str, argv: list[str]) -> int`` and is imported only
when asked for, so `entra-aws credentials` (run by the AWS CLI before every command) pays for nothing it does not
use.

`simulate` and `demo` are development tools: they live in the top-level `sandbox/` package of a source checkout
(with the local AWS emulator), not in the installed wheel.
"""

from __future__ import annotations

import sys
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("entra_aws.cli.config_commands", "check a config file"),
    "schema": ("entra_aws.cli.config_commands", "print the config JSON Schema"),
    "plan": ("entra_aws.cli.reconcile_commands", "show what a reconcile would change (read-only)"),
    "apply": ("entra_aws.cli.reconcile_commands", "reconcile Identity Center with the config"),
    "matrix": (
        "entra_aws.cli.reconcile_commands",
        "print the access matrix (group x account x permission set)",
    ),
    "access": ("entra_aws.cli.access_command", "effective access per user (through groups and direct), --html"),
    "import": ("entra_aws.cli.import_command", "write a config from the live Identity Center (read-only)"),
    "credentials": ("entra_aws.credentials.cli", "credential_process helper: Entra token -> AWS credentials"),
    "doctor": ("entra_aws.credentials.doctor", "explain why AWS refuses an Entra token"),
    "simulate": ("sandbox.cli", "run a scenario through a local AWS emulator (source checkout)"),
    "demo": ("sandbox.cli", "the quick-start story on the embedded example config (source checkout)"),
    "sandbox": ("sandbox.serve", "sandbox serve: a local AWS emulator for plan/apply/import (source checkout)"),
}
DEVELOPMENT_PACKAGE = "sandbox"

USAGE = "usage: entra-aws COMMAND [options]   (entra-aws COMMAND --help for a command's options)"


def _help() -> str:
    lines = [USAGE, "", "commands:"]
    lines += [f"  {name:<12} {summary}" for name, (_, summary) in COMMANDS.items()]
    lines += ["", "options:", f"  {'--version':<12} print the version", f"  {'--help':<12} print this help"]
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
    module_name = COMMANDS[command][0]
    if module_name.split(".")[0] == DEVELOPMENT_PACKAGE and not _development_tools_available():
        print(
            f"entra-aws: {command!r} is a development tool that runs from a source checkout "
            "(git clone the repository, then `make demo`); this installation has no sandbox",
            file=sys.stderr,
        )
        return 2
    module = import_module(module_name)
    result: int = module.run(command, args[1:])
    return result


def _development_tools_available() -> bool:
    """The sandbox sits beside the `entra_aws` package in a checkout (an editable install runs from there)."""
    if find_spec(DEVELOPMENT_PACKAGE) is not None:
        return True
    checkout = Path(__file__).resolve().parents[2]
    if not (checkout / DEVELOPMENT_PACKAGE / "__init__.py").is_file():
        return False
    sys.path.insert(0, str(checkout))
    return True
