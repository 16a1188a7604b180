"""A ready `~/.aws/config` profile that gets credentials from the Entra token of the workload."""

from __future__ import annotations

import shlex


def credential_process(role_arn: str, audience: str, client_id: str | None = None) -> str:
    parts = ["entra-aws", "credentials", "--role-arn", role_arn, "--audience", audience]
    if client_id:
        parts += ["--client-id", client_id]
    return " ".join(shlex.quote(p) if not p.startswith("${") else p for p in parts)


def profile_text(
    profile: str, role_arn: str, audience: str, region: str | None = None, client_id: str | None = None
) -> str:
    lines = [
        f"[profile {profile}]",
        f"credential_process = {credential_process(role_arn, audience, client_id)}",
    ]
    if region:
        lines.append(f"region = {region}")
    return "\n".join(lines) + "\n"
