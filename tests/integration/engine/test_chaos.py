"""Chaos (issue #13, build item 6): throttling, conflicts, an account that cannot take a permission set and a KMS
fault on the identity store, all against the example organization and config/example.yaml. Nothing is lost,
nothing is wrongly granted, every failure is reported, and the next run once the faults are gone converges.

The failing account is web-dev (555555555556): with the emulator checking each account's IAM (`account_iam`),
it lacks /boundaries/DeveloperBoundary, which every other account the Developer set reaches has. The deploy
before the chaos ran config/example.yaml with Developer still unbounded, so the chaotic run adds the boundary:
re-provisioning fails in web-dev alone and must hold up nothing of Developer elsewhere. (A suspended account
would be no test of the executor: the engine targets only ACTIVE accounts, so it plans nothing there.)"""

from __future__ import annotations

import boto3
import pytest

from entra_aws.config import Config
from entra_aws.engine.context import AwsContext
from entra_aws.engine.pacing import VirtualClock
from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.report import Report
from entra_aws.engine.scope import Scope
from sandbox.faults import Faults, in_account, set_faults

from .conftest import Seeded

pytestmark = pytest.mark.integration

FAILING = "555555555556"
BOUNDARY = ("DeveloperBoundary", "/boundaries/")
GUARDRAILS = ("NetworkGuardrails", "/")
POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}'

Grant = tuple[str, str, str]  # group, account, permission set

MANAGEMENT, SANDBOX = "111111111111", "666666666666"
SECURITY = ("222222222222", "222222222223")
INFRA = ("333333333333", "333333333334")
PROD = ("444444444444", "444444444445")
NONPROD = ("555555555555", "555555555556")
EVERY_ACCOUNT = (MANAGEMENT, *SECURITY, *INFRA, *PROD, *NONPROD, SANDBOX)

WANTED: frozenset[Grant] = frozenset(
    {("AWS-Platform-Admins", a, "AdministratorAccess") for a in (*INFRA, *PROD, *NONPROD, SANDBOX)}
    | {("AWS-Security-Auditors", a, "SecurityAudit") for a in EVERY_ACCOUNT}
    | {("AWS-Finance", MANAGEMENT, "Billing"), ("AWS-Network", "333333333333", "NetworkAdmin")}
    | {("AWS-Developers", a, "Developer") for a in NONPROD}
    | {("AWS-Developers", a, "ReadOnly") for a in (*PROD, "555555555555")}  # the Prod OU, or tagged team=payments
    | {("AWS-Payments-Oncall", "444444444444", "PowerUser")}
    | {("AWS-555555555556-ReadOnly", FAILING, "ReadOnly"), ("AWS-OU-Sandbox-Developer", SANDBOX, "Developer")}
)
"""What config/example.yaml grants in the example organization, worked out by hand from its rules."""
NEWCOMER: Grant = ("AWS-555555555556-Developer", FAILING, "Developer")
"""A group Entra provisions after the deploy (the per-account convention grants it): wanted, but web-dev cannot
take Developer until the boundary exists there."""
PLANTED: Grant = ("AWS-Developers", "444444444445", "AdministratorAccess")
"""Granted behind the engine's back: no rule wants it."""
REMOVED: Grant = ("AWS-Developers", "555555555555", "Developer")
"""Deleted behind the engine's back (Developer leaves payments-dev with it): a rule wants it."""
FAILED_PROVISIONING = ("provision_permission_set", "Developer")


def with_developer_unbounded(config: Config) -> Config:
    """config/example.yaml as it was before the Developer set got its customer-managed boundary."""
    unbounded = [
        spec.model_copy(update={"permissions_boundary": None}) if spec.name == "Developer" else spec
        for spec in config.permission_sets
    ]
    derived = config.model_copy(update={"permission_sets": unbounded})
    assert derived.source_dir == config.source_dir, "relative policy files still resolve"
    return derived


def create_policy(account: str, name_and_path: tuple[str, str]) -> None:
    name, path = name_and_path
    in_account(boto3.client("iam"), account).create_policy(PolicyName=name, Path=path, PolicyDocument=POLICY)


def referenced_policies_everywhere_but(failing: str) -> None:
    """Each account the config provisions a set with customer-managed references to has them, except `failing`."""
    for account in (*NONPROD, SANDBOX):
        if account != failing:
            create_policy(account, BOUNDARY)
    create_policy("333333333333", GUARDRAILS)


def context(seeded: Seeded) -> AwsContext:
    """A fresh worker context; its clock virtual, so the engine's own backoff costs no wall time (botocore's
    retries underneath still sleep for real)."""
    made = seeded.context()
    made.clock = VirtualClock()
    return made


def grants(seeded: Seeded) -> set[Grant]:
    return {(a["group"], a["account"], a["permission_set"]) for a in seeded.assignments()}


def grant(seeded: Seeded, what: Grant, *, delete: bool = False) -> None:
    group, account, name = what
    call = seeded.sso.delete_account_assignment if delete else seeded.sso.create_account_assignment
    call(
        InstanceArn=seeded.instance_arn,
        TargetId=account,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=seeded.permission_set_arn(name),
        PrincipalType="GROUP",
        PrincipalId=seeded.groups[group],
    )


