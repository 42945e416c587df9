"""The configuration is documented: every key of config/config.yaml is in config/README.md."""

from __future__ import annotations

import yaml
from support.workflow import REPOSITORY


def keys(mapping: dict, prefix: str = "") -> list[str]:
    """Dotted keys of a nested mapping; source names are written as <name> in the docs."""
    found = []
    for key, value in mapping.items():
        name = "<name>" if prefix == "sources." else key
        dotted = f"{prefix}{name}"
        found += keys(value, f"{dotted}.") if isinstance(value, dict) else [dotted]
    return found


def test_every_config_key_is_documented():
    config = yaml.safe_load((REPOSITORY / "config/config.yaml").read_text())
    documented = (REPOSITORY / "config/README.md").read_text()
    missing = sorted({key for key in keys(config) if f"`{key}`" not in documented})
    assert not missing, f"config/README.md does not document: {missing}"
