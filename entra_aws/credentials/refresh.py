"""The slow path of `entra-aws credentials`: Entra token -> STS -> credential_process document -> cache.

Imported only on a cache miss (it pulls in azure-identity and botocore).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Any

from entra_aws.credentials import cache
from entra_aws.credentials import claims as token_claims
from entra_aws.credentials.errors import ExchangeError
from entra_aws.credentials.exchange import ExpiredTokenError, assume_role, sts_client
from entra_aws.credentials.options import Options
from entra_aws.credentials.token_source import Token, backoff_seconds, fetch_token


def refresh_cached(options: Options, path: str, key: dict[str, str], state: str, reason: str) -> dict[str, object]:
    """Under the cache lock: reuse what a concurrent process just wrote, else obtain and store anew."""
    if state == cache.CORRUPT:
        print(f"entra-aws credentials: replacing the credential cache {path}: {reason}", file=sys.stderr)
    with cache.CacheLock(path):
        state, document, _ = cache.read_entry(path, key)
        if state == cache.FRESH:
            return document
        document, refresh_at = obtain(options)
        cache.write_entry(path, key, document, refresh_at)
    return document


def obtain(options: Options, client: Any = None) -> tuple[dict[str, object], float]:
    """(credential_process document, when to refresh it); `client` lets tests pass a stubbed STS client."""
    sts = client if client is not None else sts_client(options.region)
    token = fetch_token(options)
    try:
        credentials = _exchange(sts, token, options)
    except ExpiredTokenError:
        token = fetch_token(options)
        try:
            credentials = _exchange(sts, token, options)
        except ExpiredTokenError as again:
            raise ExchangeError(
                f"AWS STS says the Entra token has expired even after fetching a new one ({again}); "
                "check this machine's clock and the token lifetime"
            ) from None
    return credential_document(credentials), _refresh_at(credentials["Expiration"])


def _exchange(sts: Any, token: Token, options: Options) -> dict[str, Any]:
    values = token_claims.decode(token.value)
    session = token_claims.session_name(values, options.session_name)
    return assume_role(sts, token.value, options.role_arn, session, options.duration, backoff_seconds())


def credential_document(credentials: dict[str, Any]) -> dict[str, object]:
    """The AWS `credential_process` output (Version 1, Expiration in RFC 3339 UTC)."""
    return {
        "Version": 1,
        "AccessKeyId": credentials["AccessKeyId"],
        "SecretAccessKey": credentials["SecretAccessKey"],
        "SessionToken": credentials["SessionToken"],
        "Expiration": rfc3339(credentials["Expiration"]),
    }


def rfc3339(moment: datetime | str) -> str:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _refresh_at(expiration: datetime | str) -> float:
    expires_at = datetime.fromisoformat(rfc3339(expiration).replace("Z", "+00:00")).timestamp()
    lifetime = max(0, int(expires_at - time.time()))
    return expires_at - cache.refresh_window(lifetime)
