"""The one engine: desired (config x organization x groups) vs actual (read live) -> plan -> apply -> report.

Every trigger -- events, the schedule, deploy time, the CLI -- calls `reconcile` with a scope.
"""

from __future__ import annotations

# Filled in by the engine work; the signature below is the contract other parts rely on:
#
#   reconcile(config: Config, scope: Scope, *, apply: bool, context: AwsContext | None = None,
#             progress: Callable[[str], None] | None = None) -> Report
#
#   AwsContext.from_session(config, session: boto3.Session | None = None) -> AwsContext
#       builds the sso-admin / identitystore / organizations adapters (standard credential chain,
#       honours AWS_ENDPOINT_URL) and discovers the instance ARN / identity store id when not configured.
#   Report: .plan (operations), .succeeded, .failed (lists), .findings, .ok (bool: nothing failed),
#           .to_dict() (JSON-able), .summary() (one line).
