"""`entra-aws sandbox serve --organization FILE`: the local AWS emulator, seeded, in the foreground.

moto in server mode on 127.0.0.1 with every gap fill (sandbox/emulator.py), seeded from an organization file
(accounts, OUs, groups with their Entra object ids, users: docs/scenarios.md). The first output is the shell
`export` lines that point the AWS CLI, boto3 and `entra-aws plan / apply / matrix / import` at it; it serves
until SIGINT or SIGTERM, then stops (exit 0). Bad arguments or a bad organization file: one line, exit 2.
"""

from __future__ import annotations

import re
import signal
import socket
import sys
import threading
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from entra_aws.cli.arguments import ArgumentParser, fail
from entra_aws.config.aws_limits import REGION

if TYPE_CHECKING:
    from sandbox.world import World

DEFAULT_PORT = 5000
DEFAULT_REGION = "eu-west-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}
"""Dummy credentials: the emulator accepts any."""


def export_lines(url: str, region: str) -> list[str]:
    settings = {"AWS_ENDPOINT_URL": url, "AWS_REGION": region, "AWS_DEFAULT_REGION": region, **CREDENTIALS}
    return [f"export {key}={value}" for key, value in settings.items()]


def _parser() -> ArgumentParser:
    parser = ArgumentParser(prog="entra-aws sandbox", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("action", choices=["serve"], help="serve: run the emulator until interrupted")
    parser.add_argument(
        "--organization", required=True, help="organization file, like scenarios/example-organization.yaml"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0: any free)"
    )
    parser.add_argument("--region", default=DEFAULT_REGION, help=f"Identity Center region (default {DEFAULT_REGION})")
    return parser


def _port_problem(port: int) -> str | None:
    if not 0 <= port <= 65535:
        return f"--port {port}: must be 0..65535"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            return f"--port {port}: cannot listen on 127.0.0.1 ({error.strerror})"
    return None


def _load(path: Path) -> World:
    """The organization file as a World; one line on the first problem."""
    from pydantic import ValidationError

    from entra_aws.config import ConfigError
    from entra_aws.config.loader import field_path
    from sandbox.world import load_world

    try:
        return load_world(path)
    except ConfigError as error:
        raise ValueError(error.problems[0]) from None
    except ValidationError as error:
        first = error.errors()[0]
        raise ValueError(f"{path}: {field_path(first['loc'])}: {first['msg']}") from None


def _stop_on_signals() -> threading.Event:
    stopped = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    return stopped


def serve(world: World, path: Path, port: int, region: str) -> int:
    import os

    from sandbox.emulator import Emulator
    from sandbox.world import seed_world

    stopped = _stop_on_signals()
    emulator = Emulator.start(port=port, management_account_id=world.management_account.id)
    try:
        urllib.request.urlopen(urllib.request.Request(f"{emulator.url}/moto-api/reset", method="POST")).read()
        for key in [k for k in os.environ if k.startswith("AWS_")]:
            del os.environ[key]
        os.environ.update({"AWS_ENDPOINT_URL": emulator.url, "AWS_CONFIG_FILE": os.devnull, **CREDENTIALS})
        os.environ.update({"AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_DEFAULT_REGION": region})
        seeded = seed_world(world, region)
        print("\n".join(export_lines(emulator.url, region)), flush=True)
        print(
            f"# local AWS emulator on {emulator.url}: {len(world.all_accounts())} accounts, {len(world.groups)} "
            f"groups, {len(world.users)} users from {path}; Identity Center {seeded.instance_arn} in {region}. "
            "Ctrl-C stops it.",
            file=sys.stderr,
            flush=True,
        )
        stopped.wait()
    finally:
        emulator.stop()
    print("# local AWS emulator stopped", file=sys.stderr, flush=True)
    return 0


def run(command: str, argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    path = Path(args.organization)
    if not path.is_file():
        return fail(f"entra-aws sandbox serve: --organization {path}: no such file", 2)
    problem = _port_problem(args.port)
    if problem is not None:
        return fail(f"entra-aws sandbox serve: {problem}", 2)
    if not re.match(REGION, args.region):
        return fail(f"entra-aws sandbox serve: --region {args.region!r}: is not an AWS region name", 2)
    try:
        world = _load(path)
    except ValueError as error:
        return fail(f"entra-aws sandbox serve: {error}", 2)
    return serve(world, path, args.port, args.region)
