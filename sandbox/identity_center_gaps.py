"""Fill the Identity Center (sso-admin) APIs that moto does not implement, inside the moto server process.

moto 5.2 lacks: TagResource / UntagResource / ListTagsForResource, Put/Get/DeletePermissionsBoundary,
ListAccountAssignmentCreationStatus / ...DeletionStatus, ListPermissionSetProvisioningStatus /
DescribePermissionSetProvisioningStatus, and it provisions permission sets to the whole instance instead of to
accounts (it ignores AccountId). Real Identity Center provisions a permission set to an account when the first
assignment there is created; this module records that, so ListPermissionSetsProvisionedToAccount and
ListAccountsForProvisionedPermissionSet answer per account as AWS does. moto also refuses AWS-managed policy ARNs
with a path (job-function/...); those are accepted here. Its permission-set ARNs read
`arn:aws:sso:::instance/ssoins-…/ps-…`; AWS's read `arn:aws:sso:::permissionSet/ssoins-…/ps-…` (code that
parses them, like the drift router, must see the real shape). In the identity store it lacks UpdateGroup (SCIM and
the console rename groups), added here for displayName and description, and groups' ExternalIds (what Entra's SCIM
connector sets: the Entra object id), added to CreateGroup and DescribeGroup.

Responses follow the botocore service model exactly (boto3 parses them with it). Operations complete at once
(moto has no asynchronous work), so every status is SUCCEEDED and no request stays IN_PROGRESS.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

_INSTALLED = False


def _state(backend: Any) -> dict[str, Any]:
    if not hasattr(backend, "_entra_aws_gaps"):
        backend._entra_aws_gaps = {
            "boundaries": {},  # permission set arn -> boundary dict
            "provisioned": {},  # permission set arn -> set of account ids
            "creation": [],  # status dicts
            "deletion": [],
            "provisioning": [],
        }
    state: dict[str, Any] = backend._entra_aws_gaps
    return state


def _now() -> float:
    from moto.core.utils import unix_time

    return float(unix_time())


def _find_permission_set(backend: Any, arn: str) -> Any:
    from moto.ssoadmin.exceptions import ResourceNotFoundException

    for ps in backend.permission_sets:
        if ps.permission_set_arn == arn:
            return ps
    raise ResourceNotFoundException(f"Could not find PermissionSet with id {arn.rsplit('/', 1)[-1]}")


def _status_filter(statuses: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = (params.get("Filter") or {}).get("Status")
    return [s for s in statuses if wanted is None or s["Status"] == wanted]


# --- responses (run inside moto's request handler; self is an SSOAdminResponse) ---------------------------


def tag_resource(self: Any) -> str:
    params = json.loads(self.body)
    ps = _find_permission_set(self.ssoadmin_backend, params["ResourceArn"])
    tags = {t["Key"]: t.get("Value", "") for t in ps.tags or []}
    tags.update({t["Key"]: t.get("Value", "") for t in params.get("Tags", [])})
    ps.tags = [{"Key": k, "Value": v} for k, v in tags.items()]
    return "{}"


def untag_resource(self: Any) -> str:
    params = json.loads(self.body)
    ps = _find_permission_set(self.ssoadmin_backend, params["ResourceArn"])
    drop = set(params.get("TagKeys", []))
    ps.tags = [t for t in ps.tags or [] if t["Key"] not in drop]
    return "{}"


def list_tags_for_resource(self: Any) -> str:
    params = json.loads(self.body)
    ps = _find_permission_set(self.ssoadmin_backend, params["ResourceArn"])
    return json.dumps({"Tags": list(ps.tags or [])})


def put_permissions_boundary_to_permission_set(self: Any) -> str:
    params = json.loads(self.body)
    _find_permission_set(self.ssoadmin_backend, params["PermissionSetArn"])
    _state(self.ssoadmin_backend)["boundaries"][params["PermissionSetArn"]] = params["PermissionsBoundary"]
    return "{}"


def get_permissions_boundary_for_permission_set(self: Any) -> str:
    from moto.ssoadmin.exceptions import ResourceNotFoundException

    params = json.loads(self.body)
    _find_permission_set(self.ssoadmin_backend, params["PermissionSetArn"])
    boundary = _state(self.ssoadmin_backend)["boundaries"].get(params["PermissionSetArn"])
    if boundary is None:
        raise ResourceNotFoundException("Permissions boundary not found for the permission set")
    return json.dumps({"PermissionsBoundary": boundary})


def delete_permissions_boundary_from_permission_set(self: Any) -> str:
    params = json.loads(self.body)
    _state(self.ssoadmin_backend)["boundaries"].pop(params["PermissionSetArn"], None)
    return "{}"


def list_account_assignment_creation_status(self: Any) -> str:
    statuses = _status_filter(_state(self.ssoadmin_backend)["creation"], json.loads(self.body))
    return json.dumps({"AccountAssignmentsCreationStatus": statuses})


def list_account_assignment_deletion_status(self: Any) -> str:
    statuses = _status_filter(_state(self.ssoadmin_backend)["deletion"], json.loads(self.body))
    return json.dumps({"AccountAssignmentsDeletionStatus": statuses})


def list_permission_set_provisioning_status(self: Any) -> str:
    statuses = _status_filter(_state(self.ssoadmin_backend)["provisioning"], json.loads(self.body))
    return json.dumps({"PermissionSetsProvisioningStatus": statuses})


def describe_permission_set_provisioning_status(self: Any) -> str:
    params = json.loads(self.body)
    for status in _state(self.ssoadmin_backend)["provisioning"]:
        if status["RequestId"] == params["ProvisionPermissionSetRequestId"]:
            return json.dumps({"PermissionSetProvisioningStatus": status})
    from moto.ssoadmin.exceptions import ResourceNotFoundException

    raise ResourceNotFoundException("Provisioning request not found")


def _record(self: Any, kind: str, response: str, key: str) -> str:
    body = json.loads(response)
    status = body[key]
    _state(self.ssoadmin_backend)[kind].append(
        {"RequestId": status["RequestId"], "Status": status["Status"], "CreatedDate": _now()}
    )
    return response


def _page(params: dict[str, Any], key: str, items: list[str]) -> str:
    """One page at the request's MaxResults (default 100), NextToken an offset, as the listings page in AWS."""
    start = int(params.get("NextToken") or 0)
    size = int(params.get("MaxResults") or 100)
    page: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        page["NextToken"] = str(start + size)
    return json.dumps(page)


