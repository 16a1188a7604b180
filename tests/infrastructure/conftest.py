"""The whole app synthesized once per test worker from each shipped topology's config."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.infrastructure.synthesized import DELEGATED, EXAMPLE, synth


@pytest.fixture(scope="session")
def management_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth(EXAMPLE, tmp_path_factory.mktemp("cdk.out.management"))


@pytest.fixture(scope="session")
def delegated_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth(DELEGATED, tmp_path_factory.mktemp("cdk.out.delegated"))
