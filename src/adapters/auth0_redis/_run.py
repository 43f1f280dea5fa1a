"""Running the store logic on a client: blocking, awaited (asyncio), or in worker threads.

Every failure of the connection or the server becomes a :class:`StoreUnavailableError`
naming the store and the kind of failure, never a key, a value or the server's address.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from redis.exceptions import NoScriptError, RedisClusterException, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from auth0_core.errors import StoreUnavailableError

from ._commands import Command, Eval, RedisFlow, Sleep, Step, T

# What a client can raise when the server is down, slow, failing over or out of memory.
FAILURES = (RedisError, RedisClusterException, OSError)


def unavailable(store: str, error: BaseException) -> StoreUnavailableError:
    """The typed error for ``error``: its class name only (Redis texts may quote keys)."""
    if isinstance(error, RedisTimeoutError | TimeoutError):
        message = f"{store}: Redis did not answer in time ({type(error).__name__})."
    else:
        message = f"{store}: Redis is unavailable ({type(error).__name__})."
    return StoreUnavailableError(message, store=store)


def _command_args(step: Command | Eval, *, cached: bool) -> tuple[Any, ...]:
    if isinstance(step, Command):
        return step.args
    head = ("EVALSHA", step.script.sha) if cached else ("EVAL", step.script.source)
    return (*head, len(step.keys), *step.keys, *step.args)


def execute(client: Any, step: Command | Eval) -> Any:
    """Send ``step`` on a blocking client (EVALSHA, then EVAL when the script is unknown)."""
    try:
        return client.execute_command(*_command_args(step, cached=True))
    except NoScriptError:
        return client.execute_command(*_command_args(step, cached=False))


async def execute_async(client: Any, step: Command | Eval) -> Any:
    """Send ``step`` on a ``redis.asyncio`` client."""
    try:
        return await client.execute_command(*_command_args(step, cached=True))
    except NoScriptError:
        return await client.execute_command(*_command_args(step, cached=False))


def run_sync(flow: RedisFlow[T], client: Any, store: str) -> T:
    """Drive ``flow`` to its end on a blocking client."""
    reply: Any = None
    try:
        while True:
            try:
                step = flow.send(reply)
            except StopIteration as done:
                result: T = done.value
                return result
            if isinstance(step, Sleep):
                time.sleep(step.seconds)
                reply = None
                continue
            try:
                reply = execute(client, step)
            except FAILURES as error:
                raise unavailable(store, error) from None
    finally:
        flow.close()


async def run_async(
    flow: RedisFlow[T],
    send: Callable[[Command | Eval], Awaitable[Any]],
    sleep: Callable[[float], Awaitable[Any]],
    store: str,
) -> T:
    """Drive ``flow`` to its end, awaiting ``send`` for each command and ``sleep`` for waits."""
    reply: Any = None
    try:
        while True:
            try:
                step: Step = flow.send(reply)
            except StopIteration as done:
                result: T = done.value
                return result
            if isinstance(step, Sleep):
                await sleep(step.seconds)
                reply = None
                continue
            try:
                reply = await send(step)
            except FAILURES as error:
                raise unavailable(store, error) from None
    finally:
        flow.close()
