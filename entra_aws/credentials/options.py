"""Command-line options of `entra-aws credentials` and `entra-aws doctor`.

A tiny parser instead of argparse: it is on the cache-hit path. Every bad value raises UsageError with one
line naming the option, what was wrong and what is allowed.
"""

from __future__ import annotations

import os
import re

from entra_aws.credentials.errors import UsageError


def sts_region(region: str | None) -> str:
    """The STS region: --region, else $AWS_REGION / $AWS_DEFAULT_REGION, else us-east-1."""
    return region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


# Patterns as strings, compiled (by `re`'s own cache) only when the option is given: compiling all of them at
# import costs more than a millisecond on every AWS CLI command. Role ARN and GUID checks use str methods.
TENANT = r"^(?:[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|[A-Za-z0-9.-]{3,253})$"
SESSION_NAME = r"^[\w+=,.@-]{2,64}$"
REGION = r"^[a-z]{2}(?:-[a-z]+)+-\d$"
PROFILE = r"^[\w+=,.@-]{1,64}$"
HEX = frozenset("0123456789abcdefABCDEF")
ROLE_PATH_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@/-")
CREDENTIAL_KINDS = ("auto", "managed-identity", "workload-identity", "client-secret", "client-certificate")
MIN_DURATION, DEFAULT_DURATION, MAX_DURATION = 900, 3600, 43200

# name -> takes a value?
COMMON = {
    "--role-arn": True,
    "--audience": True,
    "--client-id": True,
    "--tenant-id": True,
    "--credential": True,
    "--certificate-path": True,
    "--region": True,
    "--help": False,
}
CREDENTIALS_ONLY = {
    "--duration": True,
    "--session-name": True,
    "--cache-dir": True,
    "--no-cache": False,
    "--print-config": False,
    "--profile": True,
}
DOCTOR_ONLY = {
    "--trust-policy": True,
    "--template": True,
    "--exchange": False,
    "--duration": True,
    "--session-name": True,
}


class Options:
    """Parsed and validated options (plain attributes: no dataclasses on the cache-hit path)."""

    def __init__(self, values: dict[str, str | bool]) -> None:
        self.values = values
        self.help = bool(values.get("--help"))
        self.role_arn = _text(values, "--role-arn")
        self.audience = _text(values, "--audience")
        self.client_id = _text(values, "--client-id") or os.environ.get("AZURE_CLIENT_ID", "")
        self.tenant_id = _text(values, "--tenant-id") or os.environ.get("AZURE_TENANT_ID", "")
        self.credential = _text(values, "--credential") or "auto"
        self.certificate_path = _text(values, "--certificate-path")
        self.region = _text(values, "--region")
        self.duration = _duration(values)
        self.session_name = _text(values, "--session-name") or None
        self.cache_dir = _text(values, "--cache-dir") or None
        self.no_cache = bool(values.get("--no-cache"))
        self.print_config = bool(values.get("--print-config"))
        self.profile = _text(values, "--profile")
        self.trust_policy = _text(values, "--trust-policy")
        self.template = _text(values, "--template")
        self.exchange = bool(values.get("--exchange"))

    def cache_key(self) -> dict[str, str]:
        """What makes two invocations interchangeable: identity selection, role, audience, session shape."""
        return {
            "tenant": self.tenant_id,
            "client": self.client_id,
            "credential": self.credential,
            "role": self.role_arn,
            "audience": self.audience,
            "session": self.session_name or "",
            "duration": str(self.duration),
        }


def parse(argv: list[str], command: str) -> Options:
    spec = dict(COMMON, **(CREDENTIALS_ONLY if command == "credentials" else DOCTOR_ONLY))
    values = _split(argv, spec)
    if "-h" in argv:
        values["--help"] = True
    options = Options(values)
    if not options.help:
        validate(options)
    return options


def _split(argv: list[str], spec: dict[str, bool]) -> dict[str, str | bool]:
    values: dict[str, str | bool] = {}
    index = 0
    while index < len(argv):
        word = argv[index]
        index += 1
        if word == "-h":
            values["--help"] = True
            continue
        name, has_inline, inline = word.partition("=")
        if name not in spec:
            allowed = ", ".join(sorted(spec))
            raise UsageError(f"unknown argument {word!r}; allowed: {allowed}")
        if not spec[name]:
            if has_inline:
                raise UsageError(f"{name} takes no value")
            values[name] = True
            continue
        if has_inline:
            values[name] = inline
        elif index < len(argv):
            values[name] = argv[index]
            index += 1
        else:
            raise UsageError(f"{name} needs a value")
    return values


def _text(values: dict[str, str | bool], name: str) -> str:
    value = values.get(name, "")
    return value if isinstance(value, str) else ""


def _duration(values: dict[str, str | bool]) -> int:
    raw = _text(values, "--duration")
    if not raw:
        return DEFAULT_DURATION
    if not raw.isdigit() or not MIN_DURATION <= int(raw) <= MAX_DURATION:
        raise UsageError(
            f"--duration {raw!r} is not allowed: give whole seconds from {MIN_DURATION} to {MAX_DURATION} "
            f"(and at most the role's maximum session duration; default {DEFAULT_DURATION})"
        )
    return int(raw)


def validate(options: Options) -> None:
    if not options.role_arn:
        raise UsageError("--role-arn is required (arn:aws:iam::ACCOUNT:role/NAME)")
    if not is_role_arn(options.role_arn):
        raise UsageError(
            f"--role-arn {options.role_arn!r} is not an IAM role ARN "
            "(expected arn:aws:iam::<12-digit account>:role/<path/name>)"
        )
    if not options.audience:
        raise UsageError("--audience is required (the Entra app's Application ID URI or client id)")
    if any(character.isspace() for character in options.audience):
        raise UsageError("--audience must not contain whitespace")
    if options.client_id and not is_guid(options.client_id):
        raise UsageError(f"client id {options.client_id!r} (--client-id or $AZURE_CLIENT_ID) is not a GUID")
    _check(
        options.tenant_id,
        TENANT,
        f"tenant id {options.tenant_id!r} (--tenant-id or $AZURE_TENANT_ID) is neither a GUID nor a domain name",
    )
    if options.credential not in CREDENTIAL_KINDS:
        raise UsageError(f"--credential {options.credential!r} is not one of {', '.join(CREDENTIAL_KINDS)}")
    _check(
        options.session_name or "",
        SESSION_NAME,
        f"--session-name {options.session_name!r} must match [\\w+=,.@-]{{2,64}}",
    )
    _check(options.region, REGION, f"--region {options.region!r} is not an AWS region name (e.g. eu-west-1)")
    _check(options.profile, PROFILE, f"--profile {options.profile!r} must match [\\w+=,.@-]{{1,64}}")


def _check(value: str, pattern: str, message: str) -> None:
    if value and not re.match(pattern, value, re.ASCII):
        raise UsageError(message)


def is_guid(value: str) -> bool:
    groups = value.split("-")
    return [len(group) for group in groups] == [8, 4, 4, 4, 12] and all(c in HEX for c in "".join(groups))


def is_role_arn(value: str) -> bool:
    """arn:<aws partition>:iam::<12 digits>:role/<path and name from [\\w+=,.@/-]>."""
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1].startswith("aws") or parts[2:4] != ["iam", ""]:
        return False
    account, resource = parts[4], parts[5]
    name = resource.removeprefix("role/")
    return (
        len(account) == 12
        and account.isdigit()
        and resource.startswith("role/")
        and 0 < len(name) <= 576
        and not name.endswith("/")
        and all(c in ROLE_PATH_CHARACTERS for c in name)
    )
