"""IAM Identity Center admin API (sso-admin): permission sets, account assignments, asynchronous statuses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entra_aws.adapters.clients import api_client, paginate
from entra_aws.config.models import MANAGED_TAG_KEY, PermissionSetSpec
from entra_aws.engine.model import (
    AccessControlAttributes,
    Boundary,
    PermissionSetContent,
    PrincipalType,
    access_control_attributes,
    canonical_policy,
)
from entra_aws.engine.ports import ApiError, RequestOutcome, StatusKind

_STATUS_CALLS = {
    "creation": ("list_account_assignment_creation_status", "AccountAssignmentsCreationStatus"),
    "deletion": ("list_account_assignment_deletion_status", "AccountAssignmentsDeletionStatus"),
    "provisioning": ("list_permission_set_provisioning_status", "PermissionSetsProvisioningStatus"),
}
_DESCRIBE_CALLS = {  # kind -> (operation, request id parameter, response key)
    "creation": (
        "describe_account_assignment_creation_status",
        "AccountAssignmentCreationRequestId",
        "AccountAssignmentCreationStatus",
    ),
    "deletion": (
        "describe_account_assignment_deletion_status",
        "AccountAssignmentDeletionRequestId",
        "AccountAssignmentDeletionStatus",
    ),
    "provisioning": (
        "describe_permission_set_provisioning_status",
        "ProvisionPermissionSetRequestId",
        "PermissionSetProvisioningStatus",
    ),
}


def _outcome(status: dict[str, Any]) -> RequestOutcome:
    """The failure reason only for FAILED, "failed" when AWS gives none."""
    state = str(status["Status"])
    reason = str(status.get("FailureReason") or "failed") if state == "FAILED" else ""
    return RequestOutcome(str(status.get("RequestId", "")), state, reason, str(status.get("AccountId") or ""))


def _abac(attributes: AccessControlAttributes) -> dict[str, Any]:
    """InstanceAccessControlAttributeConfiguration: each attribute's Value.Source is a list of one string."""
    return {"AccessControlAttributes": [{"Key": key, "Value": {"Source": [source]}} for key, source in attributes]}


@dataclass(frozen=True)
class Instance:
    """The organization's Identity Center instance."""

    arn: str
    identity_store_id: str


def discover_instance(client: Any) -> Instance:
    instances = paginate(api_client(client), "list_instances", "Instances")
    if not instances:
        raise LookupError("no IAM Identity Center instance found; enable Identity Center or set instance_arn")
    if len(instances) > 1:
        raise LookupError("several Identity Center instances found; set identity_center.instance_arn")
    return Instance(str(instances[0]["InstanceArn"]), str(instances[0]["IdentityStoreId"]))


