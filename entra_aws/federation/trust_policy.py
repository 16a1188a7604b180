"""Trust policies of Entra-federated roles: the conditions the stacks build, and one reading of roles, statements and
conditions (from a policy document or a synthesized template, StackSet bodies included) that `entra-aws doctor`
and the tests' trust audit share.

Web identity: `StringEquals` on `<provider>:aud` AND `<provider>:sub` (sub = the workload's object id,
the only identity pin IAM offers for Entra tokens). SAML: `StringEquals` on `SAML:aud`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from entra_aws.federation.issuers import TokenVersion, aud_key, sub_key

SAML_AUDIENCE = "https://signin.aws.amazon.com/saml"
WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"
SAML_ACTION = "sts:AssumeRoleWithSAML"
# Put into the role description when a wildcard subject was opted into; the audit accepts StringLike on
# sub only for such roles.
WILDCARD_MARKER = "Wildcard subject opted in: "
OIDC_PROVIDER_TYPES = ("AWS::IAM::OIDCProvider", "Custom::AWSCDKOpenIdConnectProvider")
SAML_PROVIDER_TYPE = "AWS::IAM::SAMLProvider"


# ---- building ----


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


# ---- reading ----


@dataclass(frozen=True)
class Condition:
    """One key of one condition operator: `StringEquals {"<provider>:sub": [...]}`."""

    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class TrustStatement:
    """An Allow statement of a trust policy: its actions, Federated principals and conditions."""

    actions: tuple[str, ...]
    federated: tuple[str, ...]
    conditions: tuple[Condition, ...]


def statements(policy: Mapping[str, Any]) -> list[TrustStatement]:
    """The Allow statements of a trust policy document (Deny statements grant nothing)."""
    return [
        _statement(raw)
        for raw in _as_list(policy.get("Statement"))
        if isinstance(raw, dict) and raw.get("Effect") == "Allow"
    ]


def _statement(raw: Mapping[str, Any]) -> TrustStatement:
    principal = raw.get("Principal")
    federated = principal.get("Federated") if isinstance(principal, dict) else None
    return TrustStatement(
        actions=tuple(str(action) for action in _as_list(raw.get("Action"))),
        federated=tuple(str(item) for item in _as_list(federated)),
        conditions=tuple(_conditions(raw.get("Condition"))),
    )


def _conditions(block: Any) -> Iterator[Condition]:
    if not isinstance(block, dict):
        return
    for operator, keys in block.items():
        if isinstance(keys, dict):
            for key, value in keys.items():
                yield Condition(operator, key, tuple(str(item) for item in _as_list(value)))


@dataclass(frozen=True)
class TemplateRole:
    """An IAM role of a synthesized template, with the template's resources its intrinsics refer to."""

    template: str
    logical_id: str
    properties: dict[str, Any]
    resources: dict[str, Any]

    @property
    def policy(self) -> Any:
        """The AssumeRolePolicyDocument, intrinsics resolved (a JSON string is parsed)."""
        document = resolve(self.properties.get("AssumeRolePolicyDocument") or {}, self.resources)
        return json.loads(document) if isinstance(document, str) else document


def template_roles(
    template: Mapping[str, Any], name: str = "template", *, stackset_bodies: bool = True
) -> Iterator[TemplateRole]:
    """Every IAM role of the template; the roles of a StackSet body are named `<name> > StackSet <id>`."""
    resources: dict[str, Any] = template.get("Resources") or {}
    for logical_id, resource in resources.items():
        properties = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::IAM::Role":
            yield TemplateRole(name, logical_id, properties, resources)
        body = properties.get("TemplateBody")
        if stackset_bodies and resource.get("Type") == "AWS::CloudFormation::StackSet" and isinstance(body, str):
            yield from template_roles(json.loads(body), f"{name} > StackSet {logical_id}")


def resolve(value: Any, resources: Mapping[str, Any]) -> Any:
    """Best-effort intrinsics: Ref/GetAtt of a provider, Fn::Join, Fn::Sub, CDK CfnJson; the account is `<account>`."""
    if isinstance(value, list):
        return [resolve(item, resources) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (name, argument), *_ = value.items()
        resolved = _intrinsic(name, argument, resources)
        if resolved is not None:
            return resolved
    return {key: resolve(item, resources) for key, item in value.items()}


def _intrinsic(name: str, argument: Any, resources: Mapping[str, Any]) -> Any:
    if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        return str(argument[0]).join(str(resolve(part, resources)) for part in argument[1])
    if name == "Fn::Sub" and isinstance(argument, str):
        return argument.replace("${AWS::AccountId}", "<account>").replace("${AWS::Partition}", "aws")
    if name == "Ref" and argument in ("AWS::AccountId", "AWS::Partition"):
        return "<account>" if argument == "AWS::AccountId" else "aws"
    target = argument[0] if name == "Fn::GetAtt" and isinstance(argument, list) else argument
    resource = resources.get(target) if name in ("Ref", "Fn::GetAtt") and isinstance(target, str) else None
    if not isinstance(resource, dict):
        return None
    return _resource_value(target, resource, resources)


def _resource_value(logical_id: str, resource: Mapping[str, Any], resources: Mapping[str, Any]) -> Any:
    properties = resource.get("Properties", {})
    if resource.get("Type") in OIDC_PROVIDER_TYPES:
        url = str(resolve(properties.get("Url", ""), resources)).removeprefix("https://")
        return f"arn:aws:iam::<account>:oidc-provider/{url}"
    if resource.get("Type") == SAML_PROVIDER_TYPE:
        return f"arn:aws:iam::<account>:saml-provider/{properties.get('Name') or logical_id}"
    if resource.get("Type") == "Custom::AWSCDKCfnJson":
        inner = resolve(properties.get("Value"), resources)
        return json.loads(inner) if isinstance(inner, str) else inner
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
