"""What the tenant sends: e-mails, text messages and back-channel logout deliveries.

Nothing leaves the process. An endpoint that would send something puts a message here, through
the state; tests read it (the code in an e-mail, the logout token a client should receive) and
a server may take it to deliver it. The outbox has a lock of its own because a test thread reads
it while the server thread handles requests.
"""

from __future__ import annotations

import threading
from typing import TypeVar

import attrs


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
class LogoutDelivery:
    """A logout token for a client's back-channel logout URI (OIDC Back-Channel Logout §2.5)."""

    client_id: str
    uri: str
    logout_token: str = attrs.field(repr=False)


Message = Email | TextMessage | LogoutDelivery
M = TypeVar("M", bound=Message)


class Outbox:
    """The messages sent and not yet taken, oldest first."""

    def __init__(self) -> None:
        self._messages: list[Message] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._messages)

    def send(self, message: Message) -> None:
        """Queue ``message``."""
        with self._lock:
            self._messages.append(message)

    def messages(self, kind: type[M]) -> list[M]:
        """The waiting messages of ``kind``, oldest first; they stay in the outbox."""
        with self._lock:
            return [message for message in self._messages if isinstance(message, kind)]

    def take(self, kind: type[M]) -> list[M]:
        """Remove the waiting messages of ``kind`` and return them, oldest first."""
        with self._lock:
            taken: list[M] = [message for message in self._messages if isinstance(message, kind)]
            self._messages = [m for m in self._messages if not isinstance(m, kind)]
            return taken
