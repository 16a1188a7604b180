"""`entra-aws doctor`'s reading of a role's trust policy and OIDC provider, from IAM, a trust-policy JSON file or
a synthesized CloudFormation template, and the checks of an Entra token's claims against them.

Roles, statements and conditions are read with `federation.trust_policy` (the module the stacks build them
with); issuer forms and condition-key prefixes come from `federation.issuers`. IAM sets `<provider host/path>:aud`,
`:sub` and `:amr` for an OIDC provider (`:amr` only from a token that has the claim: Entra puts `amr` in v1 tokens
only), never `:azp`; for the v1 issuer the path keeps its trailing slash (`sts.windows.net/{tid}/:aud`). The IAM
OIDC provider URL must equal the token's `iss`.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entra_aws.credentials.errors import UsageError
from entra_aws.federation.issuers import TokenVersion, issuer_version, provider_path, ver_claim
from entra_aws.federation.trust_policy import (
    OIDC_PROVIDER_TYPES,
    WEB_IDENTITY_ACTION,
    Condition,
    TemplateRole,
    TrustStatement,
    resolve,
    statements,
    template_roles,
)

PASS, FAIL, WARN, SKIP = "PASS", "FAIL", "WARN", "SKIP"

OIDC_CONTEXT_CLAIMS = frozenset({"aud", "sub", "amr"})
"""The claims IAM copies into `<provider>:<claim>` context keys for an OIDC provider (IAM user guide, "Available
keys for AWS OIDC federation"; `oaud` is Google's, `azp` none's). A condition on any other key never matches."""

V1_ONLY_CLAIMS = frozenset({"amr"})
"""Microsoft's access token claims reference: `amr` is "only present in v1.0 tokens"."""


@dataclass(frozen=True)
class Check:
    status: str
    title: str
    fix: str = ""

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
    if not isinstance(template.get("Resources"), dict):
        raise UsageError(f"--template {path}: no Resources; give a synthesized template (cdk.out/*.template.json)")
    role = _find_role(template, role_arn, path)
    source = TrustSource(_policy_document(role.policy, path), f"template {path} (role {role.logical_id})")
    provider = _find_provider(role.resources, issuer)
    if provider:
        source.provider_url = str(resolve(provider.get("Url", ""), role.resources))
        ids = provider.get("ClientIdList") or provider.get("ClientIDList")
        source.client_ids = [str(resolve(item, role.resources)) for item in ids] if isinstance(ids, list) else None
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
    principals = _federated(_web_identity(document))
    # a role may trust the v1 and the v2 provider: the token's issuer says which one is asked
    wanted = [arn for arn in principals if issuer and arn.endswith(f":oidc-provider/{provider_path(issuer)}")]
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


def _find_role(template: dict[str, Any], role_arn: str, path: str) -> TemplateRole:
    # the template's own roles: a StackSet body's roles are deployed to member accounts, not by this template
    roles = list(template_roles(template, path, stackset_bodies=False))
    name = role_arn.rsplit("/", 1)[-1]
    named = [role for role in roles if role.properties.get("RoleName") == name]
    federated = [role for role in roles if "AssumeRoleWithWebIdentity" in json.dumps(role.properties)]
    chosen = named or federated
    if len(chosen) != 1:
        found = ", ".join(role.logical_id for role in federated) or "none"
        raise UsageError(
            f"--template {path}: cannot tell which role is {role_arn} (roles with RoleName {name!r}: "
            f"{len(named)}; web-identity roles: {found}); give --trust-policy instead"
        )
    return chosen[0]


def _find_provider(resources: dict[str, Any], issuer: str) -> dict[str, Any] | None:
    """The provider for the token's issuer (a stack may hold the v1 and the v2 one), else the only one."""
    providers = [
        value.get("Properties", {}) for value in resources.values() if value.get("Type") in OIDC_PROVIDER_TYPES
    ]
    if issuer:
        for properties in providers:
            url = str(resolve(properties.get("Url", ""), resources))
            if url.removeprefix("https://") == provider_path(issuer):
                return dict(properties)
    return dict(providers[0]) if len(providers) == 1 else None


# ---- checking ----


def _web_identity(policy: dict[str, Any]) -> list[TrustStatement]:
    return [statement for statement in statements(policy) if WEB_IDENTITY_ACTION in statement.actions]


def _federated(web_identity: list[TrustStatement]) -> list[str]:
    return [principal for statement in web_identity for principal in statement.federated]


def check_token(values: dict[str, Any], audience: str, now: float) -> list[Check]:
    issuer = str(values.get("iss", ""))
    checks = [_issuer_check(issuer, issuer_version(issuer), str(values.get("ver", "")))]
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


def _issuer_check(issuer: str, version: TokenVersion | None, claimed_version: str) -> Check:
    if version is None:
        return Check(
            FAIL,
            f"iss {issuer!r} is neither Entra issuer form",
            "expected https://sts.windows.net/<tid>/ (v1) or https://login.microsoftonline.com/<tid>/v2.0 (v2)",
        )
    if claimed_version and claimed_version != ver_claim(version):
        return Check(WARN, f"iss is the v{ver_claim(version)} form but ver is {claimed_version!r}")
    return Check(PASS, f"iss {issuer!r} is the Entra v{ver_claim(version)} form")


def check_trust(values: dict[str, Any], source: TrustSource, role_arn: str) -> list[Check]:
    issuer = str(values.get("iss", ""))
    path = provider_path(issuer)
    web_identity = _web_identity(source.policy)
    if not web_identity:
        return [
            Check(
                FAIL,
                f"{source.origin}: no Allow statement for sts:AssumeRoleWithWebIdentity",
                f"add a statement with Principal Federated arn:aws:iam::<account>:oidc-provider/{path}",
            )
        ]
    matching = [s for s in web_identity if any(p.endswith(f":oidc-provider/{path}") for p in s.federated)]
    if not matching:
        return [_provider_mismatch(source, _federated(web_identity), path, issuer)]
    checks = [Check(PASS, f"{source.origin}: trusts oidc-provider/{path}")]
    checks += _provider_checks(source, values, issuer)
    checks += _condition_checks(matching, values, path, role_arn)
    return checks


def _provider_mismatch(source: TrustSource, principals: list[str], path: str, issuer: str) -> Check:
    trusted = [p.split(":oidc-provider/", 1)[-1] for p in principals]
    fix = f"the OIDC provider (and Federated principal) must be exactly {issuer}"
    token_version = issuer_version(issuer)
    for other in trusted:
        if other.rstrip("/") == path.rstrip("/"):
            fix += " — the trailing slash differs (v1 issuers end with '/')"
            continue
        trusted_version = issuer_version("https://" + other)
        if trusted_version is not None and trusted_version != token_version:
            fix += (
                f" — the role trusts the v{ver_claim(trusted_version)} issuer but the token is "
                f"v{ver_claim(token_version) if token_version else ''}: set "
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


def _condition_checks(matching: list[TrustStatement], values: dict[str, Any], path: str, role_arn: str) -> list[Check]:
    if not any(statement.conditions for statement in matching):
        return [
            Check(
                WARN,
                "the statement has no conditions: any principal in the tenant that gets a token for the app "
                "can assume the role",
                f"pin {path}:sub to the workload's object id {values.get('sub')!r} and {path}:aud",
            )
        ]
    evaluated = (_evaluate(statement.conditions, values, path, role_arn) for statement in matching)
    return max(evaluated, key=_score)


def _evaluate(conditions: tuple[Condition, ...], values: dict[str, Any], path: str, role_arn: str) -> list[Check]:
    checks = []
    for condition in conditions:
        operator, key, expected = condition.operator, condition.key, list(condition.values)
        prefix, _, claim = key.rpartition(":")
        if prefix != path:
            fix = f"use the key {path}:{claim}"
            if prefix.rstrip("/") == path.rstrip("/"):
                fix += " (the v1 issuer keeps its trailing slash in condition keys)"
            checks.append(Check(FAIL, f"condition key {key!r} does not belong to the token's issuer", fix))
            continue
        actual = _claim_for_key(claim, values) if claim in OIDC_CONTEXT_CLAIMS else None
        if actual is None:
            checks.append(_absent_key(operator, key, _why_absent(claim, path)))
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


def _why_absent(claim: str, path: str) -> str:
    if claim not in OIDC_CONTEXT_CLAIMS:
        return f"IAM sets no {claim!r} key for an OIDC provider (only {', '.join(sorted(OIDC_CONTEXT_CLAIMS))})"
    if claim in V1_ONLY_CLAIMS and issuer_version("https://" + path) == 2:
        return f"Entra puts {claim!r} in v1 tokens only and this token is v2"
    return f"the token has no {claim!r} claim"


def _absent_key(operator: str, key: str, why: str) -> Check:
    """IAM: a condition on a key missing from the request context is false, true for a negated operator or
    ...IfExists. Either way it does not check what it was written for."""
    base = operator.split(":")[-1]
    if base.endswith("IfExists") or base.startswith("StringNot"):
        return Check(WARN, f"{operator} {key} has no effect: {why}", f"remove the {key} condition")
    return Check(FAIL, f"{operator} {key} can never match: {why}", f"remove the {key} condition; pin :sub and :aud")


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
