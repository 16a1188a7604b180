"""Engine findings say what kind of thing happened and what it is about: the worker's `Findings` metric is
dimensioned by `kind` and its log line names group, permission set and rule (lambdas/notices.py)."""

from __future__ import annotations

from entra_aws.engine.desired import desired_state

from .test_identity_not_names import ADMINS_OBJECT_ID, admins_rule, config, group, org, readonly_rule


def test_a_convention_group_asking_for_a_set_it_may_not_grant_is_a_convention_refused_finding() -> None:
    state = desired_state(config(), org(), [group("AWS-OU-Workloads-Admin")])
    [finding] = [f for f in state.findings if f.kind == "convention_refused"]
    assert (finding.group, finding.permission_set, finding.rule) == ("AWS-OU-Workloads-Admin", "Admin", "per-ou")


def test_a_name_takeover_is_a_pinned_identity_mismatch_naming_the_rule() -> None:
    pinned = config([admins_rule({"external_id": ADMINS_OBJECT_ID, "name": "AWS-Platform-Admins"})])
    state = desired_state(pinned, org(), [group("AWS-Platform-Admins")])
    [finding] = state.findings
    assert (finding.kind, finding.group, finding.rule) == ("pinned_identity_mismatch", "AWS-Platform-Admins", "admins")


def test_an_exclusion_selecting_nothing_stops_its_rule_with_a_kind() -> None:
    typo = config([readonly_rule({"organization": True}, exclude={"ous": ["/Workload/NonProd"]})])
    state = desired_state(typo, org(), [group("Readers")])
    assert {f.kind for f in state.findings if f.severity == "error"} == {"rule_stopped"}
    assert all(f.rule == "readers" for f in state.findings if f.kind == "rule_stopped")


def test_no_engine_finding_of_these_paths_is_unclassified() -> None:
    cases = [
        desired_state(config(), org(), [group("AWS-OU-Workloads-Admin"), group("AWS-OU-Nowhere-ReadOnly")]),
        desired_state(config(), org(), [group("AWS-OU-Workloads-ReadOnly", external_id=None)]),
    ]
    assert all(f.kind for state in cases for f in state.findings)
