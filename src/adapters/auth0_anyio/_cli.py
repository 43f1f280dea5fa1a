"""The ``auth0-core`` command line (also ``python -m auth0_anyio``).

Subcommands register themselves in :data:`COMMANDS`: each entry adds its parser and sets
``run`` (a function ``argparse.Namespace -> int``) as the parser default. To add one, write an
``_add_<name>(subparsers)`` function and append it to ``COMMANDS``.

It lives in the anyio adapter because every command serves HTTP with :mod:`._server`; the
core package imports no transport.
"""

from __future__ import annotations

import argparse
import ssl
import sys
from collections.abc import Callable, Sequence
from typing import Any

from auth0_core.errors import ConfigurationError
from auth0_core.tenant import Tenant, load_config

from ._demo import run_demo
from ._server import ServerAddress, run_until_signalled

SubParsers = Any  # argparse's _SubParsersAction is private; typing it adds nothing


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
    config = load_config(args.config)
    ssl_context = _server_ssl_context(args.certfile, args.keyfile)

    def announce(address: ServerAddress) -> None:
        # Scripts and tests wait for this exact line; flush so a pipe sees it at once.
        print(f"tenant listening on {address.base_url}", flush=True)

    run_until_signalled(
        lambda base_url: Tenant(config, base_url=base_url).handle,
        on_started=announce,
        host=args.host,
        port=args.port,
        ssl_context=ssl_context,
        access_log=None if args.quiet else sys.stderr,
        backend=args.backend,
    )
    return 0


def _add_tenant(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "tenant",
        help="serve the emulated Auth0 tenant over HTTP(S)",
        description="Serve the emulated Auth0 tenant until SIGINT/SIGTERM.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind; 0 = any (8000)")
    parser.add_argument("--config", metavar="FILE", help="tenant TOML configuration")
    parser.add_argument("--certfile", metavar="F", help="PEM certificate chain: serve HTTPS")
    parser.add_argument("--keyfile", metavar="K", help="PEM private key for --certfile")
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    parser.add_argument("--quiet", action="store_true", help="no access log on stderr")
    parser.set_defaults(run=_run_tenant)


def _run_demo(args: argparse.Namespace) -> int:
    run_demo(host=args.host, app_port=args.port, tenant_port=args.tenant_port, backend=args.backend)
    return 0


def _add_demo(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="serve the emulated tenant and the demo web app on loopback",
        description="Log in through the emulated tenant, see the session's user, log out.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="the demo app's port (3000)")
    parser.add_argument("--tenant-port", type=int, default=0, help="the tenant's port (any)")
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    parser.set_defaults(run=_run_demo)


COMMANDS: list[Callable[[SubParsers], None]] = [_add_tenant, _add_demo]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="auth0-core", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except ConfigurationError as exc:
        print(f"auth0-core: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the port is taken
        print(f"auth0-core: {exc}", file=sys.stderr)
        return 1
    return status
