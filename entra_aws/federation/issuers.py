"""Entra token issuers and the IAM names derived from them.

The resource app's `accessTokenAcceptedVersion` decides the token version (null/1 -> v1, 2 -> v2), and with
it the issuer, which must equal the IAM OIDC provider URL exactly.
"""

from __future__ import annotations

import re
from typing import Literal

TokenVersion = Literal[1, 2]
_ISSUER_FORMS: dict[TokenVersion, re.Pattern[str]] = {
    1: re.compile(r"^https://sts\.windows\.net/[^/]+/$"),
    2: re.compile(r"^https://login\.microsoftonline\.com/[^/]+/v2\.0$"),
}


def issuer_url(tenant_id: str, version: TokenVersion) -> str:
    """v1: https://sts.windows.net/<tenant>/ (trailing slash); v2: https://login.microsoftonline.com/<tenant>/v2.0."""
    if version == 1:
        return f"https://sts.windows.net/{tenant_id}/"
    return f"https://login.microsoftonline.com/{tenant_id}/v2.0"


def issuer_version(issuer: str) -> TokenVersion | None:
    """The token version whose issuer form `issuer` has, None for an issuer that is neither Entra form."""
    return next((version for version, form in _ISSUER_FORMS.items() if form.match(issuer)), None)


def ver_claim(version: TokenVersion) -> str:
    """The `ver` claim of a token of this version."""
    return f"{version}.0"


def provider_path(issuer: str) -> str:
    """The IAM OIDC provider name and trust-policy key prefix: the issuer without https:// (v1 keeps its
    trailing slash)."""
    return issuer.removeprefix("https://")


def condition_prefix(tenant_id: str, version: TokenVersion) -> str:
    return provider_path(issuer_url(tenant_id, version))


def aud_key(tenant_id: str, version: TokenVersion) -> str:
    return f"{condition_prefix(tenant_id, version)}:aud"


def sub_key(tenant_id: str, version: TokenVersion) -> str:
    return f"{condition_prefix(tenant_id, version)}:sub"


def access_token_accepted_version(version: TokenVersion) -> str:
    """What to set in the resource app's manifest (`api.requestedAccessTokenVersion` in Graph)."""
    return "null or 1" if version == 1 else "2"
