"""The recorder: exchanges of flows collected, redacted and written."""

from __future__ import annotations

import contextlib
import json
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .._env import Env
from .._http import HttpRequest, HttpResponse
from ._format import FORMAT, Json, request_to_json, response_to_json
from ._redaction import Redactor

# --- recording --------------------------------------------------------------------------------


# The meta of the flow that collects exchanges made outside any ``with recorder.flow()``.
_IMPLICIT: dict[str, Any] = {}


def _whole_seconds() -> float:
    return float(int(time.time()))


class Recorder:
    """Collects a client's exchanges, redacted, grouped in named flows; writes the recording.

    Give the client under test ``env=recorder.env`` (seeded randomness, and ``clock``: the
    wall clock in whole seconds unless you pass your own) and a recording transport of its
    adapter. Wrap each call (or group of calls) in ``with recorder.flow("name"):``; exchanges
    outside any flow go to a flow named ``"default"``. One flow at a time: a recorder is not
    meant for concurrent calls.

    ``meta`` (JSON) is written with the recording, for your tests (the client options you
    recorded with, say; never a secret): like each flow's, it is written with every secret
    seen in the exchanges replaced. ``seed`` is random unless given. The seeded randomness is
    *predictable*: record against a development tenant only, never use ``recorder.env`` in
    production.
    """

    def __init__(
        self,
        *,
        description: str = "",
        seed: int | None = None,
        clock: Callable[[], float] | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.description = description
        self.meta = dict(meta or {})
        self.seed = secrets.randbits(48) if seed is None else seed
        self.clock: Callable[[], float] = clock if clock is not None else _whole_seconds
        self.env = Env(clock=self.clock, token_bytes=random.Random(self.seed).randbytes)  # noqa: S311 (replayable on purpose)
        self.redactor = Redactor()
        self._flows: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def _open(self, name: str, meta: dict[str, Any]) -> dict[str, Any]:
        flow = {
            "name": name,
            "now": self.clock(),
            "meta": meta,
            "callback_urls": [],
            "exchanges": [],
        }
        self._flows.append(flow)
        return flow

    @contextlib.contextmanager
    def flow(self, name: str, meta: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Record the exchanges made inside the block as the flow ``name``.

        Yields the flow's ``meta`` dict: anything JSON you store there is written with the
        flow (what your test expects of it, say).
        """
        with self._lock:
            if self._current is not None:
                raise RuntimeError("recorder flows do not nest")
            self._current = self._open(name, {} if meta is None else meta)
            current = self._current
        try:
            yield current["meta"]
        finally:
            with self._lock:
                self._current = None

    def record(self, request: HttpRequest, response: HttpResponse) -> None:
        """Add one exchange (the recording transports call this)."""
        redacted_request = self.redactor.request(request)
        # The transports hand over decoded bodies: the encoding headers no longer apply.
        response = HttpResponse(
            status=response.status,
            headers=tuple(
                (name, value)
                for name, value in response.headers
                if name.lower() not in ("content-encoding", "transfer-encoding")
            ),
            body=response.body,
        )
        redacted_response = self.redactor.response(response)
        with self._lock:
            self._flow_for_exchange()["exchanges"].append(
                {
                    "now": self.clock(),
                    "request": request_to_json(redacted_request),
                    "response": response_to_json(redacted_response),
                }
            )

    def _flow_for_exchange(self) -> dict[str, Any]:
        if self._current is not None:
            return self._current
        if self._flows and self._flows[-1]["meta"] is _IMPLICIT:
            return self._flows[-1]
        return self._open("default", _IMPLICIT)

    def callback_url(self, url: str) -> str:
        """Record the callback URL the browser came back with; returns it unchanged.

        On replay, :meth:`Replayer.callback_url` gives the recorded one (its code replaced).
        """
        redacted = self.redactor.callback_url(url)
        with self._lock:
            self._flow_for_exchange()["callback_urls"].append(redacted)
        return url

    def input(self, value: str, kind: str = "input") -> str:
        """Record a credential handed to the client from outside its exchanges (a
        back-channel logout token, a token from another system); returns it unchanged.

        A JWT is re-minted with the fixture key of its ``kid`` (so it verifies on replay),
        anything else becomes a placeholder. On replay, :meth:`Replayer.input` gives it.
        """
        with self.redactor._lock:
            redacted = self.redactor.token(kind, value)
        with self._lock:
            self._flow_for_exchange().setdefault("inputs", []).append(redacted)
        return value

    def recording(self) -> dict[str, Any]:
        """The recording as JSON data."""
        with self._lock:
            data: dict[str, Any] = json.loads(
                json.dumps(
                    {
                        "format": FORMAT,
                        "description": self.description,
                        "seed": self.seed,
                        "meta": self.redact(self.meta),
                        "flows": [
                            {**flow, "meta": self.redact(flow["meta"])} for flow in self._flows
                        ],
                    }
                )
            )
        return data

    def redact(self, value: Json) -> Json:
        """``value`` (JSON) with every secret of the recording replaced as in the exchanges:
        what the flows' and the recording's ``meta`` go through when written."""
        with self.redactor._lock:
            return self.redactor.known(value)

    def save(self, path: str | Path) -> None:
        """Write the recording (UTF-8 JSON, one member a line where it helps a diff)."""
        Path(path).write_text(
            json.dumps(self.recording(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
