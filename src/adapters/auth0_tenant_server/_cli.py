"""The ``auth0-core`` command line (also ``python -m auth0_tenant_server``).

``auth0-core tenant`` needs the ``tenant`` extra and ``auth0-core demo`` the ``demo`` extra;
``--backend trio`` needs the ``trio`` extra. ``auth0-core logout-user`` asks a running tenant to
end a user's sessions (which sends the back-channel logout tokens), and ``auth0-core ciba``
approves or denies CIBA requests at one; they need no extra. This
module imports only the standard library and the core at the top, so that the command starts
from a base install and says which extra to install instead of failing with a traceback.

Subcommands register themselves in :data:`COMMANDS`: each entry adds its parser and sets
``run`` (a function ``argparse.Namespace -> int``) as the parser default.
"""

from __future__ import annotations

import argparse
import errno
import ssl
import sys
from collections.abc import Callable, Sequence
from typing import Any

from auth0_core._extras import require_extra
from auth0_core._version import __version__
from auth0_core.errors import ConfigurationError

SubParsers = Any  # argparse's _SubParsersAction is private; typing it adds nothing

BACKEND_HELP = "the event loop to run on: asyncio, or trio with the 'trio' extra (asyncio)"


def _add_host_and_backend(parser: argparse.ArgumentParser) -> None:
    """The options every serving command shares."""
    parser.add_argument("--host", default="127.0.0.1", help="the address to bind (127.0.0.1)")
    parser.add_argument(
        "--backend", choices=("asyncio", "trio"), default="asyncio", help=BACKEND_HELP
    )


# The options that choose a port, by their argparse destination.
PORT_OPTIONS = {"port": "--port", "tenant_port": "--tenant-port"}


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _require_backend(backend: str) -> None:
    if backend == "trio":
        require_extra("--backend trio", "trio", "trio")


def _server_ssl_context(certfile: str | None, keyfile: str | None) -> ssl.SSLContext | None:
    """A server TLS context from PEM files, or None for plain HTTP.

    Raises:
        ConfigurationError: only one of the two files given, or they cannot be loaded.
    """
    if certfile is None and keyfile is None:
        return None
    if certfile is None:
        raise ConfigurationError("--keyfile needs --certfile")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(f"cannot load the TLS certificate: {exc}") from None
    return context


def _run_tenant(args: argparse.Namespace) -> int:
    _require_backend(args.backend)
    require_extra("auth0-core tenant", "tenant", "anyio", "h11")
    from auth0_core.tenant import Tenant, load_config

    from ._backchannel import BackchannelSender
    from ._connection import Handler
    from ._server import MAX_CONNECTIONS, ServerAddress, run_until_signalled

    config = load_config(args.config)
    ssl_context = _server_ssl_context(args.certfile, args.keyfile)
    log = None if args.quiet else sys.stderr
    senders: list[BackchannelSender] = []

    def make_handler(base_url: str) -> Handler:
        tenant = Tenant(config, base_url=base_url)
        # Back-channel logout tokens go out over HTTP, in the background, as they are queued.
        senders.append(BackchannelSender(tenant, log=log).start())
        return tenant.handle

    def announce(address: ServerAddress) -> None:
        # Scripts and tests wait for this exact line; flush so a pipe sees it at once.
        print(f"tenant listening on {address.base_url}", flush=True)

    try:
        run_until_signalled(
            make_handler,
            on_started=announce,
            host=args.host,
            port=args.port,
            ssl_context=ssl_context,
            access_log=log,
            # The default lives with the server, which this module may only import once it runs.
            max_connections=(
                MAX_CONNECTIONS if args.max_connections is None else args.max_connections
            ),
            backend=args.backend,
        )
    finally:
        for sender in senders:
            sender.close()
    return 0


def _add_tenant(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "tenant",
        help="serve the emulated Auth0 tenant over HTTP(S) (the 'tenant' extra)",
        description="Serve the emulated Auth0 tenant until SIGINT or SIGTERM. "
        "Needs the 'tenant' extra: pip install 'auth0-core[tenant]'.",
    )
    _add_host_and_backend(parser)
    parser.add_argument(
        "--port", type=int, default=8000, help="the port to bind; 0 picks a free one (8000)"
    )
    parser.add_argument(
        "--config", metavar="FILE", help="the tenant's TOML configuration (built-in defaults)"
    )
    parser.add_argument(
        "--certfile", metavar="FILE", help="a PEM certificate chain: serve HTTPS (plain HTTP)"
    )
    parser.add_argument("--keyfile", metavar="FILE", help="the PEM private key for --certfile")
    parser.add_argument(
        "--max-connections",
        type=_positive_int,
        metavar="N",
        help="the most connections served at once, best kept below the open-file limit "
        "(ulimit -n); more wait to be accepted (256)",
    )
    parser.add_argument("--quiet", action="store_true", help="write no access log to stderr")
    parser.set_defaults(run=_run_tenant)


# What `auth0-core demo --store` accepts besides "memory" (auth0_demo checks it again).
DEMO_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _demo_store(text: str) -> str:
    if text == "memory" or text.startswith(DEMO_REDIS_SCHEMES):
        return text
    raise argparse.ArgumentTypeError(
        "must be 'memory' or a Redis URL (redis://HOST:PORT/DB, rediss://..., unix://...)"
    )


def _run_demo(args: argparse.Namespace) -> int:
    _require_backend(args.backend)
    require_extra("auth0-core demo", "demo", "httpx", "anyio", "h11", "starlette", "hypercorn")
    if args.store != "memory":
        require_extra("auth0-core demo --store redis://...", "redis", "redis")
    from auth0_demo import run_demo

    run_demo(
        host=args.host,
        app_port=args.port,
        tenant_port=args.tenant_port,
        backend=args.backend,
        store=args.store,
    )
    return 0


