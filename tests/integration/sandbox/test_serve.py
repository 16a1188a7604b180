"""`entra-aws sandbox serve` as a person runs it: a subprocess whose export lines point `apply`, `import`, `plan`
and `matrix` (more subprocesses) at it, stopped by SIGTERM."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
ORGANIZATION = REPO / "scenarios" / "example-organization.yaml"
CONFIG = REPO / "config" / "example.yaml"
EXPORTS = ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
STARTUP_SECONDS = 60
ENTRA_AWS = [sys.executable, "-m", "entra_aws"]


def _clean_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return env | {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


def _export_lines(server: subprocess.Popen[str]) -> dict[str, str]:
    """The first lines of its output, read within STARTUP_SECONDS (by a thread: a pipe read cannot time out)."""
    assert server.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout or ()], daemon=True).start()
    exported: dict[str, str] = {}
    deadline = time.monotonic() + STARTUP_SECONDS
    while len(exported) < len(EXPORTS):
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            pytest.fail(f"no export lines within {STARTUP_SECONDS} s (exit status {server.poll()})")
        assert line.startswith("export "), line
        key, _, value = line.removeprefix("export ").strip().partition("=")
        exported[key] = value
    return exported


def _answers(url: str) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    command = [*ENTRA_AWS, "sandbox", "serve", "--organization", str(ORGANIZATION), "--port", "0"]
    server = subprocess.Popen(
        command, cwd=REPO, env=_clean_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        exported = _export_lines(server)
        _answers(exported["AWS_ENDPOINT_URL"])
        yield server, _clean_environment() | exported
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def cli(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ENTRA_AWS, *argv], capture_output=True, text=True, cwd=REPO, env=env, timeout=120, stdin=subprocess.DEVNULL
    )


def test_apply_then_import_then_plan_says_no_changes(
    served: tuple[subprocess.Popen[str], dict[str, str]], tmp_path: Path
) -> None:
    server, env = served
    assert list(env)[-len(EXPORTS) :] == list(EXPORTS)
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:") and env["AWS_REGION"] == "eu-west-1"

    applied = cli(env, "apply", "--config", str(CONFIG), "--yes")
    assert applied.returncode == 0, applied.stderr
    imported_path = tmp_path / "imported.yaml"
    imported = cli(env, "import", "--out", str(imported_path), "--tenant-id", "7c5d8f2e-3b4a-4e6f-9a1b-2c3d4e5f6a7b")
    assert imported.returncode == 0, imported.stderr
    assert "27 assignments" in imported.stdout and (tmp_path / "policies" / "Developer.json").is_file()

    assert cli(env, "validate", str(imported_path)).returncode == 0
    plan = cli(env, "plan", "--config", str(imported_path))
    assert plan.returncode == 0 and "no changes" in plan.stdout, plan.stdout + plan.stderr
    matrix = cli(env, "matrix", "--config", str(imported_path))
    assert matrix.returncode == 0 and "AWS-555555555556-ReadOnly" in matrix.stdout
    _effective_access_is_a_row_per_person_account_and_set(env)

    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0
    assert server.stderr is not None and "stopped" in server.stderr.read()


def test_ctrl_c_stops_it_cleanly(served: tuple[subprocess.Popen[str], dict[str, str]]) -> None:
    server, env = served
    server.send_signal(signal.SIGINT)
    assert server.wait(timeout=30) == 0
    assert server.stderr is not None and "Traceback" not in (stderr := server.stderr.read()) and "stopped" in stderr
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{env['AWS_ENDPOINT_URL']}/moto-api/", timeout=2)


def serve_refusal(*argv: str) -> subprocess.CompletedProcess[str]:
    result = cli(_clean_environment(), "sandbox", "serve", *argv)
    assert result.returncode == 2 and result.stdout == "", result
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    return result


def test_bad_arguments_and_a_bad_organization_file_are_one_line(tmp_path: Path) -> None:
    assert "no such file" in serve_refusal("--organization", str(tmp_path / "missing.yaml")).stderr
    bad = tmp_path / "organization.yaml"
    bad.write_text("management_account: {id: '12', name: management}\n")
    assert "management_account.id" in serve_refusal("--organization", str(bad)).stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert "cannot listen" in serve_refusal("--organization", str(ORGANIZATION), "--port", port).stderr
    assert "--region" in serve_refusal("--organization", str(ORGANIZATION), "--region", "Mars").stderr


def _effective_access_is_a_row_per_person_account_and_set(env: dict[str, str]) -> None:
    """Issue #16's check against `sandbox serve` after applying the example: the CSV names user, account and
    permission set, one row per person x account x set, every person a member of a group holding access."""
    import csv
    import io

    access = cli(env, "access", "--config", str(CONFIG), "--format", "csv")
    assert access.returncode == 0, access.stderr
    rows = list(csv.DictReader(io.StringIO(access.stdout)))
    assert rows and {"user", "account_id", "account_name", "permission_set"} <= set(rows[0])
    keys = [(r["user"], r["account_id"], r["permission_set"], r["via"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert {r["via"].split(" ", 1)[0] for r in rows} <= {"group", "direct"}
