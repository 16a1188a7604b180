"""The real `entra-aws credentials` console script against the loopback Entra token server and moto's STS."""

from __future__ import annotations

import json
import re
import socket
import stat
import subprocess
from pathlib import Path

import pytest
from credentials_support import AUDIENCE, ROLE_ARN, HelperRunner, helper_command
from entra_loopback import APP_SERVICE_HEADER, APP_SERVICE_PATH, IMDS_PATH, EntraLoopback

from entra_aws.credentials import cache

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _document(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert result.returncode == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


def _cache_files(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*.json"))


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_imds_form_prints_credential_process_json(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str]
) -> None:
    document = _document(run_helper(*helper_args))

    assert document["Version"] == 1
    assert set(document) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert RFC3339_UTC.match(str(document["Expiration"]))
    path, query, headers = imds.requests[0]
    assert path == IMDS_PATH
    assert query["resource"] == [AUDIENCE]
    assert query["api-version"] == ["2018-02-01"]
    assert headers["metadata"] == "true"


def test_app_service_form_sends_identity_header(
    app_service: EntraLoopback, run_helper: HelperRunner, helper_args: list[str]
) -> None:
    document = _document(run_helper(*helper_args))

    assert document["Version"] == 1
    path, query, headers = app_service.requests[0]
    assert path == APP_SERVICE_PATH
    assert query["api-version"] == ["2019-08-01"]
    assert headers["x-identity-header"] == APP_SERVICE_HEADER


def test_user_assigned_identity_is_requested_by_client_id(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str]
) -> None:
    client_id = "9f8b7c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
    _document(run_helper(*helper_args, "--client-id", client_id))

    assert imds.requests[0][1]["client_id"] == [client_id]


def test_second_call_makes_no_token_fetch_and_no_sts_call(
    imds: EntraLoopback,
    run_helper: HelperRunner,
    helper_args: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = _document(run_helper(*helper_args))
    # Nothing listens on this port: any STS call now would fail the helper.
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_unused_port()}")

    second = _document(run_helper(*helper_args))

    assert second == first
    assert imds.token_requests == 1


def test_cache_file_is_private(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], cache_dir: Path
) -> None:
    _document(run_helper(*helper_args))

    (path,) = _cache_files(cache_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700


def test_corrupt_cache_is_replaced(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], cache_dir: Path
) -> None:
    _document(run_helper(*helper_args))
    (path,) = _cache_files(cache_dir)
    path.write_text("{not json", encoding="utf-8")

    result = run_helper(*helper_args)

    assert _document(result)["Version"] == 1
    assert result.stderr.count("\n") == 1 and "not JSON" in result.stderr
    assert imds.token_requests == 2
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == cache.ENTRY_VERSION
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_cache_entry_within_refresh_window_is_replaced(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], cache_dir: Path
) -> None:
    first = _document(run_helper(*helper_args))
    (path,) = _cache_files(cache_dir)
    entry = json.loads(path.read_text(encoding="utf-8"))
    cache.write_entry(str(path), entry["key"], entry["credentials"], refresh_at=0.0)

    second = _document(run_helper(*helper_args))

    assert imds.token_requests == 2
    assert second["AccessKeyId"] != first["AccessKeyId"]
    assert json.loads(path.read_text(encoding="utf-8"))["refresh_at"] > 0


def test_other_role_gets_its_own_cache_entry(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], cache_dir: Path
) -> None:
    _document(run_helper(*helper_args))
    _document(run_helper("--role-arn", ROLE_ARN + "-other", "--audience", AUDIENCE))

    assert imds.token_requests == 2
    assert len(_cache_files(cache_dir)) == 2


def test_concurrent_processes_make_one_token_fetch(imds: EntraLoopback, helper_args: list[str]) -> None:
    imds.delay = 0.5  # keep the first fetch in flight while the others start
    processes = [
        subprocess.Popen(
            [*helper_command(), "credentials", *helper_args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outputs = [process.communicate(timeout=60) for process in processes]

    assert [process.returncode for process in processes] == [0] * 6, outputs
    assert len({stdout for stdout, _ in outputs}) == 1
    assert imds.token_requests == 1


@pytest.mark.parametrize("form", ["imds", "app_service"])
@pytest.mark.parametrize("statuses", [(500, 429), (404, 503), (429,)])
def test_token_endpoint_errors_are_retried(
    form: str,
    statuses: tuple[int, ...],
    request: pytest.FixtureRequest,
    run_helper: HelperRunner,
    helper_args: list[str],
) -> None:
    server: EntraLoopback = request.getfixturevalue(form)
    server.fail_with(*statuses)

    _document(run_helper(*helper_args))

    assert server.token_requests == len(statuses) + 1


@pytest.mark.parametrize("form", ["imds", "app_service"])
def test_token_endpoint_failures_are_bounded_and_reported_in_one_line(
    form: str, request: pytest.FixtureRequest, run_helper: HelperRunner, helper_args: list[str]
) -> None:
    """ENTRA_AWS_TOKEN_RETRIES=2 in these tests: 3 requests, then one line naming the statuses seen."""
    server: EntraLoopback = request.getfixturevalue(form)
    server.fail_with(*[500] * 10)

    result = run_helper(*helper_args)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "the token endpoint answered HTTP 500, 500, 500" in result.stderr
    assert "Traceback" not in result.stderr
    assert server.token_requests == 3


def test_unreachable_token_endpoint_is_reported(
    azure_base: str, run_helper: HelperRunner, helper_args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", f"http://127.0.0.1:{_unused_port()}")

    result = run_helper(*helper_args)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "no HTTP response from the token endpoint" in result.stderr


def test_malformed_token_is_reported_without_echoing_it(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str]
) -> None:
    imds.token_text = "opaque-access-token-value-that-is-not-a-jwt"

    result = run_helper(*helper_args)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "not a JWT" in result.stderr
    assert imds.token_text not in result.stderr


def test_sts_failure_never_shows_the_token(
    imds: EntraLoopback, run_helper: HelperRunner, helper_args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_unused_port()}")

    result = run_helper(*helper_args)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "cannot reach AWS STS" in result.stderr
    (token,) = imds.issued
    for segment in token.split("."):
        assert segment not in result.stderr
    assert APP_SERVICE_HEADER not in result.stderr
