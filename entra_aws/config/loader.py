"""Load and check a config file. Every problem becomes one line: `FILE: field.path: what is wrong`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from entra_aws.config import aws_limits, models
from entra_aws.config.base import duplicates, read_policy_file, resolve_file
from entra_aws.config.models import Config
from entra_aws.config.yaml_loader import YamlError, load_yaml

# 512 KiB holds thousands of permission sets (Identity Center's default quota is 3,500 per instance) and keeps
# `validate` of the largest accepted file well under a second.
MAX_CONFIG_BYTES = 524_288

PATTERN_HINTS = {
    models.PERMISSION_SET_NAME: "1-32 characters of letters, digits and _+=,.@-",
    models.ACCOUNT_ID: "a 12-digit AWS account id",
    models.TENANT_ID: "a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47",
    models.REGION: "an AWS region like eu-west-1",
    models.INSTANCE_ARN: "an Identity Center instance ARN like arn:aws:sso:::instance/ssoins-0123456789abcdef",
    models.IDENTITY_STORE_ID: "an identity store id like d-1234567890",
    models.IDENTITY_STORE_PRINCIPAL_ID: "an identity store group or user id like "
    "9067b8a0c2-8e3f4a5b-1c2d-4e3f-8a9b-0c1d2e3f4a5b (aws identitystore list-groups)",
    models.AWS_MANAGED_POLICY_ARN: "an AWS-managed policy ARN like arn:aws:iam::aws:policy/ReadOnlyAccess",
    models.IAM_NAME: "an IAM name: 1-128 characters of letters, digits and _+=,.@-",
    models.IAM_PATH: "an IAM path like / or /division/ (segments of letters, digits and .,+@=_-)",
    aws_limits.DESCRIPTION: "text of printable ASCII and Latin-1 letters (AWS refuses emoji and other scripts)",
    aws_limits.RELAY_STATE: "an https URL like https://console.aws.amazon.com/billing/home",
    aws_limits.TAG_TEXT: "letters, digits, spaces and _.:/=+-@",
    models.KMS_KEY_ARN: "a KMS key ARN like arn:aws:kms:eu-west-1:111111111111:key/1234abcd-...",
    aws_limits.SCHEDULE: "an EventBridge schedule: rate(1 hour), rate(6 hours) (singular unit only for 1) "
    "or cron with 6 fields like cron(0 6 * * ? *)",
}


class ConfigError(Exception):
    """One or more problems, each a complete one-line message."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def field_path(loc: tuple[str | int, ...]) -> str:
    path = ""
    for part in loc:
        if part in models.UNION_TAGS:
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _describe_input(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _pydantic_message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown key (check its spelling and indentation)"
    if kind == "missing":
        return "is required"
    if kind == "string_pattern_mismatch":
        allowed = PATTERN_HINTS.get(ctx.get("pattern", ""), f"text matching {ctx.get('pattern')}")
        return f"must be {allowed}, got {_describe_input(error['input'])}"
    if kind == "finite_number":
        return f"must be a finite number, got {error['input']} (not a number)"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}, got {_describe_input(error['input'])}"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{message[0].lower()}{message[1:]}, got {_describe_input(error['input'])}"
    return message


