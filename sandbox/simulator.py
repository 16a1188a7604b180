"""Play a scenario through the deployed automation: each step makes its change in the emulator as the real
actor would (Entra over SCIM, an administrator in Organizations, Control Tower, someone in the console), then
publishes the CloudTrail record AWS would write to EventBridge in the region AWS writes it, and lets the
event-source mappings run the real handlers until the queues are empty. Nothing here decides what to reconcile:
the rules, the router, the worker and the engine do, exactly as deployed.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from entra_aws.config import Config
from entra_aws.config.models import MANAGED_TAG_KEY
from entra_aws.engine.matrix import Grant, read_matrix
from entra_aws.engine.model import Principal
from lambdas.results import Reconciled, ReconcileFailedError, Routed, ToldFinding
from sandbox import cloudtrail
from sandbox.deployment import Deployment
from sandbox.emulator import SANDBOX_ACCOUNT_ID_TAG
from sandbox.eventbridge_gaps import fire_schedule
from sandbox.lambda_runtime import Invocation, Poller, invoke
from sandbox.scenario import (
    AccessRef,
    AccountCreated,
    AccountMoved,
    AccountRemoved,
    AccountTagged,
    AccountUntagged,
    ControlTowerAccountEnrolled,
    Expectations,
    GrantRef,
    GroupMemberAdded,
    GroupMemberRemoved,
    ManualAssignment,
    PermissionSetExpectation,
    Scenario,
    ScheduledReconcile,
    ScimGroupCreated,
    ScimGroupDeleted,
    ScimGroupRenamed,
    Step,
)
from sandbox.world import WorldAccount, seed_world

Access = dict[tuple[str, str, str], Grant]
"""(group id, account id, permission set name) -> the grant as displayed."""


def _gained(before: Access, after: Access) -> list[Grant]:
    return sorted(after[key] for key in after.keys() - before.keys())


class ScenarioError(RuntimeError):
    """A step names something that does not exist (a group, an account, an OU, a permission set)."""


@dataclass
class StepOutcome:
    number: int
    action: str
    title: str
    events: list[str] = field(default_factory=list)
    routed: list[str] = field(default_factory=list)
    reconciled: list[str] = field(default_factory=list)
    findings: list[ToldFinding] = field(default_factory=list)
    """What the worker's reconciles found, as told to the platform team (notified, or within the quiet period)."""
    notifications: list[str] = field(default_factory=list)
    made: list[tuple[str, Grant]] = field(default_factory=list)
    """Access changed by the step's actor itself (a hand-made assignment), before the automation ran."""
    added: list[Grant] = field(default_factory=list)
    removed: list[Grant] = field(default_factory=list)
    failed_expectations: list[str] = field(default_factory=list)
    dead_letters: list[str] = field(default_factory=list)

    def to_dict(self, accounts: dict[str, str]) -> dict[str, Any]:
        return {
            "step": self.number,
            "action": self.action,
            "title": self.title,
            "events": self.events,
            "routed": self.routed,
            "reconciled": self.reconciled,
            "findings": [f.model_dump(mode="json") for f in self.findings],
            "notifications": self.notifications,
            "made_by_hand": [{"change": sign, **grant_dict(g, accounts)} for sign, g in self.made],
            "added": [grant_dict(g, accounts) for g in self.added],
            "removed": [grant_dict(g, accounts) for g in self.removed],
            "dead_letters": self.dead_letters,
            "failed_expectations": self.failed_expectations,
        }


@dataclass
class SimulationResult:
    steps: list[StepOutcome]
    matrix: list[Grant]
    accounts: dict[str, str]
    failed_expectations: list[str]
    """Every failed expectation, each naming its step (or `end`)."""
    expectations_checked: int = 0
    out_of_reach: list[str] = field(default_factory=list)
    """Expectations the topology cannot meet, not counted as failed: a delegated administrator cannot grant in
    the management account (deployment.topology: delegated_admin)."""

    @property
    def ok(self) -> bool:
        return not self.failed_expectations and not any(s.dead_letters for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "steps": [s.to_dict(self.accounts) for s in self.steps],
            "matrix": [grant_dict(g, self.accounts) for g in self.matrix],
            "failed_expectations": self.failed_expectations,
            "expectations_checked": self.expectations_checked,
            "out_of_reach": self.out_of_reach,
        }


