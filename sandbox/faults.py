"""Faults the emulator injects on request, so that tests can make it fail where AWS fails.

Inside the moto server process: `install()` adds the endpoint `/moto-api/entra-aws/faults` (POST a JSON
`Faults` to set them, DELETE or moto's own `/moto-api/reset` to clear them) and wraps the sso-admin and
identitystore handlers. From a test: `set_faults(url, Faults(...))` / `clear_faults(url)`, and `in_account` to
make a boto3 client act in another emulated account (moto keeps IAM per account). The sources of each behaviour
are in docs/scenarios.md ("Fidelity").
"""

from __future__ import annotations

import json
import threading
import urllib.request
from dataclasses import asdict, dataclass, field, fields
from typing import Any

FAULTS_PATH = "/moto-api/entra-aws/faults"

IDENTITY_STORE_KMS_ERRORS = {
    "KMS_KEY_NOT_FOUND": "ResourceNotFoundException",
    "KMS_ACCESS_DENIED": "AccessDeniedException",
    "KMS_INVALID_ARN": "ValidationException",
    "KMS_INVALID_KEY_USAGE": "ValidationException",
    "KMS_INVALID_STATE": "ValidationException",
    "KMS_DISABLED": "ValidationException",
}
"""The identitystore model's KMS reasons and the error each belongs to (botocore identitystore service-2)."""

SSO_ADMIN_WRITES = frozenset(
    {
        "CreateAccountAssignment",
        "DeleteAccountAssignment",
        "CreatePermissionSet",
        "UpdatePermissionSet",
        "DeletePermissionSet",
        "ProvisionPermissionSet",
        "PutInlinePolicyToPermissionSet",
        "DeleteInlinePolicyFromPermissionSet",
        "AttachManagedPolicyToPermissionSet",
        "DetachManagedPolicyFromPermissionSet",
        "AttachCustomerManagedPolicyReferenceToPermissionSet",
        "DetachCustomerManagedPolicyReferenceFromPermissionSet",
        "PutPermissionsBoundaryToPermissionSet",
        "DeletePermissionsBoundaryFromPermissionSet",
        "TagResource",
        "UntagResource",
    }
)


@dataclass
class Faults:
    """What the emulator does beyond moto. All off by default: the sandbox's seeded world creates no IAM
    policies in member accounts, and the demo must finish at once."""

    identity_store_kms: str = ""
    """A Reason of IDENTITY_STORE_KMS_ERRORS: every identitystore Describe*/List* call fails with it."""
    throttle_every: int = 0
    """Every Nth sso-admin or identitystore call fails with ThrottlingException."""
    conflicts: int = 0
    """The next K sso-admin writes fail with ConflictException."""
    status_reads: int = 0
    """Asynchronous mode: an assignment or provisioning request stays IN_PROGRESS until its status has been
    read this many times (Describe, or a List* result that holds it); the quotas apply only then."""
    account_iam: bool = False
    """Provisioning needs every customer-managed policy and boundary of the set in the target account's IAM."""


@dataclass
class _Active:
    faults: Faults = field(default_factory=Faults)
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


_active = _Active()


def current() -> Faults:
    return _active.faults


def _set(faults: Faults) -> None:
    with _active.lock:
        _active.faults, _active.calls = faults, 0


# --- in the server ----------------------------------------------------------------------------------------


