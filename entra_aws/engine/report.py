"""What a reconcile did: the plan, each operation's outcome, and findings. Failures are never silent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from entra_aws.engine.apply import OperationResult
from entra_aws.engine.model import Finding
from entra_aws.engine.plan import Operation, Plan
from entra_aws.engine.scope import Scope


def _mix(kinds: Iterable[str]) -> str:
    """How many operations of each kind, in words: `2 create assignment, 1 provision permission set`."""
    return ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in sorted(Counter(kinds).items()))


@dataclass
class Report:
    scope: Scope
    plan: Plan
    applied: bool = False
    results: list[OperationResult] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    """Principal id -> display name, for people reading the report."""
    arns: dict[str, str] = field(default_factory=dict)
    """Permission set name -> ARN as read when planning (what the executor needs to apply this plan)."""
    api_calls: int = 0
    catalog_remembered: bool = False
    """The plan's permission-set names and ARNs came from a warm process's remembered catalog, not a live read."""
    deferred: list[Operation] = field(default_factory=list)
    """Operations not started before the deadline; the next reconcile of the scope plans them again."""
    blocked: str | None = None
    """Why nothing was (or will be) applied: a guardrail stopped the whole reconcile (see engine.guardrails)."""
    observed: bool = False
    """Planned in observe mode (apply.mode: observe): reported and notified, never applied."""

    @property
    def findings(self) -> list[Finding]:
        return self.plan.findings

    @property
    def succeeded(self) -> list[OperationResult]:
        return [r for r in self.results if r.ok]

    @property
    def failed(self) -> list[OperationResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed and self.blocked is None

    def summary(self) -> str:
        planned = _mix(op.kind for op in self.plan.operations) or "no changes"
        if self.blocked is not None:
            return f"scope {self.scope}: blocked, nothing applied ({planned}): {self.blocked}"
        if self.observed:
            return f"scope {self.scope}: observed, nothing applied (plan: {planned})"
        if not self.applied:
            return f"scope {self.scope}: plan: {planned}"
        deferred = f", {len(self.deferred)} deferred" if self.deferred else ""
        failed = _mix(r.operation.kind for r in self.failed)
        by_kind = f" (failed: {failed})" if failed else " (no changes)" if self.plan.empty else ""
        return (
            f"scope {self.scope}: {len(self.succeeded)} succeeded, {len(self.failed)} failed{by_kind}{deferred}; "
            f"{self.api_calls} API calls"
        )

    def to_dict(self) -> dict[str, Any]:
        def op_dict(result: OperationResult | None, op: Any) -> dict[str, Any]:
            entry: dict[str, Any] = {
                "kind": op.kind,
                "permission_set": op.permission_set,
                "what": op.describe(self.names),
            }
            if op.assignment is not None:
                a = op.assignment
                entry |= {
                    "account_id": a.account_id,
                    "principal_type": a.principal_type,
                    "principal_id": a.principal_id,
                }
            if result is not None:
                entry |= {"ok": result.ok, "error": result.error}
            if result is not None and result.accounts:
                entry["accounts"] = list(result.accounts)  # a failed provisioning: the accounts it failed in
            return entry

        return {
            "scope": str(self.scope),
            "applied": self.applied,
            "ok": self.ok,
            "blocked": self.blocked,
            "observed": self.observed,
            "summary": self.summary(),
            "operations": [op_dict(None, op) for op in self.plan.ordered()] if not self.applied else [],
            "results": [op_dict(r, r.operation) for r in self.results],
            "deferred": [op_dict(None, op) for op in self.deferred],
            "findings": [{"severity": f.severity, "message": f.message} for f in self.findings],
            "api_calls": self.api_calls,
        }
