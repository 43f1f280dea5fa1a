"""What the tenant remembers for passwordless: the one-time codes (and magic links) it sent,
and when it sent them (the per-address rate limit). Tests reach it as
``tenant.state.passwordless`` (the sent messages themselves are in the outbox)."""

from __future__ import annotations

import attrs

from .mfa_settings import PasswordlessSettings


@attrs.define(kw_only=True)
class PasswordlessCode:
    """A code sent to ``username`` (an e-mail address or a phone number) for ``client_id``;
    ``auth_params`` are the magic link's (None for a code to type)."""

    client_id: str
    connection: str
    username: str
    code: str = attrs.field(repr=False)
    expires_at: int
    attempts: int = 0
    auth_params: dict[str, str] | None = attrs.field(default=None, repr=False)


class PasswordlessState:
    """The codes waiting to be used, newest per (client, connection, address)."""

    def __init__(self, settings: PasswordlessSettings) -> None:
        self.settings = settings
        self.codes: dict[tuple[str, str, str], PasswordlessCode] = {}
        self.sent: dict[str, list[int]] = {}

    def __repr__(self) -> str:
        return f"PasswordlessState(codes={len(self.codes)})"

    def reset(self) -> None:
        """No code waiting, nothing sent."""
        self.codes.clear()
        self.sent.clear()

    def may_send(self, address: str, now: int) -> int | None:
        """None when a code may be sent to ``address`` now (and count it), else the seconds
        until one may."""
        window = self.settings.send_window
        recent = [at for at in self.sent.get(address, []) if at > now - window]
        if len(recent) >= self.settings.max_sends:
            return max(1, recent[0] + window - now)
        self.sent[address] = [*recent, now]
        return None

    def purge(self, now: int) -> None:
        for key in [k for k, v in self.codes.items() if v.expires_at + 86400 <= now]:
            del self.codes[key]
