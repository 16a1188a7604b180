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
It lacks the instance access-control attribute (ABAC) configuration APIs too, filled below.

Responses follow the botocore service model exactly (boto3 parses them with it). The emulator also fails where AWS
fails: duplicate names and deleting a set in use conflict, provisioning to a suspended account (or, when switched
on, one lacking a customer-managed policy or boundary in its IAM) ends FAILED with a reason, the last assignment
of a set on an account deprovisions it, a change to a set leaves every account it is provisioned to on the old
version until a provisioning there succeeds (the ProvisioningStatus filters of the two provisioned listings),
status listings page at 100, a wrong identity store id is IDENTITY_STORE not found. Operations complete at once
unless sandbox/faults.py's asynchronous mode keeps them IN_PROGRESS, in which the quotas apply. Sources:
docs/scenarios.md, "Fidelity".
"""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

from sandbox import faults

_INSTALLED = False


def _state(backend: Any) -> dict[str, Any]:
    if not hasattr(backend, "_entra_aws_gaps"):
        backend._entra_aws_gaps = {
            "boundaries": {},  # permission set arn -> boundary dict
            "provisioned": {},  # permission set arn -> set of account ids
            "lagging": {},  # permission set arn -> provisioned accounts whose role lags the set's latest version
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
    return _status_listing(self, "creation", "AccountAssignmentsCreationStatus")


def list_account_assignment_deletion_status(self: Any) -> str:
    return _status_listing(self, "deletion", "AccountAssignmentsDeletionStatus")


def list_permission_set_provisioning_status(self: Any) -> str:
    return _status_listing(self, "provisioning", "PermissionSetsProvisioningStatus")


def describe_account_assignment_creation_status(self: Any) -> str:
    found = _described(self, "creation", "AccountAssignmentCreationRequestId")
    return json.dumps({"AccountAssignmentCreationStatus": found})


def describe_account_assignment_deletion_status(self: Any) -> str:
    found = _described(self, "deletion", "AccountAssignmentDeletionRequestId")
    return json.dumps({"AccountAssignmentDeletionStatus": found})


def describe_permission_set_provisioning_status(self: Any) -> str:
    found = _described(self, "provisioning", "ProvisionPermissionSetRequestId")
    return json.dumps({"PermissionSetProvisioningStatus": found})


def _described(self: Any, kind: str, id_param: str) -> dict[str, Any]:
    request_id = json.loads(self.body)[id_param]
    for record in _state(self.ssoadmin_backend)[kind]:
        if record["RequestId"] == request_id:
            return _read(record)
    from moto.ssoadmin.exceptions import ResourceNotFoundException

    raise ResourceNotFoundException(f"Request {request_id} not found")


def _status_listing(self: Any, kind: str, key: str) -> str:
    """List*Status: Filter.Status, then one page of at most 100 (MaxResults) with an offset NextToken. Each
    status on the page counts as one read of it (asynchronous mode)."""
    params = json.loads(self.body)
    wanted = (params.get("Filter") or {}).get("Status")
    matching = [r for r in _state(self.ssoadmin_backend)[kind] if wanted is None or r["Status"] == wanted]
    start = int(params.get("NextToken") or 0)
    size = min(int(params.get("MaxResults") or STATUS_PAGE), STATUS_PAGE)
    page: dict[str, Any] = {key: [_summary(_read(r)) for r in matching[start : start + size]]}
    if start + size < len(matching):
        page["NextToken"] = str(start + size)
    return json.dumps(page)


STATUS_PAGE = 100
"""List*Status MaxResults: 1 to 100 (botocore sso-admin model, MaxResults)."""

_SUMMARY_KEYS = ("RequestId", "Status", "CreatedDate")


def _summary(status: dict[str, Any]) -> dict[str, Any]:
    """AccountAssignmentOperationStatusMetadata / PermissionSetProvisioningStatusMetadata: three fields."""
    return {k: status[k] for k in _SUMMARY_KEYS}


def _read(record: dict[str, Any]) -> dict[str, Any]:
    """The public status; in asynchronous mode IN_PROGRESS until it has been read `status_reads` times."""
    public = {k: v for k, v in record.items() if not k.startswith("_")}
    if record["_reads"] > 0:
        record["_reads"] -= 1
    if record["_reads"] == 0 and record["Status"] == "IN_PROGRESS":
        record["Status"] = record["_final"]
        if record.get("_reason"):
            record["FailureReason"] = record["_reason"]
    return public


def _record(self: Any, kind: str, status: dict[str, Any], accounts: list[str], reason: str = "") -> dict[str, Any]:
    """Keep a request's status: IN_PROGRESS in the response (as AWS answers), final at once or, in
    asynchronous mode, after `status_reads` reads."""
    reads = faults.current().status_reads
    record = {
        **status,
        "RequestId": status.get("RequestId") or str(uuid4()),
        "Status": "IN_PROGRESS" if reads else ("FAILED" if reason else "SUCCEEDED"),
        "CreatedDate": _now(),
        "_final": "FAILED" if reason else "SUCCEEDED",
        "_reason": reason,
        "_reads": reads,
        "_accounts": accounts,
    }
    if reason and not reads:
        record["FailureReason"] = reason
    _state(self.ssoadmin_backend)[kind].append(record)
    response = {k: v for k, v in record.items() if not k.startswith("_")}
    return {**response, "Status": "IN_PROGRESS"} if reads else response


def _page(params: dict[str, Any], key: str, items: list[str]) -> str:
    """One page at the request's MaxResults (default 100), NextToken an offset, as the listings page in AWS."""
    start = int(params.get("NextToken") or 0)
    size = int(params.get("MaxResults") or 100)
    page: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        page["NextToken"] = str(start + size)
    return json.dumps(page)


