"""``auth0-core logout-user USER_ID --tenant URL``: end a user's sessions at a running tenant.

Two requests, as an administrator's script would make them against Auth0: a client-credentials
token for the tenant's Management API (``{tenant}/api/v2/``, scope ``delete:sessions``), then
``DELETE /api/v2/users/{USER_ID}/sessions``. The tenant then sends the back-channel logout
tokens on its own. Standard library only, so it runs from a base install.
"""

from __future__ import annotations

import ssl
import sys
from urllib.parse import quote

from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import body_excerpt, form_request
from auth0_core.errors import ConfigurationError

from ._backchannel import send_over_http

TIMEOUT = 10.0


class _Refused(Exception):
    """The tenant answered something else than what the step needs."""


def logout_user(
    user_id: str,
    *,
    tenant: str,
    client_id: str,
    client_secret: str | None,
    config: str | None,
    cafile: str | None,
) -> int:
    """End every session of ``user_id`` at ``tenant``; the exit status (0, or 1 on failure).

    Raises:
        ConfigurationError: no secret for ``client_id`` (given or configured), or an unreadable
            configuration or ``cafile``.
    """
    base = tenant.rstrip("/")
    secret = client_secret if client_secret is not None else _configured_secret(client_id, config)
    context = _ssl_context(cafile)
    try:
        token = _management_token(base, client_id, secret, context)
        url = f"{base}/api/v2/users/{quote(user_id, safe='')}/sessions"
        request = HttpRequest(
            method="DELETE", url=url, headers=(("Authorization", f"Bearer {token}"),)
        )
        answer = _send(request, context)
        if answer.status not in (200, 202, 204):
            raise _Refused(f"ending the sessions: {_describe(answer)}")
    except (OSError, _Refused) as exc:
        print(f"auth0-core: {exc}", file=sys.stderr)
        return 1
    print(f"ended every session of {user_id} at {base}", flush=True)
    return 0


def _management_token(
    base: str, client_id: str, secret: str, context: ssl.SSLContext | None
) -> str:
    fields = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret,
        "audience": f"{base}/api/v2/",
        "scope": "delete:sessions",
    }
    answer = _send(form_request(f"{base}/oauth/token", fields), context)
    document = answer.json_or_none() if answer.status == 200 else None
    value = document.get("access_token") if isinstance(document, dict) else None
    if not isinstance(value, str):
        raise _Refused(f"getting a Management API token: {_describe(answer)}")
    return value


def _send(request: HttpRequest, context: ssl.SSLContext | None) -> HttpResponse:
    try:
        return send_over_http(request, timeout=TIMEOUT, ssl_context=context)
    except OSError as exc:
        raise OSError(f"cannot reach {request.url.split('?', 1)[0]}: {exc}") from None


def _describe(answer: HttpResponse) -> str:
    document = answer.json_or_none()
    if isinstance(document, dict):
        message = document.get("message") or document.get("error_description")
        if isinstance(message, str):
            return f"HTTP {answer.status}: {message}"
    return f"HTTP {answer.status} {body_excerpt(answer.body)}".rstrip()


def _configured_secret(client_id: str, path: str | None) -> str:
    from auth0_core.tenant import load_config

    client = load_config(path).client(client_id)
    if client is None or client.client_secret is None:
        where = path or "the built-in configuration"
        raise ConfigurationError(f"no secret for client {client_id!r} in {where}")
    return client.client_secret


def _ssl_context(cafile: str | None) -> ssl.SSLContext | None:
    if cafile is None:
        return None
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(f"cannot load {cafile!r}: {exc}") from None
