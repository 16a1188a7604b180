"""`entra-aws doctor` with the loopback IMDS token endpoint; trust policy from files, a template, moto IAM."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
from credentials_support import AUDIENCE, ROLE_ARN, HelperRunner
from entra_loopback import EntraLoopback


def _trust_policy(
    provider_path: str, conditions: dict[str, Any] | None, account: str = "123456789012"
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/{provider_path}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if conditions is not None:
        statement["Condition"] = conditions
    return {"Version": "2012-10-17", "Statement": [statement]}


def _pinned(
    server: EntraLoopback, sub: str | None = None, path: str | None = None, account: str = "123456789012"
) -> dict[str, Any]:
    path = path or f"sts.windows.net/{server.tenant_id}/"
    conditions = {"StringEquals": {f"{path}:aud": AUDIENCE, f"{path}:sub": sub or server.object_id}}
    return _trust_policy(path, conditions, account)


def _write(tmp_path: Path, document: dict[str, Any]) -> str:
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def _doctor(run_helper: HelperRunner, helper_args: list[str], *extra: str) -> tuple[int, str, str]:
    result = run_helper(*helper_args, *extra, command="doctor")
    return result.returncode, result.stdout, result.stderr


def test_matching_trust_policy_passes_and_shows_claims_without_the_token(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], tmp_path: Path
) -> None:
    code, out, err = _doctor(run_helper, helper_args, "--trust-policy", _write(tmp_path, _pinned(imds)))

    assert code == 0, out + err
    assert f"iss=https://sts.windows.net/{imds.tenant_id}/" in out
    assert f"oid={imds.object_id}" in out and f"appid={imds.client_id}" in out and "ver=1.0" in out
    assert "all checks passed" in out
    (token,) = imds.issued
    assert token.split(".")[2] not in out + err
    assert token.split(".")[1] not in out + err


def test_wrong_sub_fails_with_the_fix(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], tmp_path: Path
) -> None:
    other = "00000000-0000-0000-0000-000000000001"
    policy = _write(tmp_path, _pinned(imds, sub=other))

    code, out, _ = _doctor(run_helper, helper_args, "--trust-policy", policy)

    assert code == 1
    assert f"expects ['{other}'], token has sub='{imds.object_id}'" in out
    assert f"fix: set sts.windows.net/{imds.tenant_id}/:sub to '{imds.object_id}'" in out


def test_a_condition_on_azp_can_never_match_and_fails(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], tmp_path: Path
) -> None:
    """IAM sets no `<provider>:azp` key for an OIDC provider: the role could never be assumed."""
    document = _pinned(imds)
    path = f"sts.windows.net/{imds.tenant_id}/"
    document["Statement"][0]["Condition"]["StringEquals"][f"{path}:azp"] = imds.client_id

    code, out, _ = _doctor(run_helper, helper_args, "--trust-policy", _write(tmp_path, document))

    assert code == 1
    assert f"[FAIL] StringEquals {path}:azp can never match: IAM sets no 'azp' key for an OIDC provider" in out
    assert f"matches token sub='{imds.object_id}'" in out


def test_missing_trailing_slash_is_named(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], tmp_path: Path
) -> None:
    policy = _write(tmp_path, _pinned(imds, path=f"sts.windows.net/{imds.tenant_id}"))

    code, out, _ = _doctor(run_helper, helper_args, "--trust-policy", policy)

    assert code == 1
    assert "trailing slash differs" in out


def test_v2_provider_for_a_v1_token_is_named(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], tmp_path: Path
) -> None:
    policy = _write(tmp_path, _pinned(imds, path=f"login.microsoftonline.com/{imds.tenant_id}/v2.0"))

    code, out, _ = _doctor(run_helper, helper_args, "--trust-policy", policy)

    assert code == 1
    assert "trusts the v2.0 issuer but the token is v1.0" in out
    assert "accessTokenAcceptedVersion" in out


def test_statement_without_conditions_is_a_warning(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], tmp_path: Path
) -> None:
    policy = _write(tmp_path, _trust_policy(f"sts.windows.net/{imds.tenant_id}/", None))

    code, out, _ = _doctor(run_helper, helper_args, "--trust-policy", policy)

    assert code == 0
    assert "[WARN] the statement has no conditions" in out


def test_synthesized_template_with_provider_reference(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], tmp_path: Path
) -> None:
    """The shape CDK synthesizes for an OIDC provider + role (Federated via Ref); client id list lacks aud."""
    path = f"sts.windows.net/{imds.tenant_id}/"
    template = {
        "Resources": {
            "EntraProvider": {
                "Type": "AWS::IAM::OIDCProvider",
                "Properties": {"Url": f"https://{path}", "ClientIdList": ["api://some-other-app"]},
            },
            "WorkloadRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": ROLE_ARN.rsplit("/", 1)[-1],
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Federated": {"Ref": "EntraProvider"}},
                                "Action": "sts:AssumeRoleWithWebIdentity",
                                "Condition": {"StringEquals": {f"{path}:sub": imds.object_id}},
                            }
                        ],
                    },
                },
            },
        }
    }
    file = tmp_path / "Stack.template.json"
    file.write_text(json.dumps(template), encoding="utf-8")

    code, out, _ = _doctor(run_helper, helper_args, "--template", str(file))

    assert code == 1
    assert f"trusts oidc-provider/{path}" in out
    assert f"do not contain aud '{AUDIENCE}'" in out
    assert f"[PASS] StringEquals {path}:sub" in out


def test_a_template_with_the_v1_and_v2_providers_is_checked_against_the_tokens_one(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], tmp_path: Path
) -> None:
    """`token_versions: [1, 2]` synthesizes two providers; the one for the token's issuer is the one checked."""
    path = f"sts.windows.net/{imds.tenant_id}/"
    v2 = f"login.microsoftonline.com/{imds.tenant_id}/v2.0"
    statement = _pinned(imds)["Statement"][0] | {"Principal": {"Federated": {"Ref": "V1Provider"}}}
    template = {
        "Resources": {
            "V1Provider": {
                "Type": "AWS::IAM::OIDCProvider",
                "Properties": {"Url": f"https://{path}", "ClientIdList": [AUDIENCE]},
            },
            "V2Provider": {
                "Type": "AWS::IAM::OIDCProvider",
                "Properties": {"Url": f"https://{v2}", "ClientIdList": ["3f2a6c1e-8d4b-4c7a-9e1f-0a2b3c4d5e6f"]},
            },
            "WorkloadRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": ROLE_ARN.rsplit("/", 1)[-1],
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
                },
            },
        }
    }
    file = tmp_path / "Stack.template.json"
    file.write_text(json.dumps(template), encoding="utf-8")

    code, out, err = _doctor(run_helper, helper_args, "--template", str(file))

    assert code == 0, out + err
    assert f"[PASS] provider client id list contains aud '{AUDIENCE}'" in out