# --- what provisioning needs, and the quotas (asynchronous mode) ------------------------------------------

MAX_OUTSTANDING_CREATIONS = 15
"""CreateAccountAssignment: 15 outstanding asynchronous calls, not increasable (docs/facts.md, Quotas)."""
MAX_CONCURRENT_PROVISIONING = 3
"""ProvisionPermissionSet: 3 concurrent calls (docs/facts.md, Quotas)."""
TOO_MANY = "There are too many requests processing. Please try again later."
"""The ThrottlingException message peers report from CreateAccountAssignment under load
(aws-samples/aws-iam-identity-center-extensions#87)."""


def _in_progress(self: Any, kind: str) -> list[dict[str, Any]]:
    return [r for r in _state(self.ssoadmin_backend)[kind] if r["Status"] == "IN_PROGRESS"]


def _account_busy(self: Any, account: str) -> bool:
    kinds = ("creation", "deletion", "provisioning")
    return any(account in r["_accounts"] for kind in kinds for r in _in_progress(self, kind))


def _refuse_beyond_quota(self: Any, kind: str, limit: int) -> None:
    """Only in asynchronous mode (synchronous requests are never outstanding)."""
    from moto.core.exceptions import JsonRESTError

    if len(_in_progress(self, kind)) >= limit:
        raise JsonRESTError("ThrottlingException", TOO_MANY)


def _refuse_busy_account(self: Any, account: str) -> None:
    """One IAM role per account updated at a time (asynchronous mode)."""
    from moto.ssoadmin.exceptions import ConflictException

    if _account_busy(self, account):
        raise ConflictException(f"An operation on account {account} is in progress: one role update at a time.")


def _policy_arn(account: str, reference: dict[str, str]) -> str:
    return f"arn:aws:iam::{account}:policy{reference.get('Path') or '/'}{reference['Name']}"


def _missing_policies(self: Any, ps: Any, account: str) -> list[str]:
    """The customer-managed policies and boundary of `ps` that the account's IAM lacks (moto keeps IAM per
    account)."""
    if not faults.current().account_iam:
        return []
    from moto.iam.models import iam_backends

    references = [{"Name": p.name, "Path": p.path} for p in ps.customer_managed_policies]
    boundary = _state(self.ssoadmin_backend)["boundaries"].get(ps.permission_set_arn) or {}
    if "CustomerManagedPolicyReference" in boundary:
        references.append(boundary["CustomerManagedPolicyReference"])
    existing = iam_backends[account][self.ssoadmin_backend.partition].managed_policies
    return [arn for arn in (_policy_arn(account, r) for r in references) if arn not in existing]


def _account_state(self: Any, account: str) -> str:
    """The organization's State of the account (ACTIVE when it is not in the organization, as tests use
    arbitrary account ids)."""
    from moto.organizations.models import organizations_backends

    organization = organizations_backends[self.ssoadmin_backend.account_id][self.ssoadmin_backend.partition]
    for member in getattr(organization, "accounts", []):
        if member.id == account:
            return str(member.state)
    return "ACTIVE"


