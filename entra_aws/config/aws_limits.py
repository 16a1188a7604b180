"""The rules AWS itself applies to the values a config names, so that `validate` refuses what AWS would.

Each pattern and length comes from the sso-admin service model (botocore `data/sso-admin/2020-07-20/service-2.json`,
shape named beside it) or from the AWS documentation page named beside it; docs/config.md lists them all.
Patterns are anchored and spell out ASCII classes: the schema regex engine (Rust) reads `\\w` and `\\d` as Unicode.
"""

from __future__ import annotations

ACCOUNT_ID = r"^[0-9]{12}$"  # AccountId: \d{12}, length 12 (ASCII digits only)
REGION = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$"
# PermissionSetName: [\w+=,.@-]+, length 1-32
PERMISSION_SET_NAME = r"^[A-Za-z0-9_+=,.@-]{1,32}$"
# PermissionSetDescription: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*, length 1-700
DESCRIPTION = r"^[\t\n\r\x20-\x7e\xa1-\xff]*$"
DESCRIPTION_MAX = 700
# RelayState: [a-zA-Z0-9&$@#\\\/%?=~\-_'"|!:,.;*+\[\]\ \(\)\{\}]+, length 1-240; an https URL (the access portal
# redirects the browser there after sign-in).
RELAY_STATE = r"""^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][A-Za-z0-9&$@#\\/%?=~_'"|!:,.;*+\[\] (){}-]*)?$"""
RELAY_STATE_MAX = 240
# ManagedPolicyArn: arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy((/[A-Za-z0-9\.,\+@=_-]+)*)/([A-Za-z0-9\.,\+=@_-]+),
# length 20-2048
AWS_MANAGED_POLICY_ARN = r"^arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy(/[A-Za-z0-9.,+@=_-]+)*/[A-Za-z0-9.,+=@_-]+$"
MANAGED_POLICY_ARN_MAX = 2048
# ManagedPolicyName: [\w+=,.@-]+, length 1-128
IAM_NAME = r"^[A-Za-z0-9_+=,.@-]{1,128}$"
# ManagedPolicyPath: ((/[A-Za-z0-9\.,\+@=_-]+)*)/, length 1-512
IAM_PATH = r"^(/[A-Za-z0-9.,+@=_-]+)*/$"
IAM_PATH_MAX = 512
# TagKey / TagValue: ([\p{L}\p{Z}\p{N}_.:/=+\-@]*), key length 1-128, value 0-256
TAG_TEXT = r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$"
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
# "Tagging AWS resources" (tagging best practices): 50 user-created tags per resource; `aws:` is reserved.
TAGS_MAX = 50
RESERVED_TAG_PREFIX = "aws:"
# "Quotas and limits in IAM Identity Center": AWS managed and customer managed policies per permission set.
POLICIES_PER_PERMISSION_SET = 20
# "IAM and AWS STS quotas": managed policies attached to an IAM role, default (adjustable up to 20).
POLICIES_PER_ROLE_DEFAULT = 10
# EventBridge "Setting a schedule pattern for scheduled rules": rate(value unit), singular unit for 1;
# cron(minutes hours day-of-month month day-of-week year).
SCHEDULE = (
    r"^(rate\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\)"
    r"|cron\([0-9A-Za-z,*?/#-]+( [0-9A-Za-z,*?/#-]+){5}\))$"
)


def check_schedule(expression: str) -> str:
    """The cron rule a pattern cannot say: exactly one of day-of-month and day-of-week is `?`."""
    if expression.startswith("cron("):
        fields = expression[len("cron(") : -1].split(" ")
        if (fields[2] == "?") == (fields[4] == "?"):
            raise ValueError(
                f"in {expression!r} exactly one of day-of-month (3rd field) and day-of-week (5th field) "
                "must be ?, e.g. cron(0 6 * * ? *)"
            )
    return expression


def check_tags(tags: dict[str, str]) -> dict[str, str]:
    for key in tags:
        if key.lower().startswith(RESERVED_TAG_PREFIX):
            raise ValueError(f"the tag key {key!r} starts with {RESERVED_TAG_PREFIX!r}, which AWS reserves")
    return tags
