"""The wheel holds only what runs in production: the `entra_aws` package, no sandbox, no tests, no moto.

Built offline (`pip wheel --no-build-isolation` with the venv's setuptools) and installed into a fresh venv
without its dependencies; those come from the development venv's site-packages through PYTHONPATH, which does
not process `.pth` files, so the checkout's editable install cannot leak in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.infrastructure


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("entra_aws-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the wheel installed; returns its bin folder."""
    root = tmp_path_factory.mktemp("fresh-venv")
    venv.EnvBuilder(with_pip=True).create(root)
    bin_dir = root / "bin"
    subprocess.run([bin_dir / "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    return bin_dir


def _run(bin_dir: Path, *args: str, cwd: Path, program: str = "entra-aws") -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    environment["PYTHONPATH"] = sysconfig.get_paths()["purelib"]  # dependencies only: no .pth, no editable finder
    return subprocess.run(
        [str(bin_dir / program), *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=60
    )


def test_the_wheel_holds_only_the_production_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_levels = {name.split("/", 1)[0] for name in names}
    assert top_levels == {"entra_aws", wheel.name.removesuffix("-py3-none-any.whl") + ".dist-info"}
    sources = [name for name in names if name.endswith(".py")]
    assert not [name for name in sources if "sandbox" in name or "moto" in name]
    for name in sources:
        text = zipfile.ZipFile(wheel).read(name).decode()
        assert "import moto" not in text and "from moto" not in text, name


def test_validate_runs_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    origin = _run(installed, "-c", "import entra_aws; print(entra_aws.__file__)", cwd=tmp_path, program="python")
    assert Path(origin.stdout.strip()).is_relative_to(installed.parent), origin.stdout + origin.stderr
    result = _run(installed, "validate", str(REPO / "config" / "example.yaml"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    where = _run(installed, "--version", cwd=tmp_path)
    assert where.returncode == 0 and where.stdout.strip()


def test_simulate_says_in_one_line_that_the_sandbox_is_absent(installed: Path, tmp_path: Path) -> None:
    result = _run(installed, "simulate", "--config", "c.yaml", "--scenario", "s.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "source checkout" in lines[0] and "Traceback" not in result.stderr
