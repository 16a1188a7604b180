"""Entra federation metadata XML: read it safely and check it holds what IAM needs.

The document comes from outside (downloaded from the Entra portal), so the parser refuses any document type
declaration: no DTD means no entity expansion (billion laughs, quadratic blowup) and no external entities.
The check runs on expat itself (the same handlers defusedxml sets), before ElementTree sees the bytes.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from xml.parsers import expat

from entra_aws.federation.certificate import CertificateError, validity

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
# IAM's SAMLMetadataDocument length limits.
MIN_BYTES, MAX_BYTES = 1000, 10_000_000
EXPIRY_NOTICE = timedelta(days=30)
# The entityID (and assertion Issuer) of a tenant's Entra enterprise apps is https://sts.windows.net/<tenant>/;
# Entra's tenant-independent metadata has the placeholder {tenantid} there.
ENTRA_ENTITY_PREFIX = "https://sts.windows.net/"
TENANT_PLACEHOLDER = "{tenantid}"
# The enterprise app's "App Federation Metadata Url".
METADATA_URL = (
    "https://login.microsoftonline.com/{tenant}/federationmetadata/2007-06/federationmetadata.xml?appid=<app>"
)


class SamlMetadataError(ValueError):
    """One line naming the file and what is wrong with it."""


@dataclass(frozen=True)
class SamlMetadata:
    entity_id: str
    signing_certificates: tuple[str, ...]
    sso_endpoints: tuple[tuple[str, str], ...]
    document: str

    def certificate_warnings(self, source: str, now: datetime) -> list[str]:
        """Expired or soon-expiring signing certificates: AWS refuses assertions signed by a key it was not given."""
        try:
            expiries = [validity(base64.b64decode(c)).not_after for c in self.signing_certificates]
        except CertificateError as error:
            return [f"{source}: cannot read a signing certificate's validity: {error}"]
        newest = max(expiries)
        day = newest.date().isoformat()
        if newest <= now:
            return [
                f"{source}: every signing certificate has expired (the newest on {day}); AWS will refuse sign-ins "
                "signed with Entra's current certificate: download the enterprise app's Federation Metadata XML again"
            ]
        if newest - now <= EXPIRY_NOTICE:
            return [
                f"{source}: the newest signing certificate expires on {day} ({(newest - now).days} days); add the "
                "new certificate in Entra (SAML Signing Certificate) and update this file before then"
            ]
        return []

    def tenant_problem(self, tenant_id: str, source: str) -> str | None:
        """The entityID must be Entra's for this tenant: the metadata of another IdP, another tenant or Entra's
        tenant-independent `{tenantid}` document would make IAM trust assertions the tenant did not issue."""
        expected = f"{ENTRA_ENTITY_PREFIX}{tenant_id}/"
        tenant = _entra_tenant(self.entity_id)
        if tenant is not None and tenant.lower() == tenant_id.lower():
            return None
        if tenant is None:
            found = "another identity provider"
        elif tenant == TENANT_PLACEHOLDER:
            found = "Entra's tenant-independent metadata"
        else:
            found = f"tenant {tenant}"
        return (
            f"{source}: entityID is {self.entity_id!r} ({found}), expected {expected!r} (tenant_id); download your "
            "tenant's own Federation Metadata XML: Entra admin center > Enterprise applications > your AWS app > "
            f"Single sign-on > SAML Certificates ({METADATA_URL.format(tenant=tenant_id)})"
        )


def _entra_tenant(value: str) -> str | None:
    """What stands for the tenant in `https://sts.windows.net/<tenant>/`; None for any other form."""
    middle = value.removeprefix(ENTRA_ENTITY_PREFIX).removesuffix("/")
    if value.startswith(ENTRA_ENTITY_PREFIX) and value.endswith("/") and middle and "/" not in middle:
        return middle
    return None


class _ForbiddenError(Exception):
    pass


def _refuse_dtd(data: bytes) -> None:
    """Raise _ForbiddenError on a DOCTYPE, entity declaration or external reference (expat errors pass)."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(name: str, *_: object) -> None:
        raise _ForbiddenError(f"has a document type declaration (<!DOCTYPE {name}>); refused: it can define entities")

    def entity(name: str, *_: object) -> None:
        raise _ForbiddenError(f"declares the entity {name!r}; refused (entity expansion)")

    def external(*_: object) -> int:
        raise _ForbiddenError("references an external entity; refused")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.Parse(data, True)


