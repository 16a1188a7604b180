"""The Entra side of SAML: the role claim values AWS expects and the Microsoft Graph `appRoles`
that carry them.

Writing `appRoles` on the enterprise app's service principal through Graph replaces Entra's role import, which
needs an IAM user with iam:ListRoles and a long-lived access key.
"""

from __future__ import annotations

import uuid
from typing import Any

# Namespace for the stable part of app role ids (uuid5 of "role,provider").
APP_ROLE_NAMESPACE = uuid.UUID("6f0f3b52-6a1e-4c55-9d2a-0e7a3c1d8b41")


def role_claim(account: str, role_name: str, provider_name: str, partition: str = "aws") -> str:
    """`arn:aws:iam::ACCOUNT:role/NAME,arn:aws:iam::ACCOUNT:saml-provider/NAME` (the Role attribute value)."""
    return (
        f"arn:{partition}:iam::{account}:role/{role_name},arn:{partition}:iam::{account}:saml-provider/{provider_name}"
    )


def app_role_id(account: str, role_name: str, provider_name: str) -> str:
    """A stable GUID per (account, role, provider): 24 hex digits from the names, then the account id.

    Built so that the account can be a CloudFormation token (unknown until deploy) and the id still
    differs per account when one Entra app serves several accounts.
    """
    stable = uuid.uuid5(APP_ROLE_NAMESPACE, f"{role_name},{provider_name}").hex
    return f"{stable[:8]}-{stable[8:12]}-{stable[12:16]}-{stable[16:20]}-{account}"


def app_role(
    account: str, role_name: str, provider_name: str, description: str | None = None, partition: str = "aws"
) -> dict[str, Any]:
    """One Graph appRole (without `origin`, which Graph refuses in PATCH)."""
    return {
        "allowedMemberTypes": ["User"],
        "description": description or f"AWS role {role_name} in account {account}",
        "displayName": f"{role_name} ({account})",
        "id": app_role_id(account, role_name, provider_name),
        "isEnabled": True,
        "value": role_claim(account, role_name, provider_name, partition),
    }


def merge_app_roles(existing: list[dict[str, Any]], ours: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The appRoles to PATCH: Graph replaces the whole collection, so keep every existing role (such as the
    gallery app's msiam_access) and add or update ours by id. `origin` is dropped (read-only in Graph)."""
    merged = {role["id"]: {k: v for k, v in role.items() if k != "origin"} for role in existing}
    for role in ours:
        merged[role["id"]] = dict(role)
    return list(merged.values())