def read_document(path: Path) -> dict[str, Any]:
    """Read a YAML mapping, turning every way a file can be unreadable into a ConfigError."""
    if not path.exists():
        raise ConfigError([f"{path}: no such file"])
    if not path.is_file():
        raise ConfigError([f"{path}: is not a file"])
    raw = _read_bounded(path)
    if b"\x00" in raw:
        raise ConfigError([f"{path}: is a binary file, expected YAML text"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: is not UTF-8 text (byte {exc.start}), expected YAML"]) from None
    if not text.strip():
        raise ConfigError([f"{path}: is empty; expected a mapping with tenant_id, identity_center, permission_sets"])
    try:
        document = load_yaml(text)
    except YamlError as exc:
        raise ConfigError([f"{path}: {exc}"]) from None
    if not isinstance(document, dict):
        kind = type(document).__name__ if document is not None else "nothing"
        raise ConfigError([f"{path}: the top level must be a mapping of settings, got a {kind}"])
    return document


def _read_bounded(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read ({exc.strerror})"]) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError([f"{path}: is larger than {MAX_CONFIG_BYTES} bytes (512 KiB), the most a config file may be"])
    return raw


def _inline_policy_files(path: Path, document: dict[str, Any]) -> list[str]:
    """Replace each permission set's inline_policy_file with the parsed document; return problems."""
    specs = [(f"permission_sets[{i}]", spec) for i, spec in enumerate(document.get("permission_sets") or [])]
    return _read_policy_fields(path, specs, "inline_policy_file", "inline_policy")


def _referenced_policy_files(path: Path, document: dict[str, Any]) -> list[str]:
    """Replace each referenced policy's document_file with the parsed document; return problems."""
    return _read_policy_fields(path, _policy_references(document), "document_file", "document")


def _read_policy_fields(path: Path, nodes: list[tuple[str, Any]], file_key: str, into: str) -> list[str]:
    """For each (field path, mapping) naming a policy file under `file_key`: the parsed document under `into`."""
    problems: list[str] = []
    for where, node in nodes:
        if not isinstance(node, dict) or not isinstance(node.get(file_key), str):
            continue
        try:
            policy = read_policy_file(resolve_file(path.parent, node[file_key]))
        except ValueError as exc:
            problems.append(f"{path}: {where}.{file_key}: {exc}")
            continue
        del node[file_key]
        node[into] = policy
    return problems


def _policy_references(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(field path, mapping) of every customer-managed policy reference in the raw document."""
    found: list[tuple[str, Any]] = []
    for i, spec in enumerate(document.get("permission_sets") or []):
        if not isinstance(spec, dict):
            continue
        references = spec.get("customer_managed_policies")
        if isinstance(references, list):
            found += [(f"permission_sets[{i}].customer_managed_policies[{j}]", r) for j, r in enumerate(references)]
        boundary = spec.get("permissions_boundary")
        if isinstance(boundary, dict):
            where = f"permission_sets[{i}].permissions_boundary.customer_managed_policy"
            found.append((where, boundary.get("customer_managed_policy")))
    return [(where, reference) for where, reference in found if isinstance(reference, dict)]


def parse_config(document: dict[str, Any], source: str = "config") -> Config:
    try:
        config = Config.model_validate(document)
    except ValidationError as exc:
        raise ConfigError([f"{source}: {field_path(e['loc'])}: {_pydantic_message(e)}" for e in exc.errors()]) from None
    checked = check_references(config) + check_topology(config) + check_key(config) + check_documented_policies(config)
    problems = [f"{source}: {problem}" for problem in checked]
    if problems:
        raise ConfigError(problems)
    return config


def load_config(path: str | Path) -> Config:
    path = Path(path)
    document = read_document(path)
    problems = _inline_policy_files(path, document) + _referenced_policy_files(path, document)
    if problems:
        raise ConfigError(problems)
    config = parse_config(document, str(path))
    if config.federation is not None:
        from entra_aws.config.federation import check_federation

        problems = [f"{path}: {p}" for p in check_federation(config.federation, path.parent, config.tenant_id)]
        if problems:
            raise ConfigError(problems)
    config.attach_source(path)
    return config


def check_references(config: Config) -> list[str]:
    """Cross-field checks that a single field's validator cannot see."""
    problems: list[str] = []
    catalog = {ps.name: ps for ps in config.permission_sets}
    for name in duplicates([ps.name for ps in config.permission_sets]):
        problems.append(f"permission_sets: the name {name!r} is used more than once")
    for name in duplicates([ps.name.lower() for ps in config.permission_sets]):
        problems.append(f"permission_sets: names differing only in case are not allowed ({name!r})")
    for name in duplicates([rule.name for rule in config.assignments]):
        problems.append(f"assignments: the rule name {name!r} is used more than once")
    for name in duplicates([convention.name for convention in config.conventions]):
        problems.append(f"conventions: the name {name!r} is used more than once")
    known = ", ".join(sorted(catalog)) or "none defined"
    delegated = config.deployment.delegated
    for i, rule in enumerate(config.assignments):
        for j, ps_name in enumerate(rule.permission_sets):
            if ps_name not in catalog:
                problems.append(
                    f"assignments[{i}].permission_sets[{j}]: unknown permission set {ps_name!r} (defined: {known})"
                )
        mgmt = config.management_account_id
        if mgmt and mgmt in rule.targets.accounts and not rule.allow_management_account and not delegated:
            problems.append(
                f"assignments[{i}].targets.accounts: {mgmt} is the management account; set "
                "allow_management_account: true on this rule to grant access there"
            )
    problems += _unpinned_principals(config)
    for i, convention in enumerate(config.conventions):
        for j, ps_name in enumerate(convention.allowed_permission_sets):
            where = f"conventions[{i}].allowed_permission_sets[{j}]"
            spec = catalog.get(ps_name)
            if spec is None:
                problems.append(f"{where}: unknown permission set {ps_name!r} (defined: {known})")
            elif spec.privileged:
                problems.append(
                    f"{where}: {ps_name!r} is privileged; privileged permission sets are granted only "
                    "by explicit assignment rules, never by a naming convention"
                )
    for j, ps_name in enumerate(config.apply.adopt_permission_sets):
        if ps_name not in catalog:
            problems.append(f"apply.adopt_permission_sets[{j}]: unknown permission set {ps_name!r}")
    return problems


_HOW_TO_PIN = {
    "groups": "pin it as {external_id: <Entra object id>, name: %r} (Entra admin center > Groups > the group > "
    "Object ID) or {id: <identity store group id>} (aws identitystore list-groups)",
    "users": "pin it as {id: <identity store user id>, name: %r} (aws identitystore list-users) or "
    "{external_id: <Entra object id>} (Entra admin center > Users > the user > Object ID)",
}


def _why_pinned(config: Config, rule: models.AssignmentRule) -> str | None:
    """Why this rule's principals must be named by identity, or None when a display name will do."""
    privileged = [name for name in rule.permission_sets if (spec := config.permission_set(name)) and spec.privileged]
    if privileged:
        return f"this rule grants the privileged permission set {privileged[0]!r}"
    if rule.allow_management_account:
        return "this rule may reach the management account (allow_management_account)"
    return None


def _unpinned_principals(config: Config) -> list[str]:
    """A display name can be taken by another group: privileged rules name their principals by identity."""
    problems: list[str] = []
    for i, rule in enumerate(config.assignments):
        why = _why_pinned(config, rule)
        if why is None:
            continue
        for kind in ("groups", "users"):
            for j, entry in enumerate(getattr(rule, kind)):
                if isinstance(entry, str):
                    how = _HOW_TO_PIN[kind] % entry
                    problems.append(f"assignments[{i}].{kind}[{j}]: {entry!r} is a name only and {why}; {how}")
    return problems


DELEGATED_CANNOT = (
    "a delegated administrator cannot manage permission sets provisioned in the management account "
    "(IAM Identity Center User Guide, Delegated administration)"
)


def check_topology(config: Config) -> list[str]:
    """topology delegated_admin: the management account is known, is not the delegated administrator, and no
    rule reaches it."""
    deployment = config.deployment
    if not deployment.delegated:
        return []
    mgmt = config.management_account_id
    if mgmt is None:
        return ["management_account_id: is required with deployment.topology delegated_admin (the forwarders go there)"]
    problems: list[str] = []
    if deployment.delegated_admin_account_id == mgmt:
        problems.append(
            "deployment.delegated_admin_account_id: is the management account; the delegated administrator is a "
            "member account (or use topology: management)"
        )
    for i, rule in enumerate(config.assignments):
        if rule.allow_management_account:
            problems.append(
                f"assignments[{i}].allow_management_account: refused with topology delegated_admin: {DELEGATED_CANNOT}"
            )
        for j, account in enumerate(rule.targets.accounts):
            if account == mgmt:
                problems.append(
                    f"assignments[{i}].targets.accounts[{j}]: {mgmt} is the management account, refused "
                    f"with topology delegated_admin: {DELEGATED_CANNOT}"
                )
    return problems


def check_key(config: Config) -> list[str]:
    """deployment.kms_key_arn: SQS, SNS and CloudWatch Logs take a key in their own region, and the stack's
    grants are made in the automation account."""
    arn = config.deployment.kms_key_arn
    if arn is None:
        return []
    _, _, _, region, account, _ = arn.split(":", 5)
    deployment = config.deployment
    home = deployment.delegated_admin_account_id if deployment.delegated else config.management_account_id
    problems: list[str] = []
    if region != config.identity_center.region:
        problems.append(
            f"deployment.kms_key_arn: the key is in {region}; the automation (queues, topic, log groups) is in "
            f"{config.identity_center.region}, and they take a key in their own region"
        )
    if home is not None and account != home:
        problems.append(f"deployment.kms_key_arn: the key is in account {account}; the automation is in {home}")
    return problems


def check_documented_policies(config: Config) -> list[str]:
    """Policies deployed with their documents (document_file): one document per policy, and rules whose targets
    the StackSet can name offline (account ids, OU or root ids)."""
    problems: list[str] = []
    documents: dict[tuple[str, str], dict[str, Any]] = {}
    for spec in config.permission_sets:
        for ref in spec.documented_policies:
            known = documents.setdefault((ref.path, ref.name), ref.document or {})
            if known != ref.document:
                problems.append(
                    f"permission_sets: the policy {ref.path}{ref.name} is given two different documents; one policy "
                    "has one document in an account"
                )
    documented = {spec.name for spec in config.permission_sets if spec.documented_policies}
    root = config.deployment.organization_root_id
    for i, rule in enumerate(config.assignments):
        named = sorted(documented.intersection(rule.permission_sets))
        if not named:
            continue
        why = f"assignments[{i}].targets: grants {named[0]!r}, whose policies are deployed with their documents"
        if _unnamed_targets(rule.targets):
            problems.append(
                f"{why} (document_file) to the accounts its rules reach; the StackSet targets account ids and OU or "
                f"root ids only: name {_unnamed_targets(rule.targets)} by id"
            )
        if root is None and (rule.targets.accounts or rule.targets.organization):
            problems.append(
                f"{why} to the accounts its rules reach, and a StackSet finds accounts under an OU: set "
                "deployment.organization_root_id (aws organizations list-roots)"
            )
    for i, convention in enumerate(config.conventions):
        named = sorted(documented.intersection(convention.allowed_permission_sets))
        if named:
            problems.append(
                f"conventions[{i}].allowed_permission_sets: {named[0]!r} has policies deployed with their documents "
                "(document_file) to the accounts its rules reach, and a convention may reach any account; grant it "
                "by assignment rules"
            )
    return problems


def _unnamed_targets(targets: models.Targets) -> str:
    """What a StackSet cannot be pointed at offline: OU paths, account names, tags, the whole organization."""
    unnamed = [f"the OU path {ou}" for ou in targets.ous if ou.startswith("/")]
    unnamed += [f"the account name {name!r}" for name in targets.account_names]
    unnamed += [f"the tag {tag}" for tag in targets.tags]
    return ", ".join(unnamed)
