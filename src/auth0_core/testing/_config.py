"""Where a test's emulated tenant gets its configuration: a dict, a TOML file, or a record."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeAlias

from ..errors import ConfigurationError
from ..tenant import TenantConfig, load_config

ConfigSource: TypeAlias = TenantConfig | Mapping[str, object] | str | os.PathLike[str] | None
"""What :func:`tenant_config` accepts: None (the packaged default configuration), a
:class:`~auth0_core.tenant.TenantConfig`, a dict shaped like the TOML document (missing keys
take the defaults; a table given replaces the default list), or the path of a TOML file."""


def tenant_config(source: ConfigSource = None) -> TenantConfig:
    """The tenant configuration ``source`` describes (see :data:`ConfigSource`).

    Every key is checked as ``auth0-core tenant --config`` checks it (``docs/tenant.md``).

    Raises:
        ConfigurationError: an unknown key, a value of the wrong type, a file that cannot be
            read or is not TOML, or a ``source`` of another type.
    """
    if source is None:
        return TenantConfig.default()
    if isinstance(source, TenantConfig):
        return source
    if isinstance(source, Mapping):
        return TenantConfig.from_dict(source)
    if isinstance(source, str | os.PathLike):
        return load_config(os.fspath(source))
    raise ConfigurationError(
        "a tenant configuration is a dict, the path of a TOML file, a TenantConfig or None, "
        f"not {type(source).__name__}"
    )
