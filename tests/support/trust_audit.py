"""The tests' audit of synthesized templates: every federated trust statement that is not pinned (web identity
without StringEquals on aud and sub, SAML without StringEquals SAML:aud), StackSet bodies included. It reads
roles and statements with the package's walker (`entra_aws.federation.trust_policy`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entra_aws.federation.trust_policy import (
    SAML_ACTION,
    SAML_AUDIENCE,
    WEB_IDENTITY_ACTION,
    WILDCARD_MARKER,
    TemplateRole,
    TrustStatement,
    statements,
    template_roles,
)


@dataclass(frozen=True)
class Finding:
    template: str
    resource: str
    problem: str

    def __str__(self) -> str:
        return f"{self.template}: {self.resource}: {self.problem}"


def audit_template(template: dict[str, Any], name: str = "template") -> list[Finding]:
    return [finding for role in template_roles(template, name) for finding in _audit_role(role)]


def _audit_role(role: TemplateRole) -> list[Finding]:
    description = str(role.properties.get("Description") or "")
    return [
        Finding(role.template, role.logical_id, problem)
        for statement in statements(role.policy)
        for problem in _problems(statement, description)
    ]


def _problems(statement: TrustStatement, description: str) -> list[str]:
    actions = statement.actions
    wildcard = "*" in actions or "sts:*" in actions
    web = wildcard or WEB_IDENTITY_ACTION in actions or any(":oidc-provider/" in f for f in statement.federated)
    saml = wildcard or SAML_ACTION in actions or any(":saml-provider/" in f for f in statement.federated)
    equals = [c for c in statement.conditions if c.operator == "StringEquals" and any(c.values)]
    like = [c for c in statement.conditions if c.operator == "StringLike"]
    problems: list[str] = []
    if web and not any(c.key.endswith(":aud") for c in equals):
        problems.append("web-identity trust without StringEquals on <provider>:aud")
    opted_in = WILDCARD_MARKER in description and any(c.key.endswith(":sub") for c in like)
    if web and not any(c.key.endswith(":sub") for c in equals) and not opted_in:
        problems.append("web-identity trust without StringEquals on <provider>:sub")
    if saml and not any(c.key == "SAML:aud" and c.values == (SAML_AUDIENCE,) for c in equals):
        problems.append(f"SAML trust without StringEquals SAML:aud = {SAML_AUDIENCE}")
    return problems
