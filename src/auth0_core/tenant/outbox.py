"""What the tenant sends: e-mails, text messages and back-channel logout deliveries.

Nothing leaves the process here. An endpoint that would send something puts a message here,
through the state; tests read it (the code in an e-mail, the logout token a client should
receive). Back-channel logout deliveries are performed by whoever calls
``Tenant.deliver_pending`` (a test in process, or the server adapter over HTTP): it claims the
pending ones (:meth:`Outbox.claim`) so no two callers send the same one, and records what each
got back (:meth:`Outbox.record`) on the message. The outbox has a lock of its own because a test
thread reads it while the server thread handles requests and a delivery thread sends.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import attrs

_DELIVERY_IDS = itertools.count(1)


@attrs.frozen(kw_only=True)
class Email:
    """An e-mail to a user: a verification link, a passwordless or MFA code."""

    to: str
    subject: str
    body: str = attrs.field(repr=False)  # may carry a one-time code


@attrs.frozen(kw_only=True)
class TextMessage:
    """An SMS to a phone number: a passwordless or MFA code."""

    to: str
    body: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class DeliveryResult:
    """What one delivery got back: an HTTP answer (``status``, ``body``) or an ``error``."""

    status: int | None = None  # None: no answer came
    body: str = ""  # a short, printable excerpt of the answer (tokens redacted)
    error: str | None = None  # why no answer came: "ConnectError: ...", "TimeoutError: ..."

    @property
    def ok(self) -> bool:
        """Whether the client acknowledged the logout (a 2xx answer; spec §2.8 expects 200)."""
        return self.status is not None and 200 <= self.status < 300


@attrs.frozen(kw_only=True)
class LogoutDelivery:
    """A logout token for a client's back-channel logout URI (OIDC Back-Channel Logout §2.5):
    ``POST uri`` with the form body ``logout_token=...``.

    ``result`` is None until a delivery was attempted, then what it got back.
    """

    client_id: str
    uri: str
    logout_token: str = attrs.field(repr=False)
    sub: str | None = None
    sid: str | None = None
    id: int = attrs.field(factory=lambda: next(_DELIVERY_IDS))
    result: DeliveryResult | None = None


Message = Email | TextMessage | LogoutDelivery
M = TypeVar("M", bound=Message)


class Outbox:
    """The messages sent and not yet taken, oldest first."""

    def __init__(self) -> None:
        self._messages: list[Message] = []
        self._lock = threading.Condition()
        self._claimed: set[int] = set()  # deliveries being sent
        self._listeners: list[Callable[[], None]] = []

    def __len__(self) -> int:
        with self._lock:
            return len(self._messages)

    def send(self, message: Message) -> None:
        """Queue ``message``, then call the listeners (outside the outbox's lock)."""
        with self._lock:
            self._messages.append(message)
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener()`` after each message is queued; returns the unsubscribe function.

        The listener runs in the thread that queued the message, usually with the tenant's lock
        held: it must return at once (wake a worker, never send).
        """
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def messages(self, kind: type[M]) -> list[M]:
        """The waiting messages of ``kind``, oldest first; they stay in the outbox."""
        with self._lock:
            return [message for message in self._messages if isinstance(message, kind)]

    def mail(self) -> list[Email | TextMessage]:
        """The waiting e-mails and text messages, oldest first (the demo's outbox page)."""
        with self._lock:
            return [m for m in self._messages if isinstance(m, Email | TextMessage)]

    def take(self, kind: type[M]) -> list[M]:
        """Remove the waiting messages of ``kind`` and return them, oldest first."""
        with self._lock:
            taken: list[M] = [message for message in self._messages if isinstance(message, kind)]
            self._messages = [m for m in self._messages if not isinstance(m, kind)]
            return taken

    def claim(self) -> list[LogoutDelivery]:
        """The deliveries not attempted and not being attempted, now marked as being attempted
        (oldest first); each must be :meth:`record`-ed."""
        with self._lock:
            claimed = [
                m
                for m in self._messages
                if isinstance(m, LogoutDelivery) and m.result is None and m.id not in self._claimed
            ]
            self._claimed.update(m.id for m in claimed)
            return claimed

    def record(self, delivery: LogoutDelivery, result: DeliveryResult) -> LogoutDelivery:
        """Put what ``delivery`` got back on its message (unless it was taken meanwhile)."""
        done = attrs.evolve(delivery, result=result)
        with self._lock:
            self._claimed.discard(delivery.id)
            self._messages = [
                done if isinstance(m, LogoutDelivery) and m.id == delivery.id else m
                for m in self._messages
            ]
            self._lock.notify_all()
        return done

    def wait_for_deliveries(self, timeout: float) -> bool:
        """Wait until every queued delivery has a result (or was taken); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while any(isinstance(m, LogoutDelivery) and m.result is None for m in self._messages):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
            return True
