"""Config documents with a federation section, written next to the real Entra metadata sample made tenant-specific.

The published sample is Entra's tenant-independent metadata (entityID `https://sts.windows.net/{tenantid}/`), which
the loader refuses; `tenant_metadata` derives what the tenant's enterprise app would serve by putting the tenant id
in place of `{tenantid}` (nothing else changes)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

TENANT = "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b"
SUBJECT = "3f2a6c1e-8d4b-4c7a-9e1f-0a2b3c4d5e6f"
APP_CLIENT_ID = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e"
METADATA_SAMPLE = "entra/entra-FederationMetadata-common.msidentitytools-test.xml"
TENANT_PLACEHOLDER = "{tenantid}"

BASE: dict[str, Any] = {
    "version": 1,
    "tenant_id": TENANT,
    "identity_center": {"region": "eu-west-1"},
    "federation": {
        "workload_identity": {
            "token_versions": [2],
            "workloads": [
                {
                    "name": "reports-exporter",
                    "subject": SUBJECT,
                    "audience": "api://entra-aws-workloads",
                    "audience_client_id": APP_CLIENT_ID,
                }
            ],
        },
        "saml": {
            "metadata_file": "metadata.xml",
            "roles": [{"name": "EntraSaml-ReadOnly", "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}],
        },
    },
}


def tenant_metadata(published_samples: Path, tenant: str = TENANT) -> bytes:
    """The published sample with `tenant` as its tenant: entityID https://sts.windows.net/<tenant>/."""
    text = (published_samples / METADATA_SAMPLE).read_text(encoding="utf-8")
    assert text.count(TENANT_PLACEHOLDER) == 1
    return text.replace(TENANT_PLACEHOLDER, tenant).encode()


@pytest.fixture
def base_document() -> dict[str, Any]:
    return copy.deepcopy(BASE)


@pytest.fixture
def write_config(tmp_path: Path, published_samples: Path) -> Callable[[dict[str, Any]], Path]:
    """Write a config document to tmp_path/config.yaml with the real metadata sample, for TENANT, as metadata.xml."""
    (tmp_path / "metadata.xml").write_bytes(tenant_metadata(published_samples))

    def write(document: dict[str, Any]) -> Path:
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return path

    return write
