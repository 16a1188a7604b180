"""Unit tests: options, claims of the published Entra samples, session names, the cache file, print-config,
and the imports of the cache-hit path."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from entra_aws.credentials import cache, claims, cli, options
from entra_aws.credentials.errors import MalformedTokenError, redact
from entra_aws.credentials.options import parse
from entra_aws.federation import issuers

ROLE_ARN = "arn:aws:iam::123456789012:role/path/azure-workload"
AUDIENCE = "api://entra-aws-federation"
BASE = ["--role-arn", ROLE_ARN, "--audience", AUDIENCE]


def _jwt(published_samples: Path, name: str) -> str:
    return (published_samples / "entra" / name).read_text(encoding="utf-8").strip()


# ---- usage errors: one line, exit 2, no traceback ----


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--audience", AUDIENCE], "--role-arn is required"),
        (["--role-arn", "arn:aws:iam::12345:role/x", "--audience", AUDIENCE], "is not an IAM role ARN"),
        (
            ["--role-arn", "arn:aws:iam::123456789012:user/x", "--audience", AUDIENCE],
            "is not an IAM role ARN",
        ),
        (["--role-arn", ROLE_ARN], "--audience is required"),
        ([*BASE, "--duration", "60"], "give whole seconds from 900 to 43200"),
        ([*BASE, "--duration", "1h"], "give whole seconds from 900 to 43200"),
        ([*BASE, "--session-name", "a b"], "must match [\\w+=,.@-]{2,64}"),
        ([*BASE, "--client-id", "not-a-guid"], "is not a GUID"),
        ([*BASE, "--credential", "browser"], "is not one of auto, managed-identity"),
        ([*BASE, "--region", "Europe"], "is not an AWS region name"),
        ([*BASE, "--bogus"], "unknown argument '--bogus'; allowed:"),
        ([*BASE, "--duration"], "--duration needs a value"),
        ([*BASE, "--no-cache=yes"], "--no-cache takes no value"),
    ],
)
def test_bad_arguments_are_one_line_usage_errors(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AZURE_CLIENT_ID", raising=False)
    monkeypatch.delenv("AZURE_TENANT_ID", raising=False)

    code = cli.run("credentials", argv)

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith("entra-aws credentials: ") and captured.err.count("\n") == 1
    assert expected in captured.err


def test_options_accept_inline_values_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_CLIENT_ID", "9f8b7c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f")
    options = parse([f"--role-arn={ROLE_ARN}", "--audience", AUDIENCE, "--duration=7200"], "credentials")

    assert options.duration == 7200
    assert options.client_id == "9f8b7c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
    assert options.credential == "auto"
    assert parse(BASE, "credentials").cache_key() != parse([*BASE, "--duration", "900"], "credentials").cache_key()


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run("credentials", ["--help"]) == 0
    assert "--role-arn ARN" in capsys.readouterr().out


# ---- claims of the published samples ----


def test_v1_sample_claims(published_samples: Path) -> None:
    values = claims.decode(_jwt(published_samples, "entra-access-token-v1.0-sample.msdocs.jwt.txt"))

    assert issuers.issuer_version(values["iss"]) == 1
    assert claims.client_id(values) == "75dbe77f-10a3-4e59-85fd-8c127544f17c"
    assert set(claims.summary(values)) == {"iss", "ver", "aud", "appid", "sub", "oid", "tid", "exp"}
    assert "email" not in claims.summary(values)


def test_v2_sample_claims(published_samples: Path) -> None:
    values = claims.decode(_jwt(published_samples, "entra-access-token-v2.0-sample.msdocs.jwt.txt"))

    assert issuers.issuer_version(values["iss"]) == 2
    assert claims.client_id(values) == values["azp"]
    assert issuers.provider_path(values["iss"]).endswith("/v2.0")


def test_app_only_sample_session_name_uses_the_object_id(published_samples: Path) -> None:
    path = published_samples / "entra" / "entra-access-token-v1.0-app-only-Graph.REPO-UNIDENTIFIED.claims.json"
    values = json.loads(path.read_text(encoding="utf-8"))

    assert values["sub"] == values["oid"]
    assert claims.session_name(values) == f"entra-{values['oid']}"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("entra-ab cd/ef", "entra-ab-cd-ef"), ("x", "x-"), ("a" * 80, "a" * 64), ("é", "--")],
)
def test_session_names_fit_the_sts_alphabet(raw: str, expected: str) -> None:
    name = claims.sanitize_session_name(raw)

    assert name == expected
    assert re.fullmatch(options.SESSION_NAME, name, re.ASCII)


HEADER = "eyJhbGciOiJub25lIn0"  # {"alg":"none"}: PyJWT reads the header before the payload


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("abc", "expected 3 dot-separated segments, got 1"),
        (f"{HEADER}.!!!.sig", "not base64url-encoded JSON"),
        (f"{HEADER}.WzFd.sig", "not a JSON object"),
        ("a.e30.sig", "header is not base64url-encoded JSON (segment 1 of the JWT)"),
    ],
)
def test_malformed_tokens_are_named_without_echo(token: str, expected: str) -> None:
    with pytest.raises(MalformedTokenError) as caught:
        claims.decode(token)

    assert expected in caught.value.message
    assert token not in caught.value.message


def test_redact_replaces_secrets() -> None:
    assert redact("header eyJ0eXAiOiJKV1Qi trailer", ["eyJ0eXAiOiJKV1Qi"]) == "header <redacted> trailer"


# ---- cache file ----

DOCUMENT: dict[str, object] = {
    "Version": 1,
    "AccessKeyId": "ASIAUNITTESTEXAMPLE1",
    "SecretAccessKey": "unit/test/secret",
    "SessionToken": "unit-test-session-token",
    "Expiration": "2100-01-01T00:00:00Z",
}


def test_cache_round_trip_and_states(tmp_path: Path) -> None:
    key = parse(BASE, "credentials").cache_key()
    path = cache.cache_path(str(tmp_path / "c"), key)

    assert cache.read_entry(path, key)[0] == cache.MISSING
    cache.write_entry(path, key, DOCUMENT, refresh_at=2000.0)

    assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
    assert cache.read_entry(path, key, now=1000.0) == (cache.FRESH, DOCUMENT, "cache hit")
    assert cache.read_entry(path, key, now=2000.0)[0] == cache.STALE
    assert cache.read_entry(path, dict(key, role="other"), now=1000.0)[0] == cache.STALE


@pytest.mark.parametrize(
    "content",
    ["", "[]", '{"version": 1}', '{"version": 1, "refresh_at": 1, "credentials": {"AccessKeyId": "x"}}'],
)
def test_bad_cache_content_is_corrupt(tmp_path: Path, content: str) -> None:
    path = tmp_path / "entry.json"
    path.write_text(content, encoding="utf-8")

    assert cache.read_entry(str(path), {})[0] == cache.CORRUPT


def test_cache_file_names_are_stable() -> None:
    assert cache.fnv1a64(b"") == 0xCBF29CE484222325
    assert cache.fnv1a64(b"a") == 0xAF63DC4C8601EC8C


def test_refresh_window_is_botocores_advisory_window() -> None:
    assert cache.refresh_window(3600) == 900
    assert cache.refresh_window(900) == 450


def test_unwritable_cache_dir_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")

    with pytest.raises(cache.HelperError) as caught:
        cache.write_entry(str(blocker / "sub" / "x.json"), {}, DOCUMENT, 1.0)

    assert "set --cache-dir or $ENTRA_AWS_CACHE_DIR" in caught.value.message


# ---- print-config ----


def test_print_config_profile(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_CLIENT_ID", raising=False)
    code = cli.run("credentials", [*BASE, "--print-config", "--region", "eu-west-1", "--duration", "7200"])

    out = capsys.readouterr().out
    assert code == 0
    assert out == (
        "[profile azure-workload]\n"
        f"credential_process = entra-aws credentials --role-arn {ROLE_ARN} --audience {AUDIENCE} "
        "--duration 7200 --region eu-west-1\n"
        "region = eu-west-1\n"
    )


# ---- the cache-hit path stays lean ----


def test_cache_hit_imports_neither_azure_nor_boto(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AWS_"))}
    env["ENTRA_AWS_CACHE_DIR"] = str(tmp_path)
    key = parse(BASE, "credentials").cache_key()
    cache.write_entry(cache.cache_path(str(tmp_path), key), key, DOCUMENT, refresh_at=4102444800.0)
    program = (
        "import sys\nfrom entra_aws.cli import main\n"
        f"code = main(['credentials', *{BASE!r}])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'azure', 'boto3', 'botocore', 'pydantic', 'argparse', 'hashlib', 'datetime', 'typing'})\n"
        "print(heavy, file=sys.stderr)\nsys.exit(code)\n"
    )

    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, check=False)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == DOCUMENT
    assert result.stderr.strip() == "[]"


# ---- credential selection (no network: only which azure-identity class is built) ----


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ({}, "managed-identity"),
        ({"IDENTITY_ENDPOINT": "http://127.0.0.1:1/msi/token", "IDENTITY_HEADER": "h"}, "managed-identity"),
        ({"AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token"}, "workload-identity"),
        ({"AZURE_CLIENT_CERTIFICATE_PATH": "/etc/cert.pem"}, "client-certificate"),
        ({"AZURE_CLIENT_SECRET": "s", "AZURE_FEDERATED_TOKEN_FILE": "/t"}, "client-secret"),
    ],
)
def test_auto_follows_default_azure_credential_order(env: dict[str, str], kind: str) -> None:
    from entra_aws.credentials.token_source import resolve_kind

    assert resolve_kind(parse(BASE, "credentials"), env) == kind


def test_workload_identity_credential_is_built_from_the_webhook_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure.identity import WorkloadIdentityCredential

    from entra_aws.credentials.token_source import build_credential

    token_file = tmp_path / "token"
    token_file.write_text("kubernetes-service-account-token", encoding="utf-8")
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47")
    monkeypatch.setenv("AZURE_CLIENT_ID", "9f8b7c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f")

    credential = build_credential(parse(BASE, "credentials"), "workload-identity")

    assert isinstance(credential, WorkloadIdentityCredential)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("client-secret", "needs a tenant id and a client id"),
        ("workload-identity", "needs $AZURE_FEDERATED_TOKEN_FILE"),
    ],
)
def test_incomplete_app_credentials_are_usage_errors(
    kind: str, expected: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)

    code = cli.run("credentials", [*BASE, "--credential", kind, "--no-cache"])

    err = capsys.readouterr().err
    assert code == 2
    assert expected in err and err.count("\n") == 1


def test_client_secret_is_read_from_the_environment_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AZURE_CLIENT_SECRET", raising=False)
    tenant, client = "72f988bf-86f1-41af-91ab-2d7cd011db47", "9f8b7c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"

    code = cli.run(
        "credentials",
        [*BASE, "--credential", "client-secret", "--tenant-id", tenant, "--client-id", client, "--no-cache"],
    )

    assert code == 2
    assert "reads the secret from $AZURE_CLIENT_SECRET" in capsys.readouterr().err