class IdentityCenterAdmin:
    def __init__(self, client: Any, instance_arn: str) -> None:
        self._client = api_client(client)
        self.instance_arn = instance_arn

    def _pages(self, operation: str, key: str, **kwargs: Any) -> list[Any]:
        return paginate(self._client, operation, key, InstanceArn=self.instance_arn, **kwargs)

    # -- reads ---------------------------------------------------------------------------------------------

    def permission_set_arns(self) -> list[str]:
        return [str(arn) for arn in self._pages("list_permission_sets", "PermissionSets")]

    def tags(self, arn: str) -> dict[str, str]:
        return {t["Key"]: t.get("Value", "") for t in self._pages("list_tags_for_resource", "Tags", ResourceArn=arn)}

    def describe(self, arn: str) -> dict[str, Any]:
        response = self._client.describe_permission_set(InstanceArn=self.instance_arn, PermissionSetArn=arn)
        return dict(response["PermissionSet"])

    def name_of(self, arn: str) -> str | None:
        """The permission set's name, or None when it no longer exists."""
        try:
            return str(self.describe(arn)["Name"])
        except ApiError as error:
            if error.code == "ResourceNotFoundException":
                return None
            raise

    @classmethod
    def for_permission_set(cls, client: Any, arn: str) -> IdentityCenterAdmin:
        """The adapter for the instance a permission set ARN names: arn:P:sso:::permissionSet/INSTANCE/ps-..."""
        partition, instance = arn.split(":")[1], arn.split("/")[1]
        return cls(client, f"arn:{partition}:sso:::instance/{instance}")

    def content(self, arn: str, described: dict[str, Any], tags: dict[str, str]) -> PermissionSetContent:
        managed = self._pages(
            "list_managed_policies_in_permission_set", "AttachedManagedPolicies", PermissionSetArn=arn
        )
        customer = self._pages(
            "list_customer_managed_policy_references_in_permission_set",
            "CustomerManagedPolicyReferences",
            PermissionSetArn=arn,
        )
        inline = self._client.get_inline_policy_for_permission_set(InstanceArn=self.instance_arn, PermissionSetArn=arn)
        return PermissionSetContent(
            description=described.get("Description") or None,
            session_duration=described.get("SessionDuration", "PT1H"),
            relay_state=described.get("RelayState") or None,
            managed_policies=frozenset(p["Arn"] for p in managed),
            customer_managed_policies=frozenset((c["Name"], c.get("Path", "/")) for c in customer),
            inline_policy=canonical_policy(inline.get("InlinePolicy")),
            permissions_boundary=self._boundary(arn),
            tags=tuple(sorted((k, v) for k, v in tags.items() if k != MANAGED_TAG_KEY)),
        )

    def _boundary(self, arn: str) -> Boundary | None:
        try:
            response = self._client.get_permissions_boundary_for_permission_set(
                InstanceArn=self.instance_arn, PermissionSetArn=arn
            )
        except ApiError as error:
            if error.code == "ResourceNotFoundException":
                return None
            raise
        return Boundary.from_api(response["PermissionsBoundary"])

    def assignments_for_principal(self, principal_type: PrincipalType, principal_id: str) -> list[tuple[str, str]]:
        """(account id, permission set ARN) pairs the principal holds."""
        items = self._pages(
            "list_account_assignments_for_principal",
            "AccountAssignments",
            PrincipalType=principal_type,
            PrincipalId=principal_id,
        )
        return [(i["AccountId"], i["PermissionSetArn"]) for i in items]

    def assignments(self, account_id: str, arn: str) -> list[tuple[PrincipalType, str]]:
        items = self._pages(
            "list_account_assignments",
            "AccountAssignments",
            AccountId=account_id,
            PermissionSetArn=arn,
        )
        return [(i["PrincipalType"], i["PrincipalId"]) for i in items]

    def provisioned_to_account(self, account_id: str) -> list[str]:
        return [
            str(a)
            for a in self._pages("list_permission_sets_provisioned_to_account", "PermissionSets", AccountId=account_id)
        ]

    def accounts_for_permission_set(self, arn: str) -> list[str]:
        return [
            str(a)
            for a in self._pages("list_accounts_for_provisioned_permission_set", "AccountIds", PermissionSetArn=arn)
        ]

    def lagging_accounts(self, arn: str) -> list[str]:
        items = self._pages(
            "list_accounts_for_provisioned_permission_set",
            "AccountIds",
            PermissionSetArn=arn,
            ProvisioningStatus="LATEST_PERMISSION_SET_NOT_PROVISIONED",
        )
        return [str(a) for a in items]

    def access_control_attributes(self) -> AccessControlAttributes | None:
        """DescribeInstanceAccessControlAttributeConfiguration; an instance without one answers
        ResourceNotFoundException."""
        try:
            response = self._client.describe_instance_access_control_attribute_configuration(
                InstanceArn=self.instance_arn
            )
        except ApiError as error:
            if error.code == "ResourceNotFoundException":
                return None
            raise
        configured = response.get("InstanceAccessControlAttributeConfiguration") or {}
        return access_control_attributes(
            {a["Key"]: a["Value"]["Source"][0] for a in configured.get("AccessControlAttributes", [])}
        )

    # -- permission-set writes (synchronous) ----------------------------------------------------------------

    def create_permission_set(self, spec: PermissionSetSpec) -> str:
        tags = [{"Key": MANAGED_TAG_KEY, "Value": "true"}] + [{"Key": k, "Value": v} for k, v in spec.tags.items()]
        kwargs: dict[str, Any] = {
            "InstanceArn": self.instance_arn,
            "Name": spec.name,
            "SessionDuration": spec.session_duration,
            "Tags": tags,
        }
        if spec.description:
            kwargs["Description"] = spec.description
        if spec.relay_state:
            kwargs["RelayState"] = spec.relay_state
        return str(self._client.create_permission_set(**kwargs)["PermissionSet"]["PermissionSetArn"])

    def update_permission_set(
        self, arn: str, description: str | None, session_duration: str, relay_state: str | None
    ) -> None:
        kwargs: dict[str, Any] = {
            "InstanceArn": self.instance_arn,
            "PermissionSetArn": arn,
            "SessionDuration": session_duration,
        }
        if description:
            kwargs["Description"] = description
        if relay_state:
            kwargs["RelayState"] = relay_state
        self._client.update_permission_set(**kwargs)

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        self._client.tag_resource(
            InstanceArn=self.instance_arn,
            ResourceArn=arn,
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )

    def untag(self, arn: str, keys: list[str]) -> None:
        self._client.untag_resource(InstanceArn=self.instance_arn, ResourceArn=arn, TagKeys=keys)

    def attach_managed_policy(self, arn: str, policy_arn: str) -> None:
        self._client.attach_managed_policy_to_permission_set(
            InstanceArn=self.instance_arn, PermissionSetArn=arn, ManagedPolicyArn=policy_arn
        )

    def detach_managed_policy(self, arn: str, policy_arn: str) -> None:
        self._client.detach_managed_policy_from_permission_set(
            InstanceArn=self.instance_arn, PermissionSetArn=arn, ManagedPolicyArn=policy_arn
        )

    def attach_customer_managed_policy(self, arn: str, name: str, path: str) -> None:
        self._client.attach_customer_managed_policy_reference_to_permission_set(
            InstanceArn=self.instance_arn,
            PermissionSetArn=arn,
            CustomerManagedPolicyReference={"Name": name, "Path": path},
        )

    def detach_customer_managed_policy(self, arn: str, name: str, path: str) -> None:
        self._client.detach_customer_managed_policy_reference_from_permission_set(
            InstanceArn=self.instance_arn,
            PermissionSetArn=arn,
            CustomerManagedPolicyReference={"Name": name, "Path": path},
        )

    def put_inline_policy(self, arn: str, document: str) -> None:
        self._client.put_inline_policy_to_permission_set(
            InstanceArn=self.instance_arn, PermissionSetArn=arn, InlinePolicy=document
        )

    def delete_inline_policy(self, arn: str) -> None:
        self._client.delete_inline_policy_from_permission_set(InstanceArn=self.instance_arn, PermissionSetArn=arn)

    def put_permissions_boundary(self, arn: str, boundary: Boundary) -> None:
        self._client.put_permissions_boundary_to_permission_set(
            InstanceArn=self.instance_arn, PermissionSetArn=arn, PermissionsBoundary=boundary.to_api()
        )

    def delete_permissions_boundary(self, arn: str) -> None:
        self._client.delete_permissions_boundary_from_permission_set(
            InstanceArn=self.instance_arn, PermissionSetArn=arn
        )

    def delete_permission_set(self, arn: str) -> None:
        self._client.delete_permission_set(InstanceArn=self.instance_arn, PermissionSetArn=arn)

    # -- the instance's ABAC attributes (synchronous) -------------------------------------------------------

    def create_access_control_attributes(self, attributes: AccessControlAttributes) -> None:
        self._client.create_instance_access_control_attribute_configuration(
            InstanceArn=self.instance_arn, InstanceAccessControlAttributeConfiguration=_abac(attributes)
        )

    def update_access_control_attributes(self, attributes: AccessControlAttributes) -> None:
        self._client.update_instance_access_control_attribute_configuration(
            InstanceArn=self.instance_arn, InstanceAccessControlAttributeConfiguration=_abac(attributes)
        )

    def delete_access_control_attributes(self) -> None:
        self._client.delete_instance_access_control_attribute_configuration(InstanceArn=self.instance_arn)

    # -- asynchronous operations ----------------------------------------------------------------------------

    def provision(self, arn: str, account_id: str | None = None) -> RequestOutcome:
        one = {"TargetType": "AWS_ACCOUNT", "TargetId": account_id}
        target = one if account_id else {"TargetType": "ALL_PROVISIONED_ACCOUNTS"}
        response = self._client.provision_permission_set(InstanceArn=self.instance_arn, PermissionSetArn=arn, **target)
        return _outcome(response["PermissionSetProvisioningStatus"])

    def create_assignment(
        self, account_id: str, arn: str, principal_type: PrincipalType, principal_id: str
    ) -> RequestOutcome:
        return self._assignment_call("create_account_assignment", account_id, arn, principal_type, principal_id)

    def delete_assignment(
        self, account_id: str, arn: str, principal_type: PrincipalType, principal_id: str
    ) -> RequestOutcome:
        return self._assignment_call("delete_account_assignment", account_id, arn, principal_type, principal_id)

    def _assignment_call(
        self, operation: str, account_id: str, arn: str, principal_type: PrincipalType, principal_id: str
    ) -> RequestOutcome:
        """An asynchronous create/delete, as submitted."""
        response = getattr(self._client, operation)(
            InstanceArn=self.instance_arn,
            TargetId=account_id,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=arn,
            PrincipalType=principal_type,
            PrincipalId=principal_id,
        )
        key = "AccountAssignmentCreationStatus" if operation.startswith("create") else "AccountAssignmentDeletionStatus"
        return _outcome(response[key])

    def request_ids(self, kind: StatusKind, status: str) -> set[str]:
        """Request ids in one status, from one batched listing (not one Describe per request)."""
        operation, key = _STATUS_CALLS[kind]
        return {s["RequestId"] for s in self._pages(operation, key, Filter={"Status": status})}

    def request_status(self, kind: StatusKind, request_id: str) -> RequestOutcome:
        """One request's status: one Describe call."""
        operation, parameter, key = _DESCRIBE_CALLS[kind]
        response = getattr(self._client, operation)(InstanceArn=self.instance_arn, **{parameter: request_id})
        return _outcome(response[key])
