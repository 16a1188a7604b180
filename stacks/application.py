"""Build every stack of the app from one config."""

from __future__ import annotations

import aws_cdk as cdk

from entra_aws.config import Config
from stacks.automation import add_automation_stacks
from stacks.federation import add_federation_stacks


def build_app(app: cdk.App, config: Config) -> None:
    if config.federation is not None:
        add_federation_stacks(app, config)
    add_automation_stacks(app, config)
