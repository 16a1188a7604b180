"""SAML metadata: the real Entra sample parses; hostile or incomplete documents, and metadata that is not the
configured tenant's, give one clear line naming the file, from load_config, i.e. before anything is synthesized or
deployed."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entra_aws.config import ConfigError, load_config
from entra_aws.federation.saml_metadata import SamlMetadataError, parse_metadata, read_metadata

from .conftest import METADATA_SAMPLE, TENANT, tenant_metadata

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol9;"/>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE EntityDescriptor [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&xxe;"/>
"""


@pytest.fixture
def sample(published_samples: Path) -> bytes:
    return (published_samples / METADATA_SAMPLE).read_bytes()


def test_real_entra_sample_parses(published_samples: Path) -> None:
    metadata = read_metadata(published_samples / METADATA_SAMPLE)
    assert metadata.entity_id == "https://sts.windows.net/{tenantid}/"
    # The IDPSSODescriptor of the published document lists several signing certificates.
    assert len(metadata.signing_certificates) >= 1
    assert all(cert.startswith("MII") for cert in metadata.signing_certificates)
    bindings = dict(metadata.sso_endpoints)
    assert bindings["urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"] == (
        "https://login.microsoftonline.com/common/saml2"
    )
    assert metadata.document.startswith('<?xml version="1.0" encoding="utf-8"?><EntityDescriptor')


def test_not_xml() -> None:
    with pytest.raises(SamlMetadataError, match=r"^meta\.xml: is not XML \(.*\); expected the enterprise app"):
        parse_metadata(b'{"this": "is JSON"}', "meta.xml")


def test_xml_bomb_is_refused_before_expansion() -> None:
    with pytest.raises(SamlMetadataError, match=r"^bomb\.xml: has a document type declaration"):
        parse_metadata(BILLION_LAUGHS, "bomb.xml")


def test_external_entity_is_refused() -> None:
    with pytest.raises(SamlMetadataError, match=r"^xxe\.xml: has a document type declaration"):
        parse_metadata(EXTERNAL_ENTITY, "xxe.xml")


def test_missing_idpssodescriptor(sample: bytes) -> None:
    # Derived from the real sample: the IDPSSODescriptor element removed, everything else kept.
    text = sample.decode()
    without = re.sub(r"<IDPSSODescriptor.*?</IDPSSODescriptor>", "", text, flags=re.S)
    assert without != text
    with pytest.raises(SamlMetadataError, match=r"^m\.xml: has no IDPSSODescriptor for SAML 2\.0"):
        parse_metadata(without.encode(), "m.xml")


def test_missing_signing_certificate(sample: bytes) -> None:
    # Derived from the real sample: the KeyDescriptors of the IDPSSODescriptor removed.
    text = sample.decode()
    start = text.index("<IDPSSODescriptor")
    end = text.index("</IDPSSODescriptor>")
    idp = re.sub(r"<KeyDescriptor.*?</KeyDescriptor>", "", text[start:end], flags=re.S)
    with pytest.raises(SamlMetadataError, match=r"^m\.xml: the IDPSSODescriptor has no signing certificate"):
        parse_metadata((text[:start] + idp + text[end:]).encode(), "m.xml")


def test_missing_sso_endpoint(sample: bytes) -> None:
    text = re.sub(r"<SingleSignOnService[^>]*/>", "", sample.decode())
    with pytest.raises(SamlMetadataError, match=r"no SingleSignOnService with a Location"):
        parse_metadata(text.encode(), "m.xml")


def test_missing_entity_id(sample: bytes) -> None:
    text = sample.decode().replace('entityID="https://sts.windows.net/{tenantid}/"', "", 1)
    with pytest.raises(SamlMetadataError, match=r"has no entityID"):
        parse_metadata(text.encode(), "m.xml")


