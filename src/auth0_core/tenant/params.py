"""Decoding an incoming request: path, query and body parameters, with duplicates kept visible."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs

from .._http import HttpRequest, parse_form
from .responses import RequestRejected, oauth_error

# JSON body members that may be objects, kept as their JSON text: the passkey grant's
# credential and its verification codes.
JSON_OBJECT_MEMBERS = frozenset({"authn_response", "verification"})


def load_json(text: str | bytes) -> Any:
    """``json.loads(text)``, for everything the tenant reads from a request (bodies, JWT
    segments, JSON-valued parameters): every way ``text`` fails to parse is a ValueError, so
    a caller's ``except ValueError`` answers 4xx.

    Raises:
        ValueError: not JSON, not UTF-8 (UnicodeDecodeError), or nested too deeply for the
            parser (its RecursionError, which would otherwise answer 500).
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None


@attrs.frozen
class Params:
    """Request parameters: name -> every value received (RFC 6749 §3.1 forbids repeats)."""

    values: Mapping[str, list[str]] = attrs.field(factory=dict)

    def get(self, name: str) -> str | None:
        """The first value of ``name``; an empty value counts as absent."""
        found = self.values.get(name)
        return found[0] if found and found[0] else None

    def duplicated(self, names: Iterable[str] | None = None) -> list[str]:
        """Names (restricted to ``names`` when given) that were sent more than once."""
        wanted = set(names) if names is not None else None
        return sorted(
            k for k, v in self.values.items() if len(v) > 1 and (wanted is None or k in wanted)
        )

    def items(self) -> tuple[tuple[str, str], ...]:
        """Every (name, first value) pair, in the order received."""
        return tuple((k, v[0]) for k, v in self.values.items() if v)


@attrs.frozen
class Incoming:
    """A request as the tenant's endpoints see it."""

    request: HttpRequest
    method: str
    path: str
    query: Params
    # The route's named path segments (``{id}``), percent-decoded; filled in by the router.
    path_params: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def parse(cls, request: HttpRequest) -> Incoming:
        """Split the URL; anything unparsable becomes an empty path (answered 404)."""
        try:
            parts = urlsplit(request.url)
            query = _parse_qs(parts.query)
        except ValueError:
            return cls(request, request.method.upper(), "", Params())
        path = parts.path.rstrip("/") or "/"
        return cls(request, request.method.upper(), path, query)

    def form(self) -> Params:
        """The ``application/x-www-form-urlencoded`` body."""
        return Params(parse_form(self.request.body))

    def body_params(self) -> Params:
        """A form body, or a JSON object body (``/oauth/token`` accepts both, like Auth0).

        In a JSON body, the members of :data:`JSON_OBJECT_MEMBERS` may be objects (the passkey
        grant's ``authn_response``): they are kept as their JSON text.

        Raises:
            RequestRejected: a JSON body that is not an object of scalar members.
        """
        media = (self.request.header("content-type") or "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            return self.form()
        try:
            document = load_json(self.request.body)
        except ValueError:
            raise RequestRejected(
                oauth_error(400, "invalid_request", "The request body is not valid JSON.")
            ) from None
        if not isinstance(document, dict):
            raise RequestRejected(
                oauth_error(400, "invalid_request", "The request body must be a JSON object.")
            )
        values: dict[str, list[str]] = {}
        for name, value in document.items():
            if name in JSON_OBJECT_MEMBERS and isinstance(value, dict):
                try:
                    values[name] = [json.dumps(value, separators=(",", ":"))]
                except RecursionError:  # parsed, but too deep to write back at this depth
                    raise RequestRejected(
                        oauth_error(400, "invalid_request", f"Invalid value for parameter: {name}")
                    ) from None
                continue
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise RequestRejected(
                    oauth_error(400, "invalid_request", f"Invalid value for parameter: {name}")
                )
            values[name] = [str(value)]
        return Params(values)


def _parse_qs(query: str) -> Params:
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        values.setdefault(name, []).append(value)
    return Params(values)
