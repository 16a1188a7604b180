"""`entra-aws credentials --print-config`: the ~/.aws/config profile that runs the helper."""

from __future__ import annotations

import os
import re

from entra_aws.credentials.options import DEFAULT_DURATION, Options

_PROFILE_DISALLOWED = re.compile(r"[^\w+=,.@-]", re.ASCII)


def profile_name(options: Options) -> str:
    if options.profile:
        return options.profile
    role_name = options.role_arn.rsplit("/", 1)[-1]
    return _PROFILE_DISALLOWED.sub("-", role_name)[:64] or "entra"


def helper_command(options: Options) -> str:
    """The credential_process command line: only the options that differ from their defaults."""
    words = ["entra-aws", "credentials", "--role-arn", options.role_arn, "--audience", options.audience]
    pairs = [
        ("--client-id", options.values.get("--client-id")),
        ("--tenant-id", options.values.get("--tenant-id")),
        ("--credential", options.credential if options.credential != "auto" else ""),
        ("--certificate-path", options.certificate_path),
        ("--duration", str(options.duration) if options.duration != DEFAULT_DURATION else ""),
        ("--session-name", options.session_name or ""),
        ("--region", options.region),
        ("--cache-dir", options.cache_dir or ""),
    ]
    for flag, value in pairs:
        if isinstance(value, str) and value:
            words += [flag, _quoted(value)]
    return " ".join(words)


def _quoted(value: str) -> str:
    return f'"{value}"' if any(character.isspace() for character in value) else value


def render(options: Options) -> str:
    region = options.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    command = helper_command(options)
    return f"[profile {profile_name(options)}]\ncredential_process = {command}\nregion = {region}\n"
