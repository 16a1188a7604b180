#!/usr/bin/env python3
"""CDK app: `cdk synth -c config=path/to/config.yaml` builds every stack from that config. Without `-c config=`
it refuses in one line: the example (config/example.yaml, management account 111111111111) is opt-in. cdk-nag's
AWS Solutions rules run on every synth (a finding that is not acknowledged with its reason fails it);
`-c nag=false` skips them.
"""

from __future__ import annotations

import sys

import aws_cdk as cdk

from entra_aws.config import ConfigError, load_config
from stacks.application import build_app

NO_CONFIG = (
    "app.py: say which config to deploy: cdk synth -c config=path/to/config.yaml "
    "(cdk synth -c config=config/example.yaml to try the example)"
)


def main() -> None:
    app = cdk.App()
    config_path = app.node.try_get_context("config")
    if not config_path:
        print(NO_CONFIG, file=sys.stderr)
        raise SystemExit(2)
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