def _provisioning_failure(self: Any, ps: Any, account: str) -> str:
    """Why provisioning `ps` to `account` fails, or "" (sources: docs/scenarios.md, Fidelity)."""
    state = _account_state(self, account)
    if state != "ACTIVE":
        return f"Received a 400 status error: Account {account} is {state} and cannot be provisioned."
    missing = _missing_policies(self, ps, account)
    if missing:
        return f"Received a 404 status error: Policy {missing[0]} does not exist or is not attachable."
    return ""


def _wrap_create_assignment(original: Any) -> Any:
    def create_account_assignment(self: Any) -> str:
        params = json.loads(self.body)
        ps = _find_permission_set(self.ssoadmin_backend, params["PermissionSetArn"])  # moto accepts any ARN
        account = params["TargetId"]
        if faults.current().status_reads:
            _refuse_beyond_quota(self, "creation", MAX_OUTSTANDING_CREATIONS)
            _refuse_busy_account(self, account)
        provisioned = _state(self.ssoadmin_backend)["provisioned"].setdefault(params["PermissionSetArn"], set())
        reason = "" if account in provisioned else _provisioning_failure(self, ps, account)
        if reason:
            fields = ("TargetId", "TargetType", "PermissionSetArn", "PrincipalType", "PrincipalId")
            status = {k: params[k] for k in fields}
        else:
            status = json.loads(original(self))["AccountAssignmentCreationStatus"]
            provisioned.add(account)
        recorded = _record(self, "creation", status, [account], reason)
        return json.dumps({"AccountAssignmentCreationStatus": recorded})

    return create_account_assignment


def _wrap_delete_assignment(original: Any) -> Any:
    def delete_account_assignment(self: Any) -> str:
        params = json.loads(self.body)
        if faults.current().status_reads:
            _refuse_busy_account(self, params["TargetId"])
        status = json.loads(original(self))["AccountAssignmentDeletionStatus"]
        _deprovision_when_unassigned(self, params["PermissionSetArn"], params["TargetId"])
        recorded = _record(self, "deletion", status, [params["TargetId"]])
        return json.dumps({"AccountAssignmentDeletionStatus": recorded})

    return delete_account_assignment


def _deprovision_when_unassigned(self: Any, permission_set_arn: str, account: str) -> None:
    """The last assignment of a set on an account gone, the set is no longer provisioned there."""
    remaining = [
        a
        for a in self.ssoadmin_backend.account_assignments
        if a.permission_set_arn == permission_set_arn and a.target_id == account
    ]
    if not remaining:
        state = _state(self.ssoadmin_backend)
        state["provisioned"].get(permission_set_arn, set()).discard(account)
        state["lagging"].get(permission_set_arn, set()).discard(account)


def provision_permission_set(self: Any) -> str:
    params = json.loads(self.body)
    ps = _find_permission_set(self.ssoadmin_backend, params["PermissionSetArn"])
    provisioned = _state(self.ssoadmin_backend)["provisioned"].setdefault(params["PermissionSetArn"], set())
    single = params.get("TargetType") == "AWS_ACCOUNT" and params.get("TargetId")
    accounts = [params["TargetId"]] if single else sorted(provisioned)
    if faults.current().status_reads:
        _refuse_beyond_quota(self, "provisioning", MAX_CONCURRENT_PROVISIONING)
        if single:
            _refuse_busy_account(self, params["TargetId"])
    failures = [(account, _provisioning_failure(self, ps, account)) for account in accounts]
    failed = [(account, reason) for account, reason in failures if reason]
    if single and not failed:
        provisioned.add(params["TargetId"])
    lagging = _state(self.ssoadmin_backend)["lagging"].setdefault(params["PermissionSetArn"], set())
    lagging -= {account for account, reason in failures if not reason}
    status: dict[str, Any] = {"PermissionSetArn": params["PermissionSetArn"]}
    if failed:
        status["AccountId"] = failed[0][0]
    elif single:
        status["AccountId"] = params["TargetId"]
    recorded = _record(self, "provisioning", status, accounts, failed[0][1] if failed else "")
    return json.dumps({"PermissionSetProvisioningStatus": recorded})


def list_permission_sets_provisioned_to_account(self: Any) -> str:
    params = json.loads(self.body)
    provisioned = _state(self.ssoadmin_backend)["provisioned"]
    account, status = params["AccountId"], params.get("ProvisioningStatus")
    arns = sorted(arn for arn, accounts in provisioned.items() if account in accounts)
    return _page(params, "PermissionSets", [arn for arn in arns if _matches_status(self, arn, account, status)])


