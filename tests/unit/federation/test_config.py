"""Broken federation sections: one line per problem, `FILE: field.path: what is wrong and what is allowed`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entra_aws.config import ConfigError, load_config

from .conftest import APP_CLIENT_ID, SUBJECT

Edit = Callable[[dict[str, Any]], None]


def _workload(doc: dict[str, Any]) -> dict[str, Any]:
    workload: dict[str, Any] = doc["federation"]["workload_identity"]["workloads"][0]
    return workload


def _problems(write_config: Callable[[dict[str, Any]], Path], document: dict[str, Any]) -> tuple[Path, list[str]]:
    path = write_config(document)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return path, caught.value.problems


def test_valid_section_loads(write_config: Callable[[dict[str, Any]], Path], base_document: dict[str, Any]) -> None:
    config = load_config(write_config(base_document))
    assert config.federation is not None
    assert config.federation.workload_identity is not None
    assert config.federation.workload_identity.workloads[0].aud_claim(2) == APP_CLIENT_ID


CASES: list[tuple[str, Edit, str]] = [
    (
        "no subject",
        lambda d: _workload(d).pop("subject"),
        "federation.workload_identity.workloads[0].subject: is required: the object id (a GUID)",
    ),
    (
        "wildcard without opt-in",
        lambda d: _workload(d).update(subject="3f2a6c1e-*"),
        "federation.workload_identity.workloads[0].subject: '3f2a6c1e-*' is a wildcard and would let any "
        "matching identity",
    ),
    (
        "only wildcards even with a reason",
        lambda d: _workload(d).update(subject="*", wildcard_subject_reason="every pipeline of the team"),
        "federation.workload_identity.workloads[0].subject: a subject of only wildcards matches every identity",
    ),
    (
        "subject not a GUID",
        lambda d: _workload(d).update(subject="my-vm"),
        "federation.workload_identity.workloads[0].subject: must be the object id (a GUID)",
    ),
    (
        "v2 with an App ID URI and no client id",
        lambda d: _workload(d).pop("audience_client_id"),
        "federation.workload_identity.workloads[0].audience_client_id: is required: v2 tokens carry",
    ),
    (
        "bad audience",
        lambda d: _workload(d).update(audience="my app"),
        "federation.workload_identity.workloads[0].audience: must be the Entra resource app's application ID URI",
    ),
    (
        "token exchange with v1",
        lambda d: (
            d["federation"]["workload_identity"].update(token_versions=[1]),
            _workload(d).update(audience="api://AzureADTokenExchange"),
        ),
        "federation.workload_identity.workloads[0].token_version: api://AzureADTokenExchange always yields v2",
    ),
    (
        "both versions without a default",
        lambda d: d["federation"]["workload_identity"].update(token_versions=[1, 2]),
        "federation.workload_identity.default_token_version: is required when token_versions lists both",
    ),
    (
        "unknown token version",
        lambda d: d["federation"]["workload_identity"].update(token_versions=[3]),
        "federation.workload_identity.token_versions[0]: must be 1 or 2, got 3",
    ),
    (
        "unknown key",
        lambda d: _workload(d).update(subjcet=SUBJECT),
        "federation.workload_identity.workloads[0].subjcet: unknown key",
    ),
    (
        "role name too long",
        lambda d: _workload(d).update(name="x" * 65),
        "federation.workload_identity.workloads[0].name: must be an IAM role name: 1-64 characters",
    ),
    (
        "session too long",
        lambda d: _workload(d).update(max_session_duration="PT13H"),
        "federation.workload_identity.workloads[0].max_session_duration: must be between PT1H and PT12H",
    ),
    (
        "managed policy not an ARN",
        lambda d: d["federation"]["saml"]["roles"][0].update(managed_policies=["ReadOnlyAccess"]),
        "federation.saml.roles[0].managed_policies[0]: must be an AWS-managed policy ARN",
    ),
    (
        "stackset with an OU path",
        lambda d: d["federation"].update(deploy_to={"stackset": {"organizational_units": ["/Workloads"]}}),
        "federation.deploy_to.stackset.organizational_units[0]: must be an OU id (ou-xxxx-xxxxxxxx) or the root id",
    ),
    (
        "deploys nowhere",
        lambda d: d["federation"].update(deploy_to={"management_account": False}),
        "federation: deploy_to deploys nowhere",
    ),
    (
        "empty section",
        lambda d: d.update(federation={}),
        "federation: give workload_identity, saml or both",
    ),
    (
        "duplicate role names",
        lambda d: d["federation"]["saml"]["roles"][0].update(name="Reports-Exporter"),
        "federation: the role name 'reports-exporter' is used more than once",
    ),
    (
        "role claim too long for an Entra app role",
        lambda d: d["federation"]["saml"].update(provider_name="P" * 60),
        "federation.saml.roles[0].name: the role claim value would be",
    ),
    (
        "missing inline policy file",
        lambda d: _workload(d).update(inline_policy_file="policy.json"),
        "federation.workload_identity.workloads[0].inline_policy_file: no such file",
    ),
    (
        "reserved tag",
        lambda d: _workload(d).update(tags={"entra-aws:managed": "x"}),
        "federation.workload_identity.workloads[0].tags: tag key 'entra-aws:managed' must be 1-128 characters",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_federation_config(
    write_config: Callable[[dict[str, Any]], Path], base_document: dict[str, Any], edit: Edit, expected: str
) -> None:
    edit(base_document)
    path, problems = _problems(write_config, base_document)
    assert any(line.startswith(f"{path}: {expected}") for line in problems), problems
    assert all("\n" not in line and "Traceback" not in line for line in problems)


def test_wildcard_with_reason_is_accepted(
    write_config: Callable[[dict[str, Any]], Path], base_document: dict[str, Any]
) -> None:
    _workload(base_document).update(subject="3f2a6c1e-*", wildcard_subject_reason="all identities of one AKS pool")
    config = load_config(write_config(base_document))
    assert config.federation is not None


def test_entra_aws_validate_exits_2_with_field_path(
    write_config: Callable[[dict[str, Any]], Path], base_document: dict[str, Any]
) -> None:
    _workload(base_document).pop("subject")
    path = write_config(base_document)
    result = subprocess.run(
        [sys.executable, "-m", "entra_aws", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert f"{path}: federation.workload_identity.workloads[0].subject: is required" in result.stderr
    assert "Traceback" not in result.stderr


WILDCARD_SUBJECT = {"subject": "3f2a6c1e-*", "wildcard_subject_reason": "all identities of one AKS pool"}
TOKEN_EXCHANGE_REFUSAL = (
    "federation.workload_identity.workloads[0].subject: workload 'reports-exporter' has the wildcard subject "
    "'3f2a6c1e-*' with the audience api://AzureADTokenExchange, for which any identity in the tenant can get a "
    "token; give one object id (wildcard_subject_reason does not override this)"
)


@pytest.mark.parametrize("reason", [WILDCARD_SUBJECT["wildcard_subject_reason"], None], ids=["reason", "no reason"])
def test_wildcard_subject_with_the_token_exchange_audience_is_refused(
    write_config: Callable[[dict[str, Any]], Path], base_document: dict[str, Any], reason: str | None
) -> None:
    workload = _workload(base_document)
    workload.pop("audience_client_id")
    workload.update(subject="3f2a6c1e-*", audience="api://AzureADTokenExchange", wildcard_subject_reason=reason)
    if reason is None:
        workload.pop("wildcard_subject_reason")
    path, problems = _problems(write_config, base_document)
    assert problems == [f"{path}: {TOKEN_EXCHANGE_REFUSAL}"]


def _allow(*actions: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}


ALLOW_ALL_BUT_S3 = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}}
PRIVILEGED: list[tuple[str, dict[str, Any], str]] = [
    (
        "AdministratorAccess",
        {"managed_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
        "managed policy AdministratorAccess",
    ),
    (
        "PowerUserAccess",
        {"managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/PowerUserAccess"]},
        "managed policy PowerUserAccess",
    ),
    (
        "IAMFullAccess in aws-us-gov",
        {"managed_policies": ["arn:aws-us-gov:iam::aws:policy/IAMFullAccess"]},
        "managed policy IAMFullAccess",
    ),
    ("file allows *", {"inline_policy_file": "policy.json", "policy": _allow("s3:GetObject", "*")}, "allows '*'"),
    ("file allows iam:*", {"inline_policy_file": "policy.json", "policy": _allow("iam:*")}, "allows 'iam:*'"),
    ("file allows IAM:*", {"inline_policy_file": "policy.json", "policy": _allow("IAM:*")}, "allows 'IAM:*'"),
    (
        "file allows all but s3",
        {"inline_policy_file": "policy.json", "policy": ALLOW_ALL_BUT_S3},
        "inline policy allows every action but NotAction 's3:*'",
    ),
    ("inline allows iam:*", {"inline_policy": _allow("iam:*")}, "inline policy allows 'iam:*'"),
]


@pytest.mark.parametrize(("settings", "grant"), [c[1:] for c in PRIVILEGED], ids=[c[0] for c in PRIVILEGED])
def test_wildcard_subject_on_a_privileged_role_is_refused_whatever_the_reason(
    write_config: Callable[[dict[str, Any]], Path], base_document: dict[str, Any], settings: dict[str, Any], grant: str
) -> None:
    settings = dict(settings)
    policy = settings.pop("policy", None)
    if policy is not None:
        write_config(base_document).with_name("policy.json").write_text(json.dumps(policy), encoding="utf-8")
    _workload(base_document).update(WILDCARD_SUBJECT, **settings)
    path, problems = _problems(write_config, base_document)
    [problem] = problems
    assert problem.startswith(
        f"{path}: federation.workload_identity.workloads[0].subject: workload 'reports-exporter' has the wildcard "
        "subject '3f2a6c1e-*' and privileged permissions ("
    )
    assert grant in problem
    assert problem.endswith(
        "; give one object id or narrow the policies (wildcard_subject_reason does not override this)"
    )


@pytest.mark.parametrize(
    "policy",
    [
        _allow("iam:Get*", "iam:List*"),
        _allow("s3:*"),
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            ],
        },
    ],
    ids=["iam read", "s3:*", "iam:* denied"],
)
def test_wildcard_subject_on_a_narrow_role_is_accepted(
    write_config: Callable[[dict[str, Any]], Path], base_document: dict[str, Any], policy: dict[str, Any]
) -> None:
    write_config(base_document).with_name("policy.json").write_text(json.dumps(policy), encoding="utf-8")
    _workload(base_document).update(
        WILDCARD_SUBJECT,
        inline_policy_file="policy.json",
        managed_policies=["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/job-function/Billing"],
    )
    assert load_config(write_config(base_document)).federation is not None


def test_privileged_role_with_one_object_id_is_accepted(
    write_config: Callable[[dict[str, Any]], Path], base_document: dict[str, Any]
) -> None:
    _workload(base_document).update(managed_policies=["arn:aws:iam::aws:policy/AdministratorAccess"])
    assert load_config(write_config(base_document)).federation is not None
