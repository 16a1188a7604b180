"""Issuers, trust conditions, the trust audit, Entra app roles and AWS profiles (pure functions)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from entra_aws.federation import app_roles, aws_profile, issuers, trust_policy
from tests.support.trust_audit import audit_template

TENANT = "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b"


def test_issuers_match_the_published_token_samples(published_samples: Path) -> None:
    v1 = json.loads((published_samples / "entra/entra-access-token-v1.0-sample.msdocs.decoded.json").read_text())
    v2 = json.loads((published_samples / "entra/entra-access-token-v2.0-sample.msdocs.decoded.json").read_text())
    v1_payload, v2_payload = v1["_payload_decoded"], v2["_payload_decoded"]
    # The published v1 sample has no tid claim; its issuer names the tenant.
    v1_tenant = v1_payload["iss"].split("/")[3]
    assert issuers.issuer_url(v1_tenant, 1) == v1_payload["iss"]
    assert issuers.issuer_url(v2_payload["tid"], 2) == v2_payload["iss"]


def test_condition_keys_keep_the_v1_trailing_slash() -> None:
    assert issuers.aud_key(TENANT, 1) == f"sts.windows.net/{TENANT}/:aud"
    assert issuers.sub_key(TENANT, 2) == f"login.microsoftonline.com/{TENANT}/v2.0:sub"


def test_web_identity_conditions_pin_aud_and_sub() -> None:
    assert trust_policy.web_identity_conditions(TENANT, 1, "api://x", "oid") == {
        "StringEquals": {f"sts.windows.net/{TENANT}/:aud": "api://x", f"sts.windows.net/{TENANT}/:sub": "oid"}
    }
    with pytest.raises(ValueError, match="both an audience and a subject"):
        trust_policy.web_identity_conditions(TENANT, 2, "aud", "")


def _template(statement: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {
        "Resources": {
            "Provider": {"Type": "AWS::IAM::OIDCProvider", "Properties": {}},
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "Description": description,
                    "AssumeRolePolicyDocument": {"Statement": [statement]},
                },
            },
        }
    }


def _web(condition: dict[str, Any] | None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": {"Ref": "Provider"}},
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


AUD = f"login.microsoftonline.com/{TENANT}/v2.0:aud"
SUB = f"login.microsoftonline.com/{TENANT}/v2.0:sub"


@pytest.mark.parametrize(
    ("condition", "problems"),
    [
        ({"StringEquals": {AUD: "a", SUB: "s"}}, []),
        (None, ["aud", "sub"]),
        ({"StringEquals": {AUD: "a"}}, ["sub"]),
        ({"StringEquals": {SUB: "s"}}, ["aud"]),
        ({"StringLike": {AUD: "a", SUB: "s"}}, ["aud", "sub"]),
        ({"StringEquals": {AUD: "a"}, "StringLike": {SUB: "s*"}}, ["sub"]),
    ],
)
def test_audit_web_identity(condition: dict[str, Any] | None, problems: list[str]) -> None:
    findings = audit_template(_template(_web(condition)))
    assert [re.search(r":(aud|sub)$", f.problem).group(1) for f in findings] == problems  # type: ignore[union-attr]


def test_audit_accepts_opted_in_wildcard_only_with_marker() -> None:
    statement = _web({"StringEquals": {AUD: "a"}, "StringLike": {SUB: "s*"}})
    assert audit_template(_template(statement, trust_policy.WILDCARD_MARKER + "why")) == []


def test_audit_saml_and_stackset_bodies() -> None:
    saml = {
        "Effect": "Allow",
        "Action": "sts:AssumeRoleWithSAML",
        "Principal": {"Federated": "arn:aws:iam::1:saml-provider/E"},
    }
    body = _template(saml)
    outer = {
        "Resources": {
            "Set": {"Type": "AWS::CloudFormation::StackSet", "Properties": {"TemplateBody": json.dumps(body)}}
        }
    }
    findings = audit_template(outer, "outer")
    assert [str(f) for f in findings] == [
        "outer > StackSet Set: Role: SAML trust without StringEquals SAML:aud = https://signin.aws.amazon.com/saml"
    ]
    saml["Condition"] = trust_policy.saml_conditions()
    assert audit_template({"Resources": body["Resources"]}) == []
    assert [role.logical_id for role in trust_policy.template_roles(outer)] == ["Role"]


def test_role_claim_and_app_role() -> None:
    claim = app_roles.role_claim("111111111111", "ReadOnly", "EntraID")
    assert claim == "arn:aws:iam::111111111111:role/ReadOnly,arn:aws:iam::111111111111:saml-provider/EntraID"
    role = app_roles.app_role("111111111111", "ReadOnly", "EntraID")
    assert role["value"] == claim
    assert role["allowedMemberTypes"] == ["User"] and role["isEnabled"] is True
    assert "origin" not in role
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-111111111111", role["id"])
    # Stable, and different per account.
    assert role["id"] == app_roles.app_role("111111111111", "ReadOnly", "EntraID")["id"]
    assert role["id"] != app_roles.app_role("222222222222", "ReadOnly", "EntraID")["id"]


def test_role_claim_matches_the_published_saml_response(published_samples: Path) -> None:
    response = (published_samples / "entra/entra-SAMLResponse-AWS-SingleAccount.saml2aws-testdata.xml").read_text()
    values = re.findall(r"arn:aws:iam::\d{12}:role/[^,<]+,arn:aws:iam::\d{12}:saml-provider/[^<\s]+", response)
    assert values, "the sample carries role claim values"
    account, role, provider = re.match(
        r"arn:aws:iam::(\d{12}):role/([^,]+),arn:aws:iam::\d{12}:saml-provider/(.+)", values[0]
    ).groups()  # type: ignore[union-attr]
    assert app_roles.role_claim(account, role, provider) == values[0]


def test_merge_app_roles_keeps_existing_and_drops_origin() -> None:
    existing = [{"id": "a", "value": None, "displayName": "msiam_access", "origin": "Application"}]
    ours = [app_roles.app_role("111111111111", "R", "P")]
    merged = app_roles.merge_app_roles(existing, ours)
    assert [r["id"] for r in merged] == ["a", ours[0]["id"]]
    assert all("origin" not in r for r in merged)


def test_profile_text() -> None:
    text = aws_profile.profile_text(
        "exporter",
        "arn:aws:iam::111111111111:role/x",
        "api://app",
        "eu-west-1",
        "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
    )
    assert text == (
        "[profile exporter]\n"
        "credential_process = entra-aws credentials --role-arn arn:aws:iam::111111111111:role/x "
        "--audience api://app --client-id 0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a\n"
        "region = eu-west-1\n"
    )
    command = text.splitlines()[1].split(" = ", 1)[1]
    assert shlex.split(command)[:2] == ["entra-aws", "credentials"]
