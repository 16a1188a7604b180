"""The Lambda environment contract: the variables the automation stack sets on each function and the handlers
read. Each variable is its field's name in upper case.

Imported by the stack (which must not pull boto3) and by the handlers (which must not pull CDK): it needs only
pydantic, which the asset bundles. pydantic-settings is not on the Lambda runtime, hence the two small
conversions here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_serializer, field_validator

Required = Annotated[str, StringConstraints(min_length=1)]


class SettingsError(RuntimeError):
    """A variable the function needs is missing or invalid: the deployment is broken, retrying cannot help."""


class FunctionSettings(BaseModel):
    """What every function of the automation reads, the deploy-time reconcile included."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    powertools_service_name: str = "entra-aws"
    reconcile_queue_url: Required
    entra_aws_config: Path | None = None
    """The config the handlers read. Unset in Lambda (the asset's config.json); the sandbox points it elsewhere."""

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> Self:
        """The settings from a process environment (other variables ignored); SettingsError in one line naming
        each missing or invalid variable."""
        values = {name: environment[name.upper()] for name in cls.model_fields if name.upper() in environment}
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            raise SettingsError(f"the Lambda environment is not usable: {_problems(error)}") from None

    def to_environment(self) -> dict[str, str]:
        """The `environment` of the function's definition (unset optional variables left out)."""
        values: dict[str, Any] = self.model_dump(mode="json", exclude_none=True)
        return {name.upper(): str(value) for name, value in values.items()}


class HandlerSettings(FunctionSettings):
    """What the router and the worker read besides: they are idempotent, notify, tell their own writes apart and
    share the Identity Center budget."""

    powertools_metrics_namespace: str = "EntraAws"
    powertools_log_level: str = "INFO"
    topic_arn: Required
    idempotency_table: Required
    automation_role_arns: tuple[Required, ...] = Field(min_length=1)
    """The automation's own roles, comma-separated in the variable."""
    max_concurrent_reconciles: int = Field(ge=1)
    """Workers running at once; each takes its share of the Identity Center rate."""
    trusted_writers: tuple[Required, ...] = ()
    """automation.trusted_writers (role ARNs or glob patterns), comma-separated: their Identity Center writes are
    not drift."""

    @field_validator("automation_role_arns", "trusted_writers", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return tuple(a for a in value.split(",") if a) if isinstance(value, str) else value

    @field_serializer("automation_role_arns", "trusted_writers")
    def _joined(self, arns: tuple[str, ...]) -> str:
        return ",".join(arns)


class WorkerSettings(HandlerSettings):
    """What the worker reads besides: the key it seals and verifies permission sets with (engine.ownership)."""

    ownership_key: Required
    """The ownership key's ARN (stacks/automation/ownership.py)."""


def _problems(error: ValidationError) -> str:
    problems = []
    for problem in error.errors():
        name = str(problem["loc"][0]).upper() if problem["loc"] else "environment"
        problems.append(f"{name} {'is not set' if problem['type'] == 'missing' else problem['msg'].lower()}")
    return "; ".join(problems)
