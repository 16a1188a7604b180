#!/usr/bin/env python3
"""CDK app: `cdk synth` builds every stack from one config (default: the embedded example).

Choose another config with `cdk synth -c config=path/to/config.yaml`. cdk-nag's AWS Solutions rules run on every
synth (a finding that is not acknowledged with its reason fails it); `-c nag=false` skips them.
"""

from __future__ import annotations

import sys

import aws_cdk as cdk

from entra_aws.config import ConfigError, load_config
from stacks.application import build_app

DEFAULT_CONFIG = "config/example.yaml"


def main() -> None:
    app = cdk.App()
    config_path = app.node.try_get_context("config") or DEFAULT_CONFIG
    try:
        config = load_config(config_path)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(2) from None
    if str(app.node.try_get_context("nag")).lower() != "false":
        from cdk_nag import AwsSolutionsChecks

        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    build_app(app, config)
    app.synth()


if __name__ == "__main__":
    main()