def _faults_response(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    if request.method == "POST":
        body = json.loads(request.get_data() or b"{}")
        known = {f.name for f in fields(Faults)}
        unknown = sorted(set(body) - known)
        if unknown:
            return 400, {}, json.dumps({"Error": f"unknown faults {unknown}"})
        reason = body.get("identity_store_kms", "")
        if reason and reason not in IDENTITY_STORE_KMS_ERRORS:
            return 400, {}, json.dumps({"Error": f"identity_store_kms: one of {sorted(IDENTITY_STORE_KMS_ERRORS)}"})
        _set(Faults(**body))
    elif request.method == "DELETE":
        _set(Faults())
    return 200, {}, json.dumps(asdict(current()))


def _error(code: str, message: str, **extra: str) -> tuple[int, dict[str, str], str]:
    body = {"__type": code, "Message": message, **{k: v for k, v in extra.items() if v}}
    return 400, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(body)


def injected(service: str, action: str) -> tuple[int, dict[str, str], str] | None:
    """The error this call gets, if any (counts the call)."""
    faults = current()
    with _active.lock:
        _active.calls += 1
        throttled = faults.throttle_every > 0 and _active.calls % faults.throttle_every == 0
        conflict = service == "sso-admin" and action in SSO_ADMIN_WRITES and faults.conflicts > 0
        if conflict:
            faults.conflicts -= 1
    if throttled:
        return _error("ThrottlingException", "Rate exceeded")
    if conflict:
        return _error("ConflictException", "Operation already in progress. Please try again later.")
    reads = action.startswith(("Describe", "List", "Get"))
    if service == "identitystore" and faults.identity_store_kms and reads:
        reason = faults.identity_store_kms
        code = IDENTITY_STORE_KMS_ERRORS[reason]
        return _error(code, f"The identity store's KMS key cannot be used ({reason}).", Reason=reason)
    return None


def _wrap_call_action(cls: Any, service: str) -> None:
    original = cls.call_action
    if getattr(original, "_entra_aws_faults", False):
        return

    def call_action(self: Any) -> Any:
        return injected(service, self._get_action()) or original(self)

    call_action._entra_aws_faults = True  # type: ignore[attr-defined]
    cls.call_action = call_action


def _header_chooses_the_account() -> None:
    """moto reads MOTO_ACCOUNT_ID before the `x-moto-account-id` header; let the header win, so one request
    can act in another account (its IAM) while MOTO_ACCOUNT_ID names the management account."""
    from moto.core.responses import BaseResponse

    original = BaseResponse.get_current_account
    if getattr(original, "_entra_aws_header", False):
        return

    def current_account(self: Any) -> str:
        chosen = self.headers.get("x-moto-account-id")
        return str(chosen) if chosen else original(self)

    current_account._entra_aws_header = True  # type: ignore[attr-defined]
    BaseResponse.get_current_account = current_account  # type: ignore[method-assign]


def _cleared_on_reset() -> None:
    from moto.moto_api._internal.models import MotoAPIBackend

    original = MotoAPIBackend.reset
    if getattr(original, "_entra_aws_faults", False):
        return

    def reset(self: Any) -> None:
        _set(Faults())
        original(self)

    reset._entra_aws_faults = True  # type: ignore[attr-defined]
    MotoAPIBackend.reset = reset  # type: ignore[method-assign]


def install() -> None:
    """Register the endpoint and wrap the handlers (idempotent; before the server starts)."""
    from moto.identitystore.responses import IdentityStoreResponse
    from moto.moto_api._internal import urls
    from moto.ssoadmin.responses import SSOAdminResponse

    urls.url_paths["{0}" + FAULTS_PATH] = _faults_response
    _wrap_call_action(SSOAdminResponse, "sso-admin")
    _wrap_call_action(IdentityStoreResponse, "identitystore")
    _header_chooses_the_account()
    _cleared_on_reset()


# --- in a test ----------------------------------------------------------------------------------------------


def set_faults(url: str, faults: Faults) -> None:
    request = urllib.request.Request(
        url + FAULTS_PATH,
        data=json.dumps(asdict(faults)).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request).read()


def clear_faults(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url + FAULTS_PATH, method="DELETE")).read()


def in_account(client: Any, account_id: str) -> Any:
    """The boto3 client, its requests made in `account_id` (moto's `x-moto-account-id` header)."""

    def add_header(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account_id

    client.meta.events.register("before-sign.*.*", add_header)
    return client
