"""Pydantic models for CloudTrail records as EventBridge delivers them ("AWS API Call via CloudTrail" and
"AWS Service Event via CloudTrail"). Only the fields routing needs are typed; everything else is kept.

Real records are loose: `requestParameters`/`responseElements` may be null, `userIdentity` may lack a
`sessionContext` (service events, IAM users) or carry an empty `sessionIssuer` (the root user in the console),
`eventTime` may be a placeholder in published samples. Display names are never read from events: since July
2025 Identity Center writes `HIDDEN_DUE_TO_SECURITY_REASONS` there.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


class SessionIssuer(_Loose):
    type: str | None = None
    arn: str | None = None
    user_name: str | None = Field(default=None, alias="userName")


class SessionContext(_Loose):
    session_issuer: SessionIssuer | None = Field(default=None, alias="sessionIssuer")


class UserIdentity(_Loose):
    type: str | None = None
    arn: str | None = None
    account_id: str | None = Field(default=None, alias="accountId")
    invoked_by: str | None = Field(default=None, alias="invokedBy")
    session_context: SessionContext | None = Field(default=None, alias="sessionContext")

    @property
    def issuer_arn(self) -> str | None:
        issuer = self.session_context.session_issuer if self.session_context else None
        return issuer.arn if issuer else None

    def describe(self) -> str:
        """Who made the call, for notifications and logs."""
        if self.type == "Root":
            return "the root user"
        return self.issuer_arn or self.arn or self.invoked_by or self.type or "an unknown principal"


class CloudTrailDetail(_Loose):
    event_source: str = Field(alias="eventSource")
    event_name: str = Field(alias="eventName")
    event_id: str | None = Field(default=None, alias="eventID")
    event_time: str | None = Field(default=None, alias="eventTime")
    aws_region: str | None = Field(default=None, alias="awsRegion")
    error_code: str | None = Field(default=None, alias="errorCode")
    user_identity: UserIdentity = Field(default_factory=UserIdentity, alias="userIdentity")
    request_parameters: dict[str, Any] | None = Field(default=None, alias="requestParameters")
    response_elements: dict[str, Any] | None = Field(default=None, alias="responseElements")
    service_event_details: dict[str, Any] | None = Field(default=None, alias="serviceEventDetails")

    def field(self, *path: str) -> Any:
        """Value at `requestParameters.x.y` style paths (given as parts), or None."""
        node: Any = self.model_dump(by_alias=True)
        for part in path:
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node


class CloudTrailEvent(_Loose):
    """The EventBridge envelope around one CloudTrail record."""

    version: str = "0"
    id: str = Field(min_length=1)
    detail_type: str = Field(alias="detail-type")
    source: str
    account: str
    time: str
    region: str
    resources: list[str] = Field(default_factory=list)
    detail: CloudTrailDetail
