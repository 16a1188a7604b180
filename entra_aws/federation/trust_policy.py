"""Trust-policy conditions for Entra-federated roles, and an audit that finds roles trusting too widely.

Web identity: `StringEquals` on `<provider>:aud` AND `<provider>:sub` (sub = the workload's object id,
the only identity pin IAM offers for Entra tokens). SAML: `StringEquals` on `SAML:aud`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from entra_aws.federation.issuers import TokenVersion, aud_key, sub_key

SAML_AUDIENCE = "https://signin.aws.amazon.com/saml"
WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"
SAML_ACTION = "sts:AssumeRoleWithSAML"
# Put into the role description when a wildcard subject was opted into; the audit accepts StringLike on
# sub only for such roles.
WILDCARD_MARKER = "Wildcard subject opted in: "


def web_identity_conditions(
    tenant_id: str, version: TokenVersion, aud: str, subject: str, wildcard: bool = False
) -> dict[str, dict[str, str]]:
    if not aud or not subject:
        raise ValueError("a web-identity trust needs both an audience and a subject")
    conditions: dict[str, dict[str, str]] = {"StringEquals": {aud_key(tenant_id, version): aud}}
    if wildcard:
        conditions["StringLike"] = {sub_key(tenant_id, version): subject}
    else:
        conditions["StringEquals"][sub_key(tenant_id, version)] = subject
    return conditions


def saml_conditions() -> dict[str, dict[str, str]]:
    return {"StringEquals": {"SAML:aud": SAML_AUDIENCE}}


@dataclass(frozen=True)
class Finding:
    template: str
    resource: str
    problem: str

    def __str__(self) -> str:
        return f"{self.template}: {self.resource}: {self.problem}"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _provider_kind(federated: Any, resources: dict[str, Any]) -> str:
    """'oidc', 'saml' or '' for a Federated principal (a Ref to a provider resource or an ARN)."""
    text = json.dumps(federated)
    for name, resource in resources.items():
        if f'"{name}"' in text:
            kind = resource.get("Type", "")
            if kind == "AWS::IAM::OIDCProvider":
                return "oidc"
            if kind == "AWS::IAM::SAMLProvider":
                return "saml"
    if ":oidc-provider/" in text:
        return "oidc"
    if ":saml-provider/" in text:
        return "saml"
    return ""


def _keys(block: Any) -> dict[str, Any]:
    return block if isinstance(block, dict) else {}


def audit_template(template: dict[str, Any], name: str = "template") -> list[Finding]:
    """Every federated trust statement that is not pinned: web identity without StringEquals on aud
    and sub, SAML without StringEquals SAML:aud. StackSet template bodies are audited too."""
    findings: list[Finding] = []
    resources: dict[str, Any] = template.get("Resources") or {}
    for logical_id, resource in resources.items():
        kind = resource.get("Type")
        props = resource.get("Properties") or {}
        if kind == "AWS::CloudFormation::StackSet" and isinstance(props.get("TemplateBody"), str):
            body = json.loads(props["TemplateBody"])
            findings += audit_template(body, f"{name} > StackSet {logical_id}")
        if kind != "AWS::IAM::Role":
            continue
        description = str(props.get("Description") or "")
        for statement in _as_list((props.get("AssumeRolePolicyDocument") or {}).get("Statement")):
            findings += _audit_statement(statement, resources, description, name, logical_id)
    return findings


def _audit_statement(
    statement: dict[str, Any], resources: dict[str, Any], description: str, name: str, logical_id: str
) -> list[Finding]:
    if statement.get("Effect") != "Allow":
        return []
    actions = [str(a) for a in _as_list(statement.get("Action"))]
    principal = statement.get("Principal") or {}
    federated = principal.get("Federated") if isinstance(principal, dict) else None
    kinds = {_provider_kind(f, resources) for f in _as_list(federated)}
    web = WEB_IDENTITY_ACTION in actions or "oidc" in kinds
    saml = SAML_ACTION in actions or "saml" in kinds
    if "*" in actions or "sts:*" in actions:
        web = saml = True
    conditions = statement.get("Condition") or {}
    equals = _keys(conditions.get("StringEquals"))
    like = _keys(conditions.get("StringLike"))
    findings: list[Finding] = []
    if web:
        if not any(k.endswith(":aud") and v for k, v in equals.items()):
            findings.append(Finding(name, logical_id, "web-identity trust without StringEquals on <provider>:aud"))
        if not any(k.endswith(":sub") and v for k, v in equals.items()):
            if any(k.endswith(":sub") for k in like) and WILDCARD_MARKER in description:
                pass
            else:
                findings.append(Finding(name, logical_id, "web-identity trust without StringEquals on <provider>:sub"))
    if saml and equals.get("SAML:aud") != SAML_AUDIENCE:
        findings.append(Finding(name, logical_id, f"SAML trust without StringEquals SAML:aud = {SAML_AUDIENCE}"))
    return findings


def iter_roles(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(logical id, properties) of every IAM role, StackSet bodies included."""
    for logical_id, resource in (template.get("Resources") or {}).items():
        props = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::IAM::Role":
            yield logical_id, props
        if resource.get("Type") == "AWS::CloudFormation::StackSet" and isinstance(props.get("TemplateBody"), str):
            yield from iter_roles(json.loads(props["TemplateBody"]))