def parse_metadata(data: bytes, source: str) -> SamlMetadata:
    """Parse and check federation metadata; SamlMetadataError `source: problem` otherwise."""
    if not data.strip():
        raise SamlMetadataError(f"{source}: is empty; expected the enterprise app's Federation Metadata XML")
    if len(data) > MAX_BYTES:
        raise SamlMetadataError(f"{source}: is {len(data)} bytes; IAM accepts at most {MAX_BYTES}")
    try:
        _refuse_dtd(data)
        root = ET.fromstring(data)
    except _ForbiddenError as exc:
        raise SamlMetadataError(f"{source}: {exc}") from None
    except (expat.ExpatError, ET.ParseError) as exc:
        raise SamlMetadataError(
            f"{source}: is not XML ({exc}); expected the enterprise app's Federation Metadata XML"
        ) from None
    if root.tag == f"{{{MD}}}EntitiesDescriptor":
        raise SamlMetadataError(
            f"{source}: holds several entities (EntitiesDescriptor); use the metadata of one enterprise app"
        )
    if root.tag != f"{{{MD}}}EntityDescriptor":
        raise SamlMetadataError(f"{source}: the root element is {root.tag!r}, expected a SAML 2.0 EntityDescriptor")
    entity_id = (root.get("entityID") or "").strip()
    if not entity_id:
        raise SamlMetadataError(f"{source}: the EntityDescriptor has no entityID")
    idp = [
        d
        for d in root.findall(f"{{{MD}}}IDPSSODescriptor")
        if SAML2_PROTOCOL in (d.get("protocolSupportEnumeration") or "").split()
    ]
    if not idp:
        raise SamlMetadataError(
            f"{source}: has no IDPSSODescriptor for SAML 2.0; this is not an identity provider's metadata"
        )
    descriptor = idp[0]
    certificates = _signing_certificates(descriptor, source)
    endpoints = tuple(
        (sso.get("Binding", ""), sso.get("Location", "").strip())
        for sso in descriptor.findall(f"{{{MD}}}SingleSignOnService")
        if (sso.get("Location") or "").strip()
    )
    if not endpoints:
        raise SamlMetadataError(f"{source}: the IDPSSODescriptor has no SingleSignOnService with a Location")
    if len(data) < MIN_BYTES:
        raise SamlMetadataError(f"{source}: is {len(data)} bytes; IAM needs at least {MIN_BYTES}")
    try:
        document = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SamlMetadataError(f"{source}: is not UTF-8; save the metadata as UTF-8") from None
    return SamlMetadata(entity_id, certificates, endpoints, document)


def _signing_certificates(descriptor: ET.Element, source: str) -> tuple[str, ...]:
    certificates: list[str] = []
    for key in descriptor.findall(f"{{{MD}}}KeyDescriptor"):
        if key.get("use", "signing") != "signing":
            continue
        for cert in key.iter(f"{{{DS}}}X509Certificate"):
            text = "".join((cert.text or "").split())
            if not text:
                continue
            try:
                der = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise SamlMetadataError(f"{source}: an X509Certificate is not base64") from None
            if not der.startswith(b"\x30"):
                raise SamlMetadataError(f"{source}: an X509Certificate is not a DER certificate")
            certificates.append(text)
    if not certificates:
        raise SamlMetadataError(
            f"{source}: the IDPSSODescriptor has no signing certificate (KeyDescriptor/KeyInfo/X509Certificate)"
        )
    return tuple(certificates)


def read_metadata(path: Path) -> SamlMetadata:
    if not path.exists():
        raise SamlMetadataError(f"{path}: no such file")
    if not path.is_file():
        raise SamlMetadataError(f"{path}: is not a file")
    if path.stat().st_size > MAX_BYTES:
        raise SamlMetadataError(f"{path}: is {path.stat().st_size} bytes; IAM accepts at most {MAX_BYTES}")
    return parse_metadata(path.read_bytes(), str(path))
