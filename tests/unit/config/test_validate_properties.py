"""Property: whatever the example config and its policy file are mutated into, `validate` exits 0 or 2 with
one-line problems, never a traceback, within 1 s (CPU); and under resource limits any file of at most 1 MB is
answered within 1 s using at most 200 MB.

In-process (a subprocess per case would not fit 1,000 cases in the CI budget); the resource test runs the real
command in a child process.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entra_aws.cli import config_commands

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = (REPO / "config" / "example.yaml").read_text(encoding="utf-8")
POLICY = (REPO / "config" / "policies" / "developer-deny.json").read_text(encoding="utf-8")
SECONDS_PER_FILE = 1.0
MEGABYTES_PER_FILE = 200

# Fragments that have broken loaders before: YAML features, AWS-invalid values, numbers JSON cannot hold.
HOSTILE = [
    ".nan",
    ".inf",
    "-.inf",
    "NaN",
    "Infinity",
    "1e999",
    "9" * 5000,
    "0x1F",
    "~",
    "null",
    "''",
    '""',
    "&a",
    "*a",
    "&a [*a]",
    "<<: *a",
    "<<: [*a, *a]",
    "!!python/object:os.system",
    "!!binary x",
    "!!str",
    "? ",
    "[" * 100,
    "{" * 100,
    "]",
    "}",
    "- ",
    ": ",
    "\t",
    "\r\n",
    "\ufeff",
    "\x00",
    "\u202e",
    "🚀",
    "\u0661" * 4,
    "é",
    "2024-02-30",
    "PT0H",
    "PT99999H",
    "rate(1 minutes)",
    "cron(0 6 * * *)",
    "javascript:x",
    "http://x",
    "aws:tag",
    "entra-aws:managed",
    "arn:aws:iam::aws:policy/",
    "---",
    "...",
    "%YAML 1.1",
    "#",
    "'",
    '"',
    "\\",
]
JSON_HOSTILE = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "9" * 5000,
    "null",
    "true",
    "[]",
    "{}",
    '""',
    '"x"',
    "[" * 3000,
    '"Effect": "Allow"',
    '"Statement": "x"',
    '"Principal": "*"',
    '"Condition": []',
    ",",
    ":",
    "\ufeff",
    "\\u0000",
]


@st.composite
def mutated(draw: st.DrawFn, text: str, fragments: list[str]) -> str:
    """`text` with a few edits: a fragment inserted, a span deleted, a span repeated or a line replaced."""
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        position = draw(st.integers(min_value=0, max_value=len(text)))
        end = min(len(text), position + draw(st.integers(min_value=0, max_value=80)))
        edit = draw(st.sampled_from(["insert", "delete", "repeat", "replace", "random"]))
        if edit == "insert":
            text = text[:position] + draw(st.sampled_from(fragments)) + text[position:]
        elif edit == "delete":
            text = text[:position] + text[end:]
        elif edit == "repeat":
            text = text[:end] + text[position:end] * draw(st.integers(min_value=1, max_value=50)) + text[end:]
        elif edit == "replace":
            text = text[:position] + draw(st.sampled_from(fragments)) + text[end:]
        else:
            text = text[:position] + draw(st.text(max_size=20)) + text[position:]
    return text


@pytest.fixture(scope="module")
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "policies").mkdir()
        (root / "federation").mkdir()
        for source in (REPO / "config" / "federation").iterdir():
            (root / "federation" / source.name).write_bytes(source.read_bytes())
        yield root


def _validate_in_process(config: Path) -> tuple[int, str, float]:
    stdout, stderr = io.StringIO(), io.StringIO()
    started = time.process_time()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = config_commands.run("validate", [str(config)])
    return code, stderr.getvalue(), time.process_time() - started


@settings(
    max_examples=1000,
    deadline=None,  # the 1 s bound is asserted below, on the validation alone
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(config=st.one_of(mutated(EXAMPLE, HOSTILE), st.just(EXAMPLE)), policy=mutated(POLICY, JSON_HOSTILE))
def test_mutated_configs_exit_0_or_2_with_one_line_problems(workspace: Path, config: str, policy: str) -> None:
    path = workspace / "config.yaml"
    path.write_text(config, encoding="utf-8", errors="surrogatepass")
    (workspace / "policies" / "developer-deny.json").write_text(policy, encoding="utf-8", errors="surrogatepass")

    code, stderr, seconds = _validate_in_process(path)

    assert code in (0, 2), stderr
    assert "Traceback" not in stderr
    assert seconds < SECONDS_PER_FILE, f"{seconds:.2f}s"
    if code == 2:
        lines = stderr.splitlines()
        assert lines and all(line.startswith(str(path)) for line in lines), stderr


def _alias_bomb() -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 20) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 20) + "]" for i in range(1, 12)]
    return "\n".join(lines) + "\n"


def _many_permission_sets(size: int) -> str:
    head = EXAMPLE.split("permission_sets:\n", 1)[0] + "permission_sets:\n"
    entry = "  - name: P{0}\n    description: Generated permission set number {0}\n    session_duration: PT1H\n"
    body, index = [], 0
    while len(head) + sum(map(len, body)) < size:
        body.append(entry.format(index))
        index += 1
    return head + "".join(body)


BIG_INPUTS = {
    "alias-bomb": lambda: (_alias_bomb(), POLICY),
    "one-megabyte-of-permission-sets": lambda: (_many_permission_sets(1_000_000), POLICY),
    "largest-accepted-config": lambda: (_many_permission_sets(524_000), POLICY),
    "one-megabyte-of-scalars": lambda: ("tenant_id: [" + "x, " * 330_000 + "]\n", POLICY),
    "one-megabyte-policy": lambda: (EXAMPLE, json.dumps({"Statement": [{"Sid": "x" * 1_000_000}]})),
    "deep-yaml": lambda: ("a: " + "[" * 500_000 + "\n", POLICY),
    "deep-policy": lambda: (EXAMPLE, "[" * 60_000),
}

CHILD = """
import sys, time
from entra_aws.cli import config_commands
started = time.process_time()  # CPU time: the runner's other jobs do not count against the bound
code = config_commands.run("validate", [sys.argv[1]])
seconds = time.process_time() - started
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so it would report the forking test worker's size
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
megabytes = int(status["VmHWM"].split()[0]) / 1024
print(f"\\nseconds={seconds:.3f} megabytes={megabytes:.0f} exit={code}", file=sys.stderr)
"""


def _limit_memory() -> None:  # the child's address space: a runaway fails in the child, not the machine
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and /proc/self/status are Linux's")
@pytest.mark.parametrize("case", sorted(BIG_INPUTS))
def test_validate_under_resource_limits(case: str, tmp_path: Path) -> None:
    config, policy = BIG_INPUTS[case]()
    assert len(config.encode()) <= 1_048_576 and len(policy.encode()) <= 1_048_576
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "developer-deny.json").write_text(policy, encoding="utf-8")
    (tmp_path / "federation").mkdir()
    for source in (REPO / "config" / "federation").iterdir():
        (tmp_path / "federation" / source.name).write_bytes(source.read_bytes())
    path = tmp_path / "config.yaml"
    path.write_text(config, encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=_limit_memory,  # no threads are started by this test
        cwd=REPO,
        check=False,
    )

    *problems, summary = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr and result.returncode == 0, result.stderr
    assert summary.endswith(("exit=0", "exit=2")), result.stderr
    seconds, megabytes = (float(field.split("=")[1]) for field in summary.split()[:2])
    assert seconds < SECONDS_PER_FILE and megabytes <= MEGABYTES_PER_FILE, summary
    assert all(line.startswith(str(path)) for line in problems if line), problems
