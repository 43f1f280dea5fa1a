"""What a store of each kind is made of, built once from the constructor's options for the
blocking and the async classes alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from auth0_core.stores._common import cookie_attributes

from ._connect import check_seconds, secret_list
from ._layout import Layout, check_prefix
from ._records import Coordination, TransactionLogic
from ._state import SessionLogic


def session_parts(
    store: str,
    *,
    secret: str | Sequence[str],
    prefix: str,
    secure: bool,
    path: str,
    same_site: str,
    domain: str | None,
    clock: Callable[[], float],
) -> tuple[SessionLogic, Coordination]:
    """The session logic and the claims/locks of a state store.

    Raises:
        ConfigurationError: an empty secret, a bad prefix or cookie attribute.
    """
    secrets = secret_list(secret)
    layout = Layout(check_prefix(prefix))
    cookie = cookie_attributes(path=path, secure=secure, same_site=same_site, domain=domain)
    logic = SessionLogic(store=store, layout=layout, secrets=secrets, cookie=cookie, clock=clock)
    return logic, Coordination(layout=layout, clock=clock)


def transaction_parts(
    *,
    secret: str | Sequence[str],
    prefix: str,
    default_ttl: float,
    clock: Callable[[], float],
) -> tuple[TransactionLogic, Coordination]:
    """The transaction logic and the claims/locks of a transaction store.

    Raises:
        ConfigurationError: an empty secret, a bad prefix or ``default_ttl``.
    """
    layout = Layout(check_prefix(prefix))
    logic = TransactionLogic(
        layout=layout,
        secrets=secret_list(secret),
        clock=clock,
        default_ttl=check_seconds("default_ttl", default_ttl),
    )
    return logic, Coordination(layout=layout, clock=clock)
