"""An in-memory ownership key: HMAC-SHA256 under a secret the test holds, as the KMS adapter seals."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field

from entra_aws.config.models import SEAL_TAG_KEY

from .fakes import FakeIdentityCenter


@dataclass
class FakeOwnershipKey:
    secret: bytes = b"entra-aws test ownership key"
    instance_arn: str = "arn:aws:sso:::instance/ssoins-fake"
    verified: list[str] = field(default_factory=list)
    """ARNs whose seal was verified (each one a KMS call in production)."""

    def seal(self, arn: str) -> str:
        mac = hmac.new(self.secret, f"{self.instance_arn}|{arn}".encode(), hashlib.sha256).digest()
        return base64.b64encode(mac).decode()

    def verify(self, arn: str, seal: str) -> bool:
        self.verified.append(arn)
        return hmac.compare_digest(self.seal(arn), seal)


def seal(admin: FakeIdentityCenter, key: FakeOwnershipKey, arn: str) -> None:
    """Seal a permission set the way the executor does after creating it."""
    admin.permission_sets[arn].tags[SEAL_TAG_KEY] = key.seal(arn)
