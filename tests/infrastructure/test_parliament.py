"""parliament, the IAM policy linter (its actions, resource formats and condition keys come from the Service
Authorization Reference), on every policy both topologies synthesize, and the management topology with the
customer managed key it can create (`deployment.create_key`): identity policies, trust policies, key, queue, topic
and event-bus policies. (The referenced-policies StackSet carries the config's own policy documents and no policy
of entra-aws's.) A finding fails the test unless ACKNOWLEDGED below names it with its reason,
and an acknowledgment no finding needs fails it too."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from entra_aws.config import load_config
from tests.infrastructure.synthesized import EXAMPLE, Template, synth_config, templates, with_deployment

pytestmark = pytest.mark.infrastructure


@dataclass(frozen=True)
class Acknowledged:
    issue: str
    kind: str
    """identity, trust, key or resource."""
    logical_prefix: str
    reason: str
    action_prefix: str = ""
    """RESOURCE_MISMATCH: only when every action it names starts with this."""


ACKNOWLEDGED = (
    Acknowledged(
        "MALFORMED", "trust", "", "A trust policy is the role's resource policy: it has a Principal and no Resource."
    ),
    Acknowledged(
        "UNKNOWN_FEDERATION_SOURCE",
        "trust",
        "",
        "parliament knows public identity providers by name only; these are this stack's own Entra ID SAML and "
        "OIDC providers, named by ARN.",
    ),
    Acknowledged("RESOURCE_STAR", "key", "", "In a key policy, Resource * is the key itself (KMS key policies)."),
    Acknowledged(
        "PERMISSIONS_MANAGEMENT_ACTIONS",
        "key",
        "",
        "CDK's default key policy: the account administers the key, so that IAM policies can grant its use.",
    ),
    Acknowledged(
        "MISMATCHED_TYPE",
        "key",
        "EncryptionAutomationKey",
        "kms:EncryptionContext:aws:logs:arn is a string key holding an ARN; the CloudWatch Logs user guide's key "
        "policy matches it with ArnLike, as here.",
    ),
    Acknowledged(
        "PERMISSIONS_MANAGEMENT_ACTIONS",
        "identity",
        "ReconcileWorkerRole",
        "Writing permission sets and assignments is the worker's job: permission-set writes need the ownership tag, "
        "IAM writes are granted only when a rule reaches the management account.",
    ),
    Acknowledged(
        "RESOURCE_MISMATCH",
        "identity",
        "ReconcileWorkerRole",
        "One sso call is authorized on its instance, accounts and permission set separately: separate statements "
        "grant each, so that the ownership-tag condition binds the permission set only.",
        action_prefix="sso:",
    ),
)


@dataclass(frozen=True)
class Finding:
    template: str
    logical_id: str
    kind: str
    issue: str
    detail: Any

    def acknowledgment(self) -> Acknowledged | None:
        for ack in ACKNOWLEDGED:
            if (ack.issue, ack.kind) != (self.issue, self.kind) or not self.logical_id.startswith(ack.logical_prefix):
                continue
            if ack.action_prefix and not all(d["action"].startswith(ack.action_prefix) for d in self.detail):
                continue
            return ack
        return None


def _parliament() -> Any:
    """parliament 1.6.4 finds its data with pkg_resources, which setuptools no longer ships (>= 81)."""
    if "pkg_resources" not in sys.modules and importlib.util.find_spec("pkg_resources") is None:
        shim: Any = types.ModuleType("pkg_resources")

        def resource_filename(package: str, name: str) -> str:
            spec = importlib.util.find_spec(package)
            assert spec is not None and spec.origin is not None
            return str(Path(spec.origin).parent / name)

        shim.resource_filename = resource_filename
        sys.modules["pkg_resources"] = shim
    import parliament  # type: ignore[import-untyped]

    return parliament


def policies(t: Template) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(logical id, kind, document) of every policy in the template, its intrinsics resolved."""
    for logical_id, resource in t.document["Resources"].items():
        kind, props = resource["Type"], resource.get("Properties", {})
        documents: list[tuple[str, Any]] = []
        if kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents.append(("identity", props["PolicyDocument"]))
        if kind == "AWS::IAM::Role":
            documents.append(("trust", props["AssumeRolePolicyDocument"]))
            documents += [("identity", inline["PolicyDocument"]) for inline in props.get("Policies", [])]
        if kind == "AWS::KMS::Key":
            documents.append(("key", props["KeyPolicy"]))
        if kind in ("AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"):
            documents.append(("resource", props["PolicyDocument"]))
        if kind == "AWS::Events::EventBusPolicy":
            documents.append(("resource", {"Version": "2012-10-17", "Statement": [props["Statement"]]}))
        for policy_kind, document in documents:
            yield logical_id, policy_kind, t.resolve(document)


def findings(assembly: Path) -> list[Finding]:
    parliament = _parliament()
    found: list[Finding] = []
    for t in templates(assembly):
        for logical_id, kind, document in policies(t):
            result = parliament.analyze_policy_string(json.dumps(document), include_community_auditors=True)
            found += [Finding(t.name, logical_id, kind, f.issue, f.detail) for f in result.findings]
    return found


@pytest.fixture(scope="module")
def created_key_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = with_deployment(load_config(EXAMPLE), create_key=True)
    return synth_config(config, tmp_path_factory.mktemp("cdk.out.parliament-created-key"))


@pytest.fixture(scope="module")
def both(management_assembly: Path, delegated_assembly: Path, created_key_assembly: Path) -> list[Finding]:
    return findings(management_assembly) + findings(delegated_assembly) + findings(created_key_assembly)


def test_every_finding_is_acknowledged_with_its_reason(both: list[Finding]) -> None:
    unacknowledged = [f for f in both if f.acknowledgment() is None]
    assert unacknowledged == []


def test_every_acknowledgment_is_needed(both: list[Finding]) -> None:
    used = {f.acknowledgment() for f in both}
    assert [ack for ack in ACKNOWLEDGED if ack not in used] == []


def test_both_topologies_are_linted(management_assembly: Path, delegated_assembly: Path) -> None:
    linted = {
        (t.name, kind)
        for assembly in (management_assembly, delegated_assembly)
        for t in templates(assembly)
        for _, kind, _ in policies(t)
    }
    assert {
        ("EntraAwsManagementForwarder-us-east-1", "identity"),
        ("EntraAwsAutomation", "resource"),
        ("EntraAwsOrgEventForwarder-us-east-1", "trust"),
        ("EntraAwsAutomation", "key"),
    } <= linted


def test_the_created_customer_managed_key_policy_is_linted(created_key_assembly: Path) -> None:
    keys = [
        logical_id
        for t in templates(created_key_assembly)
        if t.name == "EntraAwsAutomation"
        for logical_id, kind, _ in policies(t)
        if kind == "key"
    ]
    assert len(keys) == 2, "the ownership key and the created key for queues, topic and logs"
