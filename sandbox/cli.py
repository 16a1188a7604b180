"""`entra-aws simulate`: a scenario played through the deployed automation on a local AWS.

Everything runs on 127.0.0.1: moto in server mode, the CDK app synthesized in this process and its rules,
queues and table created in the emulator, the real Lambda handlers run in-process. `entra-aws demo` is
`simulate` with the example config and scenarios/quickstart.yaml.

Exit status: 0 when every expectation holds and no message reached a dead-letter queue, 1 otherwise, 2 when the
config, the scenario or an argument is invalid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from entra_aws.cli.arguments import ArgumentParser, fail, guarded

if TYPE_CHECKING:
    from entra_aws.config import Config
    from lambdas.results import ToldFinding
    from sandbox.deployment import Deployment
    from sandbox.emulator import AccountRouting
    from sandbox.simulator import SimulationResult, StepOutcome

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO / "config" / "example.yaml"
DEFAULT_SCENARIO = REPO / "scenarios" / "quickstart.yaml"
SHOWN_CHANGES = 8


def simulate(config_path: Path, scenario_path: Path, *, say: Any = print) -> SimulationResult:
    """Start the emulator, deploy, play the scenario; the emulator is gone when this returns."""
    import boto3

    from entra_aws.config import load_config
    from sandbox.deployment import deploy, synthesize
    from sandbox.emulator import emulated_aws
    from sandbox.lambda_runtime import cold_start
    from sandbox.scenario import load_scenario
    from sandbox.simulator import Simulator

    config = load_config(config_path)
    scenario = load_scenario(scenario_path)
    management = scenario.organization.management_account.id
    if config.management_account_id and config.management_account_id != management:
        from entra_aws.config import ConfigError

        raise ConfigError(
            [
                f"{scenario_path}: organization.management_account.id: {management} differs from the config's "
                f"management_account_id {config.management_account_id}"
            ]
        )
    routing = account_routing(config, management)
    automation = routing.automation if routing else management
    with emulated_aws(management, routing) as url:
        session = boto3.Session()
        say(f"Local AWS emulator (moto) on {url}; management account {management}")
        if routing:
            say(f"Topology delegated_admin: the automation in the delegated administrator account {automation}")
        config = bound_to_emulator(config, session, say)
        templates = synthesize(config)
        deployment = deploy(templates, config, automation, session)
        simulator = Simulator(config, scenario, deployment, session)
        simulator.seed()
        say(f"Seeded {scenario_path.name}: {len(simulator.accounts)} accounts, {len(simulator.groups)} groups")
        say(f"Deployed {', '.join(t.name for t in templates)} (synthesized now): {_inventory(deployment)}")
        cold_start(deployment)
        return simulator.run()


def account_routing(config: Config, management: str) -> AccountRouting | None:
    """topology delegated_admin: two emulated accounts."""
    from sandbox.emulator import AccountRouting

    account = config.deployment.delegated_admin_account_id
    if not config.deployment.delegated or account is None:
        return None
    return AccountRouting(management=management, automation=account, home_region=config.identity_center.region)


def bound_to_emulator(config: Config, session: Any, say: Any) -> Config:
    """A config that pins its Identity Center instance (as production configs may) is pointed at the emulator's
    instance instead: the sandbox has only that one."""
    ic = config.identity_center
    if not (ic.instance_arn or ic.identity_store_id):
        return config
    instance = session.client("sso-admin", region_name=ic.region).list_instances()["Instances"][0]
    say(f"Config pins Identity Center {ic.instance_arn or ic.identity_store_id}; the sandbox uses its own instance")
    # the emulator's identity store id is not AWS-shaped (d- + 10 hex digits): leave it to run-time discovery
    update = {"instance_arn": instance["InstanceArn"], "identity_store_id": None}
    return config.model_copy(update={"identity_center": ic.model_copy(update=update)})


def _inventory(deployment: Deployment) -> str:
    return (
        f"{len(deployment.rules)} EventBridge rules, {len(deployment.mappings)} queue -> function mappings, "
        f"{len(deployment.functions)} functions"
    )


# --- output ------------------------------------------------------------------------------------------------


def _grant_line(sign: str, grant: Any, accounts: dict[str, str], label: str = "") -> str:
    account = f"{grant.account_id} {accounts.get(grant.account_id, '')}".strip()
    return f"    {label}{sign} {grant.principal}  {grant.permission_set}  {account}"


def _finding_line(finding: ToldFinding) -> str:
    told = "notified" if finding.notified else "notified before: not repeated within the week"
    return f"{finding.severity}: {finding.message} ({told})"


def step_lines(outcome: StepOutcome, accounts: dict[str, str]) -> list[str]:
    lines = [f"[{outcome.number}] {outcome.title}"]
    lines += [_grant_line(sign, g, accounts, label="by hand   ") for sign, g in outcome.made]
    lines += [f"    event     {e}" for e in outcome.events]
    lines += [f"    routed    {r}" for r in outcome.routed]
    lines += [f"    applied   {r}" for r in outcome.reconciled]
    lines += [f"    finding   {_finding_line(f)}" for f in outcome.findings]
    lines += [f"    notified  {n}" for n in outcome.notifications]
    changes = [_grant_line("+", g, accounts) for g in outcome.added]
    changes += [_grant_line("-", g, accounts) for g in outcome.removed]
    if not changes:
        lines.append("    (the automation changed no access)")
    lines += changes[:SHOWN_CHANGES]
    if len(changes) > SHOWN_CHANGES:
        lines.append(f"    ... and {len(changes) - SHOWN_CHANGES} more (the matrix below has them all)")
    lines += [f"    DEAD-LETTER {d}" for d in outcome.dead_letters]
    lines += [f"    FAILED    {f}" for f in outcome.failed_expectations]
    return lines


def report_lines(result: SimulationResult) -> list[str]:
    from entra_aws.cli.render import matrix_table

    lines: list[str] = []
    for outcome in result.steps:
        lines += step_lines(outcome, result.accounts)
        lines.append("")
    lines.append("Access matrix at the end (group x account x permission set):")
    lines.append(matrix_table(result.matrix, result.accounts))
    lines.append("")
    checked = result.expectations_checked - len(result.out_of_reach)
    if result.failed_expectations:
        lines.append(f"Expectations: {len(result.failed_expectations)} of {checked} FAILED:")
        lines += [f"  - {f}" for f in result.failed_expectations]
    else:
        lines.append(f"Expectations: all {checked} met.")
    if result.out_of_reach:
        lines.append(f"Not checked in this topology ({len(result.out_of_reach)}):")
        lines += [f"  - {f}" for f in result.out_of_reach]
    return lines


def _simulate(args: Any) -> int:
    from sandbox.deployment import DeploymentError
    from sandbox.simulator import ScenarioError

    config, scenario = Path(args.config), Path(args.scenario)
    say = (lambda *_: None) if args.json else print
    try:
        result = simulate(config, scenario, say=say)
    except (ScenarioError, DeploymentError) as error:
        return fail(f"entra-aws simulate: {scenario}: {error}", 2)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print()
        print("\n".join(report_lines(result)))
    return 0 if result.ok else 1


def run(command: str, argv: list[str]) -> int:
    parser = ArgumentParser(prog=f"entra-aws {command}", description=__doc__)
    if command == "simulate":
        parser.add_argument("--config", required=True, help="the config to try")
        parser.add_argument("--scenario", required=True, help="the scenario to play (see docs/scenarios.md)")
    else:
        parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="config (default: the example)")
        parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO), help="scenario (default: quickstart)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON instead of tables")
    args = parser.parse_args(argv)
    for option in ("config", "scenario"):
        if not Path(getattr(args, option)).is_file():
            return fail(f"entra-aws {command}: --{option} {getattr(args, option)}: no such file", 2)
    return guarded(f"entra-aws {command}", lambda: _simulate(args))
