"""EventBridge pattern matching for tests, by moto's matcher (the one its EventBridge emulation uses).

moto raises `InvalidEventPatternException` for a pattern EventBridge refuses outright (a leaf that is not an
array, an empty array); it accepts every operator EventBridge documents, so nothing is refused for being unknown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from moto.events.models import EventPattern


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    return bool(EventPattern.load(json.dumps(pattern)).matches_event(dict(event)))
