"""The replayer: the recorded exchanges answered, with no network."""

from __future__ import annotations

import contextlib
import json
import random
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .._env import Env, FixedClock
from .._http import HttpRequest, HttpResponse
from ._format import (
    _CALLBACK_SECRETS,
    SECRET_FIELDS,
    Json,
    ReplayMismatchError,
    UnrecordedRequestError,
    UnusedExchangesError,
    check_recording,
    load_recording,
    request_from_json,
    response_from_json,
)
from ._redaction import Redactor

# --- replaying --------------------------------------------------------------------------------


def _header_value(headers: Any, name: str) -> str | None:
    for key, value in headers:
        if str(key).lower() == name:
            return str(value)
    return None


def _parse_body(body: bytes, content_type: str) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return ("bytes", body)
    if text.strip()[:1] in ("{", "["):
        try:
            return ("json", json.loads(text))
        except (ValueError, RecursionError):
            pass
    if "form-urlencoded" in content_type.lower() or ("=" in text and not content_type):
        return ("form", sorted(parse_qsl(text, keep_blank_values=True)))
    return ("text", text)


def _url_key(url: str) -> tuple[str, str, str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return parts.scheme.lower(), parts.netloc.lower(), parts.path, query


def _differences(live: HttpRequest, recorded: HttpRequest) -> list[str]:
    out = []
    if live.method != recorded.method:
        out.append(f"method {live.method} (recorded {recorded.method})")
    if _url_key(live.url) != _url_key(recorded.url):
        out.append(f"URL {live.url} (recorded {recorded.url})")
    live_body = _parse_body(live.body, _header_value(live.headers, "content-type") or "")
    recorded_body = _parse_body(
        recorded.body, _header_value(recorded.headers, "content-type") or ""
    )
    if live_body != recorded_body:
        if live_body[0] == recorded_body[0] == "form":
            live_fields, recorded_fields = dict(live_body[1]), dict(recorded_body[1])
            changed = sorted(
                name
                for name in live_fields.keys() | recorded_fields.keys()
                if live_fields.get(name) != recorded_fields.get(name)
            )
            shown = [
                f"{n}={live_fields.get(n)!r} (recorded {recorded_fields.get(n)!r})" for n in changed
            ]
            out.append("form fields differ: " + ", ".join(shown))
        else:
            out.append(f"{live_body[0]} body differs from the recorded {recorded_body[0]} body")
    if _header_value(live.headers, "authorization") != _header_value(
        recorded.headers, "authorization"
    ):
        out.append("Authorization header differs")
    return out


def _same_endpoint(live: HttpRequest, recorded: HttpRequest) -> bool:
    return live.method == recorded.method and _url_key(live.url)[:3] == _url_key(recorded.url)[:3]


def _known_values(recording: Mapping[str, Any]) -> list[str]:
    """The replacements a replayed client may send back: every credential value in the
    recorded responses and callback URLs."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for member, item in value.items():
                if member in SECRET_FIELDS and isinstance(item, str):
                    found.append(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for flow in recording["flows"]:
        for url in flow.get("callback_urls") or []:
            found.extend(v for n, v in parse_qsl(urlsplit(url).query) if n in _CALLBACK_SECRETS)
        found.extend(str(value) for value in flow.get("inputs") or [])
        for exchange in flow["exchanges"]:
            body = exchange["response"]["body"]
            if isinstance(body, str) and body.strip()[:1] in ("{", "["):
                with contextlib.suppress(ValueError, RecursionError):
                    walk(json.loads(body))
    return found


class Replayer:
    """Answers a client's requests from a recording, with no network.

    Give the client ``env=replayer.env`` and the replay transport of its adapter
    (``auth0_requests.recording.replay_session`` / ``auth0_anyio.recording.replay_client``,
    or any handler taking :meth:`handle`). Wrap the calls in ``with replayer.flow("name"):``
    as they were recorded: entering a flow sets the clock to the flow's recorded time;
    leaving it checks that every exchange of the flow was asked for.

    ``ordered=True`` (the default): each request must be the one recorded next
    (:class:`ReplayMismatchError` otherwise). ``ordered=False``, for edited recordings whose
    flows may take another path: a request is answered by the first unused exchange for the
    same method and URL path, or else the last one (a re-fetch).

    Raises:
        FixtureFormatError: ``recording`` is not a recording.
    """

    def __init__(self, recording: Mapping[str, Any] | str | Path, *, ordered: bool = True) -> None:
        if isinstance(recording, str | Path):
            recording = load_recording(recording)
        else:
            check_recording(recording)
        self.recording = recording
        self.ordered = ordered
        flows = recording["flows"]
        self.clock = FixedClock(flows[0]["now"] if flows else 0)
        self.env = Env(clock=self.clock, token_bytes=random.Random(recording["seed"]).randbytes)  # noqa: S311
        self.redactor = Redactor(known=_known_values(recording), remint=False)
        # (flow number, exchange number, recorded request, recorded exchange)
        self._exchanges = [
            (f, i, request_from_json(e["request"]), e)
            for f, flow in enumerate(flows)
            for i, e in enumerate(flow["exchanges"])
        ]
        self._used = [False] * len(self._exchanges)
        self._flow: int | None = None  # the flow entered with flow(), if any
        self._next_flow = 0
        self._callbacks: dict[int, int] = {}
        self._inputs: dict[int, int] = {}
        self.requests: list[HttpRequest] = []  # every live request, redacted
        self._lock = threading.Lock()

    # flows -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def flow(self, name: str) -> Iterator[dict[str, Any]]:
        """Replay the next recorded flow, which must be named ``name``; yields its ``meta``.

        Raises:
            ReplayMismatchError: the next recorded flow has another name (or there is none).
            UnusedExchangesError: (on leaving without an error) exchanges of the flow were
                never asked for.
        """
        flows = self.recording["flows"]
        number = self._next_flow
        if number >= len(flows) or flows[number]["name"] != name:
            recorded = flows[number]["name"] if number < len(flows) else None
            raise ReplayMismatchError(name, 0, [f"the next recorded flow is {recorded!r}"])
        self._next_flow = number + 1
        self._flow = number
        self.clock.now = flows[number]["now"]
        try:
            yield flows[number].get("meta") or {}
        except BaseException:
            self._flow = None
            raise
        self._flow = None
        if self.ordered:
            unused = self._unused(number)
            if unused:
                raise UnusedExchangesError(unused)

    def callback_url(self, url: str | None = None) -> str:
        """The next callback URL recorded in the current flow (``url`` is ignored: the
        recording's own, whose code the replayed token request carries).

        Raises:
            UnrecordedRequestError: the flow recorded no (further) callback URL.
        """
        flows = self.recording["flows"]
        number = self._flow if self._flow is not None else max(self._next_flow - 1, 0)
        urls = (flows[number].get("callback_urls") or []) if number < len(flows) else []
        used = self._callbacks.get(number, 0)
        if used >= len(urls):
            name = flows[number]["name"] if number < len(flows) else None
            raise UnrecordedRequestError("CALLBACK", "(browser redirect)", name)
        self._callbacks[number] = used + 1
        return str(urls[used])

    def redact(self, value: Json) -> Json:
        """``value`` (JSON) with the secrets the replayed client sent replaced as the recorder
        replaced them: compare what a replay produced with what was recorded in a ``meta``."""
        with self.redactor._lock:
            return self.redactor.known(value)

    def unused(self) -> list[tuple[int, int]]:
        """(flow number, exchange number) of every recorded exchange not asked for yet."""
        return [
            (f, i)
            for (f, i, _, _), used in zip(self._exchanges, self._used, strict=True)
            if not used
        ]

    def input(self, value: str | None = None) -> str:
        """The next input (:meth:`Recorder.input`) recorded in the current flow (``value`` is
        ignored: the recording's own).

        Raises:
            UnrecordedRequestError: the flow recorded no (further) input.
        """
        flows = self.recording["flows"]
        number = self._flow if self._flow is not None else max(self._next_flow - 1, 0)
        inputs = (flows[number].get("inputs") or []) if number < len(flows) else []
        used = self._inputs.get(number, 0)
        if used >= len(inputs):
            name = flows[number]["name"] if number < len(flows) else None
            raise UnrecordedRequestError("INPUT", "(a value handed to the client)", name)
        self._inputs[number] = used + 1
        return str(inputs[used])

    def _unused(self, flow: int | None = None) -> list[str]:
        return [
            f"{self.recording['flows'][f]['name']}#{i}: {request.method} {request.url}"
            for (f, i, request, _), used in zip(self._exchanges, self._used, strict=True)
            if not used and (flow is None or f == flow)
        ]

    def finish(self) -> None:
        """Check that every recorded exchange was asked for.

        Raises:
            UnusedExchangesError: some never were.
        """
        unused = self._unused()
        if unused:
            raise UnusedExchangesError(unused)

    # answering ---------------------------------------------------------------------------

    def _current_flow_name(self, position: int | None) -> str | None:
        flows = self.recording["flows"]
        if self._flow is not None:
            return str(flows[self._flow]["name"])
        if position is not None:
            return str(flows[self._exchanges[position][0]]["name"])
        return None

    def _ordered(self, live: HttpRequest) -> int:
        position = next(
            (
                p
                for p, used in enumerate(self._used)
                if not used and (self._flow is None or self._exchanges[p][0] >= self._flow)
            ),
            None,
        )
        if position is None or (
            self._flow is not None and self._exchanges[position][0] != self._flow
        ):
            raise UnrecordedRequestError(live.method, live.url, self._current_flow_name(None))
        flow, index, recorded, _ = self._exchanges[position]
        differences = _differences(live, recorded)
        if differences:
            raise ReplayMismatchError(self.recording["flows"][flow]["name"], index, differences)
        return position

    def _any_order(self, live: HttpRequest) -> int:
        candidates = [
            p
            for p, (_, _, recorded, _) in enumerate(self._exchanges)
            if _same_endpoint(live, recorded)
        ]
        unused = [p for p in candidates if not self._used[p]]
        if unused:
            return unused[0]
        if candidates:
            return candidates[-1]
        raise UnrecordedRequestError(live.method, live.url, self._current_flow_name(None))

    def handle(self, request: HttpRequest) -> HttpResponse:
        """The recorded response to ``request``.

        Raises:
            ReplayMismatchError: (ordered) the request is not the one recorded next.
            UnrecordedRequestError: nothing (left) was recorded for it.
        """
        live = self.redactor.request(request)
        with self._lock:
            self.requests.append(live)
            position = self._ordered(live) if self.ordered else self._any_order(live)
            self._used[position] = True
            exchange = self._exchanges[position][3]
            if self._flow is None and self.ordered:
                self._next_flow = max(self._next_flow, self._exchanges[position][0] + 1)
            now = exchange.get("now")
            if isinstance(now, int | float):
                self.clock.now = now
            return response_from_json(exchange["response"])
