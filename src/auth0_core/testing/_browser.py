"""A scripted browser for tests: a cookie jar, redirects followed, the tenant's login form.

:class:`Browser` does what a person's browser does between an application and the emulated
tenant: it keeps cookies per host (``Domain``, ``Path``, ``Secure``, ``Max-Age``/``Expires``
honoured), follows redirects from one to the other, and fills in the tenant's login form.

It is pure: every request goes to a *sender* (``HttpRequest -> HttpResponse``) chosen by the
request's origin: the application (a WSGI app called in process, an ASGI app on an event loop,
or a live URL), the tenant (``Tenant.handle`` in process, or HTTP when it is served), or a
fallback for any other origin. :meth:`EmulatedTenant.browser
<auth0_core.testing.EmulatedTenant.browser>` builds the senders; the ASGI and HTTP ones come
from ``auth0_tenant_server.testing``.

Not emulated: ``SameSite`` (every cookie goes with every request to its host; the flows in
question are top-level GET navigations, where ``Lax`` cookies are sent anyway), JavaScript, and
any cookie limit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import attrs

from .._http import HttpRequest, HttpResponse
from ..stores import CookieRequest, CookieResponse
from ..tenant import BrowserLoginError, LogoutDelivery, Tenant

Send = Callable[[HttpRequest], HttpResponse]

MAX_REDIRECTS = 20
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# What a browser sends on a navigation; apps that answer HTML to browsers and 401 to API
# clients tell them apart by it.
ACCEPT_HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


class BrowserError(Exception):
    """The browser could not go on: no sender for a URL's origin, too many redirects."""


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, the default port left out."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(scheme)
    port = parts.port
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


@attrs.frozen(kw_only=True)
class Cookie:
    """One cookie the browser holds, with the attributes it was set with."""

    name: str
    value: str
    domain: str
    host_only: bool = True
    path: str = "/"
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None
    expires: float | None = None  # Unix time; None: a session cookie

    def matches(self, host: str, path: str) -> bool:
        """Whether a request to ``host`` and ``path`` carries this cookie (RFC 6265 §5.4)."""
        if self.host_only:
            if host != self.domain:
                return False
        elif host != self.domain and not host.endswith("." + self.domain):
            return False
        if path == self.path:
            return True
        return path.startswith(self.path) and (
            self.path.endswith("/") or path[len(self.path)] == "/"
        )


