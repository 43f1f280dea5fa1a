"""The recording file format: its constants, errors and the JSON forms of requests and responses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._http import HttpRequest, HttpResponse

FORMAT = "auth0-core-recording/1"

# Names of form fields, query parameters and JSON members whose values are credentials.
SECRET_FIELDS = frozenset(
    {
        "access_token",
        "actor_token",
        "assertion",
        "auth_req_id",
        "auth_session",
        "binding_code",
        "client_assertion",
        "client_secret",
        "code",
        "code_verifier",
        "connect_code",
        "id_token",
        "id_token_hint",
        "issued_token",
        "logout_token",
        "mfa_token",
        "oob_code",
        "otp",
        "password",
        "recovery_code",
        "refresh_token",
        "session_transfer_token",
        "subject_token",
        "token",
    }
)
# Callback URL parameters that are secrets (the rest, like state and iss, are kept).
_CALLBACK_SECRETS = frozenset({"code", "connect_code"})
_PLACEHOLDER_PREFIX = "redacted-"
# Values shorter than this are replaced where they are named, never by a search of the text.
_MIN_SEARCHED = 8

Json = Any


# --- errors -----------------------------------------------------------------------------------


class ReplayError(Exception):
    """Root of the replay tool's errors.

    Not an :class:`~auth0_core.errors.Auth0Error` on purpose: a broken fixture is a failing
    test, never something an application's ``except Auth0Error`` handler should render.
    Messages show recorded (already redacted) values and redacted live values only.
    """


class FixtureFormatError(ReplayError):
    """The file is not a recording this version reads."""


class ReplayMismatchError(ReplayError):
    """The client asked for a request other than the one recorded next.

    Attributes:
        flow: the recorded flow being replayed.
        index: the position of the expected exchange within that flow.
        differences: what differs, one line each (redacted values).
    """

    def __init__(self, flow: str, index: int, differences: list[str]) -> None:
        self.flow = flow
        self.index = index
        self.differences = differences
        super().__init__(
            f"flow {flow!r}, exchange #{index}: the request differs from the recording: "
            + "; ".join(differences)
        )


class UnrecordedRequestError(ReplayError):
    """The client asked for a request the recording does not have (none left, or none alike).

    Attributes:
        method: the live request's method.
        url: the live request's URL (redacted).
        flow: the flow being replayed, or ``None`` when every recorded flow was used up.
    """

    def __init__(self, method: str, url: str, flow: str | None) -> None:
        self.method = method
        self.url = url
        self.flow = flow
        where = f"in flow {flow!r}" if flow is not None else "after the last recorded flow"
        super().__init__(f"{method} {url} was not recorded {where}")


class UnusedExchangesError(ReplayError):
    """A flow (or the replay) ended with recorded exchanges it never asked for."""

    def __init__(self, unused: list[str]) -> None:
        self.unused = unused
        super().__init__(f"{len(unused)} recorded exchange(s) never requested: {unused}")


# --- JSON forms -------------------------------------------------------------------------------


def request_to_json(request: HttpRequest) -> dict[str, Any]:
    """A request as the recording keeps it."""
    return {
        "method": request.method,
        "url": request.url,
        "headers": [[name, value] for name, value in request.headers],
        "body": request.body.decode("utf-8", "surrogateescape"),
    }


def response_to_json(response: HttpResponse) -> dict[str, Any]:
    """A response as the recording keeps it."""
    return {
        "status": response.status,
        "headers": [[name, value] for name, value in response.headers],
        "body": response.body.decode("utf-8", "surrogateescape"),
    }


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    return str(body).encode("utf-8", "surrogateescape")


def request_from_json(data: Mapping[str, Any]) -> HttpRequest:
    return HttpRequest(
        method=str(data["method"]),
        url=str(data["url"]),
        headers=tuple((str(k), str(v)) for k, v in data["headers"]),
        body=_body_bytes(data["body"]),
    )


def response_from_json(data: Mapping[str, Any]) -> HttpResponse:
    """A recorded response (whose body may be text or, in a test's edited copy, bytes)."""
    return HttpResponse(
        status=int(data["status"]),
        headers=tuple((str(k), str(v)) for k, v in data["headers"]),
        body=_body_bytes(data["body"]),
    )


def load_recording(path: str | Path) -> dict[str, Any]:
    """Read and check a recording file.

    Raises:
        FixtureFormatError: not JSON, or not a recording of this format.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise FixtureFormatError(f"{path}: not JSON ({type(exc).__name__})") from None
    check_recording(data, str(path))
    return dict(data)


def check_recording(data: Any, where: str = "recording") -> None:
    """Raise :class:`FixtureFormatError` unless ``data`` has a recording's shape."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FixtureFormatError(f"{where}: not an {FORMAT} recording")
    flows = data.get("flows")
    if not isinstance(data.get("seed"), int) or not isinstance(flows, list):
        raise FixtureFormatError(f"{where}: needs an integer 'seed' and a 'flows' list")
    for number, flow in enumerate(flows):
        if not (
            isinstance(flow, dict)
            and isinstance(flow.get("name"), str)
            and isinstance(flow.get("now"), int | float)
            and isinstance(flow.get("exchanges"), list)
            and all(
                isinstance(e, dict) and isinstance(e.get("request"), dict) and "response" in e
                for e in flow["exchanges"]
            )
        ):
            raise FixtureFormatError(f"{where}: flow #{number} is malformed")
