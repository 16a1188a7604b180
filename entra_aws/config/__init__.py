"""Config: the desired state, one YAML file."""

from entra_aws.config.loader import ConfigError, load_config, parse_config
from entra_aws.config.models import MANAGED_TAG_KEY, Config

__all__ = ["MANAGED_TAG_KEY", "Config", "ConfigError", "load_config", "parse_config"]