def failures(report: Report) -> list[str]:
    return [f"{r.operation.describe(report.names)}: {r.error}" for r in report.failed]


def failed_operations(seeded: Seeded, report: Report) -> list[tuple[str, ...]]:
    """The failed operations, in order: assignments as grants, others as (kind, permission set)."""
    names = {group_id: name for name, group_id in seeded.groups.items()}
    found: list[tuple[str, ...]] = []
    for result in report.failed:
        op, a = result.operation, result.operation.assignment
        found.append((names[a.principal_id], a.account_id, op.permission_set) if a else (op.kind, op.permission_set))
    return found


@pytest.fixture
def drifted(seeded: Seeded, aws: str) -> Seeded:
    """Converged on the example with Developer unbounded (IAM checked per account from the start), then drifted:
    one wanted grant deleted and one unwanted made by hand, and a newcomer group from Entra."""
    set_faults(aws, Faults(account_iam=True))
    referenced_policies_everywhere_but(FAILING)
    unbounded = with_developer_unbounded(seeded.config)
    deployed = reconcile(unbounded, Scope.everything(), apply=True, context=context(seeded))
    assert deployed.ok, failures(deployed)
    assert grants(seeded) == WANTED
    grant(seeded, REMOVED, delete=True)
    grant(seeded, PLANTED)
    store, name = seeded.store_id, NEWCOMER[0]
    seeded.groups[name] = seeded.identitystore.create_group(IdentityStoreId=store, DisplayName=name)["GroupId"]
    return seeded


def test_chaos_nothing_lost_nothing_wrongly_granted_every_failure_reported_and_then_converged(
    drifted: Seeded, aws: str
) -> None:
    seeded, config = drifted, drifted.config
    before = grants(seeded)
    assert PLANTED in before and REMOVED not in before

    # run 1: a SCIM-like event for the group that holds the planted grant, while the store's key is disabled
    set_faults(aws, Faults(account_iam=True, identity_store_kms="KMS_DISABLED"))
    event = reconcile(config, Scope.group(seeded.groups["AWS-Developers"]), apply=True, context=context(seeded))
    set_faults(aws, Faults(account_iam=True))
    assert not event.ok and event.blocked is not None and not event.results, event.summary()
    assert any(f.severity == "error" and "KMS_DISABLED" in f.message for f in event.findings), event.findings
    assert grants(seeded) == before, "an unreadable principal deletes nothing (not even what it should not hold)"

    # run 2: the full config, throttled every few calls, a few conflicting writes, web-dev without the boundary
    set_faults(aws, Faults(account_iam=True, throttle_every=6, conflicts=3))
    chaotic = reconcile(config, Scope.everything(), apply=True, context=context(seeded))
    set_faults(aws, Faults(account_iam=True))
    assert grants(seeded) == WANTED, "nothing lost, nothing wrongly granted, nothing new on web-dev"
    assert not chaotic.ok and not chaotic.deferred and chaotic.blocked is None
    assert failed_operations(seeded, chaotic) == [FAILED_PROVISIONING, NEWCOMER], failures(chaotic)
    provisioning, newcomer = chaotic.failed
    assert provisioning.accounts == (FAILING,), "the failed provisioning names web-dev, and web-dev alone"
    boundary = f"arn:aws:iam::{FAILING}:policy/boundaries/DeveloperBoundary"
    assert boundary in provisioning.error and boundary in newcomer.error, "each failure says why"

    # run 3: the faults gone and web-dev given its boundary: the next full reconcile converges
    create_policy(FAILING, BOUNDARY)
    healed = reconcile(config, Scope.everything(), apply=True, context=context(seeded))
    assert healed.ok, failures(healed)
    assert grants(seeded) == WANTED | {NEWCOMER}
    settled = reconcile(config, Scope.everything(), apply=False, context=context(seeded))
    assert settled.plan.empty, [op.describe(settled.names) for op in settled.plan.operations]


def test_the_account_a_provisioning_failed_in_is_provisioned_once_healthy(drifted: Seeded, aws: str) -> None:
    failed = reconcile(drifted.config, Scope.everything(), apply=True, context=context(drifted))
    assert failed_operations(drifted, failed)[0] == FAILED_PROVISIONING
    assert drifted.lagging("Developer") == [FAILING], "web-dev's role keeps the old Developer, the rest are current"
    create_policy(FAILING, BOUNDARY)
    healed = reconcile(drifted.config, Scope.everything(), apply=True, context=context(drifted))
    assert healed.ok, failures(healed)
    provisioned = [r.operation for r in healed.succeeded if r.operation.kind == "provision_permission_set"]
    assert [(op.permission_set, op.args.get("account")) for op in provisioned] == [("Developer", FAILING)], (
        "web-dev alone is provisioned again (the content already matches)"
    )
    assert drifted.lagging("Developer") == []
    (told,) = [f for f in healed.findings if f.kind == "roles_lagging"]
    assert told.permission_set == "Developer" and FAILING in told.message, "the team hears that web-dev lagged"
    settled = reconcile(drifted.config, Scope.everything(), apply=False, context=context(drifted))
    assert settled.plan.empty, [op.describe(settled.names) for op in settled.plan.operations]
