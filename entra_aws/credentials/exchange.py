"""Exchanging an Entra access token for AWS credentials with STS AssumeRoleWithWebIdentity (unsigned).

Error classes (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html):
IDPCommunicationError -> retried a few times with backoff; ExpiredTokenException -> the caller fetches a new
token once; InvalidIdentityToken / IDPRejectedClaim / AccessDenied -> never retried, explained with the
token's iss/aud/sub next to what AWS expects.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from entra_aws.credentials import claims as token_claims
from entra_aws.credentials.errors import ExchangeError, TokenRejectedError, UsageError, redact
from entra_aws.credentials.options import sts_region
from entra_aws.federation.issuers import provider_path

IDP_COMMUNICATION_ATTEMPTS = 3
REJECTED = ("InvalidIdentityToken", "IDPRejectedClaim", "AccessDenied", "AccessDeniedException")


class ExpiredTokenError(Exception):
    """STS said the web identity token has expired: fetch a new one (once)."""


def sts_client(region: str) -> Any:
    """An unsigned STS client (no AWS credentials needed); honours AWS_ENDPOINT_URL(_STS)."""
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config

    session = botocore.session.get_session()
    chosen = sts_region(region)
    config = Config(
        signature_version=UNSIGNED,
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=5,
        read_timeout=15,
    )
    return session.create_client("sts", region_name=chosen, config=config)


def assume_role(
    client: Any,
    token: str,
    role_arn: str,
    session_name: str,
    duration: int,
    backoff: float,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """STS `Credentials`; retries IDPCommunicationError, raises ExpiredTokenError or a HelperError."""
    from botocore.exceptions import BotoCoreError, ClientError

    for attempt in range(1, IDP_COMMUNICATION_ATTEMPTS + 1):
        try:
            response = client.assume_role_with_web_identity(
                RoleArn=role_arn,
                RoleSessionName=session_name,
                WebIdentityToken=token,
                DurationSeconds=duration,
            )
        except ClientError as exc:
            code, message = _error(exc, token)
            if code == "IDPCommunicationError" and attempt < IDP_COMMUNICATION_ATTEMPTS:
                sleep(backoff * 2 ** (attempt - 1))
                continue
            raise _classify(code, message, token, role_arn, duration, attempt) from None
        except BotoCoreError as exc:
            raise ExchangeError(f"cannot reach AWS STS: {redact(str(exc), [token])}") from None
        credentials: dict[str, Any] = response["Credentials"]
        return credentials
    raise AssertionError("unreachable")  # pragma: no cover


def _error(exc: Any, token: str) -> tuple[str, str]:
    error = exc.response.get("Error", {})
    return str(error.get("Code", "Unknown")), redact(str(error.get("Message", "")), [token])


def _classify(code: str, message: str, token: str, role_arn: str, duration: int, attempts: int) -> Exception:
    if code == "ExpiredTokenException":
        return ExpiredTokenError(message)
    if code in REJECTED:
        return TokenRejectedError(explain_rejection(code, message, token, role_arn))
    if code == "IDPCommunicationError":
        return ExchangeError(
            f"AWS STS could not reach Entra's OIDC endpoints (IDPCommunicationError) after {attempts} "
            f"attempts: {message}"
        )
    if code == "ValidationError" and "DurationSeconds" in message:
        return UsageError(
            f"--duration {duration} is refused by {role_arn}: {message} (allowed: 900 up to the role's "
            "MaxSessionDuration; default 3600 always fits)"
        )
    return ExchangeError(f"AWS STS AssumeRoleWithWebIdentity failed ({code}): {message}")


def explain_rejection(code: str, message: str, token: str, role_arn: str) -> str:
    """One line: which claim AWS did not accept, the token's value, and what AWS expects instead."""
    try:
        values = token_claims.decode(token)
    except Exception:
        values = {}
    iss = str(values.get("iss", "?"))
    aud = str(values.get("aud", "?"))
    sub = str(values.get("sub", "?"))
    provider = provider_path(iss)
    lowered = message.lower()
    if code == "InvalidIdentityToken" and ("openidconnect" in lowered or "issuer" in lowered):
        hint = (
            f"claim iss={iss!r} names no IAM OIDC provider: the provider URL must equal the issuer exactly "
            f"(v1 tokens: https://sts.windows.net/<tid>/ with trailing slash; v2: "
            "https://login.microsoftonline.com/<tid>/v2.0)"
        )
    elif code == "InvalidIdentityToken" and "audience" in lowered:
        hint = f"claim aud={aud!r} is not in the client id list of the OIDC provider {provider!r}"
    else:
        hint = (
            f"the trust policy of {role_arn} must allow Federated "
            f"arn:aws:iam::<account>:oidc-provider/{provider} with {provider}:aud = {aud!r} and "
            f"{provider}:sub = {sub!r}; token has iss={iss!r} aud={aud!r} sub={sub!r}"
        )
    return (
        f"AWS refused the Entra token ({code}: {message}); {hint}; "
        "run `entra-aws doctor` with the same --role-arn/--audience to check every claim"
    )
