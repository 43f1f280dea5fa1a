"""A real, certified OpenID Provider for the tests: ``oidc-provider`` (Node) on loopback.

:class:`OpenIDProvider` starts ``provider.mjs`` (this directory) on a free port of 127.0.0.1,
waits until its discovery document answers and stops it by its PID. It also talks to the
script's test-only admin routes: :meth:`~OpenIDProvider.rotate_keys` makes the OP sign with a
new generation of keys (sessions, grants and refresh tokens survive) and
:meth:`~OpenIDProvider.register` adds or replaces clients.

:class:`OPBrowser` is a programmatic user agent (an ``httpx.Client`` with a cookie jar): it
follows ``/authorize`` through the OP's development login and consent pages and returns the
callback URL the OP redirects to, and it confirms an RP-initiated logout.

Node and the npm package are needed: ``scripts/test.sh`` installs Debian's ``nodejs``/``npm``
where they are missing and runs ``npm ci --prefix tests/oidc_provider``; when
``node_modules`` is absent the harness runs that ``npm ci`` itself.

Typical use (see ``tests/interop_op/conftest.py`` for the session fixture)::

    with OpenIDProvider(default_config()) as op:
        browser = op.browser()
        callback = browser.authorize(url_from_start_interactive_login, user="alice")
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.jwk import ECKey, RSAKey

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"

# What the default clients of default_config() register.
CALLBACK = "http://127.0.0.1:3000/auth/callback"
LOGOUT_RETURN = "http://127.0.0.1:3000/signed-out"
SECRET = "a-session-secret-of-at-least-32-characters"
CLIENT_SECRET = "interop-client-secret-0123456789-abcdefghijkl"
RESOURCE = "https://api.interop.example/"
RESOURCE_SCOPES = "read:things write:things"
ID_TOKEN_ALGS = ("RS256", "PS256", "ES256")

# The users CIBA requests may name (by login, or as <login>@example.com); any login works in
# the browser.
CIBA_USERS = ("alice", "bob")
CIBA_GRANT = "urn:openid:params:grant-type:ciba"
CIBA_INTERVAL = 1  # seconds between polls (oidc-provider names none: the spec's default is 5)

ACCESS_TOKEN_TTL = 300
STARTUP_TIMEOUT = 30.0


def client_id_for(alg: str) -> str:
    """The default client whose ID tokens the OP signs with ``alg``."""
    return f"rp-{alg.lower()}"


def client_metadata(client_id: str, **metadata: Any) -> dict[str, Any]:
    """Metadata of a confidential web client (client_secret_basic) that may log users in,
    refresh, use client credentials and CIBA (poll mode); ``metadata`` overrides or adds
    members."""
    base: dict[str, Any] = {
        "client_id": client_id,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [CALLBACK],
        "post_logout_redirect_uris": [LOGOUT_RETURN],
        "grant_types": ["authorization_code", "refresh_token", "client_credentials", CIBA_GRANT],
        "backchannel_token_delivery_mode": "poll",
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
        "id_token_signed_response_alg": "RS256",
    }
    base.update(metadata)
    return base


def default_config() -> dict[str, Any]:
    """One client per ID token algorithm (``rp-rs256``, ``rp-ps256``, ``rp-es256``) and one
    resource server (:data:`RESOURCE`, JWT access tokens with ``aud`` = the resource)."""
    return {
        "clients": [
            client_metadata(client_id_for(alg), id_token_signed_response_alg=alg)
            for alg in ID_TOKEN_ALGS
        ],
        "resources": {RESOURCE: {"scope": RESOURCE_SCOPES, "accessTokenFormat": "jwt"}},
        "users": {user: {} for user in CIBA_USERS},
        "ciba_interval": CIBA_INTERVAL,
        # Access tokens shorter-lived than ID tokens (1 h): a client whose clock runs
        # ACCESS_TOKEN_TTL ahead refreshes, and the ID token of that refresh is still valid.
        "ttl": {"AccessToken": ACCESS_TOKEN_TTL, "ClientCredentials": ACCESS_TOKEN_TTL},
    }


def private_key_jwt_client(client_id: str, alg: str, **metadata: Any) -> tuple[dict[str, Any], str]:
    """A new key pair for ``alg`` (RS256/RS384/PS256: RSA 2048; ES256: P-256) and the metadata
    of a ``private_key_jwt`` client registering its public key. Returns (metadata, private key
    PEM), the PEM being what ``client_assertion_signing_key`` takes."""
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if alg.startswith("ES"):
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key = ECKey.import_key(public_pem) if alg.startswith("ES") else RSAKey.import_key(public_pem)
    jwk = dict(key.as_dict(private=False))
    jwk.update({"kid": key.thumbprint(), "alg": alg, "use": "sig"})
    meta = client_metadata(
        client_id,
        token_endpoint_auth_method="private_key_jwt",
        token_endpoint_auth_signing_alg=alg,
        jwks={"keys": [jwk]},
        **metadata,
    )
    meta.pop("client_secret")
    return meta, pem


class OPError(RuntimeError):
    """The OP did not start, or an admin route refused."""


def _ensure_node_modules() -> None:
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise OPError("npm is missing: scripts/test.sh installs Debian's nodejs and npm")
    subprocess.run(
        [npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund", "--prefer-offline"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


class OpenIDProvider:
    """``provider.mjs`` as a child process: started on a free loopback port, stopped by PID.

    Attributes (once started):
        issuer: ``http://127.0.0.1:PORT``, also the ``domain`` to give the SDK.
        pid: the Node process' id.
    """

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        self.config: dict[str, Any] = dict(config if config is not None else default_config())
        self.issuer = ""
        self.pid = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._http: httpx.Client | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> OpenIDProvider:
        node = shutil.which("node")
        if node is None:
            raise OPError("node is missing: scripts/test.sh installs Debian's nodejs and npm")
        _ensure_node_modules()
        self._workdir = tempfile.TemporaryDirectory(prefix="oidc-op-")
        work = Path(self._workdir.name)
        config_path = work / "config.json"
        config_path.write_text(json.dumps(self.config))
        stderr = (work / "stderr.log").open("wb")
        self._process = subprocess.Popen(
            [node, str(SCRIPT), str(config_path)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            cwd=str(HERE),
        )
        stderr.close()
        self.pid = self._process.pid
        try:
            announced = self._read_announcement()
            self.issuer = str(announced["issuer"])
            # The OP does not count the harness' own requests in hits().
            self._http = httpx.Client(
                base_url=self.issuer, timeout=10.0, headers={"x-interop-harness": "1"}
            )
            self._wait_for_discovery()
        except BaseException:
            self.stop()
            raise
        return self

    def log(self) -> str:
        """What the OP wrote on stderr so far: its warnings and why it refused requests."""
        if self._workdir is None:
            return ""
        path = Path(self._workdir.name) / "stderr.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _stderr_tail(self) -> str:
        if self._workdir is None:
            return ""
        path = Path(self._workdir.name) / "stderr.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def _read_announcement(self) -> dict[str, Any]:
        assert self._process is not None
        assert self._process.stdout is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise OPError(f"the OP did not start in time: {self._stderr_tail()}")
                if not selector.select(left):
                    continue
                chunk = os.read(self._process.stdout.fileno(), 4096)
                if not chunk:
                    raise OPError(f"the OP exited at start: {self._stderr_tail()}")
                buffer += chunk
        announced: dict[str, Any] = json.loads(buffer.split(b"\n", 1)[0])
        return announced

    def _wait_for_discovery(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                if self.http.get("/.well-known/openid-configuration").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise OPError(f"the OP's discovery never answered: {self._stderr_tail()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the OP by its PID (SIGTERM, then SIGKILL if it lingers)."""
        if self._http is not None:
            self._http.close()
            self._http = None
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> OpenIDProvider:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- talking to the OP ---------------------------------------------------------------

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            raise OPError("the OP is not running")
        return self._http

    def discovery(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.get("/.well-known/openid-configuration").json()
        return answer

    def jwks(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.get("/jwks").json()
        return answer

    def introspect(
        self, token: str, client_id: str = "rp-rs256", client_secret: str = CLIENT_SECRET
    ) -> dict[str, Any]:
        """What the OP's introspection endpoint (RFC 7662) says of ``token``."""
        response = self.http.post(
            "/token/introspection", data={"token": token}, auth=(client_id, client_secret)
        )
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def _admin(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self.http.request(method, f"/__admin/{path}", json=body)
        answer: dict[str, Any] = response.json()
        if response.status_code != 200:
            raise OPError(f"admin {path}: {answer.get('error')}")
        return answer

    def signing_kids(self) -> list[str]:
        """The ``kid`` of each key the OP signs with now (one per algorithm)."""
        return list(self._admin("GET", "state")["kids"])

    def hits(self, path: str, method: str = "GET") -> int:
        """How many ``method`` requests for ``path`` (e.g. ``/jwks``) the OP has served."""
        return int(self._admin("GET", "state")["hits"].get(f"{method} {path}", 0))

    def last_assertion(self, client_id: str) -> dict[str, Any] | None:
        """The header (``alg``, ``kid``, ``typ``) and ``aud`` of the last private_key_jwt
        client assertion the OP accepted from ``client_id``; None if none yet."""
        seen: dict[str, Any] | None = self._admin("GET", "state")["assertions"].get(client_id)
        return seen

    def rotate_keys(self, *, keep_previous: bool = True) -> list[str]:
        """Make the OP sign with a new generation of keys from now on; returns their kids.

        The new keys come first in the OP's JWKS; the previous generation stays published
        after them (``keep_previous=False`` drops it, so tokens it signed no longer verify).
        Sessions, grants and refresh tokens survive."""
        return list(self._admin("POST", "rotate", {"keep_previous": keep_previous})["kids"])

    def register(self, clients: Iterable[Mapping[str, Any]], *, replace: bool = False) -> None:
        """Add clients (a client with the id of a registered one replaces it), or with
        ``replace=True`` make them the only clients."""
        self._admin("POST", "clients", {"clients": list(clients), "replace": replace})

    def ciba_pending(self) -> list[dict[str, Any]]:
        """The CIBA requests awaiting the user's answer: ``auth_req_id``, ``account``,
        ``client_id``, ``binding_message``, ``scope``, ``resource``."""
        return list(self._admin("GET", "ciba")["pending"])

    def answer_ciba(self, auth_req_id: str, decision: str = "approve") -> None:
        """The user's device answers a pending CIBA request (``approve`` or ``deny``)."""
        self._admin("POST", "ciba", {"auth_req_id": auth_req_id, "decision": decision})

    def browser(self) -> OPBrowser:
        """A new user agent (its own cookie jar, so its own OP session)."""
        return OPBrowser(self.issuer)

    def login(self, authorize_url: str, user: str = "alice") -> str:
        """Log ``user`` in with a new browser; returns the callback URL."""
        with self.browser() as browser:
            return browser.authorize(authorize_url, user=user)


class _Forms(HTMLParser):
    """The forms of a page: action, method, id and input name/value pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({**values, "inputs": []})
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1]["inputs"].append((values["name"], values.get("value", "")))


def page_forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class LoginError(AssertionError):
    """The OP answered the browser with something other than what a login expects."""


class OPBrowser:
    """A user agent for the OP: follows redirects on the OP's origin, fills its development
    login form (any login, any password) and consent form, and stops at the first redirect
    that leaves the OP (the client's callback or post-logout page)."""

    MAX_STEPS = 20

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(issuer))
        self.http = httpx.Client(timeout=10.0, follow_redirects=False)
        self.pages: list[str] = []  # the URLs visited, for failure messages

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> OPBrowser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _on_op(self, url: str) -> bool:
        return "{0.scheme}://{0.netloc}".format(urlsplit(url)) == self.origin

    def _drive(self, url: str, fill: Mapping[str, str], method: str = "GET") -> str:
        response = self.http.request(method, url)
        for _ in range(self.MAX_STEPS):
            self.pages.append(str(response.url))
            if response.is_redirect:
                target = urljoin(str(response.url), response.headers["location"])
                if not self._on_op(target):
                    return target
                response = self.http.get(target)
                continue
            if response.status_code != 200:
                raise LoginError(
                    f"the OP answered {response.status_code} at {urlsplit(str(response.url)).path}"
                    f": {response.text[:500]}"
                )
            forms = page_forms(response.text)
            if not forms:
                # A page without a form ends the walk (e.g. the OP's sign-out success page).
                return str(response.url)
            form = forms[0]
            data = dict(form["inputs"])
            for name in data:
                if name in fill:
                    data[name] = fill[name]
            for name, value in fill.items():
                data.setdefault(name, value)
            action = urljoin(str(response.url), form.get("action") or str(response.url))
            response = self.http.request(form.get("method", "get").upper(), action, data=data)
        raise LoginError(f"no end after {self.MAX_STEPS} steps: {self.pages}")

    def authorize(self, authorize_url: str, user: str = "alice") -> str:
        """Follow ``authorize_url`` through login (as ``user``) and consent; return the URL the
        OP redirects to (the callback, with ``code`` or ``error``)."""
        return self._drive(authorize_url, {"login": user, "password": "any-password"})

    def logout(self, logout_url: str) -> str:
        """Open an RP-initiated logout URL and confirm it ("Yes, sign me out"); return where the
        OP sends the browser afterwards (``post_logout_redirect_uri``, or its success page)."""
        return self._drive(logout_url, {"logout": "yes"})

    def cookie_names(self) -> Sequence[str]:
        return [cookie.name for cookie in self.http.cookies.jar]
