"""The doctor knows which `<provider>:<claim>` keys IAM sets for an Entra OIDC provider: `aud`, `sub` and `amr`
(IAM user guide, "Available keys for AWS OIDC federation"), `amr` only from v1 tokens (Microsoft's access token
claims reference). A condition on a key IAM never sets can never match, and the doctor says so."""

from __future__ import annotations

from typing import Any

from entra_aws.credentials.trust import FAIL, PASS, WARN, Check, TrustSource, check_trust

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
V1 = f"sts.windows.net/{TENANT}/"
V2 = f"login.microsoftonline.com/{TENANT}/v2.0"
CLIENT = "6e74172b-be56-4843-9ff4-e66a39bb12e3"
SUB = "9067c0c5-3a81-4cbb-b1a5-1234567890ab"


def _claims(path: str, **extra: Any) -> dict[str, Any]:
    return {"iss": f"https://{path}", "aud": CLIENT, "sub": SUB, **extra}


def _checks(path: str, values: dict[str, Any], conditions: dict[str, dict[str, str]]) -> list[Check]:
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{path}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": conditions,
            }
        ]
    }
    return check_trust(values, TrustSource(policy, "policy"), "arn:aws:iam::123456789012:role/r")


def _about(checks: list[Check], key: str) -> Check:
    (check,) = [check for check in checks if key in check.title]
    return check


def test_a_condition_on_azp_can_never_match_even_when_the_token_has_the_claim() -> None:
    values = _claims(V2, azp=CLIENT)
    checks = _checks(V2, values, {"StringEquals": {f"{V2}:sub": SUB, f"{V2}:azp": CLIENT}})

    azp = _about(checks, ":azp")
    assert azp.status == FAIL
    assert "can never match" in azp.title and "IAM sets no 'azp' key" in azp.title
    assert _about(checks, ":sub").status == PASS


def test_amr_matches_in_a_v1_trust_and_never_in_a_v2_one_because_entra_puts_it_in_v1_tokens_only() -> None:
    v1 = _checks(V1, _claims(V1, amr=["pwd", "mfa"]), {"ForAnyValue:StringLike": {f"{V1}:amr": "*mfa*"}})
    v2 = _checks(V2, _claims(V2), {"ForAnyValue:StringEquals": {f"{V2}:amr": "mfa"}})

    assert _about(v1, ":amr").status == PASS
    amr = _about(v2, ":amr")
    assert amr.status == FAIL
    assert "can never match" in amr.title and "v1 tokens only" in amr.title


def test_a_negated_or_if_exists_condition_on_a_missing_key_only_has_no_effect() -> None:
    checks = _checks(V2, _claims(V2, azp=CLIENT), {"StringNotEquals": {f"{V2}:azp": "someone-else"}})

    azp = _about(checks, ":azp")
    assert azp.status == WARN
    assert "has no effect" in azp.title
