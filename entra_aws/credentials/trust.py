"""A role's trust policy and OIDC provider, from IAM, a trust-policy JSON file or a synthesized CloudFormation
template, and the checks of an Entra token's claims against them.

Trust-policy condition keys are `<provider host/path>:aud|sub|azp|amr`; for the v1 issuer the path keeps its
trailing slash (`sts.windows.net/{tid}/:aud`). The IAM OIDC provider URL must equal the token's `iss`.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

from entra_aws.credentials import claims as token_claims
from entra_aws.credentials.errors import UsageError

OIDC_PROVIDER_TYPES = ("AWS::IAM::OIDCProvider", "Custom::AWSCDKOpenIdConnectProvider")
PASS, FAIL, WARN, SKIP = "PASS", "FAIL", "WARN", "SKIP"


class Check:
    def __init__(self, status: str, title: str, fix: str = "") -> None:
        self.status = status
        self.title = title
        self.fix = fix

    def line(self) -> str:
        text = f"[{self.status}] {self.title}"
        return f"{text}\n       fix: {self.fix}" if self.fix else text


class TrustSource:
    """The trust policy document, the provider's client ids when known, and where they came from."""

    def __init__(self, policy: dict[str, Any], origin: str, client_ids: list[str] | None = None) -> None:
        self.policy = policy
        self.origin = origin
        self.client_ids = client_ids
        self.provider_url = ""


# ---- loading ----


def from_policy_file(path: str) -> TrustSource:
    document = _load_json(path, "--trust-policy")
    if isinstance(document.get("Role"), dict):  # `aws iam get-role` output
        document = _policy_document(document["Role"].get("AssumeRolePolicyDocument"), path)
    if "Statement" not in document:
        raise UsageError(f"--trust-policy {path}: no Statement; give a trust policy or `aws iam get-role` output")
    return TrustSource(document, f"trust policy file {path}")


def from_template(path: str, role_arn: str, issuer: str = "") -> TrustSource:
    template = _load_json(path, "--template")
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        raise UsageError(f"--template {path}: no Resources; give a synthesized template (cdk.out/*.template.json)")
    logical_id, role = _find_role(resources, role_arn, path)
    policy = _resolve(role.get("Properties", {}).get("AssumeRolePolicyDocument", {}), resources)
    source = TrustSource(_policy_document(policy, path), f"template {path} (role {logical_id})")
    provider = _find_provider(resources, issuer)
    if provider:
        source.provider_url = str(_resolve(provider.get("Url", ""), resources))
        ids = provider.get("ClientIdList") or provider.get("ClientIDList")
        source.client_ids = [str(_resolve(item, resources)) for item in ids] if isinstance(ids, list) else None
    return source


def from_iam(role_arn: str, region: str, issuer: str = "") -> TrustSource:
    import boto3

    iam = boto3.client("iam", region_name=region or "us-east-1")
    role = iam.get_role(RoleName=role_arn.rsplit("/", 1)[-1])["Role"]
    document: Any = role["AssumeRolePolicyDocument"]
    if isinstance(document, str):
        from urllib.parse import unquote

        document = json.loads(unquote(document))
    source = TrustSource(document, f"iam:GetRole {role_arn}")
    principals = federated_principals(document)
    # a role may trust the v1 and the v2 provider: the token's issuer says which one is asked
    wanted = [
        arn for arn in principals if issuer and arn.endswith(f":oidc-provider/{token_claims.provider_path(issuer)}")
    ]
    for arn in wanted or principals:
        try:
            provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        except Exception:  # permission or not found: the trust checks still run, client ids stay unknown
            continue
        source.provider_url = "https://" + str(provider.get("Url", "")).removeprefix("https://")
        source.client_ids = list(provider.get("ClientIDList", []))
        break
    return source


def _load_json(path: str, option: str) -> dict[str, Any]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot read it ({exc.strerror})") from None
    except ValueError as exc:
        raise UsageError(f"{option} {path}: not JSON ({exc})") from None
    if not isinstance(document, dict):
        raise UsageError(f"{option} {path}: expected a JSON object")
    return document


def _policy_document(value: Any, path: str) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise UsageError(f"{path}: the role's AssumeRolePolicyDocument is not a JSON object")
    return value


def _find_role(resources: dict[str, Any], role_arn: str, path: str) -> tuple[str, dict[str, Any]]:
    roles = {key: value for key, value in resources.items() if value.get("Type") == "AWS::IAM::Role"}
    name = role_arn.rsplit("/", 1)[-1]
    named = [key for key, value in roles.items() if value.get("Properties", {}).get("RoleName") == name]
    federated = [key for key, value in roles.items() if "AssumeRoleWithWebIdentity" in json.dumps(value)]
    chosen = named or federated
    if len(chosen) != 1:
        found = ", ".join(federated) or "none"
        raise UsageError(
            f"--template {path}: cannot tell which role is {role_arn} (roles with RoleName {name!r}: "
            f"{len(named)}; web-identity roles: {found}); give --trust-policy instead"
        )
    return chosen[0], roles[chosen[0]]