class CookieJar:
    """Cookies by (domain, path, name), as RFC 6265 stores them, for one browser."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._cookies: dict[tuple[str, str, str], Cookie] = {}

    def __iter__(self) -> Any:
        now = self._clock()
        return iter([c for c in self._cookies.values() if c.expires is None or c.expires > now])

    def __len__(self) -> int:
        return len(list(iter(self)))

    def clear(self) -> None:
        self._cookies.clear()

    def for_url(self, url: str) -> list[Cookie]:
        """The cookies a request to ``url`` carries, longest path first (RFC 6265 §5.4)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        secure_context = parts.scheme == "https" or host in LOOPBACK_HOSTS
        found = [
            cookie
            for cookie in self
            if cookie.matches(host, parts.path or "/") and (secure_context or not cookie.secure)
        ]
        return sorted(found, key=lambda cookie: -len(cookie.path))

    def header(self, url: str) -> str | None:
        """The ``Cookie`` header for a request to ``url``, or None."""
        cookies = self.for_url(url)
        return "; ".join(f"{c.name}={c.value}" for c in cookies) if cookies else None

    def store(self, url: str, set_cookie_lines: Iterable[str]) -> None:
        """Keep (or delete) what each ``Set-Cookie`` line of a response from ``url`` says."""
        for line in set_cookie_lines:
            self._store_one(url, line)

    def _store_one(self, url: str, line: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        pair, *attributes = line.split(";")
        name, equals, value = pair.strip().partition("=")
        if not equals or not name.strip():
            return  # RFC 6265 §5.2: a line without a name=value pair is ignored
        name, value = name.strip(), value.strip()
        request_path = parts.path or "/"
        path = request_path[: request_path.rfind("/")] or "/"
        found: dict[str, Any] = {"name": name, "value": value, "domain": host, "path": path}
        expires: float | None = None
        max_age: float | None = None
        for attribute in attributes:
            key, _, argument = attribute.strip().partition("=")
            key, argument = key.strip().lower(), argument.strip()
            if key == "domain" and argument:
                domain = argument.lstrip(".").lower()
                if host != domain and not host.endswith("." + domain):
                    return  # a cookie for another site: refused
                found.update(domain=domain, host_only=False)
            elif key == "path" and argument.startswith("/"):
                found["path"] = argument
            elif key == "secure":
                found["secure"] = True
            elif key == "httponly":
                found["http_only"] = True
            elif key == "samesite":
                found["same_site"] = argument
            elif key == "max-age":
                try:
                    max_age = float(int(argument))
                except ValueError:
                    continue
            elif key == "expires":
                try:
                    expires = parsedate_to_datetime(argument).timestamp()
                except (TypeError, ValueError):
                    continue
        now = self._clock()
        if max_age is not None:
            expires = now + max_age
        cookie = Cookie(**found, expires=expires)
        slot = (cookie.domain, cookie.path, cookie.name)
        if expires is not None and expires <= now:
            self._cookies.pop(slot, None)
        else:
            self._cookies[slot] = cookie


@attrs.frozen(kw_only=True)
class BrowserResponse:
    """What the browser ended at: the last response, its URL, and the redirects before it."""

    url: str
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    history: tuple[BrowserResponse, ...] = ()

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def location(self) -> str | None:
        """The absolute URL of ``Location``, or None."""
        target = self.header("location")
        return urljoin(self.url, target) if target is not None else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def path(self) -> str:
        """The path (and query) of :attr:`url`."""
        parts = urlsplit(self.url)
        return urlunsplit(("", "", parts.path or "/", parts.query, ""))


@attrs.frozen
class _Form:
    action: str
    method: str
    fields: dict[str, str]
    inputs: frozenset[str]


class _PageParser(HTMLParser):
    """Every form (action, method, named inputs) and the text of alerts on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self.alerts: list[str] = []
        self._form: dict[str, Any] | None = None
        self._alert_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = {
                "action": found.get("action", ""),
                "method": found.get("method", "get").upper(),
                "fields": {},
                "inputs": set(),
            }
        elif tag == "input" and self._form is not None and found.get("name"):
            self._form["inputs"].add(found["name"])
            if found.get("type", "text").lower() not in ("submit", "button", "image"):
                self._form["fields"][found["name"]] = found.get("value", "")
        if found.get("role") == "alert" or "error" in found.get("class", "").split():
            self._alert_depth += 1
            self.alerts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(
                _Form(
                    action=self._form["action"],
                    method=self._form["method"],
                    fields=dict(self._form["fields"]),
                    inputs=frozenset(self._form["inputs"]),
                )
            )
            self._form = None
        elif tag in ("p", "div", "span") and self._alert_depth:
            self._alert_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._alert_depth and self.alerts:
            self.alerts[-1] += data


def _page(response: BrowserResponse) -> _PageParser:
    parser = _PageParser()
    if "html" in (response.header("content-type") or "text/html"):
        parser.feed(response.text)
    return parser


def _login_form(response: BrowserResponse) -> _Form | None:
    """The tenant's login form on the page: a form with the login transaction and a password."""
    if response.status != 200:
        return None
    return next(
        (f for f in _page(response).forms if "tx" in f.inputs and "password" in f.inputs), None
    )


def _describe(url: str) -> str:
    query = parse_qs(urlsplit(url).query)
    error = query.get("error", [""])[0]
    description = query.get("error_description", [""])[0]
    return f"error={error}" + (f" ({description})" if description else "")


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class Browser:
    """A scripted browser between one application and the emulated tenant.

    Args:
        app: the sender for the application's origin (``app_url``).
        app_url: where the application is, e.g. ``http://localhost`` for an app in process or
            ``http://127.0.0.1:8000`` for a live one; relative URLs are resolved against it.
        tenant: the emulated tenant (its users' passwords, its back-channel deliveries).
        tenant_send: the sender for the tenant's origin.
        fallback: the sender for any other origin (None: such a request is an error).
        clock: Unix time, for cookie expiry (default :func:`time.time`).
        on_close: called by :meth:`close` (an ASGI app's event loop, say).

    Requests carry the jar's cookies and a browser's ``Accept`` header; redirects (301, 302,
    303, 307, 308) are followed unless ``follow_redirects=False``, 303 and POST-after-301/302
    turning into GET as browsers do.
    """

    def __init__(
        self,
        app: Send,
        *,
        app_url: str,
        tenant: Tenant,
        tenant_send: Send,
        fallback: Send | None = None,
        clock: Callable[[], float] = time.time,
        on_close: Iterable[Callable[[], None]] = (),
    ) -> None:
        self.app_url = app_url.rstrip("/")
        self.tenant = tenant
        self.cookie_jar = CookieJar(clock)
        self._routes: dict[str, Send] = {origin(tenant.base_url): tenant_send}
        self._routes[origin(app_url)] = app  # the app wins if both share an origin
        self._fallback = fallback
        self._on_close = list(on_close)

    # --- the context manager --------------------------------------------------------------

    def close(self) -> None:
        """Release what the senders hold (an ASGI app's event loop); idempotent."""
        closers, self._on_close = self._on_close, []
        for close in reversed(closers):
            close()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- cookies --------------------------------------------------------------------------

    @property
    def cookies(self) -> dict[str, str]:
        """The application's cookies, name -> value (what a request to ``app_url`` carries)."""
        return {c.name: c.value for c in self.cookie_jar.for_url(self.app_url + "/")}

    def cookie(self, name: str, url: str | None = None) -> Cookie | None:
        """The cookie ``name`` a request to ``url`` (default: the app) carries, or None."""
        target = url if url is not None else self.app_url + "/"
        return next((c for c in self.cookie_jar.for_url(target) if c.name == name), None)

    @contextmanager
    def store_options(self) -> Iterator[dict[str, Any]]:
        """``store_options`` for one ``ServerClient`` call made as the app would make it for
        this browser, for tests that drive a facade without an app: the request carries the
        app's cookies from the jar, and the cookies the call sets are kept in the jar when the
        ``with`` block ends::

            with browser.store_options() as store:
                url = client.start_interactive_login(store_options=store)
        """
        request = CookieRequest(self.cookies, url=self.app_url + "/")
        response = CookieResponse()
        yield {"request": request, "response": response}
        self.cookie_jar.store(self.app_url + "/", [value for _, value in response.headers()])

    # --- navigation -----------------------------------------------------------------------

    def url(self, path_or_url: str) -> str:
        """``path_or_url`` resolved against the application's URL."""
        return urljoin(self.app_url + "/", path_or_url)

    def get(
        self,
        path_or_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool = True,
    ) -> BrowserResponse:
        """GET ``path_or_url`` (relative to the app), following redirects."""
        return self.request("GET", path_or_url, headers=headers, follow_redirects=follow_redirects)

    def post(
        self,
        path_or_url: str,
        *,
        form: Mapping[str, str] | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool = True,
    ) -> BrowserResponse:
        """POST a form (``form``), JSON (``json_body``) or raw ``body`` to ``path_or_url``."""
        return self.request(
            "POST",
            path_or_url,
            form=form,
            json_body=json_body,
            body=body,
            headers=headers,
            follow_redirects=follow_redirects,
        )

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        form: Mapping[str, str] | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool = True,
    ) -> BrowserResponse:
        """Send one request from the browser and follow its redirects.

        Raises:
            BrowserError: a URL whose origin no sender serves, or more than 20 redirects.
        """
        sent: dict[str, str] = {"Accept": ACCEPT_HTML}
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        url = self.url(path_or_url)
        history: list[BrowserResponse] = []
        for _ in range(MAX_REDIRECTS + 1):
            answer = self._exchange(method, url, sent, body or b"")
            response = BrowserResponse(
                url=url, status=answer.status, headers=answer.headers, body=answer.body
            )
            location = response.location
            if not follow_redirects or answer.status not in REDIRECTS or location is None:
                return attrs.evolve(response, history=tuple(history))
            history.append(response)
            if answer.status in (301, 302, 303) and method != "HEAD":
                method, body = "GET", None
                sent = {k: v for k, v in sent.items() if k.lower() != "content-type"}
            url = location
        raise BrowserError(f"more than {MAX_REDIRECTS} redirects, the last to {url}")

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` as it is (no cookies, no redirects) to the sender of its origin.

        Raises:
            BrowserError: no sender serves the request's origin.
        """
        target = self._routes.get(origin(request.url), self._fallback)
        if target is None:
            known = ", ".join(sorted(self._routes))
            raise BrowserError(
                f"the browser cannot reach {request.url}: it talks to {known} only "
                "(serve the app or the tenant on loopback to reach them over HTTP)"
            )
        return target(request)

    def _exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> HttpResponse:
        address = url.partition("#")[0]
        lines = [(k, v) for k, v in headers.items() if k.lower() != "cookie"]
        cookie = self.cookie_jar.header(address)
        if cookie is not None:
            lines.append(("Cookie", cookie))
        answer = self.send(HttpRequest(method=method, url=address, headers=tuple(lines), body=body))
        self.cookie_jar.store(address, answer.header_values("set-cookie"))
        return answer

    # --- logging in and out ---------------------------------------------------------------

    def login(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        path: str = "/auth/login",
        allow_error: bool = False,
    ) -> BrowserResponse:
        """Log in as a person would: open the app's ``path``, follow it to the tenant's login
        page, submit the credentials, and follow the redirects back through the app's callback
        to wherever the app sends the browser; return that last response.

        ``path`` is the app's login route (``/auth/login`` is where the integrations mount
        it), or a protected page that redirects to it: ``login(path="/profile")`` ends on
        ``/profile``.

        ``username`` is an email (default: the tenant's first user); ``password`` defaults to
        the configured password of that user.

        With ``allow_error``, a tenant redirect carrying ``error=`` goes on to the app's callback
        (and its answer is returned) instead of raising, as a real browser would.

        Raises:
            BrowserLoginError: ``path`` did not lead to the tenant's login page; the tenant
                refused the credentials (its message quoted); the tenant redirected back with an
                ``error``; or the login answered something other than a redirect.
        """
        page = self.get(path)
        answer = self._submit_login(page, f"GET {path}", username, password, allow_error)
        final = self.get(answer.location or "")
        return attrs.evolve(final, history=(*page.history, page, answer, *final.history))

    def authorize(
        self,
        authorize_url: str,
        username: str | None = None,
        password: str | None = None,
        *,
        allow_error: bool = False,
    ) -> str:
        """Open a tenant ``/authorize`` URL (what ``start_interactive_login`` returns), log in
        on its page and return the callback URL the tenant redirects to, without opening it:
        for tests that drive a ``ServerClient`` directly rather than an app.

        Raises:
            BrowserLoginError: as :meth:`login`.
        """
        page = self.get(authorize_url, follow_redirects=False)
        if page.status in REDIRECTS and page.location is not None:
            query = parse_qs(urlsplit(page.location).query)
            if "code" in query and "error" not in query:
                return page.location  # no login page needed (an unlink through /authorize)
        answer = self._submit_login(page, "the authorize URL", username, password, allow_error)
        return answer.location or ""

    def _credentials(self, username: str | None, password: str | None) -> tuple[str, str]:
        if username is not None and password is not None:
            return username, password
        config = self.tenant.config
        if username is None:
            user = config.users[0] if config.users else None
        else:
            user = config.user_by_email(username)
        if user is None:
            known = ", ".join(u.email for u in config.users) or "none"
            raise BrowserLoginError(f"no user {username!r} in the tenant (users: {known})")
        return user.email, user.password if password is None else password

    def _submit_login(
        self,
        page: BrowserResponse,
        opened: str,
        username: str | None,
        password: str | None,
        allow_error: bool,
    ) -> BrowserResponse:
        """Fill in and post the login form on ``page``; the tenant's redirect (not followed)."""
        username, password = self._credentials(username, password)
        sent_back = page.location if page.status in REDIRECTS else None
        if sent_back is not None and "error" in parse_qs(urlsplit(sent_back).query):
            raise BrowserLoginError(
                f"{opened} was sent back to {_without_query(sent_back)} with "
                f"{_describe(sent_back)} before any login page",
                status=page.status,
            )
        form = _login_form(page)
        if form is None:
            raise BrowserLoginError(
                f"{opened} did not lead to the tenant's login page: it ended at "
                f"{_without_query(page.url)} with HTTP {page.status}",
                status=page.status,
            )
        action = urljoin(page.url, form.action)
        fields = {**form.fields, "username": username, "password": password}
        answer = self.post(action, form=fields, follow_redirects=False)
        if answer.status not in REDIRECTS or answer.location is None:
            alerts = [" ".join(a.split()) for a in _page(answer).alerts if a.strip()]
            said = f": {' '.join(alerts)}" if alerts else ""
            raise BrowserLoginError(
                f"the tenant refused the login of {username!r}{said} "
                f"(HTTP {answer.status} from POST {_without_query(action)})",
                status=answer.status,
            )
        callback = answer.location
        if "error" in parse_qs(urlsplit(callback).query) and not allow_error:
            raise BrowserLoginError(
                f"the tenant sent {username!r} back to {_without_query(callback)} with "
                f"{_describe(callback)}",
                status=answer.status,
            )
        return answer

    def logout(self, path: str = "/auth/logout") -> BrowserResponse:
        """Open the app's logout ``path`` and follow its redirects (to the tenant's logout
        endpoint, which ends the tenant session, and back to the app's ``returnTo``)."""
        return self.get(path)

    def deliver_backchannel_logouts(self) -> list[LogoutDelivery]:
        """Post the tenant's pending back-channel logout tokens (queued when a session ended:
        a logout, ``tenant.end_sessions(user_id)``) to each client's
        ``backchannel_logout_uri`` through this browser's senders, so an app in process gets
        them too; returns the deliveries with what the app answered (``.result``)."""
        return self.tenant.deliver_pending(self.send)