def _matches_status(self: Any, arn: str, account: str, status: str | None) -> bool:
    """Whether `account` matches a ProvisioningStatus filter (None: no filter) for the set `arn`."""
    if status is None:
        return True
    lagging = account in _state(self.ssoadmin_backend)["lagging"].get(arn, set())
    return lagging == (status == "LATEST_PERMISSION_SET_NOT_PROVISIONED")


def list_accounts_for_provisioned_permission_set(self: Any) -> str:
    params = json.loads(self.body)
    arn = params["PermissionSetArn"]
    _find_permission_set(self.ssoadmin_backend, arn)
    accounts = _state(self.ssoadmin_backend)["provisioned"].get(arn, set())
    status = params.get("ProvisioningStatus")
    return _page(params, "AccountIds", sorted(a for a in accounts if _matches_status(self, arn, a, status)))


def _wrap_content_change(original: Any) -> Any:
    """A change to a permission set's content or settings reaches no account's role until it is provisioned:
    every account it is provisioned to lags it (LATEST_PERMISSION_SET_NOT_PROVISIONED) until then
    (CreateAccountAssignment, IAM Identity Center API Reference: "If the permission set is subsequently updated,
    the corresponding IAM policies attached to roles in your accounts will not be updated automatically. In this
    case, you must call ProvisionPermissionSet")."""

    def changed(self: Any) -> str:
        response = original(self)
        arn = json.loads(self.body)["PermissionSetArn"]
        state = _state(self.ssoadmin_backend)
        state["lagging"].setdefault(arn, set()).update(state["provisioned"].get(arn, set()))
        return str(response)

    changed.__name__ = original.__name__
    return changed


CONTENT_CHANGES = (
    "update_permission_set",
    "put_inline_policy_to_permission_set",
    "delete_inline_policy_from_permission_set",
    "attach_managed_policy_to_permission_set",
    "detach_managed_policy_from_permission_set",
    "attach_customer_managed_policy_reference_to_permission_set",
    "detach_customer_managed_policy_reference_from_permission_set",
    "put_permissions_boundary_to_permission_set",
    "delete_permissions_boundary_from_permission_set",
)


def _wrap_create_permission_set(original: Any) -> Any:
    def create_permission_set(self: Any) -> str:
        from moto.ssoadmin.exceptions import ConflictException

        params = json.loads(self.body)
        taken = [
            ps
            for ps in self.ssoadmin_backend.permission_sets
            if ps.name == params["Name"] and ps.instance_arn == params["InstanceArn"]
        ]
        if taken:
            raise ConflictException(f"PermissionSet with name {params['Name']} already exists.")
        return str(original(self))

    return create_permission_set


def _wrap_delete_permission_set(original: Any) -> Any:
    def delete_permission_set(self: Any) -> str:
        from moto.ssoadmin.exceptions import ConflictException

        params = json.loads(self.body)
        state = _state(self.ssoadmin_backend)
        assigned = any(
            a.permission_set_arn == params["PermissionSetArn"] for a in self.ssoadmin_backend.account_assignments
        )
        if assigned or state["provisioned"].get(params["PermissionSetArn"]):
            raise ConflictException("Could not delete because PermissionSet has ApplicationProfile associated with it.")
        response = original(self)
        state["provisioned"].pop(params["PermissionSetArn"], None)
        state["lagging"].pop(params["PermissionSetArn"], None)
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


# --- attribute-based access control (the instance's access-control attribute configuration) ----------------
# CreateInstanceAccessControlAttributeConfiguration, DescribeInstanceAccessControlAttributeConfiguration,
# UpdateInstanceAccessControlAttributeConfiguration, DeleteInstanceAccessControlAttributeConfiguration (IAM Identity
# Center API Reference; botocore sso-admin model): one configuration per instance, its AccessControlAttributes a
# list of at most 50 {Key, Value: {Source: [one string]}}. An instance without one is ResourceNotFoundException to
# Describe and Update; Create over one is ConflictException. The emulator enables it at once (Status ENABLED,
# never CREATION_IN_PROGRESS).


