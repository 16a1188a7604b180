"""`entra-aws credentials --print-config`: the ~/.aws/config profile that runs the helper."""

from __future__ import annotations

import re

from entra_aws.credentials.options import DEFAULT_DURATION, Options, sts_region

_PROFILE_DISALLOWED = re.compile(r"[^\w+=,.@-]", re.ASCII)


def profile_name(options: Options) -> str:
    if options.profile:
        return options.profile
    role_name = options.role_arn.rsplit("/", 1)[-1]
    return _PROFILE_DISALLOWED.sub("-", role_name)[:64] or "entra"


def helper_command(options: Options) -> str:
    """The credential_process command line: only the options that differ from their defaults."""
    from entra_aws.federation.aws_profile import credential_process

    pairs: list[tuple[str, str | None]] = [
        ("--client-id", _text(options.values.get("--client-id"))),
        ("--tenant-id", _text(options.values.get("--tenant-id"))),
        ("--credential", options.credential if options.credential != "auto" else ""),
        ("--certificate-path", options.certificate_path),
        ("--duration", str(options.duration) if options.duration != DEFAULT_DURATION else ""),
        ("--session-name", options.session_name or ""),
        ("--region", options.region),
        ("--cache-dir", options.cache_dir or ""),
    ]
    return credential_process(options.role_arn, options.audience, pairs)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def render(options: Options) -> str:
    from entra_aws.federation.aws_profile import profile_block

    return profile_block(profile_name(options), helper_command(options), sts_region(options.region))
