"""`entra-aws doctor`: explain why AWS refuses (or would refuse) this workload's Entra token.

Fetches a token exactly like `entra-aws credentials`, prints its identifying claims only (never the token),
checks issuer form, expiry and audience, then the OIDC provider and the role's trust policy (iam:GetRole and
iam:GetOpenIDConnectProvider when permitted, else --trust-policy FILE or --template FILE), optionally performs
the exchange and GetCallerIdentity (--exchange), and prints a checklist with a fix for each failure.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from entra_aws.credentials import claims as token_claims
from entra_aws.credentials import trust
from entra_aws.credentials.errors import HelperError, UsageError
from entra_aws.credentials.options import Options, parse
from entra_aws.credentials.trust import FAIL, PASS, SKIP, Check

HELP = """usage: entra-aws doctor --role-arn ARN --audience AUD [options]

Fetches an Entra token as `entra-aws credentials` would, shows its claims (iss, ver, aud, azp/appid, sub,
oid, tid, exp; never the token), and checks them against the OIDC provider and the role's trust policy.

  --role-arn ARN, --audience AUD, --client-id ID, --tenant-id ID, --credential KIND, --certificate-path P,
  --region REGION         as for `entra-aws credentials`
  --trust-policy FILE     the role's trust policy JSON (or `aws iam get-role` output) instead of iam:GetRole
  --template FILE         a synthesized CloudFormation template holding the role (and its OIDC provider)
  --exchange              also call AssumeRoleWithWebIdentity and GetCallerIdentity
  --duration SECONDS, --session-name NAME   for --exchange

Exit status: 0 when no check failed, 1 otherwise, 2 for bad options.
"""


def run(command: str, argv: list[str]) -> int:
    try:
        options = parse(argv, "doctor")
        if options.help:
            sys.stdout.write(HELP)
            return 0
        checks = diagnose(options)
    except HelperError as exc:
        sys.stderr.write(f"entra-aws doctor: {' '.join(exc.message.split())}\n")
        return exc.exit_code
    sys.stdout.write("\n".join(check.line() for check in checks) + "\n")
    failed = sum(check.status == FAIL for check in checks)
    sys.stdout.write(f"{failed} check(s) failed\n" if failed else "all checks passed\n")
    return 1 if failed else 0


def diagnose(options: Options) -> list[Check]:
    from entra_aws.credentials.token_source import fetch_token

    try:
        token = fetch_token(options)
    except UsageError:
        raise
    except HelperError as exc:
        return [Check(FAIL, "get an Entra token", exc.message)]
    checks = [Check(PASS, f"got an Entra token from the {token.source} credential")]
    values = token_claims.decode(token.value)
    checks.append(Check(PASS, "claims: " + _claims_line(values)))
    checks += trust.check_token(values, options.audience, time.time())
    checks += _trust_checks(options, values)
    if options.exchange:
        checks += _exchange_checks(options, token.value, values)
    return checks


def _claims_line(values: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value}" for name, value in token_claims.summary(values).items())


def _trust_checks(options: Options, values: dict[str, Any]) -> list[Check]:
    if options.trust_policy:
        source = trust.from_policy_file(options.trust_policy)
    elif options.template:
        source = trust.from_template(options.template, options.role_arn, str(values.get("iss", "")))
    else:
        try:
            source = trust.from_iam(options.role_arn, options.region, str(values.get("iss", "")))
        except Exception as exc:
            return [
                Check(
                    SKIP,
                    f"read the trust policy with iam:GetRole ({type(exc).__name__}: {_one_line(str(exc))})",
                    "use AWS credentials allowed iam:GetRole, or pass --trust-policy FILE / --template FILE",
                )
            ]
    return trust.check_trust(values, source, options.role_arn)


def _exchange_checks(options: Options, token: str, values: dict[str, Any]) -> list[Check]:
    from entra_aws.credentials.exchange import ExpiredTokenError, assume_role, sts_client
    from entra_aws.credentials.token_source import backoff_seconds

    session = token_claims.session_name(values, options.session_name)
    try:
        credentials = assume_role(
            sts_client(options.region), token, options.role_arn, session, options.duration, backoff_seconds()
        )
    except (HelperError, ExpiredTokenError) as exc:
        message = exc.message if isinstance(exc, HelperError) else f"ExpiredTokenException: {exc}"
        return [Check(FAIL, "AssumeRoleWithWebIdentity", message)]
    checks = [Check(PASS, f"AssumeRoleWithWebIdentity as session {session!r}")]
    return [*checks, _caller_identity(options, credentials)]


def _caller_identity(options: Options, credentials: dict[str, Any]) -> Check:
    import boto3

    try:
        sts = boto3.client(
            "sts",
            region_name=options.region or None,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        arn = sts.get_caller_identity()["Arn"]
    except Exception as exc:
        return Check(FAIL, f"GetCallerIdentity ({type(exc).__name__})", "check network access to AWS STS")
    return Check(PASS, f"GetCallerIdentity: {arn}")


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]
