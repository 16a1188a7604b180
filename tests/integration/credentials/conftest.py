"""Fixtures for the credential helper: loopback Entra token server, Azure/AWS environments, the real CLI."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from credentials_support import AUDIENCE, ROLE_ARN, HelperRunner, helper_command
from entra_loopback import APP_SERVICE_HEADER, APP_SERVICE_PATH, EntraLoopback

AZURE_VARIABLES = (
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "IDENTITY_SERVER_THUMBPRINT",
    "IMDS_ENDPOINT",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_AUTHORITY_HOST",
)


@pytest.fixture
def entra() -> Iterator[EntraLoopback]:
    server = EntraLoopback().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def azure_base(aws: str, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """No Azure hosting variables, short backoff, a private cache directory, moto for STS."""
    for name in AZURE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENTRA_AWS_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("ENTRA_AWS_RETRY_BACKOFF", "0.01")
    monkeypatch.setenv("ENTRA_AWS_TOKEN_RETRIES", "2")
    return aws


@pytest.fixture
def imds(azure_base: str, entra: EntraLoopback, monkeypatch: pytest.MonkeyPatch) -> EntraLoopback:
    """azure-identity's IMDS form, its host overridden by AZURE_POD_IDENTITY_AUTHORITY_HOST."""
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", entra.url)
    return entra


@pytest.fixture
def app_service(azure_base: str, entra: EntraLoopback, monkeypatch: pytest.MonkeyPatch) -> EntraLoopback:
    """azure-identity's App Service / Functions form: IDENTITY_ENDPOINT + IDENTITY_HEADER."""
    monkeypatch.setenv("IDENTITY_ENDPOINT", entra.url + APP_SERVICE_PATH)
    monkeypatch.setenv("IDENTITY_HEADER", APP_SERVICE_HEADER)
    return entra


@pytest.fixture
def run_helper() -> HelperRunner:
    """Run the real console script with the (monkeypatched) environment of the test."""

    def run(*args: str, command: str = "credentials", timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*helper_command(), command, *args],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture
def helper_args() -> list[str]:
    return ["--role-arn", ROLE_ARN, "--audience", AUDIENCE]
