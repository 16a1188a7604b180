"""The records the sandbox publishes have the shapes of the real published samples (tests/fixtures), match
the project's EventBridge rules and route to the scope a real record would."""

from __future__ import annotations

from typing import Any

import pytest

from entra_aws.engine.scope import Scope
from entra_aws.events import rules
from entra_aws.events.models import CloudTrailEvent
from entra_aws.events.routing import route
from sandbox import cloudtrail
from tests.support.event_pattern import matches
from tests.unit.events import samples

GROUP = "9067c0c5-3a81-4cbb-b1a5-1234567890ab"
ACCOUNT = "444444444445"
MANAGEMENT = "111111111111"
ROLE_ARNS = ["arn:aws:iam::111111111111:role/entra-aws-reconcile-worker"]
PS_ARN = "arn:aws:sso:::permissionSet/ssoins-72233af8ea2d1f14/ps-ae5d1fa1f80b684e"


def envelope(record: cloudtrail.Record) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "sandbox",
        "detail-type": record.detail_type,
        "source": record.source,
        "account": MANAGEMENT,
        "time": "2026-11-21T12:00:00Z",
        "region": record.region,
        "resources": [],
        "detail": record.detail,
    }


def matching_rules(event: dict[str, Any]) -> list[str]:
    specs = rules.rule_specs(include_users=False, automation_role_arns=ROLE_ARNS)
    return [spec.name for spec in specs if matches(spec.pattern, event)]


def test_scim_records_have_the_published_shape_without_the_error_fields() -> None:
    failed = samples.load("cloudtrail/identitystore-scim-CreateGroup-failed-ConflictException.awsdocs.json")
    record = cloudtrail.scim_group_created(GROUP, region="eu-west-1", account=MANAGEMENT).detail
    assert set(record) == set(failed) - {"errorCode", "errorMessage"}
    assert set(record["userIdentity"]) == set(failed["userIdentity"])
    assert record["requestParameters"]["httpBody"]["displayName"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    patched = samples.load("cloudtrail/identitystore-scim-PatchGroup-failed-ValidationException.awsdocs.json")
    record = cloudtrail.scim_group_patched(GROUP, region="eu-west-1", account=MANAGEMENT).detail
    assert set(record) == set(patched) - {"errorCode", "errorMessage"}
    assert set(record["requestParameters"]) == set(patched["requestParameters"])


def test_service_events_have_the_published_shape() -> None:
    published = samples.load("eventbridge/eventbridge-organizations-CreateAccountResult.nuvibit.json")
    record = cloudtrail.account_created(ACCOUNT, management=MANAGEMENT)
    assert set(record.detail) == set(published["detail"])
    status = record.detail["serviceEventDetails"]["createAccountStatus"]
    assert set(status) == set(published["detail"]["serviceEventDetails"]["createAccountStatus"])
    assert (record.detail_type, record.source, record.region) == (
        published["detail-type"],
        published["source"],
        published["region"],
    )
    tower = samples.load("eventbridge/eventbridge-controltower-CreateManagedAccount.awsdocs.WITH-COMMENTS.jsonc")
    record = cloudtrail.control_tower_account_enrolled(
        ACCOUNT, "data", "ou-ab12-cdefgh34", "Workloads", management=MANAGEMENT, region="us-east-1"
    )
    assert set(tower["detail"]) <= set(record.detail)
    status = record.detail["serviceEventDetails"]["createManagedAccountStatus"]
    assert set(status) == set(tower["detail"]["serviceEventDetails"]["createManagedAccountStatus"])


def test_console_assignment_has_the_published_shape() -> None:
    published = samples.load("cloudtrail/sso-CreateAccountAssignment-GROUP-console-root.mgmtacct.json")
    record = cloudtrail.console_assignment(
        "CreateAccountAssignment",
        instance_arn="arn:aws:sso:::instance/ssoins-72233af8ea2d1f14",
        account_id=ACCOUNT,
        permission_set_arn=PS_ARN,
        group_id=GROUP,
        request_id="f8604aff-1de0-48ba-b228-f65559e504c1",
        region="eu-west-1",
        management=MANAGEMENT,
    ).detail
    assert set(record) == set(published)
    assert set(record["userIdentity"]) == set(published["userIdentity"])
    assert set(record["requestParameters"]) == set(published["requestParameters"])
    status = record["responseElements"]["accountAssignmentCreationStatus"]
    assert set(status) == set(published["responseElements"]["accountAssignmentCreationStatus"])


def test_organizations_calls_carry_the_published_fields() -> None:
    published = samples.load("cloudtrail/organizations-CreateOrganizationalUnit.awsdocs.json")
    record = cloudtrail.account_moved(ACCOUNT, "r-ab12", "ou-ab12-cdefgh34", management=MANAGEMENT).detail
    assert set(published) <= set(record)
    assert record["awsRegion"] == "us-east-1"


@pytest.mark.parametrize(
    ("record", "rule", "scope"),
    [
        (cloudtrail.scim_group_created(GROUP, region="eu-west-1", account=MANAGEMENT), "IdentityChanges", "group"),
        (cloudtrail.scim_group_patched(GROUP, region="eu-west-1", account=MANAGEMENT), "IdentityChanges", "group"),
        (cloudtrail.scim_group_deleted(GROUP, region="eu-west-1", account=MANAGEMENT), "IdentityChanges", "group"),
        (cloudtrail.account_created(ACCOUNT, management=MANAGEMENT), "AccountCreated", "account"),
        (cloudtrail.account_moved(ACCOUNT, "r-1", "ou-1", management=MANAGEMENT), "AccountChanged", "account"),
        (cloudtrail.account_tagged(ACCOUNT, {"team": "a"}, management=MANAGEMENT), "AccountChanged", "account"),
        (cloudtrail.account_untagged(ACCOUNT, ["team"], management=MANAGEMENT), "AccountChanged", "account"),
        (cloudtrail.account_removed(ACCOUNT, management=MANAGEMENT), "AccountChanged", "account"),
        (
            cloudtrail.control_tower_account_enrolled(
                ACCOUNT, "a", "ou-1", "Workloads", management=MANAGEMENT, region="us-east-1"
            ),
            "ControlTowerAccount",
            "account",
        ),
        (
            cloudtrail.console_assignment(
                "DeleteAccountAssignment",
                instance_arn="arn:aws:sso:::instance/ssoins-72233af8ea2d1f14",
                account_id=ACCOUNT,
                permission_set_arn=PS_ARN,
                group_id=GROUP,
                request_id="r",
                region="eu-west-1",
                management=MANAGEMENT,
            ),
            "ManualIdentityCenterChanges",
            "group",
        ),
    ],
    ids=lambda value: getattr(value, "event_name", None) or str(value),
)
def test_each_record_matches_its_rule_and_routes_to_its_scope(record: cloudtrail.Record, rule: str, scope: str) -> None:
    event = envelope(record)
    assert matching_rules(event) == [rule]
    decision = route(CloudTrailEvent.model_validate(event), automation_role_arns=ROLE_ARNS)
    expected = Scope.group(GROUP) if scope == "group" else Scope.account(ACCOUNT)
    assert decision.targets == (expected,)


def test_entry_is_a_put_events_entry() -> None:
    entry = cloudtrail.account_removed(ACCOUNT, management=MANAGEMENT).entry()
    assert entry["Source"] == "aws.organizations"
    assert entry["DetailType"] == "AWS API Call via CloudTrail"
    assert '"eventName": "RemoveAccountFromOrganization"' in entry["Detail"]