def _abac(self: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The request's parameters, and the configurations by instance ARN."""
    return json.loads(self.body), _state(self.ssoadmin_backend).setdefault("abac", {})


def _abac_not_found(instance_arn: str) -> Exception:
    from moto.ssoadmin.exceptions import ResourceNotFoundException

    return ResourceNotFoundException(f"No access control attribute configuration found for instance {instance_arn}")


def create_instance_access_control_attribute_configuration(self: Any) -> str:
    from moto.ssoadmin.exceptions import ConflictException

    params, configurations = _abac(self)
    if params["InstanceArn"] in configurations:
        raise ConflictException("An access control attribute configuration already exists for the instance.")
    configurations[params["InstanceArn"]] = params["InstanceAccessControlAttributeConfiguration"]
    return "{}"


def describe_instance_access_control_attribute_configuration(self: Any) -> str:
    params, configurations = _abac(self)
    configuration = configurations.get(params["InstanceArn"])
    if configuration is None:
        raise _abac_not_found(params["InstanceArn"])
    return json.dumps({"Status": "ENABLED", "InstanceAccessControlAttributeConfiguration": configuration})


def update_instance_access_control_attribute_configuration(self: Any) -> str:
    params, configurations = _abac(self)
    if params["InstanceArn"] not in configurations:
        raise _abac_not_found(params["InstanceArn"])
    configurations[params["InstanceArn"]] = params["InstanceAccessControlAttributeConfiguration"]
    return "{}"


def delete_instance_access_control_attribute_configuration(self: Any) -> str:
    params, configurations = _abac(self)
    if configurations.pop(params["InstanceArn"], None) is None:
        raise _abac_not_found(params["InstanceArn"])
    return "{}"


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
    store = _identity_store(self.identitystore_backend, self._get_param("IdentityStoreId"))
    group = store.groups.get(self._get_param("GroupId"))
    if group is None:
        from moto.identitystore.exceptions import ResourceNotFoundException

        raise ResourceNotFoundException(message="GROUP not found.", resource_type="GROUP")
    found = {k: v for k, v in group._asdict().items() if v is not None}
    return json.dumps(found)


def _identity_store(backend: Any, store_id: str) -> Any:
    """The identity store of an Identity Center instance; any other id is ResourceNotFoundException with
    ResourceType IDENTITY_STORE (moto makes a new empty store for any id, so a wrong id read as USER/GROUP
    not found: "gone")."""
    from moto.identitystore.exceptions import ResourceNotFoundException
    from moto.ssoadmin.models import ssoadmin_backends

    instances = ssoadmin_backends[backend.account_id][backend.region_name].instances
    if store_id not in {instance.identity_store_id for instance in instances}:
        raise ResourceNotFoundException(message=f"Identity store {store_id} not found.", resource_type="IDENTITY_STORE")
    return backend._entra_aws_original_store(store_id)


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
        describe_account_assignment_creation_status,
        describe_account_assignment_deletion_status,
        provision_permission_set,
        list_permission_sets_provisioned_to_account,
        list_accounts_for_provisioned_permission_set,
        create_instance_access_control_attribute_configuration,
        describe_instance_access_control_attribute_configuration,
        update_instance_access_control_attribute_configuration,
        delete_instance_access_control_attribute_configuration,
    ):
        setattr(cls, handler.__name__, handler)
    for name in CONTENT_CHANGES:
        setattr(cls, name, _wrap_content_change(getattr(cls, name)))
    cls.create_account_assignment = _wrap_create_assignment(cls.create_account_assignment)
    cls.delete_account_assignment = _wrap_delete_assignment(cls.delete_account_assignment)
    cls.create_permission_set = _wrap_create_permission_set(cls.create_permission_set)
    cls.delete_permission_set = _wrap_delete_permission_set(cls.delete_permission_set)
    from moto.identitystore.responses import IdentityStoreResponse

    IdentityStoreResponse.update_group = update_group  # type: ignore[attr-defined]
    IdentityStoreResponse.create_group = create_group  # type: ignore[method-assign]
    IdentityStoreResponse.describe_group = describe_group  # type: ignore[method-assign]
    from moto.identitystore.models import IdentityStoreBackend

    store_backend: Any = IdentityStoreBackend
    store_backend._entra_aws_original_store = store_backend._IdentityStoreBackend__get_identity_store
    store_backend._IdentityStoreBackend__get_identity_store = _identity_store
    from moto.ssoadmin.models import PermissionSet, SSOAdminBackend

    PermissionSet.generate_id = staticmethod(_permission_set_arn)  # type: ignore[method-assign]

    SSOAdminBackend._find_managed_policy = _find_managed_policy  # type: ignore[method-assign]
    faults.install()
    _INSTALLED = True
