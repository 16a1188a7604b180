"""Pieces every config section shares: the strict base model, IAM patterns and models, durations, files.

Both the root config (models.py) and the federation section import from here, so neither imports the other's
internals (models.py imports federation.py for the section type).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, model_validator

from entra_aws.config.aws_limits import (
    ACCOUNT_ID,
    AWS_MANAGED_POLICY_ARN,
    IAM_NAME,
    IAM_PATH,
    IAM_PATH_MAX,
    MANAGED_POLICY_ARN_MAX,
    REGION,
)
from entra_aws.config.policy_document import check_policy, read_policy_file

__all__ = ["ACCOUNT_ID", "REGION", "read_policy_file"]

OU_ID = r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$"
ROOT_ID = r"^r-[0-9a-z]{4,32}$"
GUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
ISO_DURATION = re.compile(r"^PT(?:(?P<h>[0-9]{1,4})H)?(?:(?P<m>[0-9]{1,4})M)?$")

ManagedPolicyArn = Annotated[str, StringConstraints(pattern=AWS_MANAGED_POLICY_ARN, max_length=MANAGED_POLICY_ARN_MAX)]
PolicyDocument = Annotated[dict[str, Any], AfterValidator(check_policy)]


class Strict(BaseModel):
    # allow_inf_nan=False: `max_tps: .nan` is "not a number", not "should be less than or equal to 100".
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, allow_inf_nan=False)


class CustomerManagedPolicyReference(Strict):
    name: Annotated[str, StringConstraints(pattern=IAM_NAME)]
    path: Annotated[str, StringConstraints(pattern=IAM_PATH, max_length=IAM_PATH_MAX)] = "/"


class PermissionsBoundary(Strict):
    """Exactly one of an AWS-managed policy ARN or a customer-managed policy reference."""

    managed_policy_arn: ManagedPolicyArn | None = None
    customer_managed_policy: CustomerManagedPolicyReference | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> PermissionsBoundary:
        if (self.managed_policy_arn is None) == (self.customer_managed_policy is None):
            raise ValueError("give exactly one of managed_policy_arn or customer_managed_policy")
        return self


def session_duration(value: str) -> timedelta:
    """PT1H..PT12H: the range of Identity Center session durations and of IAM's MaxSessionDuration."""
    match = ISO_DURATION.fullmatch(value)
    if not match or not (match["h"] or match["m"]):
        raise ValueError(f"must be an ISO-8601 duration like PT1H or PT8H30M, got {value!r}")
    duration = timedelta(hours=int(match["h"] or 0), minutes=int(match["m"] or 0))
    if not timedelta(hours=1) <= duration <= timedelta(hours=12):
        raise ValueError(f"must be between PT1H and PT12H, got {value!r}")
    return duration


def check_session_duration(value: str) -> str:
    session_duration(value)
    return value


def duplicates(names: list[str]) -> list[str]:
    """Names that occur more than once, each reported once, in first-seen order."""
    seen: set[str] = set()
    repeated: list[str] = []
    for name in names:
        if name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    return repeated


def resolve_file(base_dir: Path, name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else base_dir / path