def _find_provider(resources: dict[str, Any], issuer: str) -> dict[str, Any] | None:
    """The provider for the token's issuer (a stack may hold the v1 and the v2 one), else the only one."""
    providers = [
        value.get("Properties", {}) for value in resources.values() if value.get("Type") in OIDC_PROVIDER_TYPES
    ]
    if issuer:
        for properties in providers:
            url = str(_resolve(properties.get("Url", ""), resources))
            if url.removeprefix("https://") == token_claims.provider_path(issuer):
                return dict(properties)
    return dict(providers[0]) if len(providers) == 1 else None


def _resolve(value: Any, resources: dict[str, Any]) -> Any:
    """Best-effort intrinsics: Ref/GetAtt of an OIDC provider, Fn::Join, Fn::Sub, CDK CfnJson."""
    if isinstance(value, list):
        return [_resolve(item, resources) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (name, argument), *_ = value.items()
        resolved = _intrinsic(name, argument, resources)
        if resolved is not None:
            return resolved
    return {key: _resolve(item, resources) for key, item in value.items()}


def _intrinsic(name: str, argument: Any, resources: dict[str, Any]) -> Any:
    if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        return str(argument[0]).join(str(_resolve(part, resources)) for part in argument[1])
    if name == "Fn::Sub" and isinstance(argument, str):
        return argument.replace("${AWS::AccountId}", "<account>").replace("${AWS::Partition}", "aws")
    if name == "Ref" and argument in ("AWS::AccountId", "AWS::Partition"):
        return "<account>" if argument == "AWS::AccountId" else "aws"
    target = argument[0] if name == "Fn::GetAtt" and isinstance(argument, list) else argument
    resource = resources.get(target) if name in ("Ref", "Fn::GetAtt") and isinstance(target, str) else None
    if not isinstance(resource, dict):
        return None
    properties = resource.get("Properties", {})
    if resource.get("Type") in OIDC_PROVIDER_TYPES:
        url = str(_resolve(properties.get("Url", ""), resources)).removeprefix("https://")
        return f"arn:aws:iam::<account>:oidc-provider/{url}"
    if resource.get("Type") == "Custom::AWSCDKCfnJson":
        inner = _resolve(properties.get("Value"), resources)
        return json.loads(inner) if isinstance(inner, str) else inner
    return None


# ---- checking ----


def web_identity_statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    return [
        statement
        for statement in statements
        if isinstance(statement, dict)
        and statement.get("Effect") == "Allow"
        and "sts:AssumeRoleWithWebIdentity" in _as_list(statement.get("Action"))
    ]


def federated_principals(policy: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for statement in web_identity_statements(policy):
        principal = statement.get("Principal", {})
        if isinstance(principal, dict):
            found += [str(item) for item in _as_list(principal.get("Federated"))]
    return found


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def check_token(values: dict[str, Any], audience: str, now: float) -> list[Check]:
    issuer = str(values.get("iss", ""))
    version = token_claims.issuer_version(issuer)
    checks = [_issuer_check(issuer, version, str(values.get("ver", "")))]
    expires = values.get("exp")
    if not isinstance(expires, int | float):
        checks.append(Check(FAIL, "token has no numeric exp claim", "this is not an Entra access token"))
    elif expires + 300 < now:
        checks.append(Check(FAIL, "token expired", "check this machine's clock; fetch a fresh token"))
    else:
        checks.append(Check(PASS, f"token valid for {int(expires - now)} more seconds"))
    aud = str(values.get("aud", ""))
    if aud == audience:
        checks.append(Check(PASS, f"aud {aud!r} is the requested audience"))
    else:
        checks.append(
            Check(
                WARN,
                f"aud {aud!r} differs from --audience {audience!r}",
                "v2 tokens always carry the app's client id as aud: the OIDC provider client id list and the "
                f":aud condition must contain {aud!r}",
            )
        )
    return checks


def _issuer_check(issuer: str, version: str, claimed_version: str) -> Check:
    if not version:
        return Check(
            FAIL,
            f"iss {issuer!r} is neither Entra issuer form",
            "expected https://sts.windows.net/<tid>/ (v1) or https://login.microsoftonline.com/<tid>/v2.0 (v2)",
        )
    if claimed_version and claimed_version != version:
        return Check(WARN, f"iss is the v{version} form but ver is {claimed_version!r}")
    return Check(PASS, f"iss {issuer!r} is the Entra v{version} form")


def check_trust(values: dict[str, Any], source: TrustSource, role_arn: str) -> list[Check]:
    issuer = str(values.get("iss", ""))
    path = token_claims.provider_path(issuer)
    statements = web_identity_statements(source.policy)
    if not statements:
        return [
            Check(
                FAIL,
                f"{source.origin}: no Allow statement for sts:AssumeRoleWithWebIdentity",
                f"add a statement with Principal Federated arn:aws:iam::<account>:oidc-provider/{path}",
            )
        ]
    matching = [s for s in statements if any(p.endswith(f":oidc-provider/{path}") for p in _principals(s))]
    if not matching:
        return [_provider_mismatch(source, path, issuer)]
    checks = [Check(PASS, f"{source.origin}: trusts oidc-provider/{path}")]
    checks += _provider_checks(source, values, issuer)
    checks += _condition_checks(matching, values, path, role_arn)
    return checks


def _principals(statement: dict[str, Any]) -> list[str]:
    principal = statement.get("Principal", {})
    return [str(item) for item in _as_list(principal.get("Federated"))] if isinstance(principal, dict) else []


def _provider_mismatch(source: TrustSource, path: str, issuer: str) -> Check:
    trusted = [p.split(":oidc-provider/", 1)[-1] for p in federated_principals(source.policy)]
    fix = f"the OIDC provider (and Federated principal) must be exactly {issuer}"
    for other in trusted:
        if other.rstrip("/") == path.rstrip("/"):
            fix += " — the trailing slash differs (v1 issuers end with '/')"
            continue
        trusted_version = token_claims.issuer_version("https://" + other)
        token_version = token_claims.issuer_version(issuer)
        if trusted_version not in ("", token_version):
            fix += (
                f" — the role trusts the v{trusted_version} issuer but the token is v{token_version}: set "
                "accessTokenAcceptedVersion on the Entra app (the resource app decides the version) or "
                "federate the other issuer"
            )
    return Check(FAIL, f"{source.origin}: trusts {', '.join(trusted) or 'no OIDC provider'}, not {path}", fix)


def _provider_checks(source: TrustSource, values: dict[str, Any], issuer: str) -> list[Check]:
    checks: list[Check] = []
    if source.provider_url and source.provider_url.removeprefix("https://") != issuer.removeprefix("https://"):
        checks.append(Check(FAIL, f"provider URL {source.provider_url!r} != iss {issuer!r}", f"use {issuer}"))
    if source.client_ids is None:
        checks.append(Check(SKIP, "provider client id list unknown (no iam:GetOpenIDConnectProvider / template)"))
        return checks
    aud = str(values.get("aud", ""))
    if aud in source.client_ids:
        checks.append(Check(PASS, f"provider client id list contains aud {aud!r}"))
    else:
        checks.append(
            Check(
                FAIL,
                f"provider client ids {source.client_ids} do not contain aud {aud!r}",
                f"add {aud!r} to the OIDC provider's client id list (AWS compares it with the token's aud)",
            )
        )
    return checks


def _condition_checks(
    statements: list[dict[str, Any]], values: dict[str, Any], path: str, role_arn: str
) -> list[Check]:
    conditions = [_flatten(statement.get("Condition", {})) for statement in statements]
    if not any(conditions):
        return [
            Check(
                WARN,
                "the statement has no conditions: any principal in the tenant that gets a token for the app "
                "can assume the role",
                f"pin {path}:sub to the workload's object id {values.get('sub')!r} and {path}:aud",
            )
        ]
    best = max((_evaluate(items, values, path, role_arn) for items in conditions), key=_score)
    return best


def _flatten(condition: Any) -> list[tuple[str, str, list[str]]]:
    items: list[tuple[str, str, list[str]]] = []
    if isinstance(condition, dict):
        for operator, block in condition.items():
            if isinstance(block, dict):
                items += [(operator, key, [str(v) for v in _as_list(value)]) for key, value in block.items()]
    return items


def _evaluate(items: list[tuple[str, str, list[str]]], values: dict[str, Any], path: str, role_arn: str) -> list[Check]:
    checks = []
    for operator, key, expected in items:
        prefix, _, claim = key.rpartition(":")
        if prefix != path:
            fix = f"use the key {path}:{claim}"
            if prefix.rstrip("/") == path.rstrip("/"):
                fix += " (the v1 issuer keeps its trailing slash in condition keys)"
            checks.append(Check(FAIL, f"condition key {key!r} does not belong to the token's issuer", fix))
            continue
        actual = _claim_for_key(claim, values)
        if actual is None:
            checks.append(Check(WARN, f"{key}: the token has no {claim!r} claim", f"remove the {key} condition"))
        elif _matches(operator, expected, actual):
            checks.append(Check(PASS, f"{operator} {key} {expected} matches token {claim}={actual!r}"))
        else:
            checks.append(
                Check(
                    FAIL,
                    f"{operator} {key} expects {expected}, token has {claim}={actual!r}",
                    f"set {key} to {actual!r} in the trust policy of {role_arn} (or run as that identity)",
                )
            )
    return checks


def _claim_for_key(claim: str, values: dict[str, Any]) -> str | None:
    value = values.get(claim)
    if value is None:
        return None
    return " ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _matches(operator: str, expected: list[str], actual: str) -> bool:
    base = operator.split(":")[-1].removesuffix("IfExists")
    if base.startswith("StringNot"):
        return not _matches(base.replace("StringNot", "String"), expected, actual)
    if base == "StringLike":
        return any(fnmatch.fnmatchcase(actual, pattern) for pattern in expected)
    if base == "StringEqualsIgnoreCase":
        return actual.lower() in (value.lower() for value in expected)
    return actual in expected


def _score(checks: list[Check]) -> tuple[int, int]:
    return (-sum(check.status == FAIL for check in checks), sum(check.status == PASS for check in checks))
