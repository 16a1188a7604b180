"""Template tests of EntraAws-Federation: providers, every role's trust policy, outputs, StackSet rollout; the
trust audit over every synthesized template; cdk-nag (as a validation plugin) and cfn-lint stay clean."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match
from cdk_nag import AwsSolutionsChecks
from cfnlint.api import ManualArgs, lint

from entra_aws.federation.trust_policy import template_roles
from tests.support.trust_audit import audit_template

from .conftest import (
    ACCOUNT,
    APP_CLIENT_ID,
    FEDERATION,
    MI_CLIENT_ID,
    REPO,
    SUBJECT,
    SUBJECT_2,
    TOKEN_EXCHANGE_AUD,
    V1,
    V2,
    Synth,
    cdk_context,
    document,
)

pytestmark = pytest.mark.infrastructure
SynthFn = Callable[[dict[str, Any]], Synth]


def _role(synth: Synth, name: str) -> dict[str, Any]:
    roles = [r.properties for r in template_roles(synth.json) if r.properties.get("RoleName") == name]
    assert len(roles) == 1, name
    return roles[0]


def _trust(role: dict[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = role["AssumeRolePolicyDocument"]["Statement"]
    return statements


def test_oidc_providers_url_and_client_ids(synth: SynthFn) -> None:
    result = synth(document())
    result.template.resource_count_is("AWS::IAM::OIDCProvider", 2)
    result.template.has_resource_properties(
        "AWS::IAM::OIDCProvider",
        {
            "Url": f"https://{V1}",
            "ClientIdList": ["api://entra-aws-legacy"],
            "ThumbprintList": Match.absent(),
        },
    )
    result.template.has_resource_properties(
        "AWS::IAM::OIDCProvider",
        {
            "Url": f"https://{V2}",
            "ClientIdList": sorted([APP_CLIENT_ID, TOKEN_EXCHANGE_AUD]),
            "ThumbprintList": Match.absent(),
        },
    )


def test_explicit_thumbprints(synth: SynthFn) -> None:
    federation = json.loads(json.dumps(FEDERATION))
    federation["workload_identity"]["thumbprints"] = ["a" * 40]
    result = synth(document(federation))
    result.template.all_resources_properties("AWS::IAM::OIDCProvider", {"ThumbprintList": ["a" * 40]})


def test_workload_trust_policies_pin_aud_and_sub(synth: SynthFn) -> None:
    result = synth(document())
    resources = result.json["Resources"]
    provider = {p["Properties"]["Url"]: lid for lid, p in resources.items() if p["Type"] == "AWS::IAM::OIDCProvider"}

    exporter = _role(result, "reports-exporter")
    assert _trust(exporter) == [
        {
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{V2}:aud": APP_CLIENT_ID, f"{V2}:sub": SUBJECT}},
            "Effect": "Allow",
            "Principal": {"Federated": {"Ref": provider[f"https://{V2}"]}},
        }
    ]
    assert exporter["MaxSessionDuration"] == 7200
    assert exporter["Tags"] == [{"Key": "team", "Value": "finance"}]
    assert exporter["Policies"][0]["PolicyDocument"]["Statement"][0]["Resource"] == "arn:aws:s3:::example-reports/*"
    # The account and region are known (management_account_id), so CDK writes partition literals.
    assert exporter["PermissionsBoundary"] == f"arn:aws:iam::{ACCOUNT}:policy/b/WorkloadBoundary"

    legacy = _role(result, "legacy-batch")
    v1_conditions = {"StringEquals": {f"{V1}:aud": "api://entra-aws-legacy", f"{V1}:sub": SUBJECT_2}}
    assert [(s["Action"], s["Condition"]) for s in _trust(legacy)] == [
        ("sts:AssumeRoleWithWebIdentity", v1_conditions),
        (["sts:SetSourceIdentity", "sts:TagSession"], v1_conditions),
    ]
    assert all(s["Principal"] == {"Federated": {"Ref": provider[f"https://{V1}"]}} for s in _trust(legacy))
    assert legacy["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert legacy["MaxSessionDuration"] == 3600

    ci = _role(result, "ci-deployer")
    assert _trust(ci)[0]["Condition"] == {"StringEquals": {f"{V2}:aud": TOKEN_EXCHANGE_AUD, f"{V2}:sub": SUBJECT_2}}


def test_saml_provider_and_roles(synth: SynthFn) -> None:
    result = synth(document())
    result.template.has_resource_properties(
        "AWS::IAM::SAMLProvider",
        {
            "Name": "EntraID",
            "SamlMetadataDocument": Match.string_like_regexp('entityID="https://sts.windows.net/'),
        },
    )
    provider = next(lid for lid, r in result.json["Resources"].items() if r["Type"] == "AWS::IAM::SAMLProvider")
    for name in ("EntraSaml-ReadOnly", "EntraSaml-Billing"):
        assert _trust(_role(result, name)) == [
            {
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
                "Effect": "Allow",
                "Principal": {"Federated": {"Ref": provider}},
            }
        ]
    result.template.resource_count_is("AWS::IAM::User", 0)


def test_outputs_with_known_account(synth: SynthFn) -> None:
    result = synth(document())
    outputs = result.json["Outputs"]
    assert {"OidcProviderV1Arn", "OidcProviderV2Arn", "SamlProviderArn"} <= set(outputs)
    for name in ("ReportsExporter", "LegacyBatch", "CiDeployer"):
        assert outputs[f"{name}RoleArn"]["Value"]["Fn::GetAtt"][1] == "Arn"
    profile = outputs["ReportsExporterAwsProfile"]["Value"]["Fn::Join"][1]
    assert profile[0] == "[profile reports-exporter]\ncredential_process = entra-aws credentials --role-arn "
    assert profile[1]["Fn::GetAtt"][1] == "Arn"
    assert profile[2] == f" --audience api://entra-aws-workloads --client-id {MI_CLIENT_ID}\nregion = eu-west-1\n"
    ci = outputs["CiDeployerAwsProfile"]["Value"]["Fn::Join"][1]
    assert (
        ci[0].startswith("[profile ci]\n") and ci[2] == " --audience api://AzureADTokenExchange\nregion = eu-west-1\n"
    )
    entra = outputs["LegacyBatchEntraSettings"]["Value"]
    assert "accessTokenAcceptedVersion=null or 1" in entra and f"object id {SUBJECT_2}" in entra
    assert f"issuer https://{V1}" in entra
    claim = f"arn:aws:iam::{ACCOUNT}:role/EntraSaml-ReadOnly,arn:aws:iam::{ACCOUNT}:saml-provider/EntraID"
    assert outputs["EntraSamlReadOnlyRoleClaim"]["Value"] == claim
    app_roles = json.loads(outputs["SamlAppRolesJson"]["Value"])
    assert [r["value"] for r in app_roles] == [claim, claim.replace("ReadOnly", "Billing")]
    assert all(r["id"].endswith(f"-{ACCOUNT}") and r["allowedMemberTypes"] == ["User"] for r in app_roles)


def test_env_agnostic_outputs_use_the_deploy_account(synth: SynthFn) -> None:
    result = synth(document(account=False))
    claim = result.json["Outputs"]["EntraSamlReadOnlyRoleClaim"]["Value"]["Fn::Join"][1]
    assert {"Ref": "AWS::AccountId"} in claim and ":role/EntraSaml-ReadOnly,arn:" in claim
    assert result.stack.stack_name == "EntraAws-Federation"


def test_role_import_user_is_list_roles_only(synth: SynthFn) -> None:
    federation = json.loads(json.dumps(FEDERATION))
    federation["saml"]["role_import_user"] = {"enabled": True}
    result = synth(document(federation))
    result.template.has_resource_properties("AWS::IAM::User", {"UserName": "entra-aws-role-import"})
    result.template.resource_count_is("AWS::IAM::AccessKey", 0)
    result.template.has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": [{"Action": "iam:ListRoles", "Effect": "Allow", "Resource": "*"}]}},
    )
    assert "rotate" in result.json["Outputs"]["RoleImportUserName"]["Description"]


def test_wildcard_subject_with_reason(synth: SynthFn) -> None:
    federation = json.loads(json.dumps(FEDERATION))
    federation["workload_identity"]["workloads"][0].update(
        subject="3f2a6c1e-*", wildcard_subject_reason="every node pool identity of the reports cluster"
    )
    result = synth(document(federation))
    role = _role(result, "reports-exporter")
    assert _trust(role)[0]["Condition"] == {
        "StringEquals": {f"{V2}:aud": APP_CLIENT_ID},
        "StringLike": {f"{V2}:sub": "3f2a6c1e-*"},
    }
    assert role["Description"].startswith("Wildcard subject opted in: every node pool identity")
    assert audit_template(result.json) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subject": None}, r"workloads\[0\]\.subject: is required"),
        ({"subject": "3f2a6c1e-*"}, r"workloads\[0\]\.subject: .*wildcard"),
    ],
    ids=["no-subject", "unexplained-wildcard"],
)
def test_synthesis_refuses_an_unsafe_trust_even_when_the_loader_is_bypassed(
    change: dict[str, Any], message: str
) -> None:
    from entra_aws.config import parse_config
    from stacks.federation import add_federation_stacks

    doc = document()
    workload = doc["federation"]["workload_identity"]["workloads"][0]
    for key, value in change.items():
        if value is None:
            workload.pop(key)
        else:
            workload[key] = value
    doc["federation"].pop("saml")
    config = parse_config(doc)  # no file checks: the stack must still refuse
    with pytest.raises(ValueError, match=message):
        add_federation_stacks(cdk.App(), config)


def _stackset_document() -> dict[str, Any]:
    doc = document()
    doc["federation"]["deploy_to"] = {
        "management_account": False,
        "stackset": {
            "organizational_units": ["ou-ab12-cdefgh34", "r-ab12"],
            "exclude_accounts": ["222222222222"],
        },
    }
    return doc


def test_stackset_rollout(synth: SynthFn) -> None:
    result = synth(_stackset_document())
    result.template.resource_count_is("AWS::IAM::Role", 0)
    result.template.has_resource_properties(
        "AWS::CloudFormation::StackSet",
        {
            "PermissionModel": "SERVICE_MANAGED",
            "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": False},
            "Capabilities": ["CAPABILITY_NAMED_IAM"],
            "StackInstancesGroup": [
                {
                    "DeploymentTargets": {
                        "OrganizationalUnitIds": ["ou-ab12-cdefgh34", "r-ab12"],
                        "Accounts": ["222222222222"],
                        "AccountFilterType": "DIFFERENCE",
                    },
                    "Regions": ["eu-west-1"],
                }
            ],
        },
    )
    [body] = result.stackset_bodies()
    kinds = sorted(r["Type"] for r in body["Resources"].values())
    assert kinds == sorted(["AWS::IAM::OIDCProvider"] * 2 + ["AWS::IAM::SAMLProvider"] + ["AWS::IAM::Role"] * 5)
    assert "Parameters" not in body and "Rules" not in body  # no CDK bootstrap needed in member accounts
    claim = body["Outputs"]["EntraSamlReadOnlyRoleClaim"]["Value"]["Fn::Join"][1]
    assert {"Ref": "AWS::AccountId"} in claim
    assert "ReportsExporterAwsProfile" in body["Outputs"]


def test_every_federated_trust_in_every_template_is_pinned(synth: SynthFn) -> None:
    """The walker: every role of every synthesized template, StackSet bodies included."""
    both = _stackset_document()
    both["federation"]["deploy_to"]["management_account"] = True
    walked = 0
    for doc in (document(), document(account=False), both):
        result = synth(doc)
        for name, template in result.templates.items():
            assert audit_template(template, name) == []
            walked += sum(1 for _ in template_roles(template))
    assert walked == 5 + 5 + 10


def test_the_audit_catches_a_bare_oidc_principal() -> None:
    """Control: a role trusting the provider without conditions (what CDK gives by default) is a finding."""
    app = cdk.App()
    stack = cdk.Stack(app, "Bad")
    provider = iam.OidcProviderNative(stack, "P", url=f"https://{V2}", client_ids=[APP_CLIENT_ID])
    iam.Role(stack, "R", assumed_by=iam.WebIdentityPrincipal(provider.oidc_provider_arn))
    saml = iam.SamlProvider(stack, "S", metadata_document=iam.SamlMetadataDocument.from_xml("<x/>" * 300))
    iam.Role(stack, "Console", assumed_by=iam.SamlPrincipal(saml, {}))
    template = app.synth().get_stack_by_name("Bad").template
    problems = sorted(f.problem for f in audit_template(template))
    assert len(problems) == 3
    assert any("SAML:aud" in p for p in problems)


def test_cdk_nag_is_active_control() -> None:
    """Control: an unacknowledged AWS-managed policy fails synthesis, so clean runs above mean something."""
    app = cdk.App(context=cdk_context())
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    stack = cdk.Stack(app, "Nag")
    iam.Role(
        stack,
        "R",
        assumed_by=iam.AccountRootPrincipal(),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("ReadOnlyAccess")],
    )
    with pytest.raises(Exception, match="AwsSolutions-IAM4"):
        app.synth()


def test_cfn_lint_clean_including_stackset_body(synth: SynthFn) -> None:
    both = _stackset_document()
    both["federation"]["deploy_to"]["management_account"] = True
    federation = both["federation"]
    federation["saml"]["role_import_user"] = {"enabled": True}
    result = synth(both)
    templates = [*result.templates.values(), *result.stackset_bodies()]
    assert len(templates) == 2
    for template in templates:
        matches = lint(json.dumps(template), config=ManualArgs(regions=["eu-west-1"]))
        assert [str(m) for m in matches] == []


def test_example_config_synthesizes_clean() -> None:
    """The shipped example (config/example.yaml, federation section appended): the federation stack is clean
    under cdk-nag and cfn-lint, and every stack of the whole app (other engineers' stacks too) passes the
    trust audit."""
    from entra_aws.config import load_config
    from stacks.application import build_app
    from stacks.federation import add_federation_stacks

    config = load_config(REPO / "config/example.yaml")
    started = time.perf_counter()
    app = cdk.App(context=cdk_context(), analytics_reporting=False)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    add_federation_stacks(app, config)
    template = app.synth().get_stack_by_name("EntraAws-Federation").template
    elapsed = time.perf_counter() - started
    assert audit_template(template) == []
    assert [str(m) for m in lint(json.dumps(template), config=ManualArgs(regions=["eu-west-1"]))] == []
    assert re.search(r"saml-provider/EntraID", json.dumps(template))
    assert elapsed < 60

    whole = cdk.App(context=cdk_context(), analytics_reporting=False)
    build_app(whole, config)
    templates = {s.stack_name: s.template for s in whole.synth().stacks}
    assert "EntraAws-Federation" in templates
    for name, each in templates.items():
        assert audit_template(each, name) == []