def _wrap_create_assignment(original: Any) -> Any:
    def create_account_assignment(self: Any) -> str:
        params = json.loads(self.body)
        _find_permission_set(self.ssoadmin_backend, params["PermissionSetArn"])  # moto accepts any ARN
        response = original(self)
        provisioned = _state(self.ssoadmin_backend)["provisioned"]
        provisioned.setdefault(params["PermissionSetArn"], set()).add(params["TargetId"])
        return _record(self, "creation", response, "AccountAssignmentCreationStatus")

    return create_account_assignment


def _wrap_delete_assignment(original: Any) -> Any:
    def delete_account_assignment(self: Any) -> str:
        return _record(self, "deletion", original(self), "AccountAssignmentDeletionStatus")

    return delete_account_assignment


def provision_permission_set(self: Any) -> str:
    params = json.loads(self.body)
    _find_permission_set(self.ssoadmin_backend, params["PermissionSetArn"])
    provisioned = _state(self.ssoadmin_backend)["provisioned"].setdefault(params["PermissionSetArn"], set())
    if params.get("TargetType") == "AWS_ACCOUNT" and params.get("TargetId"):
        provisioned.add(params["TargetId"])
    status = {
        "RequestId": str(uuid4()),
        "Status": "SUCCEEDED",
        "PermissionSetArn": params["PermissionSetArn"],
        "CreatedDate": _now(),
    }
    _state(self.ssoadmin_backend)["provisioning"].append(status)
    return json.dumps({"PermissionSetProvisioningStatus": status})


def list_permission_sets_provisioned_to_account(self: Any) -> str:
    params = json.loads(self.body)
    provisioned = _state(self.ssoadmin_backend)["provisioned"]
    arns = sorted(arn for arn, accounts in provisioned.items() if params["AccountId"] in accounts)
    return _page(params, "PermissionSets", arns)


def list_accounts_for_provisioned_permission_set(self: Any) -> str:
    params = json.loads(self.body)
    _find_permission_set(self.ssoadmin_backend, params["PermissionSetArn"])
    accounts = _state(self.ssoadmin_backend)["provisioned"].get(params["PermissionSetArn"], set())
    return _page(params, "AccountIds", sorted(accounts))


def _wrap_delete_permission_set(original: Any) -> Any:
    def delete_permission_set(self: Any) -> str:
        response = original(self)
        params = json.loads(self.body)
        state = _state(self.ssoadmin_backend)
        state["provisioned"].pop(params["PermissionSetArn"], None)
        state["boundaries"].pop(params["PermissionSetArn"], None)
        return str(response)

    return delete_permission_set


def _find_managed_policy(self: Any, managed_policy_arn: str) -> Any:
    """moto's copy of the AWS-managed policies has no paths, so it refuses real ARNs such as
    arn:aws:iam::aws:policy/job-function/ViewOnlyAccess; accept any path for a policy name it knows."""
    from moto.ssoadmin.exceptions import ResourceNotFoundException
    from moto.ssoadmin.models import ManagedPolicy

    if self.aws_managed_policies is None:
        from moto.iam.aws_managed_policies import aws_managed_policies_data

        self.aws_managed_policies = json.loads(aws_managed_policies_data)
    name = managed_policy_arn.rsplit("/", 1)[-1]
    if name in self.aws_managed_policies and ":iam::aws:policy/" in managed_policy_arn:
        return ManagedPolicy(managed_policy_arn, name)
    raise ResourceNotFoundException(f"Policy does not exist with ARN: {managed_policy_arn}")


