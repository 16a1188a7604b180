"""The reconcile queue's message: one scope to reconcile, and why."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from entra_aws.engine.scope import Scope

Trigger = Literal["event", "drift", "schedule", "deploy", "manual"]


class ScopeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str
    value: str = ""


class ReconcileMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="The originating event id (or schedule / deploy request id).")
    trigger: Trigger
    scope: ScopeBody
    reason: str = ""

    @classmethod
    def for_scope(cls, origin_id: str, trigger: Trigger, scope: Scope, reason: str = "") -> ReconcileMessage:
        return cls(id=origin_id, trigger=trigger, scope=ScopeBody(**scope.to_message()), reason=reason)

    def to_scope(self) -> Scope:
        return Scope.from_message({"kind": self.scope.kind, "value": self.scope.value})

    @property
    def group_id(self) -> str:
        """FIFO message group: reconciles of the same scope run one after another."""
        return hashlib.sha256(str(self.to_scope()).encode()).hexdigest()[:64]

    @property
    def deduplication_id(self) -> str:
        return hashlib.sha256(f"{self.id}|{self.to_scope()}".encode()).hexdigest()[:128]
