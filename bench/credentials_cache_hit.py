"""Benchmark: the cache-hit path of `entra-aws credentials` vs `python -c pass` with the same interpreter.

`measure()` writes a valid cache entry (far-future refresh time) through the helper's own cache module into a
temporary directory, points the real console script at it with ENTRA_AWS_CACHE_DIR, and times both commands
as subprocesses (interleaved, so machine noise hits both alike). The target is helper_ms <= 1.5 x python_ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROLE_ARN = "arn:aws:iam::123456789012:role/bench-cache-hit"
AUDIENCE = "api://entra-aws-bench"
FAR_FUTURE = 4102444800.0  # 2100-01-01


def _console_script() -> Path:
    for candidate in (Path(sys.executable).parent / "entra-aws", REPO / ".venv" / "bin" / "entra-aws"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError("the entra-aws console script is not installed (run `make setup`)")


def _interpreter(script: Path) -> str:
    shebang = script.read_text(encoding="utf-8").splitlines()[0]
    return shebang.removeprefix("#!").strip() if shebang.startswith("#!") else sys.executable


def _warm_cache(cache_dir: str, argv: list[str], env: dict[str, str]) -> None:
    """Write the entry the helper will look up, computing its key exactly as the helper does."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        from entra_aws.credentials import cache
        from entra_aws.credentials.options import parse

        options = parse(argv, "credentials")
        key = options.cache_key()
        document: dict[str, object] = {
            "Version": 1,
            "AccessKeyId": "ASIABENCHMARKEXAMPLE",
            "SecretAccessKey": "bench/secret/access/key/not/real/0000000000",
            "SessionToken": "bench-session-token-not-real",
            "Expiration": "2100-01-01T00:00:00Z",
        }
        cache.write_entry(cache.cache_path(cache_dir, key), key, document, FAR_FUTURE)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _time_once(command: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    return (time.perf_counter() - started) * 1000, result


def measure(runs: int = 30) -> dict[str, float]:
    """Median wall-clock ms of the cache-hit `entra-aws credentials` (helper_ms) and `python -c pass`."""
    script = _console_script()
    interpreter = _interpreter(script)
    argv = ["--role-arn", ROLE_ARN, "--audience", AUDIENCE]
    with tempfile.TemporaryDirectory(prefix="entra-aws-bench-") as cache_dir:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_"))}
        env["ENTRA_AWS_CACHE_DIR"] = cache_dir
        _warm_cache(cache_dir, argv, env)
        helper = [str(script), "credentials", *argv]
        baseline = [interpreter, "-c", "pass"]
        _, first = _time_once(helper, env)
        if first.returncode != 0 or json.loads(first.stdout).get("Version") != 1:
            raise RuntimeError(f"the helper did not hit the cache: exit {first.returncode}: {first.stderr.strip()}")
        helper_times: list[float] = []
        python_times: list[float] = []
        for _ in range(runs):
            helper_times.append(_time_once(helper, env)[0])
            python_times.append(_time_once(baseline, env)[0])
    return {"helper_ms": statistics.median(helper_times), "python_ms": statistics.median(python_times)}


if __name__ == "__main__":
    result = measure()
    ratio = result["helper_ms"] / result["python_ms"]
    print(json.dumps(dict(result, ratio=round(ratio, 2))))
