"""Getting an Entra access token with azure-identity (imported only on the slow path).

Which credential (`--credential`, default `auto`, resolved from the environment like DefaultAzureCredential's
order: Environment, WorkloadIdentity, ManagedIdentity):

- client-secret: AZURE_CLIENT_SECRET (+ tenant and client id) -> ClientSecretCredential
- client-certificate: --certificate-path or AZURE_CLIENT_CERTIFICATE_PATH -> CertificateCredential
- workload-identity: AZURE_FEDERATED_TOKEN_FILE (AKS webhook) -> WorkloadIdentityCredential
- managed-identity: ManagedIdentityCredential, which itself picks App Service / Functions (IDENTITY_ENDPOINT +
  IDENTITY_HEADER), Azure Arc (IDENTITY_ENDPOINT + IMDS_ENDPOINT) or VM IMDS (169.254.169.254, or
  AZURE_POD_IDENTITY_AUTHORITY_HOST).

Retries: azure-identity sends token requests through an azure-core RetryPolicy. We configure that one policy
(`retry_total`, `retry_backoff_factor`, retry on 404/410/429/5xx and on connection errors) instead of adding a
second loop around it, so the number of requests is bounded by 1 + retry_total per token fetch.
`ENTRA_AWS_RETRY_BACKOFF` (seconds) and `ENTRA_AWS_TOKEN_RETRIES` override the defaults (tests use tiny ones).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from entra_aws.credentials.errors import TokenSourceError, UsageError, redact
from entra_aws.credentials.options import Options

BACKOFF_ENV = "ENTRA_AWS_RETRY_BACKOFF"
TOKEN_RETRIES_ENV = "ENTRA_AWS_TOKEN_RETRIES"
DEFAULT_BACKOFF_SECONDS = 0.8
DEFAULT_TOKEN_RETRIES = 4
RETRY_STATUS_CODES = [404, 410, 429, *range(500, 600)]


class Token:
    """An access token and its expiry (epoch seconds); `repr` never shows the token."""

    def __init__(self, value: str, expires_on: int, source: str) -> None:
        self.value = value
        self.expires_on = expires_on
        self.source = source

    def __repr__(self) -> str:
        return f"Token(source={self.source!r}, expires_on={self.expires_on})"


def scope_for(audience: str) -> str:
    """The OAuth scope for an audience (App ID URI or client id): `<audience>/.default`."""
    return audience if audience.endswith("/.default") else audience.rstrip("/") + "/.default"


def resolve_kind(options: Options, environ: dict[str, str] | None = None) -> str:
    """The concrete credential kind for `--credential auto`, from the environment."""
    env = dict(os.environ) if environ is None else environ
    if options.credential != "auto":
        return options.credential
    if env.get("AZURE_CLIENT_SECRET"):
        return "client-secret"
    if options.certificate_path or env.get("AZURE_CLIENT_CERTIFICATE_PATH"):
        return "client-certificate"
    if env.get("AZURE_FEDERATED_TOKEN_FILE"):
        return "workload-identity"
    return "managed-identity"


def backoff_seconds() -> float:
    return _number_from_env(BACKOFF_ENV, DEFAULT_BACKOFF_SECONDS, float)


def token_retries() -> int:
    return int(_number_from_env(TOKEN_RETRIES_ENV, DEFAULT_TOKEN_RETRIES, int))


def _number_from_env(name: str, default: float, kind: type[float] | type[int]) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise UsageError(f"${name}={raw!r} is not a {kind.__name__}; unset it or give a number >= 0") from None
    if value < 0:
        raise UsageError(f"${name}={raw!r} must be >= 0")
    return value


class ResponseLog:
    """HTTP statuses the token endpoint answered (azure-core calls `raw_response_hook` once per attempt)."""

    def __init__(self) -> None:
        self.statuses: list[int] = []

    def __call__(self, response: Any) -> None:
        self.statuses.append(int(response.http_response.status_code))

    def describe(self) -> str:
        if not self.statuses:
            return "no HTTP response from the token endpoint (unreachable?)"
        answered = ", ".join(str(status) for status in self.statuses)
        return f"the token endpoint answered HTTP {answered}"


def pipeline_settings(log: ResponseLog | None = None) -> dict[str, Any]:
    """azure-core RetryPolicy keywords for every credential we build."""
    retries = token_retries()
    hook = {"raw_response_hook": log} if log is not None else {}
    return hook | {
        "retry_total": retries,
        "retry_connect": retries,
        "retry_status": retries,
        "retry_read": retries,
        "retry_backoff_factor": backoff_seconds(),
        "retry_backoff_max": 30,
        "retry_on_status_codes": RETRY_STATUS_CODES,
        "connection_timeout": 5,
        "read_timeout": 15,
    }


def build_credential(options: Options, kind: str, log: ResponseLog | None = None) -> Any:
    """A fresh azure-identity credential (fresh in-memory caches: a retry really asks Entra again)."""
    _silence_sdk_loggers()
    settings = pipeline_settings(log)
    client_id = options.client_id or None
    if kind == "managed-identity":
        from azure.identity import ManagedIdentityCredential

        return ManagedIdentityCredential(client_id=client_id, **settings)
    tenant_id = options.tenant_id
    if kind == "workload-identity":
        return _workload_identity(options, tenant_id, settings)
    if not tenant_id or not client_id:
        raise UsageError(
            f"--credential {kind} needs a tenant id and a client id (--tenant-id/--client-id or "
            "$AZURE_TENANT_ID/$AZURE_CLIENT_ID)"
        )
    if kind == "client-secret":
        return _client_secret(tenant_id, client_id, settings)
    return _client_certificate(options, tenant_id, client_id, settings)


def _workload_identity(options: Options, tenant_id: str, settings: dict[str, Any]) -> Any:
    token_file = os.environ.get("AZURE_FEDERATED_TOKEN_FILE", "")
    if not (token_file and tenant_id and options.client_id):
        raise UsageError(
            "--credential workload-identity needs $AZURE_FEDERATED_TOKEN_FILE, a tenant id and a client id "
            "(the AKS workload identity webhook sets AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID and "
            "AZURE_CLIENT_ID)"
        )
    from azure.identity import WorkloadIdentityCredential

    return WorkloadIdentityCredential(
        tenant_id=tenant_id, client_id=options.client_id, token_file_path=token_file, **settings
    )


def _client_secret(tenant_id: str, client_id: str, settings: dict[str, Any]) -> Any:
    secret = os.environ.get("AZURE_CLIENT_SECRET", "")
    if not secret:
        raise UsageError(
            "--credential client-secret reads the secret from $AZURE_CLIENT_SECRET (never from the command "
            "line), which is not set"
        )
    from azure.identity import ClientSecretCredential

    return ClientSecretCredential(tenant_id, client_id, secret, **settings)


def _client_certificate(options: Options, tenant_id: str, client_id: str, settings: dict[str, Any]) -> Any:
    path = options.certificate_path or os.environ.get("AZURE_CLIENT_CERTIFICATE_PATH", "")
    if not path or not os.path.isfile(path):  # noqa: PTH113 - os.path like the rest of the helper
        raise UsageError(
            f"--credential client-certificate needs a readable PEM/PKCS12 file (--certificate-path or "
            f"$AZURE_CLIENT_CERTIFICATE_PATH); got {path!r}"
        )
    from azure.identity import CertificateCredential

    password = os.environ.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None
    return CertificateCredential(tenant_id, client_id, certificate_path=path, password=password, **settings)


def fetch_token(options: Options) -> Token:
    """One token for `--audience`; every failure becomes a one-line TokenSourceError without secrets."""
    kind = resolve_kind(options)
    log = ResponseLog()
    try:
        credential = build_credential(options, kind, log)
    except ValueError as exc:
        raise UsageError(f"cannot configure the {kind} credential: {_one_line(str(exc))}") from None
    try:
        access = credential.get_token(scope_for(options.audience))
    except Exception as exc:
        raise TokenSourceError(_describe_failure(kind, exc, options, log)) from None
    finally:
        _close(credential)
    if not access.token:
        raise TokenSourceError(f"the {kind} token endpoint returned an empty access token")
    return Token(access.token, int(access.expires_on), kind)


def _describe_failure(kind: str, exc: Exception, options: Options, log: ResponseLog) -> str:
    secrets = [os.environ.get("AZURE_CLIENT_SECRET", ""), os.environ.get("IDENTITY_HEADER", "")]
    detail = redact(_one_line(str(exc)) or type(exc).__name__, secrets)
    return (
        f"could not get an Entra token ({kind} credential, audience {options.audience!r}): {log.describe()}; "
        f"azure-identity said: {detail}"
    )


def _one_line(text: str) -> str:
    """Multi-line SDK messages folded into one line (and capped)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " ".join(lines)[:400] if lines else ""


def _close(credential: Any) -> None:
    close = getattr(credential, "close", None)
    if callable(close):
        try:
            close()
        except Exception:  # closing a transport must not hide the real outcome
            logging.getLogger(__name__).debug("closing the credential failed", exc_info=True)


def _silence_sdk_loggers() -> None:
    """azure-identity and msal log warnings Python would print to stderr; we report one line ourselves."""
    for name in ("azure", "msal"):
        logger = logging.getLogger(name)
        if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
            logger.addHandler(logging.NullHandler())
        logger.propagate = False
