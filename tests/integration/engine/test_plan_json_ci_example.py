"""docs/runbooks.md's CI step ("Fail a pull request that adds a privileged grant"), run as written over real
`entra-aws plan --json` output from the emulator: it fails exactly when the plan grants a privileged set."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import Seeded
from .test_cli_against_emulator import CONFIG, REPO, cli, config_variant

RUNBOOK = (REPO / "docs" / "runbooks.md").read_text()
SECTION = RUNBOOK[RUNBOOK.index("## Fail a pull request that adds a privileged grant") :]
CHECK = re.search(r"<<'EOF'\n(.*?)\nEOF\n", SECTION, flags=re.DOTALL)
JQ = re.search(r"`jq -e '(.*?)' plan\.json`", SECTION, flags=re.DOTALL)


def privileged_check(config: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    plan = cli("plan", "--config", config, "--json")
    assert plan.returncode <= 1, plan.stderr
    (tmp_path / "plan.json").write_text(plan.stdout)
    assert CHECK is not None
    return subprocess.run(
        [sys.executable, "-", config, str(tmp_path / "plan.json")],
        input=CHECK.group(1),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def jq_allows(tmp_path: Path) -> bool:
    assert JQ is not None
    expression = " ".join(JQ.group(1).split())
    return subprocess.run(["jq", "-e", expression, str(tmp_path / "plan.json")], capture_output=True).returncode == 0


def widen_the_admins(data: dict[str, Any]) -> None:
    """platform-admins loses its /Security exclusion: AdministratorAccess on the two Security accounts."""
    data["assignments"][0].pop("exclude")


def test_the_step_fails_on_privileged_grants_only(seeded: Seeded, tmp_path: Path) -> None:
    first = privileged_check(CONFIG, tmp_path)
    assert first.returncode == 1, first.stderr
    flagged = first.stdout.splitlines()
    assert flagged and all("AdministratorAccess" in line or "PowerUser" in line for line in flagged)
    assert any("group AWS-Platform-Admins -> AdministratorAccess on 444444444444 (payments-prod)" in f for f in flagged)

    assert cli("apply", "--config", CONFIG, "--yes").returncode == 0
    assert privileged_check(CONFIG, tmp_path).returncode == 0, "nothing left to grant"

    widened = config_variant(tmp_path, widen_the_admins)
    second = privileged_check(widened, tmp_path)
    assert second.returncode == 1
    assert sorted(second.stdout.splitlines()) == [
        "privileged grant, needs a security review: group AWS-Platform-Admins -> AdministratorAccess on "
        f"{account_id} ({name})"
        for account_id, name in (("222222222222", "log-archive"), ("222222222223", "security-tooling"))
    ]


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_the_jq_variant_agrees(seeded: Seeded, tmp_path: Path) -> None:
    assert privileged_check(CONFIG, tmp_path).returncode == 1
    assert not jq_allows(tmp_path)
    assert cli("apply", "--config", CONFIG, "--yes").returncode == 0
    assert privileged_check(CONFIG, tmp_path).returncode == 0
    assert jq_allows(tmp_path)
