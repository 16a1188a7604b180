"""Synthesize the whole app from a config file in-process, with cdk-nag's AwsSolutions pack (synthesis raises on
any unacknowledged finding), and read its templates back with their intrinsics resolved to plain ARNs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from entra_aws.config import Config

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "example.yaml"
DELEGATED = REPO / "config" / "delegated-admin.yaml"

# Fn::GetAtt <X>.Arn / Ref <X> of the resources the policies name, as ARNs for policy linters.
_ARN_FORMATS = {
    "AWS::SQS::Queue": "arn:aws:sqs:{region}:{account}:{name}",
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:{region}:{account}:table/{name}",
    "AWS::Logs::LogGroup": "arn:aws:logs:{region}:{account}:log-group:{name}:*",
    "AWS::KMS::Key": "arn:aws:kms:{region}:{account}:key/{name}",
    "AWS::IAM::Role": "arn:aws:iam::{account}:role/{name}",
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{account}:function:{name}",
    "AWS::SNS::Topic": "arn:aws:sns:{region}:{account}:{name}",
    "AWS::Events::Rule": "arn:aws:events:{region}:{account}:rule/{name}",
    "AWS::IAM::SAMLProvider": "arn:aws:iam::{account}:saml-provider/{name}",
    "AWS::IAM::OIDCProvider": "arn:aws:iam::{account}:oidc-provider/{name}",
}


_REF_IS_ARN = {"AWS::SNS::Topic", "AWS::IAM::SAMLProvider", "AWS::IAM::OIDCProvider"}


def synth(config_path: Path, outdir: Path) -> Path:
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    from entra_aws.config import load_config
    from stacks.application import build_app

    app = cdk.App(outdir=str(outdir))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    build_app(app, load_config(config_path))
    app.synth()
    return outdir


def synth_config(config: Config, outdir: Path) -> Path:
    """A config made in the test (not a shipped file), with cdk.json's feature flags as `cdk synth` has them."""
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    from stacks.application import build_app

    context = json.loads((REPO / "cdk.json").read_text())["context"]
    app = cdk.App(outdir=str(outdir), context=context)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    build_app(app, config)
    app.synth()
    return outdir


def with_deployment(config: Config, **settings: Any) -> Config:
    """`config` with some `deployment` settings changed."""
    return config.model_copy(update={"deployment": config.deployment.model_copy(update=settings)})


@dataclass(frozen=True)
class Template:
    name: str
    account: str
    region: str
    document: dict[str, Any]

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v.get("Properties", {}) for k, v in self.document["Resources"].items() if v["Type"] == kind}

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self.resolve(p)) for p in parts)
        if set(value) == {"Ref"}:
            return self._ref(value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            logical, _ = value["Fn::GetAtt"]
            return self._arn(logical)
        return {k: self.resolve(v) for k, v in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::Partition": "aws", "AWS::AccountId": self.account, "AWS::Region": self.region}
        if name in pseudo:
            return pseudo[name]
        if self.document["Resources"].get(name, {}).get("Type") in _REF_IS_ARN:
            return self._arn(name)
        return name

    def _arn(self, logical: str) -> str:
        kind = self.document["Resources"][logical]["Type"]
        return _ARN_FORMATS[kind].format(region=self.region, account=self.account, name=logical)


def templates(assembly: Path) -> Iterator[Template]:
    manifest = json.loads((assembly / "manifest.json").read_text())
    for name, artifact in sorted(manifest["artifacts"].items()):
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        account, region = artifact["environment"].removeprefix("aws://").split("/")
        document = json.loads((assembly / f"{name}.template.json").read_text())
        yield Template(name, account, region, document)


def template(assembly: Path, name: str) -> Template:
    return next(t for t in templates(assembly) if t.name == name)