def grant_dict(grant: Grant, accounts: dict[str, str]) -> dict[str, Any]:
    return {
        "group": grant.principal,
        "account_id": grant.account_id,
        "account": accounts.get(grant.account_id, ""),
        "permission_set": grant.permission_set,
        "managed": grant.managed,
    }


class _CustomResourceResponses:
    """The pre-signed S3 URL CloudFormation gives a custom resource, on 127.0.0.1: keeps what was PUT."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                received.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/cfn-response"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Simulator:
    def __init__(self, config: Config, scenario: Scenario, deployment: Deployment, session: Any) -> None:
        self.config, self.scenario, self.deployment, self.session = config, scenario, deployment, session
        self.region = config.identity_center.region
        self.management = deployment.account_id
        self.orgs = session.client("organizations", region_name="us-east-1")
        self.sso = session.client("sso-admin", region_name=self.region)
        self.store = session.client("identitystore", region_name=self.region)
        self.sqs = session.client("sqs", region_name=self.region)
        instance = self.sso.list_instances()["Instances"][0]
        self.instance_arn, self.store_id = instance["InstanceArn"], instance["IdentityStoreId"]
        self.groups: dict[str, str] = {}
        """Every group seen: id -> display name (deleted ones too: their leftovers must show)."""
        self.accounts: dict[str, str] = {}
        self.users: dict[str, str] = {}
        """User name -> id."""
        self.poller = Poller(deployment, session)
        self.outcomes: list[StepOutcome] = []
        self.out_of_reach: list[str] = []

    # --- running ---------------------------------------------------------------------------------------------

    def seed(self) -> None:
        world = self.scenario.organization
        ids = seed_world(world, self.region, self.session).ids
        self.groups.update({ids[name]: name for name in world.groups})
        self.users = {name: ids[name] for name in world.users}
        self.accounts.update({a.id: a.name for a in world.all_accounts()})

    def run(self) -> SimulationResult:
        from entra_aws.adapters.aws import aws_context

        self.observer = aws_context(self.config, self.session)
        grants = self._grants()
        if self.scenario.deploy:
            grants = self._step(0, "deploy", "cdk deploy: the deploy-time full reconcile", self._deploy, grants)
        for number, step in enumerate(self.scenario.steps, start=1):
            grants = self._step(
                number, step.action, step.title or step.describe(), lambda s=step: self._act(s), grants, step.expect
            )
        failures = [f for outcome in self.outcomes for f in outcome.failed_expectations]
        final = [f"end: {problem}" for problem in self.check(self.scenario.expect, set(grants.values()))]
        checked = sum(e.count for e in [*(step.expect for step in self.scenario.steps), self.scenario.expect])
        accounts = dict(self.accounts)
        return SimulationResult(
            self.outcomes, sorted(grants.values()), accounts, failures + final, checked, sorted(set(self.out_of_reach))
        )

    def _step(
        self,
        number: int,
        action: str,
        title: str,
        act: Any,
        before: Access,
        expect: Expectations | None = None,
    ) -> Access:
        outcome = StepOutcome(number, action, title)
        self.outcomes.append(outcome)
        outcome.events = act() or []
        acted = self._grants()
        outcome.made = [("+", g) for g in _gained(before, acted)] + [("-", g) for g in _gained(acted, before)]
        self._observe(outcome, self.poller.drain())
        after = self._grants()
        outcome.added, outcome.removed = _gained(acted, after), _gained(after, acted)
        if expect is not None:
            problems = self.check(expect, set(after.values()))
            outcome.failed_expectations = [f"step {number} ({action}): {p}" for p in problems]
        return after

    def _observe(self, outcome: StepOutcome, invocations: list[Invocation]) -> None:
        for invocation in invocations:
            for result in invocation.results:
                if isinstance(result, Routed):
                    outcome.routed.append(self._routed(result))
                elif isinstance(result, Reconciled | ReconcileFailedError):
                    self._reconciled(outcome, result if isinstance(result, Reconciled) else result.reconciled)
            if invocation.failed:
                why = f": {invocation.error}" if invocation.error else ""
                outcome.reconciled.append(f"{invocation.function}: {invocation.failed} record(s) failed{why}")
        outcome.notifications = [self._named(n) for n in self._notifications()]
        outcome.dead_letters = self._dead_letters()

    def _reconciled(self, outcome: StepOutcome, reconciled: Reconciled) -> None:
        outcome.reconciled.append(self._named(reconciled.summary))
        outcome.findings += [f.model_copy(update={"message": self._named(f.message)}) for f in reconciled.findings]

    def _routed(self, routed: Routed) -> str:
        if routed.ignored:
            return f"ignored ({routed.reason})"
        return f"{', '.join(self._named(s) for s in routed.queued)}  ({routed.reason})"

    def _named(self, text: str) -> str:
        """`group:<id>` -> `group:<display name>`, for people reading the output."""
        for group_id, name in self.groups.items():
            text = text.replace(f"group:{group_id}", f"group:{name}")
        return text

    def _notifications(self) -> list[str]:
        subjects: list[str] = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.deployment.inbox_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                return subjects
            for message in messages:
                subjects.append(json.loads(message["Body"]).get("Subject", ""))
                self.sqs.delete_message(QueueUrl=self.deployment.inbox_url, ReceiptHandle=message["ReceiptHandle"])

    def _dead_letters(self) -> list[str]:
        found = []
        for logical_id, url in self.deployment.dead_letter_queues.items():
            messages = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            for message in messages:
                found.append(f"{logical_id}: {message['Body'][:200]}")
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return found

    def _grants(self) -> Access:
        """Live access of every group seen, keyed by group id (a rename is not a change of access)."""
        ids = {name: group_id for group_id, name in self.groups.items()}
        principals = [Principal("GROUP", group_id, name) for group_id, name in self.groups.items()]
        return {(ids[g.principal], g.account_id, g.permission_set): g for g in read_matrix(self.observer, principals)}

    # --- the changes -------------------------------------------------------------------------------------------

    def _publish(self, *records: cloudtrail.Record) -> list[str]:
        published = []
        for record in records:
            events = self.session.client("events", region_name=record.region)
            response = events.put_events(Entries=[record.entry()])
            if response.get("FailedEntryCount"):
                raise ScenarioError(f"EventBridge refused {record.event_name}: {response['Entries']}")
            published.append(f"{record.detail['eventSource']} {record.event_name} ({record.region})")
        return published

    def _deploy(self) -> list[str]:
        function = self.deployment.deploy_function
        if function is None:
            return ["reconcile_on_deploy is off: nothing runs at deploy time"]
        responses = _CustomResourceResponses()
        try:
            event = {
                "RequestType": "Create",
                "ServiceToken": f"arn:aws:lambda:{self.region}:{self.management}:function:{function.name}",
                "ResponseURL": responses.url,
                "StackId": f"arn:aws:cloudformation:{self.region}:{self.management}:stack/EntraAwsAutomation/sandbox",
                "RequestId": str(uuid.uuid4()),
                "LogicalResourceId": "ReconcileAfterDeploy",
                "ResourceType": "Custom::EntraAwsReconcile",
                "ResourceProperties": {"ServiceToken": "sandbox", "ConfigHash": "sandbox"},
            }
            invoke(function, event, self.region, self.management)
        finally:
            responses.close()
        status = responses.received[0].get("Status") if responses.received else "no response"
        return [f"CloudFormation custom resource Create -> {function.name}: {status}"]

    def _act(self, step: Step) -> list[str]:
        if isinstance(step, ScimGroupCreated):
            return self._scim_created(step.group)
        if isinstance(step, ScimGroupRenamed):
            return self._scim_renamed(step.group, step.new_name)
        if isinstance(step, ScimGroupDeleted):
            return self._scim_deleted(step.group)
        if isinstance(step, GroupMemberAdded | GroupMemberRemoved):
            return self._membership(step)
        if isinstance(step, AccountCreated | ControlTowerAccountEnrolled):
            return self._account_created(step)
        if isinstance(step, AccountMoved):
            return self._account_moved(step.account, step.ou)
        if isinstance(step, AccountTagged | AccountUntagged):
            return self._account_tags(step)
        if isinstance(step, AccountRemoved):
            return self._account_removed(step.account)
        if isinstance(step, ManualAssignment):
            return self._manual_assignment(step)
        if isinstance(step, ScheduledReconcile):
            return self._scheduled()
        raise ScenarioError(f"unsupported action {step.action}")

    def _scim_created(self, name: str) -> list[str]:
        group_id = self.store.create_group(IdentityStoreId=self.store_id, DisplayName=name)["GroupId"]
        self.groups[group_id] = name
        return self._publish(cloudtrail.scim_group_created(group_id, region=self.region, account=self.management))

    def _scim_renamed(self, name: str, new_name: str) -> list[str]:
        group_id = self._group_id(name)
        self.store.update_group(
            IdentityStoreId=self.store_id,
            GroupId=group_id,
            Operations=[{"AttributePath": "displayName", "AttributeValue": new_name}],
        )
        self.groups[group_id] = new_name
        return self._publish(cloudtrail.scim_group_patched(group_id, region=self.region, account=self.management))

    def _membership(self, step: GroupMemberAdded | GroupMemberRemoved) -> list[str]:
        group_id, member = self._group_id(step.group), {"UserId": self._user_id(step.user)}
        if isinstance(step, GroupMemberAdded):
            self.store.create_group_membership(IdentityStoreId=self.store_id, GroupId=group_id, MemberId=member)
            op = "ADD"
        else:
            membership = self.store.get_group_membership_id(
                IdentityStoreId=self.store_id, GroupId=group_id, MemberId=member
            )["MembershipId"]
            self.store.delete_group_membership(IdentityStoreId=self.store_id, MembershipId=membership)
            op = "REMOVE"
        record = cloudtrail.scim_group_members_patched(group_id, op, region=self.region, account=self.management)
        return self._publish(record)

    def _scim_deleted(self, name: str) -> list[str]:
        group_id = self._group_id(name)
        self.store.delete_group(IdentityStoreId=self.store_id, GroupId=group_id)
        self.groups[group_id] = f"{name} (deleted)"
        return self._publish(cloudtrail.scim_group_deleted(group_id, region=self.region, account=self.management))

    def _account_created(self, step: AccountCreated | ControlTowerAccountEnrolled) -> list[str]:
        account: WorldAccount = step.account
        ou_id = self._ou_id(step.ou)
        tags = [{"Key": SANDBOX_ACCOUNT_ID_TAG, "Value": account.id}]
        tags += [{"Key": k, "Value": v} for k, v in account.tags.items()]
        self.orgs.create_account(AccountName=account.name, Email=f"{account.name}@example.com", Tags=tags)
        self.accounts[account.id] = account.name
        root = self._ou_id("/")
        if ou_id != root:
            self.orgs.move_account(AccountId=account.id, SourceParentId=root, DestinationParentId=ou_id)
        if isinstance(step, ControlTowerAccountEnrolled):
            region = self.config.automation.control_tower_region or cloudtrail.ORGANIZATIONS_REGION
            ou_name = step.ou.rstrip("/").rsplit("/", 1)[-1]
            record = cloudtrail.control_tower_account_enrolled(
                account.id, account.name, ou_id, ou_name, management=self.management, region=region
            )
            return self._publish(record)
        records = [cloudtrail.account_created(account.id, management=self.management)]
        if ou_id != root:
            records.append(cloudtrail.account_moved(account.id, root, ou_id, management=self.management))
        return self._publish(*records)

    def _account_moved(self, reference: str, ou: str) -> list[str]:
        account_id = self._account_id(reference)
        source = self.orgs.list_parents(ChildId=account_id)["Parents"][0]["Id"]
        destination = self._ou_id(ou)
        self.orgs.move_account(AccountId=account_id, SourceParentId=source, DestinationParentId=destination)
        return self._publish(cloudtrail.account_moved(account_id, source, destination, management=self.management))

    def _account_tags(self, step: AccountTagged | AccountUntagged) -> list[str]:
        account_id = self._account_id(step.account)
        if isinstance(step, AccountTagged):
            self.orgs.tag_resource(ResourceId=account_id, Tags=[{"Key": k, "Value": v} for k, v in step.tags.items()])
            record = cloudtrail.account_tagged(account_id, step.tags, management=self.management)
        else:
            self.orgs.untag_resource(ResourceId=account_id, TagKeys=step.keys)
            record = cloudtrail.account_untagged(account_id, step.keys, management=self.management)
        return self._publish(record)

    def _account_removed(self, reference: str) -> list[str]:
        account_id = self._account_id(reference)
        self.orgs.remove_account_from_organization(AccountId=account_id)
        return self._publish(cloudtrail.account_removed(account_id, management=self.management))

    def _manual_assignment(self, step: ManualAssignment) -> list[str]:
        target = {
            "InstanceArn": self.instance_arn,
            "TargetId": self._account_id(step.account),
            "TargetType": "AWS_ACCOUNT",
            "PermissionSetArn": self._permission_set_arn(step.permission_set),
            "PrincipalType": "GROUP",
            "PrincipalId": self._group_id(step.group),
        }
        if step.remove:
            status = self.sso.delete_account_assignment(**target)["AccountAssignmentDeletionStatus"]
            name = "DeleteAccountAssignment"
        else:
            status = self.sso.create_account_assignment(**target)["AccountAssignmentCreationStatus"]
            name = "CreateAccountAssignment"
        record = cloudtrail.console_assignment(
            name,
            instance_arn=self.instance_arn,
            account_id=target["TargetId"],
            permission_set_arn=target["PermissionSetArn"],
            group_id=target["PrincipalId"],
            request_id=status["RequestId"],
            region=self.region,
            management=self.management,
            by=step.by,
        )
        return self._publish(record)

    def _scheduled(self) -> list[str]:
        fired = []
        for region, rule in self.deployment.schedules:
            fire_schedule(self.management, region, rule)
            fired.append(f"schedule {rule} fired ({region})")
        return fired

    # --- names -> ids ----------------------------------------------------------------------------------------

    def _group_id(self, name: str) -> str:
        for group_id, known in self.groups.items():
            if known == name:
                return group_id
        raise ScenarioError(f"group {name!r} does not exist (known: {', '.join(sorted(self.groups.values()))})")

    def _user_id(self, name: str) -> str:
        if name not in self.users:
            raise ScenarioError(f"user {name!r} does not exist (known: {', '.join(sorted(self.users))})")
        return self.users[name]

    def _account_id(self, reference: str) -> str:
        if reference in self.accounts:
            return reference
        for account_id, name in self.accounts.items():
            if name == reference:
                return account_id
        known = ", ".join(sorted(self.accounts.values()))
        raise ScenarioError(f"account {reference!r} does not exist (known: {known})")

    def _ou_id(self, path: str) -> str:
        node = self.orgs.list_roots()["Roots"][0]["Id"]
        walked = ""
        for part in [p for p in path.split("/") if p]:
            walked += f"/{part}"
            children = self.orgs.list_organizational_units_for_parent(ParentId=node)["OrganizationalUnits"]
            matches = [ou["Id"] for ou in children if ou["Name"] == part]
            if not matches:
                raise ScenarioError(f"OU {walked} does not exist")
            node = matches[0]
        return str(node)

    def _permission_set(self, name: str) -> tuple[str, dict[str, Any]] | None:
        """(ARN, DescribePermissionSet) of the live permission set with this name, if any."""
        admin = self.observer.admin
        for arn in admin.permission_set_arns():
            described = admin.describe(arn)
            if described["Name"] == name:
                return arn, described
        return None

    def _permission_set_arn(self, name: str) -> str:
        found = self._permission_set(name)
        if found is None:
            raise ScenarioError(f"permission set {name!r} does not exist in Identity Center")
        return found[0]

    # --- expectations ------------------------------------------------------------------------------------------

    def check(self, expect: Expectations, grants: set[Grant]) -> list[str]:
        held = {(g.principal, g.account_id, g.permission_set) for g in grants}
        problems = []
        for ref in expect.present:
            key = self._grant_key(ref)
            if isinstance(key, str):
                problems.append(key)
            elif key not in held and self._beyond_topology(key[1]):
                self.out_of_reach.append(f"{ref}: a delegated administrator cannot grant in the management account")
            elif key not in held:
                problems.append(f"expected present, missing: {ref}")
        for ref in expect.absent:
            key = self._grant_key(ref)
            if isinstance(key, str):
                problems.append(key)
            elif key in held:
                problems.append(f"expected absent, present: {ref}")
        for expected in expect.permission_sets:
            problems.extend(self._check_permission_set(expected))
        for access in expect.access:
            problems.extend(self._check_access(access, held, expected=True))
        for access in expect.no_access:
            problems.extend(self._check_access(access, held, expected=False))
        return problems

    def _beyond_topology(self, account_id: str) -> bool:
        return self.config.deployment.delegated and account_id == self.config.management_account_id

    def _check_access(self, ref: AccessRef, held: set[tuple[str, str, str]], *, expected: bool) -> list[str]:
        """Whether any group the user is a member of holds the permission set on the account."""
        if ref.user not in self.users:
            return [f"expectation names an unknown user: {ref.user}"]
        try:
            account_id = self._account_id(ref.account)
        except ScenarioError:
            return [f"expectation names an unknown account: {ref.account}"]
        member = {"UserId": self.users[ref.user]}
        memberships = self.store.list_group_memberships_for_member(IdentityStoreId=self.store_id, MemberId=member)
        groups = {self.groups.get(m["GroupId"], "") for m in memberships["GroupMemberships"]}
        has = any((group, account_id, ref.permission_set) in held for group in groups)
        if has == expected:
            return []
        return [f"expected {'access' if expected else 'no access'}, {'has none' if expected else 'has it'}: {ref}"]

    def _grant_key(self, ref: GrantRef) -> tuple[str, str, str] | str:
        names = set(self.groups.values())
        group = ref.group if ref.group in names else f"{ref.group} (deleted)"
        if group not in names:
            return f"expectation names an unknown group: {ref.group}"
        try:
            account_id = self._account_id(ref.account)
        except ScenarioError:
            return f"expectation names an unknown account: {ref.account}"
        return group, account_id, ref.permission_set

    def _check_permission_set(self, expected: PermissionSetExpectation) -> list[str]:
        admin = self.observer.admin
        found = self._permission_set(expected.name)
        if found is None:
            return [] if not expected.exists else [f"permission set {expected.name}: expected to exist, missing"]
        if not expected.exists:
            return [f"permission set {expected.name}: expected not to exist, exists"]
        arn, described = found
        tags = admin.tags(arn)
        content = admin.content(arn, described, tags)
        actual: dict[str, Any] = {
            "description": content.description,
            "session_duration": content.session_duration,
            "relay_state": content.relay_state,
            "managed_policies": sorted(content.managed_policies),
            "customer_managed_policies": sorted(f"{path}{name}" for name, path in content.customer_managed_policies),
            "inline_policy": content.inline_policy is not None,
            "permissions_boundary": content.permissions_boundary is not None,
            "managed_by_entra_aws": tags.get(MANAGED_TAG_KEY) == "true",
        }
        problems = []
        for key, value in expected.model_dump(exclude={"name", "exists", "tags"}, exclude_none=True).items():
            want = sorted(value) if isinstance(value, list) else value
            if actual[key] != want:
                problems.append(f"permission set {expected.name}: {key} is {actual[key]!r}, expected {want!r}")
        for key, value in (expected.tags or {}).items():
            if tags.get(key) != value:
                problems.append(f"permission set {expected.name}: tag {key} is {tags.get(key)!r}, expected {value!r}")
        return problems