def test_reads_the_role_and_provider_from_iam_and_exchanges(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str]
) -> None:
    iam = boto3.client("iam")
    path = f"sts.windows.net/{imds.tenant_id}/"
    arn = iam.create_open_id_connect_provider(Url=f"https://{path}", ClientIDList=[AUDIENCE])[
        "OpenIDConnectProviderArn"
    ]
    policy = _pinned(imds, account=arn.split(":")[4])
    iam.create_role(RoleName=ROLE_ARN.rsplit("/", 1)[-1], AssumeRolePolicyDocument=json.dumps(policy))

    code, out, err = _doctor(run_helper, helper_args, "--exchange")

    assert code == 0, out + err
    assert f"iam:GetRole {ROLE_ARN}: trusts oidc-provider/{path}" in out
    assert f"[PASS] provider client id list contains aud '{AUDIENCE}'" in out
    assert f"[PASS] AssumeRoleWithWebIdentity as session 'entra-{imds.object_id}'" in out
    assert "[PASS] GetCallerIdentity" in out


def test_a_role_trusting_the_v1_and_v2_providers_is_checked_against_the_tokens_one(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str]
) -> None:
    iam = boto3.client("iam")
    v1 = f"sts.windows.net/{imds.tenant_id}/"
    v2 = f"login.microsoftonline.com/{imds.tenant_id}/v2.0"
    arns = {
        path: iam.create_open_id_connect_provider(Url=f"https://{path}", ClientIDList=[client])[
            "OpenIDConnectProviderArn"
        ]
        for path, client in ((v1, AUDIENCE), (v2, "3f2a6c1e-8d4b-4c7a-9e1f-0a2b3c4d5e6f"))
    }
    policy = _pinned(imds, account=arns[v1].split(":")[4])
    statement = policy["Statement"][0]
    statement["Principal"]["Federated"] = [arns[v1], arns[v2]]  # v2 listed last: it used to win
    iam.create_role(RoleName=ROLE_ARN.rsplit("/", 1)[-1], AssumeRolePolicyDocument=json.dumps(policy))

    code, out, err = _doctor(run_helper, helper_args)

    assert code == 0, out + err
    assert f"[PASS] provider client id list contains aud '{AUDIENCE}'" in out
    assert "[FAIL]" not in out


def test_unreadable_trust_policy_is_a_usage_error(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], tmp_path: Path
) -> None:
    bad = tmp_path / "trust.json"
    bad.write_text("{oops", encoding="utf-8")

    code, out, err = _doctor(run_helper, helper_args, "--trust-policy", str(bad))

    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "not JSON" in err