def _add_demo(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="serve the emulated tenant and the demo web app on loopback (the 'demo' extra)",
        description="Log in through the emulated tenant, see the session's user, call an API, "
        "link accounts, have the tenant end the session through back-channel logout, log out. "
        "The app is a Starlette app on auth0_starlette served by Hypercorn (on asyncio, or on "
        "trio with --backend trio); this command serves the tenant beside it. "
        "Needs the 'demo' extra: pip install 'auth0-core[demo]'.",
    )
    _add_host_and_backend(parser)
    parser.add_argument("--port", type=int, default=3000, help="the demo app's port (3000)")
    parser.add_argument(
        "--tenant-port", type=int, default=0, help="the tenant's port; 0 picks a free one (0)"
    )
    parser.add_argument(
        "--store",
        type=_demo_store,
        default="memory",
        metavar="memory|URL",
        help="where the app keeps sessions and login transactions: 'memory' (this process), "
        "or a Redis URL such as redis://127.0.0.1:6379/0 (the 'redis' extra) (memory)",
    )
    parser.set_defaults(run=_run_demo)


def _run_logout_user(args: argparse.Namespace) -> int:
    from ._logout_user import logout_user

    return logout_user(
        args.user_id,
        tenant=args.tenant,
        client_id=args.client_id,
        client_secret=args.client_secret,
        config=args.config,
        cafile=args.cafile,
    )


def _add_logout_user(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "logout-user",
        help="end every session of a user at a running tenant (sends back-channel logout tokens)",
        description="Get a Management API token with the client credentials of a configured "
        "client, then DELETE /api/v2/users/USER_ID/sessions at the tenant: every session of "
        "the user ends and each client that got tokens in one receives a logout token at its "
        "backchannel_logout_uri.",
    )
    parser.add_argument("user_id", metavar="USER_ID", help="the user, e.g. 'auth0|alice'")
    parser.add_argument(
        "--tenant",
        metavar="URL",
        default="http://127.0.0.1:8000",
        help="the running tenant's base URL (http://127.0.0.1:8000)",
    )
    parser.add_argument(
        "--client-id",
        default="demo-client",
        help="a client with a Management API grant including delete:sessions (demo-client)",
    )
    parser.add_argument(
        "--client-secret",
        help="its secret (default: the secret --config, or the built-in configuration, gives it)",
    )
    parser.add_argument(
        "--config", metavar="FILE", help="the tenant's TOML configuration (built-in defaults)"
    )
    parser.add_argument(
        "--cafile", metavar="FILE", help="PEM certificates to trust for an https tenant"
    )
    parser.set_defaults(run=_run_logout_user)


def _run_ciba(args: argparse.Namespace) -> int:
    from ._ciba import answer_ciba

    if (args.auth_req_id is None) == (args.user is None):
        print("auth0-core: give AUTH_REQ_ID or --user USER_ID (one of them)", file=sys.stderr)
        return 2
    return answer_ciba(
        args.decision, args.auth_req_id, user_id=args.user, tenant=args.tenant, cafile=args.cafile
    )


def _add_ciba(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "ciba",
        help="approve or deny CIBA requests at a running tenant (as the user's device)",
        description="POST the decision to the tenant's /ciba page: one request by its "
        "AUTH_REQ_ID, or every pending request of --user. The polling client then gets tokens "
        "(approve) or access_denied (deny). The page itself, GET /ciba?user=USER_ID, lists "
        "the pending requests with Approve and Deny buttons.",
    )
    parser.add_argument("decision", choices=("approve", "deny"), help="what the user answers")
    parser.add_argument("auth_req_id", metavar="AUTH_REQ_ID", nargs="?", help="one request")
    parser.add_argument("--user", metavar="USER_ID", help="every pending request of this user")
    parser.add_argument(
        "--tenant",
        metavar="URL",
        default="http://127.0.0.1:8000",
        help="the running tenant's base URL (http://127.0.0.1:8000)",
    )
    parser.add_argument(
        "--cafile", metavar="FILE", help="PEM certificates to trust for an https tenant"
    )
    parser.set_defaults(run=_run_ciba)


COMMANDS: list[Callable[[SubParsers], None]] = [
    _add_tenant,
    _add_demo,
    _add_logout_user,
    _add_ciba,
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="auth0-core",
        description="The emulated Auth0 tenant and the auth0-core demo, served on loopback.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"auth0-core {__version__}",
        help="print the version and exit",
    )
    subparsers = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", help="what to run (see COMMAND --help)"
    )
    for add in COMMANDS:
        add(subparsers)
    return parser


def _port_in_use(error: BaseException) -> int | None:
    """The port of the "address in use" error inside ``error`` (task groups wrap it), if any."""
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return getattr(error, "port", None)
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            port = _port_in_use(inner)
            if port is not None:
                return port
    return None


def _port_in_use_message(args: argparse.Namespace, port: int) -> str:
    option = next(
        (flag for dest, flag in PORT_OPTIONS.items() if getattr(args, dest, None) == port),
        "--port",
    )
    return f"port {port} is already in use; choose another with {option} PORT"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except ConfigurationError as exc:  # a MissingExtraError too
        print(f"auth0-core: {exc}", file=sys.stderr)
        return 2
    except (OSError, BaseExceptionGroup) as exc:
        port = _port_in_use(exc)
        if port is not None:
            print(f"auth0-core: {_port_in_use_message(args, port)}", file=sys.stderr)
            return 2
        if isinstance(exc, OSError):  # the address cannot be bound for another reason
            print(f"auth0-core: {exc}", file=sys.stderr)
            return 1
        raise
    return status
