"""``start_enterprise_login`` (Enterprise Connect; see :mod:`.enterprise`): WebFinger, then
the login as ``start_interactive_login`` starts it, with the e-mail as ``login_hint``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._anonymous_types import StartEnterpriseLoginOptions
from .._client import CoreClient
from .._effects import Flow, StoreOptions
from .._options import StartInteractiveLoginOptions, coerce_options
from ..errors import InvalidArgumentError, MissingRequiredArgumentError
from . import login
from .enterprise import is_federated_domain_flow


def _email(options: StartEnterpriseLoginOptions) -> tuple[str, str]:
    if not isinstance(options.email, str) or not options.email.strip():
        raise MissingRequiredArgumentError("email")
    email = options.email.strip()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise InvalidArgumentError("email", "A valid email address is required.")
    return email, email.rsplit("@", 1)[1].lower()


def start_enterprise_login_flow(
    client: CoreClient,
    options: StartEnterpriseLoginOptions | Mapping[str, Any] | None,
    store_options: StoreOptions,
) -> Flow[str | None]:
    """The login URL for an e-mail of a federated domain, else None (see
    :func:`auth0_core.flows.api.start_enterprise_login`)."""
    if options is None:
        raise MissingRequiredArgumentError("email")
    opts = coerce_options(StartEnterpriseLoginOptions, options)
    email, email_domain = _email(opts)
    if not (yield from is_federated_domain_flow(client, email_domain)):
        return None
    params = dict(opts.authorization_params or {})
    params["login_hint"] = email
    login_options = StartInteractiveLoginOptions(
        authorization_params=params,
        app_state=opts.app_state,
        pushed_authorization_requests=opts.pushed_authorization_requests,
        organization=opts.organization,
        invitation=opts.invitation,
        redirect_uri=opts.redirect_uri,
    )
    return (yield from login.start_login_flow(client, login_options, store_options))
