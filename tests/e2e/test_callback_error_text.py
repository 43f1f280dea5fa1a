"""A callback's ``error_description`` reaches the error message only as one printable line
(issue 10, item 9), in every mode."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest

from auth0_core.errors import AuthorizationError

from .conftest import CALLBACK, App

pytestmark = pytest.mark.anyio


async def test_a_callbacks_error_description_is_sanitized_in_every_mode(app: App) -> None:
    store = app.browser.store_options()
    url = await app.call("start_interactive_login", store_options=store)
    app.browser.absorb(store)
    # The state comes back on the callback as the tenant would send it.
    state = parse_qs(urlsplit(app.browser_login(url)).query)["state"][0]
    description = quote("Denied\r\n[ERROR] forged log line <img src=x onerror=alert(1)>")
    callback = f"{CALLBACK}?state={state}&error=access_denied&error_description={description}"
    with pytest.raises(AuthorizationError) as refused:
        await app.call(
            "complete_interactive_login", callback, store_options=app.browser.store_options()
        )
    message = str(refused.value)
    assert message.isprintable()
    assert "<img" not in message
    assert message.startswith("access_denied: Denied [ERROR] forged log line \u2039img")
