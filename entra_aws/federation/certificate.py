"""The validity period of an X.509 certificate (DER), read without a crypto library: enough to tell a person that
the SAML signing certificate in their metadata has expired or soon will (RFC 5280 section 4.1: Certificate ->
TBSCertificate -> [version], serialNumber, signature, issuer, validity {notBefore, notAfter})."""

from __future__ import annotations

from datetime import UTC, datetime

SEQUENCE, INTEGER, UTC_TIME, GENERALIZED_TIME, VERSION = 0x30, 0x02, 0x17, 0x18, 0xA0


class CertificateError(ValueError):
    pass


def _element(data: bytes, position: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at `position`."""
    if position + 2 > len(data):
        raise CertificateError("truncated")
    tag, length = data[position], data[position + 1]
    position += 2
    if length & 0x80:
        size = length & 0x7F
        if size == 0 or size > 4 or position + size > len(data):
            raise CertificateError("bad length")
        length = int.from_bytes(data[position : position + size], "big")
        position += size
    if position + length > len(data):
        raise CertificateError("truncated")
    return tag, position, position + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    children = []
    while start < end:
        tag, content, after = _element(data, start)
        children.append((tag, content, after))
        start = after
    return children


def _time(tag: int, text: bytes) -> datetime:
    value = text.decode("ascii")
    if tag == UTC_TIME:  # YYMMDDHHMMSSZ; years 50-99 are 19xx (RFC 5280 4.1.2.5.1)
        year = int(value[:2])
        value = f"{1900 + year if year >= 50 else 2000 + year}{value[2:]}"
    elif tag != GENERALIZED_TIME:
        raise CertificateError("validity is not a time")
    return datetime.strptime(value, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)


def validity(der: bytes) -> tuple[datetime, datetime]:
    """(notBefore, notAfter) in UTC; CertificateError if `der` is not an X.509 certificate."""
    try:
        tag, start, end = _element(der, 0)
        if tag != SEQUENCE:
            raise CertificateError("not a SEQUENCE")
        tag, start, end = _element(der, start)
        if tag != SEQUENCE:
            raise CertificateError("no TBSCertificate")
        fields = [f for f in _children(der, start, end) if f[0] != VERSION]
        if len(fields) < 4 or fields[0][0] != INTEGER or fields[3][0] != SEQUENCE:
            raise CertificateError("unexpected TBSCertificate layout")
        not_before, not_after = _children(der, fields[3][1], fields[3][2])[:2]
        return (
            _time(not_before[0], der[not_before[1] : not_before[2]]),
            _time(not_after[0], der[not_after[1] : not_after[2]]),
        )
    except (ValueError, IndexError, UnicodeDecodeError) as error:
        raise CertificateError(f"not an X.509 certificate ({error})") from None
