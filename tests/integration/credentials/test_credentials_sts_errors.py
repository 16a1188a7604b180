"""STS error classes that moto's AssumeRoleWithWebIdentity never emits (it accepts any token):
IDPCommunicationError, ExpiredTokenException, InvalidIdentityToken, IDPRejectedClaim, AccessDenied.
These tests run the helper's real `run()` in-process with a real token from the loopback IMDS and
botocore's Stubber in place of STS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import ANY, Stubber
from credentials_support import AUDIENCE, ROLE_ARN
from entra_loopback import EntraLoopback

from entra_aws.credentials import cli, refresh
from entra_aws.credentials.exchange import sts_client

OPERATION = "assume_role_with_web_identity"


@pytest.fixture
def stubbed_sts(imds: EntraLoopback, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    client = sts_client("eu-west-1")
    monkeypatch.setattr(refresh, "sts_client", lambda region: client)
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def _success(stubber: Stubber, session_name: Any = ANY) -> None:
    expiration = datetime.now(UTC) + timedelta(hours=1)
    stubber.add_response(
        OPERATION,
        {
            "Credentials": {
                "AccessKeyId": "ASIASTUBBEDEXAMPLE01",
                "SecretAccessKey": "stubbed/secret/key/0000000000000000000000",
                "SessionToken": "stubbed-session-token",
                "Expiration": expiration,
            }
        },
        {
            "RoleArn": ROLE_ARN,
            "RoleSessionName": session_name,
            "WebIdentityToken": ANY,
            "DurationSeconds": 3600,
        },
    )


def _error(stubber: Stubber, code: str, message: str) -> None:
    stubber.add_client_error(OPERATION, service_error_code=code, service_message=message, http_status_code=400)


def _run(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = cli.run("credentials", ["--role-arn", ROLE_ARN, "--audience", AUDIENCE, *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_one_line_without_secrets(stderr: str, server: EntraLoopback) -> None:
    assert stderr.count("\n") == 1, stderr
    for token in server.issued:
        for segment in token.split("."):
            assert segment not in stderr


def test_session_name_comes_from_the_object_id(
    stubbed_sts: Stubber, imds: EntraLoopback, capsys: pytest.CaptureFixture[str]
) -> None:
    _success(stubbed_sts, session_name=f"entra-{imds.object_id}")

    code, out, _ = _run(capsys)

    assert code == 0
    assert json.loads(out)["AccessKeyId"] == "ASIASTUBBEDEXAMPLE01"


def test_idp_communication_error_is_retried(
    stubbed_sts: Stubber, imds: EntraLoopback, capsys: pytest.CaptureFixture[str]
) -> None:
    _error(stubbed_sts, "IDPCommunicationError", "Couldn't retrieve verification key from your identity provider")
    _error(stubbed_sts, "IDPCommunicationError", "Couldn't retrieve verification key from your identity provider")
    _success(stubbed_sts)

    code, out, _ = _run(capsys)

    assert code == 0
    assert json.loads(out)["Version"] == 1
    assert imds.token_requests == 1


def test_idp_communication_error_gives_up_after_three_attempts(
    stubbed_sts: Stubber, imds: EntraLoopback, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(3):
        _error(stubbed_sts, "IDPCommunicationError", "Couldn't retrieve verification key")

    code, out, err = _run(capsys)

    assert code == 1 and out == ""
    assert "IDPCommunicationError) after 3 attempts" in err
    _assert_one_line_without_secrets(err, imds)


def test_expired_token_fetches_a_new_token_once(
    stubbed_sts: Stubber, imds: EntraLoopback, capsys: pytest.CaptureFixture[str]
) -> None:
    _error(
        stubbed_sts,
        "ExpiredTokenException",
        "Token expired: current date/time 1700000000 must be before 1690000000",
    )
    _success(stubbed_sts)

    code, _, _ = _run(capsys)

    assert code == 0
    assert imds.token_requests == 2


def test_expired_token_twice_is_an_error(
    stubbed_sts: Stubber, imds: EntraLoopback, capsys: pytest.CaptureFixture[str]
) -> None:
    _error(stubbed_sts, "ExpiredTokenException", "Token expired")
    _error(stubbed_sts, "ExpiredTokenException", "Token expired")

    code, _, err = _run(capsys)

    assert code == 1
    assert "expired even after fetching a new one" in err
    assert imds.token_requests == 2
    _assert_one_line_without_secrets(err, imds)


def test_unknown_issuer_names_the_iss_claim(
    stubbed_sts: Stubber, imds: EntraLoopback, capsys: pytest.CaptureFixture[str]
) -> None:
    issuer = f"https://sts.windows.net/{imds.tenant_id}/"
    _error(stubbed_sts, "InvalidIdentityToken", f"No OpenIDConnect provider found in your account for {issuer}")

    code, _, err = _run(capsys)

    assert code == 1
    assert f"claim iss={issuer!r}" in err
    assert imds.token_requests == 1  # no retry, no new token
    _assert_one_line_without_secrets(err, imds)


def test_wrong_audience_names_the_aud_claim(
    stubbed_sts: Stubber, imds: EntraLoopback, capsys: pytest.CaptureFixture[str]
) -> None:
    _error(stubbed_sts, "InvalidIdentityToken", "Incorrect token audience")

    code, _, err = _run(capsys)

    assert code == 1
    assert f"claim aud={AUDIENCE!r} is not in the client id list" in err
    _assert_one_line_without_secrets(err, imds)


@pytest.mark.parametrize(
    ("code_name", "message"),
    [
        ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"),
        ("IDPRejectedClaim", "Identity provider rejected the claim"),
    ],
)
def test_trust_policy_refusal_shows_token_claims_and_expected_keys(
    code_name: str,
    message: str,
    stubbed_sts: Stubber,
    imds: EntraLoopback,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _error(stubbed_sts, code_name, message)

    code, _, err = _run(capsys)

    assert code == 1
    provider = f"sts.windows.net/{imds.tenant_id}/"
    assert f"{provider}:sub = {imds.object_id!r}" in err
    assert f"{provider}:aud = {AUDIENCE!r}" in err
    assert code_name in err
    assert imds.token_requests == 1
    _assert_one_line_without_secrets(err, imds)


def test_duration_above_the_role_maximum_is_a_usage_error(
    stubbed_sts: Stubber, imds: EntraLoopback, capsys: pytest.CaptureFixture[str]
) -> None:
    stubbed_sts.add_client_error(
        OPERATION,
        service_error_code="ValidationError",
        service_message="The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        http_status_code=400,
    )

    code, _, err = _run(capsys, "--duration", "43200")

    assert code == 2
    assert "--duration 43200 is refused" in err
    _assert_one_line_without_secrets(err, imds)