def test_empty_and_wrong_root() -> None:
    with pytest.raises(SamlMetadataError, match=r"^e\.xml: is empty"):
        parse_metadata(b"  \n", "e.xml")
    with pytest.raises(SamlMetadataError, match=r"the root element is 'html'"):
        parse_metadata(b"<html><body>Sign in</body></html>", "e.xml")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not xml at all", "is not XML"),
        (BILLION_LAUGHS, "has a document type declaration"),
        (
            b'<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>',
            "has no IDPSSODescriptor",
        ),
    ],
)
def test_load_config_reports_metadata_problems_with_file_and_field(
    write_config: Callable[[dict[str, Any]], Path],
    base_document: dict[str, Any],
    content: bytes,
    problem: str,
) -> None:
    path = write_config(base_document)
    (path.parent / "metadata.xml").write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert len(caught.value.problems) == 1
    line = caught.value.problems[0]
    assert line.startswith(f"{path}: federation.saml.metadata_file: {path.parent / 'metadata.xml'}: {problem}")
    assert "\n" not in line


def test_load_config_missing_metadata_file(
    write_config: Callable[[dict[str, Any]], Path], base_document: dict[str, Any]
) -> None:
    base_document["federation"]["saml"]["metadata_file"] = "nowhere.xml"
    path = write_config(base_document)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [
        f"{path}: federation.saml.metadata_file: {path.parent / 'nowhere.xml'}: no such file"
    ]


OTHER_TENANT = "11111111-2222-4333-8444-555555555555"
DOWNLOAD_HINT = (
    "; download your tenant's own Federation Metadata XML: Entra admin center > Enterprise applications > your AWS "
    "app > Single sign-on > SAML Certificates (https://login.microsoftonline.com/"
    f"{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid=<app>)"
)


def _with_entity_id(published_samples: Path, entity_id: str) -> bytes:
    # Derived from the real sample: only the entityID changed.
    text = tenant_metadata(published_samples).decode()
    return text.replace(f'entityID="https://sts.windows.net/{TENANT}/"', f'entityID="{entity_id}"', 1).encode()


@pytest.mark.parametrize(
    ("entity_id", "found"),
    [
        ("https://idp.attacker.example/saml", "another identity provider"),
        ("https://sts.windows.net/{tenantid}/", "Entra's tenant-independent metadata"),
        (f"https://sts.windows.net/{OTHER_TENANT}/", f"tenant {OTHER_TENANT}"),
        (f"https://sts.windows.net/{TENANT}", "another identity provider"),
        (f"https://sts.windows.net/{TENANT}/x/", "another identity provider"),
        (f"https://sts.windows.net.attacker.example/{TENANT}/", "another identity provider"),
    ],
    ids=["other idp", "tenant-independent", "other tenant", "no slash", "longer path", "look-alike host"],
)
def test_metadata_not_of_the_tenant_is_refused(
    write_config: Callable[[dict[str, Any]], Path],
    base_document: dict[str, Any],
    published_samples: Path,
    entity_id: str,
    found: str,
) -> None:
    path = write_config(base_document)
    metadata = path.parent / "metadata.xml"
    metadata.write_bytes(_with_entity_id(published_samples, entity_id))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [
        f"{path}: federation.saml.metadata_file: {metadata}: entityID is {entity_id!r} ({found}), expected "
        f"'https://sts.windows.net/{TENANT}/' (tenant_id){DOWNLOAD_HINT}"
    ]


def test_published_tenant_independent_sample_is_refused(
    write_config: Callable[[dict[str, Any]], Path], base_document: dict[str, Any], published_samples: Path
) -> None:
    path = write_config(base_document)
    (path.parent / "metadata.xml").write_bytes((published_samples / METADATA_SAMPLE).read_bytes())
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert "entityID is 'https://sts.windows.net/{tenantid}/' (Entra's tenant-independent metadata)" in problem


@pytest.mark.parametrize("tenant", [TENANT, TENANT.upper()], ids=["as configured", "other case"])
def test_metadata_of_the_tenant_is_accepted(
    write_config: Callable[[dict[str, Any]], Path], base_document: dict[str, Any], published_samples: Path, tenant: str
) -> None:
    path = write_config(base_document)
    (path.parent / "metadata.xml").write_bytes(tenant_metadata(published_samples, tenant))
    assert load_config(path).federation is not None
