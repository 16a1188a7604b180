"""An organization file's group members: names must be the file's groups and users."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sandbox.world import World


def world(**members: list[str]) -> World:
    return World.model_validate(
        {
            "management_account": {"id": "111111111111", "name": "management"},
            "groups": ["AWS-Developers"],
            "users": ["bob@example.com"],
            "members": {name.replace("_", "-"): users for name, users in members.items()},
        }
    )


def test_members_name_groups_and_users_of_the_file() -> None:
    assert world(AWS_Developers=["bob@example.com"]).members == {"AWS-Developers": ["bob@example.com"]}


@pytest.mark.parametrize(
    ("members", "unknown"), [({"AWS_Nope": ["bob@example.com"]}, "AWS-Nope"), ({"AWS_Developers": ["eve"]}, "eve")]
)
def test_a_member_or_group_not_in_the_file_is_refused(members: dict[str, list[str]], unknown: str) -> None:
    with pytest.raises(
        ValidationError, match=f"members names groups or users that are not in groups or users: {unknown}"
    ):
        world(**members)
