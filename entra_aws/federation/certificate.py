"""The validity period of an X.509 certificate (DER): enough to tell a person that the SAML signing certificate in
their metadata has expired or soon will. `cryptography` parses it (it comes with azure-identity and msal)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from cryptography import x509


class CertificateError(ValueError):
    pass


class Validity(NamedTuple):
    not_before: datetime
    not_after: datetime


def validity(der: bytes) -> Validity:
    """notBefore and notAfter in UTC; CertificateError if `der` is not an X.509 certificate."""
    try:
        certificate = x509.load_der_x509_certificate(der)
    except ValueError:
        raise CertificateError("not an X.509 certificate (the DER does not parse)") from None
    return Validity(certificate.not_valid_before_utc, certificate.not_valid_after_utc)
