"""Errors the helper reports as one line on stderr with a non-zero exit code (no traceback)."""

from __future__ import annotations

USAGE_EXIT = 2
FAILURE_EXIT = 1


class HelperError(Exception):
    """A failure explained in one line; `exit_code` is what the process returns."""

    exit_code = FAILURE_EXIT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(HelperError):
    """A bad command line argument or option value (exit code 2)."""

    exit_code = USAGE_EXIT


class TokenSourceError(HelperError):
    """Entra / Azure could not give us an access token."""


class TokenRejectedError(HelperError):
    """AWS STS refused the token (InvalidIdentityToken, IDPRejectedClaim, AccessDenied); never retried."""


class ExchangeError(HelperError):
    """AWS STS failed for another reason (unreachable, throttled, expired token twice, bad duration...)."""


class MalformedTokenError(HelperError):
    """The access token is not a JWT we can read (three base64url segments, a JSON object payload)."""


def redact(text: str, secrets: list[str]) -> str:
    """Replace every secret (token, key) that would otherwise reach stderr or a log."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, "<redacted>")
    return text
