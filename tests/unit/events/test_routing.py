"""Real published records (and variants derived from them) -> the scopes to reconcile."""

from __future__ import annotations

from entra_aws.engine.scope import Scope
from entra_aws.events.models import CloudTrailEvent
from entra_aws.events.routing import PermissionSetRef, route
from tests.unit.events import samples

OWN = "arn:aws:iam::111111111111:role/entra-aws-reconcile-worker"


def decide(event: dict[str, object], include_users: bool = True):  # type: ignore[no-untyped-def]
    return route(CloudTrailEvent.model_validate(event), automation_role_arns={OWN}, include_users=include_users)


def test_scim_group_writes_scope_the_group_by_id_never_by_name() -> None:
    for event in (samples.scim_create_group(), samples.scim_patch_group(), samples.scim_delete_group()):
        assert decide(event).targets == (Scope.group(samples.GROUP_ID),)


def test_console_create_group_uses_the_response_group_id() -> None:
    decision = decide(samples.cloudtrail("sso-directory-CreateGroup-console-root.mgmtacct.json"))
    assert decision.targets == (Scope.group(samples.GROUP_ID),)


def test_failed_scim_calls_are_ignored() -> None:
    failed = samples.cloudtrail(
        "identitystore-scim-CreateGroup-failed-ConflictException.awsdocs.json", source="aws.sso"
    )
    assert decide(failed).ignored


def test_scim_create_user_only_when_user_rules_exist() -> None:
    event = samples.cloudtrail("identitystore-scim-CreateUser-success.awsdocs.json", source="aws.sso")
    assert decide(event).targets == (Scope.user("c4488478-a0e1-700e-3d75-96c6bb641596"),)
    assert decide(event, include_users=False).ignored


def test_account_created_scopes_the_new_account() -> None:
    event = samples.cloudtrail("organizations-CreateAccountResult-SUCCEEDED.awsdocs.json")
    assert decide(event).targets == (Scope.account("444455556666"),)


def test_placeholder_account_id_falls_back_to_everything() -> None:
    event = samples.load("eventbridge/eventbridge-organizations-CreateAccountResult.nuvibit.json")
    assert decide(event).targets == (Scope.everything(),)


def test_control_tower_account() -> None:
    event = samples.load("eventbridge/eventbridge-controltower-CreateManagedAccount.awsdocs.WITH-COMMENTS.jsonc")
    variant = samples.derive(
        event, serviceEventDetails__createManagedAccountStatus__account__accountId="222222222222"
    )  # derived: the sample's account id is the publisher's XXXXXXXXXXXX placeholder
    assert decide(variant).targets == (Scope.account("222222222222"),)


def test_root_console_assignment_is_drift_on_the_principal() -> None:
    decision = decide(samples.cloudtrail("sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json"))
    assert decision.drift
    assert decision.targets == (Scope.group(samples.GROUP_ID),)


def test_permission_set_change_needs_its_name_resolved() -> None:
    created = samples.cloudtrail("sso-CreatePermissionSet-console-root.mgmtacct.json")
    assert decide(created).targets == (Scope.permission_set("AdministratorAccess-test"),)
    arn = "arn:aws:sso:::permissionSet/ssoins-72233af8ea2d1f14/ps-ae5d1fa1f80b684e"
    updated = samples.derive(
        created, eventName="PutInlinePolicyToPermissionSet", requestParameters__permissionSetArn=arn
    )
    assert decide(updated).targets == (PermissionSetRef(arn),)


def test_own_writes_are_not_drift() -> None:
    event = samples.cloudtrail("sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json")
    own = samples.derive(event, userIdentity=samples.role_arn_identity(OWN))
    assert decide(own).ignored
    other = samples.derive(event, userIdentity=samples.role_arn_identity(OWN.replace("entra-aws", "someone")))
    assert decide(other).drift
