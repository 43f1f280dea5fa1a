"""Record the sync facade's exchanges, and replay them, for tests (docs/testing-with-fixtures.md).

``recording_session(recorder)`` is a ``requests.Session`` whose every exchange is also handed
to an :class:`auth0_core.recording.Recorder`; ``replay_session(replayer)`` a session answered
by an :class:`auth0_core.recording.Replayer`, with no network. Pass either to
``ServerClient(session=...)``, with ``env=recorder.env`` / ``env=replayer.env``.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from auth0_core import HttpRequest, HttpResponse
from auth0_core.recording import Recorder, Replayer

from ._adapters import HandlerAdapter

__all__ = ["RecordingAdapter", "recording_session", "replay_session"]


class RecordingAdapter(BaseAdapter):
    """A ``requests`` adapter that performs requests with ``adapter`` (by default a new
    ``HTTPAdapter``) and hands each exchange, body read whole, to ``recorder``."""

    def __init__(self, recorder: Recorder, adapter: BaseAdapter | None = None) -> None:
        super().__init__()
        self.recorder = recorder
        self.adapter = adapter if adapter is not None else HTTPAdapter()

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        response = self.adapter.send(request, **kwargs)
        body = response.content  # read whole (decoded); iter_content then re-serves it
        sent = request.body or b""
        self.recorder.record(
            HttpRequest(
                method=request.method or "GET",
                url=request.url or "",
                headers=tuple(request.headers.items()),
                body=sent.encode("utf-8") if isinstance(sent, str) else bytes(sent),
            ),
            HttpResponse(
                status=response.status_code,
                headers=tuple(response.headers.items()),
                body=body or b"",
            ),
        )
        return response

    def close(self) -> None:
        self.adapter.close()


def recording_session(
    recorder: Recorder, session: requests.Session | None = None
) -> requests.Session:
    """``session`` (a new one if ``None``) with every exchange recorded by ``recorder``: each
    adapter mounted on it is wrapped in a :class:`RecordingAdapter` (and still performs the
    requests). Adapters mounted afterwards are not recorded."""
    session = session if session is not None else requests.Session()
    for prefix, adapter in list(session.adapters.items()):
        if not isinstance(adapter, RecordingAdapter):
            session.mount(prefix, RecordingAdapter(recorder, adapter))
    return session


def replay_session(replayer: Replayer) -> requests.Session:
    """A session whose every request is answered by ``replayer`` (no socket is opened)."""
    session = requests.Session()
    adapter = HandlerAdapter(replayer.handle)
    for prefix in ("https://", "http://"):
        session.mount(prefix, adapter)
    return session
