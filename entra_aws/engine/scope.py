"""What one reconcile looks at: everything, or one group, user, account or permission set.

Events reconcile only what they touch; the schedule, deploy time and the CLI usually reconcile everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ScopeKind = Literal["all", "group", "user", "account", "permission_set"]
KINDS: tuple[ScopeKind, ...] = ("all", "group", "user", "account", "permission_set")
_ACCOUNT = re.compile(r"^\d{12}$")


class ScopeError(ValueError):
    pass


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    value: str | None = None
    """group/user: the identity store id (or, from the CLI, a display/user name); account: the 12-digit id;
    permission_set: the name from the config."""

    @classmethod
    def everything(cls) -> Scope:
        return cls("all")

    @classmethod
    def group(cls, group_id: str) -> Scope:
        return cls("group", group_id)

    @classmethod
    def user(cls, user_id: str) -> Scope:
        return cls("user", user_id)

    @classmethod
    def account(cls, account_id: str) -> Scope:
        if not _ACCOUNT.match(account_id):
            raise ScopeError(f"account scope needs a 12-digit account id, got {account_id!r}")
        return cls("account", account_id)

    @classmethod
    def permission_set(cls, name: str) -> Scope:
        return cls("permission_set", name)

    @classmethod
    def parse(cls, text: str) -> Scope:
        """`all`, `group:<id or name>`, `user:<id or name>`, `account:<id>`, `permission-set:<name>`."""
        if text == "all":
            return cls.everything()
        kind, sep, value = text.partition(":")
        kind = kind.replace("-", "_")
        if not sep or not value or kind not in KINDS or kind == "all":
            raise ScopeError(
                f"invalid scope {text!r}; use all, group:<id|name>, user:<id|name>, account:<12-digit id> "
                "or permission-set:<name>"
            )
        if kind == "account":
            return cls.account(value)
        return cls(kind, value)

    def __str__(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind.replace('_', '-')}:{self.value}"

    def to_message(self) -> dict[str, str]:
        return {"kind": self.kind, "value": self.value or ""}

    @classmethod
    def from_message(cls, message: dict[str, str]) -> Scope:
        kind = message.get("kind", "")
        if kind == "all":
            return cls.everything()
        return cls.parse(f"{kind}:{message.get('value', '')}")
