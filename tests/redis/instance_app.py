"""One instance of a web application using auth0-core, run as its own OS process by
``test_two_instances.py``: several of them share one Redis, as instances behind a load balancer do.

    python tests/redis/instance_app.py --facade sync|async --port PORT --tenant URL --redis URL

``sync`` serves ``auth0_requests.ServerClient`` with ``RedisStateStore``/``RedisTransactionStore``
from a threading ``wsgiref`` server; ``async`` serves ``auth0_anyio.ServerClient`` with the
``AsyncRedis*`` stores on asyncio, from ``auth0_tenant_server.serve`` (any ``HttpRequest ->
HttpResponse`` handler). Routes, identical in both:

- ``GET /health``: 200 once serving;
- ``GET /login``: 302 to the tenant's ``/authorize`` (the transaction in Redis);
- ``GET /callback?code=&state=``: completes the login, 200 ``{"sub": ...}``;
- ``GET /session``: 200 ``{"session": {"user": ..., "audiences": [...]}}``, or
  ``{"session": null}``;
- ``GET /token[?audience=]``: 200 ``{"access_token": ...}``; an SDK error is 400
  ``{"error": code}``;
- ``POST /backchannel-logout``: the SDK's ready WSGI (sync) or ASGI (async) application.

Every answer carries the session cookie the SDK wrote (``Set-Cookie``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from auth0_core import HttpRequest, HttpResponse
from auth0_core.errors import Auth0Error
from auth0_core.stores import CookieRequest, CookieResponse

CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret-please-change-0123456789"
SECRET = "a-session-secret-of-at-least-32-characters"

Answer = tuple[int, list[tuple[str, str]], bytes]


def cookies_of(header: str | None) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header or "")
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def json_answer(status: int, value: object, cookies: CookieResponse) -> Answer:
    headers = [("Content-Type", "application/json"), *cookies.headers()]
    return status, headers, json.dumps(value).encode()


def describe(session: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if session is None:
        return None
    audiences = [token_set.get("audience") for token_set in session.get("token_sets") or []]
    return {"user": session["user"], "audiences": audiences}


class Routes:
    """The routes both facades share: each returns what to answer, the SDK call aside."""

    def __init__(self, public_url: str) -> None:
        self.public_url = public_url

    @staticmethod
    def options(cookie_header: str | None) -> dict[str, Any]:
        return {"request": CookieRequest(cookies_of(cookie_header)), "response": CookieResponse()}

    def callback_url(self, path: str, query: str) -> str:
        return f"{self.public_url}{path}?{query}"


# --- sync: auth0_requests on a threading WSGI server -------------------------------------------


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def sync_app(args: argparse.Namespace, public_url: str) -> Callable[..., Iterable[bytes]]:
    import auth0_requests
    from auth0_redis import RedisStateStore, RedisTransactionStore

    client = auth0_requests.ServerClient(
        domain=args.tenant,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        secret=SECRET,
        authorization_params={"redirect_uri": f"{public_url}/callback"},
        state_store=RedisStateStore(args.redis, secret=SECRET, secure=False),
        transaction_store=RedisTransactionStore(args.redis, secret=SECRET),
    )
    backchannel = auth0_requests.backchannel_logout_wsgi_app(client)
    routes = Routes(public_url)

    def answer(path: str, query: str, cookie: str | None) -> Answer:
        store = routes.options(cookie)
        response: CookieResponse = store["response"]
        try:
            if path == "/health":
                return json_answer(200, {"ok": True}, response)
            if path == "/login":
                url = client.start_interactive_login(store_options=store)
                return 302, [("Location", url), *response.headers()], b""
            if path == "/callback":
                url = routes.callback_url(path, query)
                result = client.complete_interactive_login(url, store_options=store)
                return json_answer(200, {"sub": result.user["sub"]}, response)
            if path == "/session":
                session = client.get_session(store_options=store)
                return json_answer(200, {"session": describe(session)}, response)
            if path == "/token":
                audience = parse_qs(query).get("audience", [None])[0]
                token = client.get_access_token(store_options=store, audience=audience)
                return json_answer(200, {"access_token": token}, response)
        except Auth0Error as error:
            return json_answer(400, {"error": error.code, "message": str(error)}, response)
        return json_answer(404, {"error": "not_found"}, response)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/backchannel-logout":
            result: Iterable[bytes] = backchannel(environ, start_response)
            return result
        status, headers, body = answer(
            path, environ.get("QUERY_STRING", ""), environ.get("HTTP_COOKIE")
        )
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]

    return app


def run_sync(args: argparse.Namespace) -> None:
    public_url = f"http://127.0.0.1:{args.port}"
    server = make_server(
        "127.0.0.1",
        args.port,
        sync_app(args, public_url),
        server_class=ThreadingWSGIServer,
        handler_class=QuietHandler,
    )
    print(f"listening {public_url}", flush=True)
    server.serve_forever()


# --- async: auth0_anyio on auth0_tenant_server.serve (asyncio) ---------------------------------


async def call_asgi(app: Any, request: HttpRequest) -> HttpResponse:
    """``request`` through an ASGI application, as an ASGI server would hand it over."""
    parts = urlsplit(request.url)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": parts.scheme,
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers],
    }
    sent = False
    answer: dict[str, Any] = {"headers": [], "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": request.body, "more_body": False}

    async def send(message: Mapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = [(k.decode(), v.decode()) for k, v in message["headers"]]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return HttpResponse(status=answer["status"], headers=answer["headers"], body=answer["body"])


async def run_async(args: argparse.Namespace) -> None:
    import auth0_anyio
    from auth0_redis import AsyncRedisStateStore, AsyncRedisTransactionStore
    from auth0_tenant_server import serve

    public_url = f"http://127.0.0.1:{args.port}"
    client = auth0_anyio.ServerClient(
        domain=args.tenant,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        secret=SECRET,
        authorization_params={"redirect_uri": f"{public_url}/callback"},
        state_store=AsyncRedisStateStore(args.redis, secret=SECRET, secure=False),
        transaction_store=AsyncRedisTransactionStore(args.redis, secret=SECRET),
    )
    backchannel = auth0_anyio.backchannel_logout_asgi_app(client)
    routes = Routes(public_url)

    async def answer(request: HttpRequest) -> Answer:
        parts = urlsplit(request.url)
        path, query = parts.path, parts.query
        store = routes.options(request.header("cookie"))
        response: CookieResponse = store["response"]
        try:
            if path == "/health":
                return json_answer(200, {"ok": True}, response)
            if path == "/login":
                url = await client.start_interactive_login(store_options=store)
                return 302, [("Location", url), *response.headers()], b""
            if path == "/callback":
                url = routes.callback_url(path, query)
                result = await client.complete_interactive_login(url, store_options=store)
                return json_answer(200, {"sub": result.user["sub"]}, response)
            if path == "/session":
                session = await client.get_session(store_options=store)
                return json_answer(200, {"session": describe(session)}, response)
            if path == "/token":
                audience = parse_qs(query).get("audience", [None])[0]
                token = await client.get_access_token(store_options=store, audience=audience)
                return json_answer(200, {"access_token": token}, response)
        except Auth0Error as error:
            return json_answer(400, {"error": error.code, "message": str(error)}, response)
        return json_answer(404, {"error": "not_found"}, response)

    async def handler(request: HttpRequest) -> HttpResponse:
        if urlsplit(request.url).path == "/backchannel-logout":
            return await call_asgi(backchannel, request)
        status, headers, body = await answer(request)
        return HttpResponse(status=status, headers=headers, body=body)

    print(f"listening {public_url}", flush=True)
    await serve(handler, port=args.port, access_log=None)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--facade", choices=["sync", "async"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--redis", required=True)
    args = parser.parse_args(argv)
    if args.facade == "sync":
        run_sync(args)
    else:
        import anyio

        anyio.run(run_async, args, backend="asyncio")


if __name__ == "__main__":
    main(sys.argv[1:])
