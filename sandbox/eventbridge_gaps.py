"""Where moto's EventBridge differs from AWS in ways the sandbox would notice, and a scheduler it lacks.

- AWS delivers the whole event (with `account`) to a target without an input transformer; moto's default
  template drops `account`.
- In an input template, a placeholder outside quotes becomes the JSON value (a string gets its quotes); moto
  pastes the raw text, which breaks `{"id":<id>}` (the shape CDK synthesizes for `RuleTargetInput.fromObject`).
- A rule with only a schedule expression matches no PutEvents event; moto's empty pattern matches them all.
- moto has no scheduler: `fire_schedule` delivers one "Scheduled Event" to a scheduled rule's targets.

Sources: EventBridge User Guide, "Amazon EventBridge input transformation" (JSON templates with variables in
quotes or out) and "Creating a rule that runs on a schedule" (the Scheduled Event shape).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

ENVELOPE_KEYS = ("version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_SCHEDULED = "aws.events/scheduled"


def transform_input(template: str, paths: dict[str, str], event: dict[str, Any]) -> str:
    """AWS semantics: `<name>` inside a JSON string is replaced by the raw text, outside by the JSON value."""
    values = {name: _select(event, path) for name, path in paths.items()}
    values["aws.events.event.json"] = event
    out: list[str] = []
    in_string = escaped = False
    position = 0
    while position < len(template):
        char = template[position]
        match = _PLACEHOLDER.match(template, position) if char == "<" else None
        if match and match.group(1) in values:
            value = values[match.group(1)]
            out.append(_raw(value) if in_string else json.dumps(value))
            position = match.end()
            continue
        if in_string and char == "\\" and not escaped:
            escaped = True
        else:
            if char == '"' and not escaped:
                in_string = not in_string
            escaped = False
        out.append(char)
        position += 1
    return "".join(out)


def _select(event: dict[str, Any], path: str) -> Any:
    node: Any = event
    for part in path.removeprefix("$").strip(".").split("."):
        if not part:
            continue
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _raw(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def install() -> None:
    from moto.events import models, utils

    if getattr(models.Rule.send_to_targets, "_entra_aws", False):
        return
    parser: Any = utils.EventTemplateParser
    rule_class: Any = models.Rule
    original_send = rule_class.send_to_targets

    def parse(input_template: str | None, input_paths_map: dict[str, Any], event: Any) -> Any:
        if input_template:  # an InputTransformer (the API requires its template)
            return json.loads(transform_input(input_template, input_paths_map or {}, event))
        return {key: event[key] for key in ENVELOPE_KEYS if key in event}

    def send_to_targets(self: Any, event: Any, transform_input: bool = True) -> None:
        scheduled = event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"
        schedule_only = self.scheduled_expression and not self.event_pattern.get_pattern()
        if schedule_only and not (scheduled and self.arn in event.get("resources", [])):
            return
        original_send(self, event, transform_input)

    send_to_targets._entra_aws = True  # type: ignore[attr-defined]
    parser.parse = staticmethod(parse)
    rule_class.send_to_targets = send_to_targets


def fire_schedule(account_id: str, region: str, rule_name: str) -> str:
    """Deliver one Scheduled Event to the rule's targets, as EventBridge does when the schedule elapses."""
    from moto.events.models import events_backends

    backend: Any = events_backends[account_id][region]
    rule = backend.describe_rule(rule_name, None)
    event_id = str(uuid.uuid4())
    event = {
        "version": "0",
        "id": event_id,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": time.time(),
        "region": region,
        "resources": [rule.arn],
        "detail": {},
        "ingestion-time": time.time(),
    }
    rule.send_to_targets(event)
    return event_id