def update_group(self: Any) -> str:
    """identitystore UpdateGroup: AttributePath displayName or description (what renames need)."""
    from moto.identitystore.exceptions import ValidationException

    backend = self.identitystore_backend
    group = backend.describe_group(self._get_param("IdentityStoreId"), self._get_param("GroupId"))
    store = backend.identity_stores[group.IdentityStoreId]
    fields = {"displayName": "DisplayName", "description": "Description"}
    changes = {}
    for operation in self._get_param("Operations") or []:
        path = operation.get("AttributePath")
        if path not in fields:
            raise ValidationException(message=f"Unsupported attribute path {path}")
        changes[fields[path]] = operation.get("AttributeValue")
    store.groups[group.GroupId] = store.groups[group.GroupId]._replace(**changes)
    return "{}"


SANDBOX_EXTERNAL_ID = "sandbox:external-id="
"""CreateGroup Description prefix the emulator honours to give a group a chosen Entra object id (SCIM sets it)."""

SCIM_ISSUER = "https://scim.amazonaws.com/sandbox"
"""The Issuer of the external ids the emulator gives groups (Identity Center's SCIM endpoint sets its own)."""


def create_group(self: Any) -> str:
    """identitystore CreateGroup as Entra's SCIM connector creates groups: with `ExternalIds: [{Issuer, Id}]`
    (the public API cannot set them). A Description `sandbox:external-id=<id>` chooses the Id (empty: a group
    made in Identity Center, with none); any other Description gets a new one, as every sandbox group stands for
    an Entra group."""
    description = self._get_param("Description") or ""
    chosen = description.removeprefix(SANDBOX_EXTERNAL_ID) if description.startswith(SANDBOX_EXTERNAL_ID) else None
    backend = self.identitystore_backend
    group_id, store_id = backend.create_group(
        identity_store_id=self._get_param("IdentityStoreId"),
        display_name=self._get_param("DisplayName"),
        description=None if chosen is not None else description or None,
    )
    external = str(uuid4()) if chosen is None else chosen
    store = backend.identity_stores[store_id]
    external_ids = [{"Issuer": SCIM_ISSUER, "Id": external}] if external else []
    store.groups[group_id] = store.groups[group_id]._replace(ExternalIds=external_ids)
    return json.dumps({"GroupId": group_id, "IdentityStoreId": store_id})


def describe_group(self: Any) -> str:
    """identitystore DescribeGroup with the group's ExternalIds (moto answers an empty list)."""
    store = self.identitystore_backend.identity_stores.get(self._get_param("IdentityStoreId"))
    group = store.groups.get(self._get_param("GroupId")) if store else None
    if group is None:
        from moto.identitystore.exceptions import ResourceNotFoundException

        raise ResourceNotFoundException(message="GROUP not found.", resource_type="GROUP")
    found = {k: v for k, v in group._asdict().items() if v is not None}
    return json.dumps(found)


def _permission_set_arn(instance_arn: str) -> str:
    return instance_arn.replace(":instance/", ":permissionSet/", 1) + "/ps-" + uuid4().hex[:16]


def install() -> None:
    """Patch moto's sso-admin handlers in this process (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.ssoadmin.responses import SSOAdminResponse

    cls: Any = SSOAdminResponse
    for handler in (
        tag_resource,
        untag_resource,
        list_tags_for_resource,
        put_permissions_boundary_to_permission_set,
        get_permissions_boundary_for_permission_set,
        delete_permissions_boundary_from_permission_set,
        list_account_assignment_creation_status,
        list_account_assignment_deletion_status,
        list_permission_set_provisioning_status,
        describe_permission_set_provisioning_status,
        provision_permission_set,
        list_permission_sets_provisioned_to_account,
        list_accounts_for_provisioned_permission_set,
    ):
        setattr(cls, handler.__name__, handler)
    cls.create_account_assignment = _wrap_create_assignment(cls.create_account_assignment)
    cls.delete_account_assignment = _wrap_delete_assignment(cls.delete_account_assignment)
    cls.delete_permission_set = _wrap_delete_permission_set(cls.delete_permission_set)
    from moto.identitystore.responses import IdentityStoreResponse

    IdentityStoreResponse.update_group = update_group  # type: ignore[attr-defined]
    IdentityStoreResponse.create_group = create_group  # type: ignore[method-assign]
    IdentityStoreResponse.describe_group = describe_group  # type: ignore[method-assign]
    from moto.ssoadmin.models import PermissionSet, SSOAdminBackend

    PermissionSet.generate_id = staticmethod(_permission_set_arn)  # type: ignore[method-assign]

    SSOAdminBackend._find_managed_policy = _find_managed_policy  # type: ignore[method-assign]
    _INSTALLED = True
