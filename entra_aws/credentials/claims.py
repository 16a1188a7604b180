"""Reading an Entra access token's claims with PyJWT (no signature check: AWS does that) and naming the STS session.

Entra v1 tokens carry `iss` https://sts.windows.net/{tid}/ (trailing slash) and `appid`; v2 tokens carry
https://login.microsoftonline.com/{tid}/v2.0 and `azp`. For app-only tokens `sub` is the service principal's
object id (`oid`).
"""

from __future__ import annotations

import re
from typing import Any

import jwt

from entra_aws.credentials.errors import MalformedTokenError

# The claims `doctor` shows; everything else (names, e-mail, ip address, signature) is left out.
SHOWN_CLAIMS = ("iss", "ver", "aud", "azp", "appid", "sub", "oid", "tid", "exp")
_SESSION_NAME_DISALLOWED = re.compile(r"[^\w+=,.@-]", re.ASCII)


def decode(token: str) -> dict[str, Any]:
    """The payload of a compact JWT, or MalformedTokenError naming what is wrong (never echoing the token)."""
    token = token.strip()
    segments = token.count(".") + 1
    if segments != 3:
        raise MalformedTokenError(f"the access token is not a JWT: expected 3 dot-separated segments, got {segments}")
    # The signature is never checked here, so it is not read either: Microsoft's published sample tokens carry a
    # truncated one that PyJWT refuses to base64-decode.
    signing_input = token.rpartition(".")[0]
    try:
        payload: dict[str, Any] = jwt.decode(f"{signing_input}.", options={"verify_signature": False})
    except jwt.InvalidTokenError as error:
        raise MalformedTokenError(_malformed(str(error))) from None
    return payload


def _malformed(reason: str) -> str:
    """PyJWT's reason ("Invalid payload padding", "Invalid header string: must be a json object", ...) in our words."""
    reason = reason.lower()
    part, number = ("header", 1) if "header" in reason else ("payload", 2)
    if reason.endswith("must be a json object"):
        return f"the access token's {part} is not a JSON object"
    return f"the access token's {part} is not base64url-encoded JSON (segment {number} of the JWT)"


def summary(claims: dict[str, Any]) -> dict[str, Any]:
    """Only the identifying claims (iss, ver, aud, azp/appid, sub, oid, tid, exp) that are present."""
    return {name: claims[name] for name in SHOWN_CLAIMS if name in claims}


def client_id(claims: dict[str, Any]) -> str:
    """The application (client) id of the caller: `azp` in v2 tokens, `appid` in v1 tokens."""
    return str(claims.get("azp") or claims.get("appid") or "")


def session_name(claims: dict[str, Any], override: str | None = None) -> str:
    """The RoleSessionName: the override if given, else derived from the workload's oid (or client id)."""
    if override is not None:
        return override
    identity = str(claims.get("oid") or client_id(claims) or claims.get("sub") or "workload")
    return sanitize_session_name(f"entra-{identity}")


def sanitize_session_name(name: str) -> str:
    """Map any string onto STS's RoleSessionName alphabet `[\\w+=,.@-]{2,64}`."""
    cleaned = _SESSION_NAME_DISALLOWED.sub("-", name)[:64]
    return cleaned if len(cleaned) >= 2 else (cleaned + "--")[:2]
