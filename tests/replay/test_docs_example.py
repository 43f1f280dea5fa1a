"""The worked example of docs/testing-with-fixtures.md, run as written.

Its code blocks are executed in one namespace, as the user's test module. ``record`` then runs
against the emulated tenant served over HTTP on a loopback port (the requests go through a
real ``requests`` session, wrapped by ``recording_session``), with a browser that logs in on
the tenant's login page; the server is stopped, and the module's two tests replay the file
with no network, through the sync and the async client.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow
from auth0_tenant_server import ServerThread

from .scenarios import CLIENT_ID, CLIENT_SECRET, DictStore, drive

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing-with-fixtures.md"


def example_blocks() -> list[str]:
    text = DOC.read_text("utf-8")
    section = text.split("## A worked example", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_example_records_against_a_served_tenant_and_replays_offline(tmp_path: Path) -> None:
    blocks = example_blocks()
    assert len(blocks) == 2
    module: dict[str, Any] = {"__name__": "test_login_fixture", "__file__": str(tmp_path / "t.py")}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), module)
    assert module["FIXTURE"] == tmp_path / "fixtures" / "login_and_token.json"

    tenants: list[Tenant] = []

    def make_handler(base_url: str) -> Any:
        tenants.append(Tenant(TenantConfig.default(), base_url=base_url))
        return tenants[-1].handle

    with ServerThread(make_handler=make_handler) as server:
        module["OPTIONS"].update(
            domain=server.base_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        )

        def browser(url: str) -> str:
            flow = browser_login_flow(url, "alice@example.com", "alice-password")
            return str(drive(flow, tenants[0].handle, DictStore()))

        sub, token = module["record"](browser)
    assert sub == "auth0|alice"
    text = module["FIXTURE"].read_text("utf-8")
    assert CLIENT_SECRET not in text
    assert token not in text  # the real access token was re-minted

    # CI: no tenant (it is stopped), no client secret.
    module["OPTIONS"]["client_secret"] = "not-needed-to-replay"
    module["test_login_and_token_from_the_fixture"]()
    module["test_the_same_fixture_through_the_async_client"]()
