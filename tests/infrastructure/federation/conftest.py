"""Synthesize the federation stack in-process from a config document (no Docker, credentials or network), with
cdk-nag's AwsSolutions pack as a validation plugin: synthesis raises on any unacknowledged finding."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from entra_aws.config import load_config  # noqa: E402
from stacks.federation import add_federation_stacks  # noqa: E402

TENANT = "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b"
ACCOUNT = "111111111111"
SUBJECT = "3f2a6c1e-8d4b-4c7a-9e1f-0a2b3c4d5e6f"
SUBJECT_2 = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
APP_CLIENT_ID = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e"
MI_CLIENT_ID = "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a"
TOKEN_EXCHANGE_AUD = "fb60f99c-7a34-4190-8149-302f77469936"
METADATA_SAMPLE = "entra/entra-FederationMetadata-common.msidentitytools-test.xml"
V1 = f"sts.windows.net/{TENANT}/"
V2 = f"login.microsoftonline.com/{TENANT}/v2.0"

FEDERATION: dict[str, Any] = {
    "workload_identity": {
        "token_versions": [1, 2],
        "default_token_version": 2,
        "workloads": [
            {
                "name": "reports-exporter",
                "subject": SUBJECT,
                "audience": "api://entra-aws-workloads",
                "audience_client_id": APP_CLIENT_ID,
                "client_id": MI_CLIENT_ID,
                "max_session_duration": "PT2H",
                "inline_policy_file": "policy.json",
                "permissions_boundary": {"customer_managed_policy": {"name": "WorkloadBoundary", "path": "/b/"}},
                "tags": {"team": "finance"},
            },
            {
                "name": "legacy-batch",
                "subject": SUBJECT_2,
                "audience": "api://entra-aws-legacy",
                "token_version": 1,
                "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                "allow_tag_session": True,
                "allow_set_source_identity": True,
            },
            {
                "name": "ci-deployer",
                "subject": SUBJECT_2,
                "audience": "api://AzureADTokenExchange",
                "profile_name": "ci",
            },
        ],
    },
    "saml": {
        "provider_name": "EntraID",
        "metadata_file": "metadata.xml",
        "roles": [
            {"name": "EntraSaml-ReadOnly", "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
            {
                "name": "EntraSaml-Billing",
                "managed_policies": ["arn:aws:iam::aws:policy/job-function/Billing"],
            },
        ],
    },
}

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": "arn:aws:s3:::example-reports/*",
        }
    ],
}


def document(federation: dict[str, Any] | None = None, account: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": 1,
        "tenant_id": TENANT,
        "identity_center": {"region": "eu-west-1"},
        "federation": copy.deepcopy(federation if federation is not None else FEDERATION),
    }
    if account:
        doc["management_account_id"] = ACCOUNT
    return doc


@dataclass
class Synth:
    app: cdk.App
    stack: cdk.Stack
    template: Template
    templates: dict[str, dict[str, Any]]  # every synthesized stack's template by stack name

    @property
    def json(self) -> dict[str, Any]:
        return self.templates[self.stack.stack_name]

    def stackset_bodies(self) -> list[dict[str, Any]]:
        return [
            json.loads(resource["Properties"]["TemplateBody"])
            for template in self.templates.values()
            for resource in template["Resources"].values()
            if resource["Type"] == "AWS::CloudFormation::StackSet"
        ]


def cdk_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((REPO / "cdk.json").read_text())["context"]
    return context


@pytest.fixture
def synth(tmp_path: Path, published_samples: Path) -> Callable[[dict[str, Any]], Synth]:
    # The published sample is tenant-independent (entityID https://sts.windows.net/{tenantid}/), which the loader
    # refuses: derive the tenant's own metadata by putting TENANT in place of the placeholder.
    published = (published_samples / METADATA_SAMPLE).read_text(encoding="utf-8")
    (tmp_path / "metadata.xml").write_text(published.replace("{tenantid}", TENANT), encoding="utf-8")
    (tmp_path / "policy.json").write_text(json.dumps(POLICY), encoding="utf-8")

    def run(doc: dict[str, Any]) -> Synth:
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        config = load_config(path)
        app = cdk.App(context=cdk_context(), analytics_reporting=False)
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
        stack = add_federation_stacks(app, config)
        assembly = app.synth()
        templates = {s.stack_name: s.template for s in assembly.stacks}
        return Synth(app, stack, Template.from_stack(stack), templates)

    return run
