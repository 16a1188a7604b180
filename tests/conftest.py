"""Shared fixtures: a real local AWS (moto in server mode on 127.0.0.1) reached by unmodified boto3 clients
through AWS_ENDPOINT_URL, and the real published samples vendored in tests/fixtures (origins: SOURCES.md there)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PUBLISHED_SAMPLES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="session")
def published_samples() -> Path:
    return PUBLISHED_SAMPLES


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One emulator per test worker; tests that use it reset it through `aws` below."""
    from sandbox.emulator import Emulator

    emulator = Emulator.start()
    try:
        yield emulator.url
    finally:
        emulator.stop()


@pytest.fixture
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A clean emulator and an environment in which plain boto3 talks to it."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")).read()
    for key in list(os.environ):
        if key.startswith("AWS_") and key not in ("AWS_ENDPOINT_URL",):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    yield moto_server
