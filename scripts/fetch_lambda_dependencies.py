"""Install the Lambda functions' pinned dependencies (requirements-lambda.txt) for the functions' runtime into a
folder the CDK asset copies at synth time, so `cdk synth` stays offline and ships exactly what was tested.

Wheels only, for CPython 3.13 on manylinux x86_64 (the runtime and architecture in stacks/automation), without
dependency resolution: the file lists every package, and a missing one fails the handler-import test under 3.13.
Idempotent: a folder already holding these pins is left alone.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REQUIREMENTS = REPO / "requirements-lambda.txt"
TARGET = REPO / "build" / "lambda-dependencies"
PLATFORM = ("--platform", "manylinux2014_x86_64", "--implementation", "cp", "--python-version", "3.13")
STAMP = ".requirements-sha256"


def fingerprint() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", type=Path, default=TARGET)
    args = parser.parse_args()
    target: Path = args.target
    if (target / STAMP).is_file() and (target / STAMP).read_text() == fingerprint():
        (target / STAMP).touch()  # up to date: tell make so
        return 0
    shutil.rmtree(target, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    command += ["--only-binary=:all:", *PLATFORM, "--target", str(target), "-r", str(REQUIREMENTS)]
    subprocess.run(command, check=True)
    for cache in target.rglob("__pycache__"):
        shutil.rmtree(cache)
    (target / STAMP).write_text(fingerprint())
    print(f"Lambda dependencies for CPython 3.13 x86_64 in {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
