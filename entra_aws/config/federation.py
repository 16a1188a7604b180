"""Workload (OIDC) and SAML federation settings. Owned by the federation work; kept minimal here."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict


class FederationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_federation(federation: FederationConfig, base_dir: Path) -> list[str]:
    """Checks that need files next to the config (e.g. SAML metadata). Returns `field.path: problem` lines."""
    return []
