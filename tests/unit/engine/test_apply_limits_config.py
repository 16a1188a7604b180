"""The config caps the executor's limits at Identity Center's documented values, and concurrent workers split them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from entra_aws.config import load_config
from entra_aws.config.models import ApplySettings
from lambdas.reconcile_worker import throttled
from tests.conftest import REPO


def test_the_defaults_are_the_documented_limits() -> None:
    settings = ApplySettings()
    assert (settings.max_outstanding_operations, settings.max_concurrent_provisioning) == (15, 3)


@pytest.mark.parametrize(("field", "value"), [("max_outstanding_operations", 16), ("max_concurrent_provisioning", 4)])
def test_more_than_identity_center_allows_is_refused(field: str, value: int) -> None:
    with pytest.raises(ValidationError, match=field):
        ApplySettings.model_validate({field: value})


def test_workers_split_the_provisionings_too() -> None:
    config = load_config(REPO / "config" / "example.yaml")
    assert throttled(config, 2).apply.max_concurrent_provisioning == 1
    assert throttled(config, 1).apply.max_concurrent_provisioning == 3
