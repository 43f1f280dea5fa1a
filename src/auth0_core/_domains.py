"""Multiple Custom Domains (protocol doc §8.8; docs/custom-domains.md).

``ServerClient(domain=resolver)`` takes a callable instead of a domain. Each public call first
asks it which Auth0 domain serves the request: :func:`resolved_flow` builds the
:class:`DomainResolverContext` from the call's ``store_options``, yields a
:class:`~auth0_core.effects.ResolveDomain` (the driver calls the resolver, awaiting it when
needed), validates the answer into a base URL, and runs the call's flow with the
:class:`~auth0_core._client.CoreClient` of that domain (its own discovery, JWKS,
client-credentials and DPoP nonce caches). The flows themselves never see the resolver.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import attrs

from ._config import normalize_domain
from .effects import Flow, ResolveDomain, StoreOptions
from .errors import ConfigurationError, DomainResolverError

if TYPE_CHECKING:
    from ._client import CoreClient

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class DomainResolverContext:
    """What a domain resolver learns about the call, from ``store_options["request"]``.

    Attributes:
        request_url: ``str(request.url)`` when the request object has a ``url`` (Starlette,
            Werkzeug/Flask, :class:`~auth0_core.stores.CookieRequest`), else None.
        request_headers: ``request.headers`` as a dict with lower-case names, else None.
    """

    request_url: str | None = None
    request_headers: Mapping[str, str] | None = None

    @property
    def host(self) -> str | None:
        """The ``Host`` header (else the URL's host), lower-case, port included.

        Forwarded headers (``X-Forwarded-Host``) are not consulted: read them from
        ``request_headers`` only behind a proxy that sets them.
        """
        if self.request_headers and self.request_headers.get("host"):
            return self.request_headers["host"].strip().lower()
        if self.request_url:
            try:
                netloc = urlsplit(self.request_url).netloc
            except ValueError:  # a URL that does not parse names no host
                return None
            return netloc.lower() or None
        return None


DomainResolver = Callable[[DomainResolverContext], "str | Awaitable[str]"]


def _headers(value: object) -> dict[str, str] | None:
    items = getattr(value, "items", None)
    if not callable(items):
        return None
    try:
        return {str(name).lower(): str(text) for name, text in items()}
    except (TypeError, ValueError):  # not a mapping after all
        return None


def resolver_context(store_options: StoreOptions) -> DomainResolverContext:
    """The context for ``store_options``: its ``request``'s ``url`` and ``headers``, when the
    request has them; an empty context for a call without a request."""
    request = store_options.get("request") if isinstance(store_options, Mapping) else None
    if request is None:
        return DomainResolverContext()
    url = getattr(request, "url", None)
    return DomainResolverContext(
        request_url=None if url is None else str(url),
        request_headers=_headers(getattr(request, "headers", None)),
    )


def resolved_base_url(value: object) -> str:
    """The base URL a resolver's answer names.

    Raises:
        DomainResolverError: the answer is not a non-empty string naming a host (with an
            optional ``https://``, or ``http://`` for loopback, and nothing after the host).
    """
    if not isinstance(value, str) or not value.strip():
        what = "an empty string" if isinstance(value, str) else f"a {type(value).__name__}"
        raise DomainResolverError(f"the domain resolver returned {what}, not a domain.")
    try:
        return normalize_domain(value)
    except ConfigurationError as error:
        raise DomainResolverError(
            f"the domain resolver returned an invalid domain: {error}"
        ) from None


def call_resolver(resolver: Callable[[DomainResolverContext], object], context: object) -> object:
    """Call ``resolver`` (the drivers' half of :class:`ResolveDomain`).

    Raises:
        DomainResolverError: the resolver raised (``original_error``).
    """
    try:
        return resolver(context)  # type: ignore[arg-type]
    except Exception as error:
        raise DomainResolverError("the domain resolver failed.", error) from error


async def await_resolved(value: object) -> object:
    """Await a resolver's awaitable answer (the async driver).

    Raises:
        DomainResolverError: awaiting it raised (``original_error``).
    """
    try:
        return await value  # type: ignore[misc]
    except Exception as error:
        raise DomainResolverError("the domain resolver failed.", error) from error


def resolved_flow(
    client: CoreClient, build: Callable[[CoreClient], Flow[T]], store_options: StoreOptions
) -> Flow[T]:
    """Resolve the call's domain, then run ``build(client of that domain)``.

    Raises:
        DomainResolverError: the resolver failed or named no valid domain.
    """
    answer = yield ResolveDomain(context=resolver_context(store_options))
    return (yield from build(client.for_domain(resolved_base_url(answer))))


def store_options_argument(function: Callable[..., Any]) -> Callable[..., StoreOptions]:
    """A function finding the ``store_options`` argument of a call to ``function``
    (positional or keyword; None when absent or when ``function`` takes none)."""
    import inspect

    names = list(inspect.signature(function).parameters)[1:]  # after the client
    if "store_options" not in names:
        return lambda *args, **kwargs: None
    index = names.index("store_options")

    def find(*args: Any, **kwargs: Any) -> StoreOptions:
        if "store_options" in kwargs:
            found: StoreOptions = kwargs["store_options"]
            return found
        return args[index] if len(args) > index else None

    return find
