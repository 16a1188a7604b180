"""The ownership seal over KMS: HMAC-SHA256 (GenerateMac / VerifyMac) under an HMAC_256 key whose key policy lets
only the automation's worker (and the admin roles the config names) use it (engine.ownership, docs/security.md).

What is sealed is "<Identity Center instance ARN>|<permission set ARN>", so a seal verifies on one set only. A
seal is the MAC in standard base64: 44 characters, all of them allowed in a tag value."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from entra_aws.adapters.clients import api_client
from entra_aws.engine.ports import ApiError

ALGORITHM = "HMAC_SHA_256"
INVALID_MAC = "KMSInvalidMacException"


class KmsOwnershipSeal:
    def __init__(self, kms: Any, key_id: str, instance_arn: str) -> None:
        self.kms = api_client(kms)
        self.key_id = key_id
        self.instance_arn = instance_arn

    def _message(self, arn: str) -> bytes:
        return f"{self.instance_arn}|{arn}".encode()

    def seal(self, arn: str) -> str:
        made = self.kms.generate_mac(KeyId=self.key_id, Message=self._message(arn), MacAlgorithm=ALGORITHM)
        return base64.b64encode(made["Mac"]).decode()

    def verify(self, arn: str, seal: str) -> bool:
        try:
            mac = base64.b64decode(seal, validate=True)
        except binascii.Error:
            return False
        try:
            message = self._message(arn)
            checked = self.kms.verify_mac(KeyId=self.key_id, Message=message, MacAlgorithm=ALGORITHM, Mac=mac)
        except ApiError as error:
            if error.code == INVALID_MAC:
                return False
            raise
        return bool(checked["MacValid"])
