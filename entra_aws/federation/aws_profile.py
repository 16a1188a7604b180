"""A ready `~/.aws/config` profile that gets credentials from the Entra token of the workload: the stack outputs
it and `entra-aws credentials --print-config` prints it."""

from __future__ import annotations

from collections.abc import Sequence


def quoted(value: str) -> str:
    """Double quotes around a value with whitespace: botocore splits credential_process POSIX-style, and on
    Windows with a splitter that knows only double quotes."""
    return f'"{value}"' if any(character.isspace() for character in value) else value


def credential_process(role_arn: str, audience: str, options: Sequence[tuple[str, str | None]] = ()) -> str:
    """The helper's command line; options whose value is empty or None are left out."""
    words = ["entra-aws", "credentials", "--role-arn", role_arn, "--audience", audience]
    for flag, value in options:
        if value:
            words += [flag, quoted(value)]
    return " ".join(words)


def profile_block(profile: str, command: str, region: str | None) -> str:
    lines = [f"[profile {profile}]", f"credential_process = {command}"]
    if region:
        lines.append(f"region = {region}")
    return "\n".join(lines) + "\n"


def profile_text(
    profile: str, role_arn: str, audience: str, region: str | None = None, client_id: str | None = None
) -> str:
    return profile_block(profile, credential_process(role_arn, audience, [("--client-id", client_id)]), region)
