"""Load the real published samples in tests/fixtures/aws and wrap bare CloudTrail records in the
EventBridge envelope, as EventBridge delivers them. Variants (other ids) are derived here and say so."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import PUBLISHED_SAMPLES

AWS = PUBLISHED_SAMPLES / "aws"
GROUP_ID = "34887428-4081-7042-c3c6-928d413009e7"  # from sso-directory-CreateGroup-console-root
DETAIL_TYPES = {
    "AwsApiCall": "AWS API Call via CloudTrail",
    "AwsServiceEvent": "AWS Service Event via CloudTrail",
}


def load(name: str) -> dict[str, Any]:
    path = AWS / name
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonc":  # WITH-COMMENTS: strip // comments that are not inside strings
        text = re.sub(r'("(?:\\.|[^"\\])*")|//[^\n]*', lambda m: m.group(1) or "", text)
    document: dict[str, Any] = json.loads(text)
    return document


def envelope(record: dict[str, Any], *, source: str | None = None, event_id: str = "") -> dict[str, Any]:
    """EventBridge's envelope for a bare CloudTrail record. `source` for SCIM is undocumented: callers pass
    one explicitly and the rules must not depend on it."""
    service = record["eventSource"].split(".")[0]
    return {
        "version": "0",
        "id": event_id or f"{record.get('eventID', 'x')}-{service}",
        "detail-type": DETAIL_TYPES[record.get("eventType", "AwsApiCall")],
        "source": source or f"aws.{service}",
        "account": re.sub(r"\D", "", record.get("recipientAccountId", "")) or "111111111111",
        "time": "2025-07-20T10:00:00Z",
        "region": record.get("awsRegion", "us-east-1"),
        "resources": [],
        "detail": record,
    }


def cloudtrail(name: str, **kwargs: Any) -> dict[str, Any]:
    return envelope(load(f"cloudtrail/{name}"), **kwargs)


def derive(event: dict[str, Any], **detail_changes: Any) -> dict[str, Any]:
    """A variant of a real sample: deep copy, then set `detail` paths given as a__b__c=value."""
    variant = copy.deepcopy(event)
    for dotted, value in detail_changes.items():
        node = variant["detail"]
        *parents, leaf = dotted.split("__")
        for part in parents:
            if node.get(part) is None:
                node[part] = {}
            node = node[part]
        if value is _DELETE:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return variant


_DELETE = object()
DELETE = _DELETE


def scim_create_group(group_id: str = GROUP_ID) -> dict[str, Any]:
    """Derived from the failed SCIM CreateGroup sample: the same record as a success (no errorCode, the
    WebIdentityUser identity of the successful CreateUser sample) with `responseElements.id` the new group."""
    failed = cloudtrail("identitystore-scim-CreateGroup-failed-ConflictException.awsdocs.json", source="aws.sso")
    success = derive(failed, errorCode=DELETE, errorMessage=DELETE, userIdentity__type="WebIdentityUser")
    success["detail"]["responseElements"] = {"id": group_id, "displayName": "HIDDEN_DUE_TO_SECURITY_REASONS"}
    success["id"] = f"scim-create-{group_id}"
    return success


def scim_patch_group(group_id: str = GROUP_ID) -> dict[str, Any]:
    """Derived from the failed SCIM PatchGroup sample: a success, real group id in requestParameters.id."""
    failed = cloudtrail("identitystore-scim-PatchGroup-failed-ValidationException.awsdocs.json", source="aws.sso")
    variant = derive(failed, errorCode=DELETE, errorMessage=DELETE, requestParameters__id=group_id)
    variant["id"] = f"scim-patch-{group_id}"
    return variant


def scim_delete_group(group_id: str = GROUP_ID) -> dict[str, Any]:
    """Derived from the PatchGroup sample: SCIM DeleteGroup carries the id in requestParameters.id too."""
    variant = scim_patch_group(group_id)
    variant["detail"]["eventName"] = "DeleteGroup"
    variant["detail"]["requestParameters"] = {"tenantId": "xxxx", "id": group_id}
    variant["id"] = f"scim-delete-{group_id}"
    return variant


def role_arn_identity(role_arn: str) -> dict[str, Any]:
    """An assumed-role userIdentity, shaped like the organizations-CreateAccount-ApiCall sample's."""
    account = role_arn.split(":")[4]
    name = role_arn.rsplit("/", 1)[-1]
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE:{name}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{name}/session",
        "accountId": account,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLE",
                "arn": role_arn,
                "accountId": account,
                "userName": name,
            },
            "webIdFederationData": {},
            "attributes": {"mfaAuthenticated": "false", "creationDate": "2025-07-20T10:00:00Z"},
        },
    }


def all_fixture_names() -> list[Path]:
    return sorted(p for p in AWS.rglob("*") if p.is_file())
