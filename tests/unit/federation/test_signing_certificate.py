"""The SAML signing certificate's validity, read from the metadata: the dates agree with `cryptography` on every
certificate of the real samples; garbage is a CertificateError; expiry turns into a warning a person can act on;
metadata from another tenant is refused; the config sample is the published one for the example tenant."""

from __future__ import annotations

import base64
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509

from entra_aws.config import ConfigError, load_config
from entra_aws.federation.certificate import CertificateError, validity
from entra_aws.federation.saml_metadata import read_metadata
from tests.conftest import PUBLISHED_SAMPLES, REPO

from .conftest import METADATA_SAMPLE as PUBLISHED

CONFIG_SAMPLE = REPO / "config" / "federation" / "entra-federation-metadata.sample.xml"
SAMPLES = [CONFIG_SAMPLE, PUBLISHED_SAMPLES / PUBLISHED]
EXAMPLE_TENANT = "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_validity_agrees_with_cryptography(path: Path) -> None:
    certificates = read_metadata(path).signing_certificates
    assert certificates
    for text in certificates:
        der = base64.b64decode(text)
        reference = x509.load_der_x509_certificate(der)
        assert validity(der) == (reference.not_valid_before_utc, reference.not_valid_after_utc)


def test_not_a_certificate() -> None:
    for garbage in (b"", b"\x30", b"\x30\x03\x02\x01\x01", b"\x04\x00", b"\x30\x84\xff\xff\xff\xff"):
        with pytest.raises(CertificateError, match=r"^not an X\.509 certificate \(.*\)$"):
            validity(garbage)


def newest_expiry() -> datetime:
    metadata = read_metadata(CONFIG_SAMPLE)
    return max(validity(base64.b64decode(c))[1] for c in metadata.signing_certificates)


def test_warnings_follow_the_newest_certificate() -> None:
    metadata, newest = read_metadata(CONFIG_SAMPLE), newest_expiry()
    assert metadata.certificate_warnings("m.xml", newest - timedelta(days=90)) == []
    [soon] = metadata.certificate_warnings("m.xml", newest - timedelta(days=10))
    assert soon.startswith(f"m.xml: the newest signing certificate expires on {newest.date().isoformat()} (10 days)")
    [expired] = metadata.certificate_warnings("m.xml", newest + timedelta(seconds=1))
    assert expired.startswith("m.xml: every signing certificate has expired")
    assert "download the enterprise app's Federation Metadata XML again" in expired


def test_config_sample_is_the_published_one_for_the_example_tenant() -> None:
    # config/federation/README.md: the published (tenant-independent) sample with the example's tenant_id.
    tenant = load_config(REPO / "config" / "example.yaml").tenant_id
    published = (PUBLISHED_SAMPLES / PUBLISHED).read_text(encoding="utf-8")
    assert CONFIG_SAMPLE.read_text(encoding="utf-8") == published.replace("{tenantid}", tenant)
    assert read_metadata(CONFIG_SAMPLE).entity_id == f"https://sts.windows.net/{tenant}/"


def test_metadata_from_another_tenant_is_refused(tmp_path: Path) -> None:
    shutil.copytree(REPO / "config", tmp_path / "config")
    sample = tmp_path / "config" / "federation" / "entra-federation-metadata.sample.xml"
    other = "11111111-2222-4333-8444-555555555555"
    sample.write_text(sample.read_text(encoding="utf-8").replace(EXAMPLE_TENANT, other), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path / "config" / "example.yaml")
    [problem] = error.value.problems
    assert (
        f"federation.saml.metadata_file: {sample}: entityID is 'https://sts.windows.net/{other}/' (tenant {other}), "
        f"expected 'https://sts.windows.net/{EXAMPLE_TENANT}/' (tenant_id); download your tenant's own" in problem
    )


def test_config_warnings_name_the_field_and_the_file() -> None:
    from entra_aws.config.federation import federation_warnings

    config = load_config(REPO / "config" / "example.yaml")
    assert config.federation is not None
    base = REPO / "config"
    assert federation_warnings(config.federation, base, newest_expiry() - timedelta(days=90)) == []
    [warning] = federation_warnings(config.federation, base, newest_expiry() + timedelta(days=1))
    assert warning.startswith(
        "federation.saml.metadata_file: federation/entra-federation-metadata.sample.xml: every signing certificate"
    )
