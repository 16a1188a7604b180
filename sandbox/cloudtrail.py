"""CloudTrail records as AWS writes them for the changes a scenario plays, ready for EventBridge PutEvents.

Each builder follows a published record (tests/fixtures; the unit tests compare
the shapes key by key): SCIM records hide names (`HIDDEN_DUE_TO_SECURITY_REASONS`) and carry only ids;
Organizations and Control Tower records are delivered in us-east-1 (Control Tower: its home region);
service events (`AwsServiceEvent`) carry `serviceEventDetails`. The EventBridge `source` of SCIM records is
undocumented; the rules match on `detail.eventSource` only, so any value works.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
API_CALL = "AWS API Call via CloudTrail"
SERVICE_EVENT = "AWS Service Event via CloudTrail"
ORGANIZATIONS_REGION = "us-east-1"
SCIM_GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


@dataclass(frozen=True)
class Record:
    """One CloudTrail record and where EventBridge receives it."""

    region: str
    source: str
    detail_type: str
    detail: dict[str, Any]

    @property
    def event_name(self) -> str:
        return str(self.detail["eventName"])

    def entry(self) -> dict[str, Any]:
        import json

        return {
            "Source": self.source,
            "DetailType": self.detail_type,
            "Detail": json.dumps(self.detail),
            "Time": datetime.now(UTC),
        }


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _common(source: str, name: str, region: str, account: str, event_type: str = "AwsApiCall") -> dict[str, Any]:
    return {
        "eventVersion": "1.08",
        "eventTime": _now(),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": event_type,
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }


# --- Entra SCIM provisioning (identitystore-scim) -------------------------------------------------------------


def _scim(name: str, region: str, account: str, parameters: dict[str, Any], response: Any) -> Record:
    detail = _common("identitystore-scim.amazonaws.com", name, region, account)
    detail |= {
        "eventVersion": "1.10",
        "userIdentity": {"type": "WebIdentityUser", "accountId": account, "accessKeyId": "xxxx"},
        "sourceIPAddress": "xxx.xxx.xxx.xxx",
        "userAgent": "Go-http-client/2.0",
        "requestParameters": {**parameters, "tenantId": "xxxx"},
        "responseElements": response,
        "requestID": str(uuid.uuid4()),
        "tlsDetails": {"clientProvidedHostHeader": f"scim.{region}.amazonaws.com"},
    }
    return Record(region, "aws.sso", API_CALL, detail)


def scim_group_created(group_id: str, *, region: str, account: str) -> Record:
    body = {"displayName": HIDDEN, "schemas": [HIDDEN]}
    return _scim("CreateGroup", region, account, {"httpBody": body}, {"id": group_id, "displayName": HIDDEN})


def scim_group_patched(group_id: str, *, region: str, account: str) -> Record:
    body = {"operations": [{"op": "REPLACE", "value": HIDDEN}], "schemas": [HIDDEN]}
    return _scim("PatchGroup", region, account, {"httpBody": body, "id": group_id}, None)


def scim_group_members_patched(group_id: str, op: str, *, region: str, account: str) -> Record:
    """PatchGroup adding (op ADD) or removing (op REMOVE) members: the member ids are hidden like every value."""
    body = {"operations": [{"op": op, "path": "members", "value": HIDDEN}], "schemas": [HIDDEN]}
    return _scim("PatchGroup", region, account, {"httpBody": body, "id": group_id}, None)


def scim_group_deleted(group_id: str, *, region: str, account: str) -> Record:
    return _scim("DeleteGroup", region, account, {"id": group_id}, None)


# --- Organizations ---------------------------------------------------------------------------------------------


def _administrator(account: str) -> dict[str, Any]:
    """An administrator signed in to the console through Identity Center (an assumed role)."""
    role = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
    return {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEADMIN:admin@example.com",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/admin@example.com",
        "accountId": account,
        "accessKeyId": "ASIAEXAMPLE",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEADMIN",
                "arn": f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/{role}",
                "accountId": account,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": _now(), "mfaAuthenticated": "false"},
        },
    }


def _organizations_call(name: str, account: str, parameters: dict[str, Any]) -> Record:
    detail = _common("organizations.amazonaws.com", name, ORGANIZATIONS_REGION, account)
    detail |= {
        "userIdentity": _administrator(account),
        "sourceIPAddress": "192.0.2.10",
        "userAgent": "AWS Internal",
        "requestParameters": parameters,
        "responseElements": None,
        "requestID": str(uuid.uuid4()),
    }
    return Record(ORGANIZATIONS_REGION, "aws.organizations", API_CALL, detail)


def account_moved(account_id: str, source_parent: str, destination_parent: str, *, management: str) -> Record:
    parameters = {"accountId": account_id, "sourceParentId": source_parent, "destinationParentId": destination_parent}
    return _organizations_call("MoveAccount", management, parameters)


def account_tagged(account_id: str, tags: dict[str, str], *, management: str) -> Record:
    parameters = {"resourceId": account_id, "tags": [{"key": k, "value": v} for k, v in tags.items()]}
    return _organizations_call("TagResource", management, parameters)


def account_untagged(account_id: str, keys: list[str], *, management: str) -> Record:
    return _organizations_call("UntagResource", management, {"resourceId": account_id, "tagKeys": keys})


def account_removed(account_id: str, *, management: str) -> Record:
    return _organizations_call("RemoveAccountFromOrganization", management, {"accountId": account_id})


def _service_event(source: str, name: str, region: str, account: str, details: dict[str, Any]) -> dict[str, Any]:
    detail = _common(source, name, region, account, "AwsServiceEvent")
    detail |= {
        "userIdentity": {"accountId": account, "invokedBy": "AWS Internal"},
        "sourceIPAddress": "AWS Internal",
        "userAgent": "AWS Internal",
        "requestParameters": None,
        "responseElements": None,
        "serviceEventDetails": details,
    }
    return detail


def account_created(account_id: str, *, management: str) -> Record:
    """CreateAccountResult SUCCEEDED; the account name is masked (`****`) in the published record."""
    stamp = datetime.now(UTC).strftime("%b %d, %Y %I:%M:%S %p")
    status = {
        "id": f"car-{uuid.uuid4().hex}",
        "state": "SUCCEEDED",
        "accountName": "****",
        "accountId": account_id,
        "requestedTimestamp": stamp,
        "completedTimestamp": stamp,
    }
    detail = _service_event(
        "organizations.amazonaws.com",
        "CreateAccountResult",
        ORGANIZATIONS_REGION,
        management,
        {"createAccountStatus": status},
    )
    return Record(ORGANIZATIONS_REGION, "aws.organizations", SERVICE_EVENT, detail)


def control_tower_account_enrolled(
    account_id: str, account_name: str, ou_id: str, ou_name: str, *, management: str, region: str
) -> Record:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
    status = {
        "organizationalUnit": {"organizationalUnitName": ou_name, "organizationalUnitId": ou_id},
        "account": {"accountName": account_name, "accountId": account_id},
        "state": "SUCCEEDED",
        "message": "AWS Control Tower successfully created a managed account.",
        "requestedTimestamp": stamp,
        "completedTimestamp": stamp,
    }
    detail = _service_event(
        "controltower.amazonaws.com",
        "CreateManagedAccount",
        region,
        management,
        {"createManagedAccountStatus": status},
    )
    return Record(region, "aws.controltower", SERVICE_EVENT, detail)


# --- Identity Center, by hand in the console --------------------------------------------------------------------


def _console_root(account: str) -> dict[str, Any]:
    return {
        "type": "Root",
        "principalId": account,
        "arn": f"arn:aws:iam::{account}:root",
        "accountId": account,
        "accessKeyId": "ASIAEXAMPLEROOT",
        "sessionContext": {
            "sessionIssuer": {},
            "webIdFederationData": {},
            "attributes": {"creationDate": _now(), "mfaAuthenticated": "true"},
        },
    }


def _role_session(role_arn: str, account: str) -> dict[str, Any]:
    """A session of the role `role_arn` (another tool's function, say), as CloudTrail names an assumed role."""
    role = role_arn.rsplit("/", 1)[-1]
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLETOOL:{role}-session",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{role}-session",
        "accountId": account,
        "accessKeyId": "ASIAEXAMPLETOOL",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLETOOL",
                "arn": role_arn,
                "accountId": account,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": _now(), "mfaAuthenticated": "false"},
        },
    }


def console_assignment(
    name: str,
    *,
    instance_arn: str,
    account_id: str,
    permission_set_arn: str,
    group_id: str,
    request_id: str,
    region: str,
    management: str,
    by: str | None = None,
) -> Record:
    """CreateAccountAssignment / DeleteAccountAssignment made in the console by the root user, or by a session
    of the role `by`."""
    target = {
        "targetId": account_id,
        "targetType": "AWS_ACCOUNT",
        "permissionSetArn": permission_set_arn,
        "principalType": "GROUP",
        "principalId": group_id,
    }
    status_key = (
        "accountAssignmentCreationStatus" if name == "CreateAccountAssignment" else ("accountAssignmentDeletionStatus")
    )
    detail = _common("sso.amazonaws.com", name, region, management)
    detail |= {
        "userIdentity": _role_session(by, management) if by else _console_root(management),
        "sourceIPAddress": "192.0.2.20",
        "userAgent": "AWS Internal",
        "requestParameters": {"instanceArn": instance_arn, **target},
        "responseElements": {status_key: {"status": "IN_PROGRESS", "requestId": request_id, **target}},
        "requestID": request_id,
        "sessionCredentialFromConsole": "true",
    }
    return Record(region, "aws.sso", API_CALL, detail)
