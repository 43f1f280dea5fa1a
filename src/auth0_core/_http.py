"""Immutable descriptions of HTTP requests and responses, and the body helpers around them.

The core never performs IO: a flow yields an :class:`HttpRequest` and is sent back an
:class:`HttpResponse`. Both are frozen, so they can be logged, compared, recorded and replayed.
Their ``repr`` never shows a body or a credential-bearing header value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

import attrs

from .errors import (
    InvalidArgumentError,
    InvalidResponse,
    ResponseTooLargeError,
    TransportError,
    TransportTimeoutError,
    printable,
)

Headers = tuple[tuple[str, str], ...]

# The facades' network limits (docs/network.md): one exchange, one public call, one body.
DEFAULT_TIMEOUT = 10.0
DEFAULT_CALL_TIMEOUT = 30.0
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024

# Header values that carry credentials; their values never appear in a repr.
_SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "dpop"})


def _headers_repr(headers: Headers) -> str:
    shown = [
        (name, "<redacted>" if name.lower() in _SECRET_HEADERS else value)
        for name, value in headers
    ]
    return repr(tuple(shown))


def _body_repr(body: bytes) -> str:
    return f"<{len(body)} bytes>"


def _to_headers(value: Iterable[tuple[str, str]] | Mapping[str, str]) -> Headers:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(name), str(val)) for name, val in items)


def _find_header(headers: Headers, name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers:
        if key.lower() == wanted:
            return value
    return None


@attrs.frozen(kw_only=True)
class HttpRequest:
    """An HTTP request a flow wants performed."""

    method: str
    url: str
    headers: Headers = attrs.field(default=(), converter=_to_headers, repr=_headers_repr)
    body: bytes = attrs.field(default=b"", repr=_body_repr)

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (case-insensitive), or None."""
        return _find_header(self.headers, name)

    def with_headers(self, *headers: tuple[str, str]) -> HttpRequest:
        """This request with ``headers`` set, replacing any of the same names (credentials
        and proofs put on a prepared request)."""
        names = {name.lower() for name, _ in headers}
        kept = tuple((name, value) for name, value in self.headers if name.lower() not in names)
        return attrs.evolve(self, headers=(*kept, *headers))


@attrs.frozen(kw_only=True)
class HttpResponse:
    """An HTTP response handed back to a flow."""

    status: int
    headers: Headers = attrs.field(default=(), converter=_to_headers, repr=_headers_repr)
    body: bytes = attrs.field(default=b"", repr=_body_repr)

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (case-insensitive), or None."""
        return _find_header(self.headers, name)

    def header_values(self, name: str) -> list[str]:
        """Return every value of header ``name`` (case-insensitive), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower-cased ('' when absent)."""
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    def is_json(self) -> bool:
        """True for ``application/json`` and any ``+json`` media type."""
        media = self.media_type
        return media == "application/json" or media.endswith("+json")

    def json(self) -> object:
        """Decode a JSON body.

        Raises:
            InvalidResponse: the body is not JSON. The message carries the status and a short,
                printable excerpt of the body, never the whole body.
        """
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deep nesting
            raise InvalidResponse(
                "expected a JSON body", status=self.status, excerpt=body_excerpt(self.body)
            ) from None

    def json_or_none(self) -> object:
        """The JSON body, or None when there is none or it is not JSON (error bodies)."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None

    def json_object(self) -> dict[str, object]:
        """Decode a JSON object body.

        Raises:
            InvalidResponse: the body is not a JSON object.
        """
        value = self.json()
        if not isinstance(value, dict):
            raise InvalidResponse(
                "expected a JSON object", status=self.status, excerpt=body_excerpt(self.body)
            )
        return value


# A JWT, an opaque token or a secret: 20+ characters of base64url, base64 or JWT punctuation.
_TOKEN_RUN = re.compile(r"[A-Za-z0-9\-_.~+/=]{20,}")


def body_excerpt(body: bytes, limit: int = 80) -> str:
    """A short, printable excerpt of a body for error messages.

    Every run of 20 or more token characters is cut, wherever it stands (``<p>eyJ...</p>``,
    ``token=eyJ...;``), so an excerpt never repeats a token; the redaction runs over the first
    4 KiB before the excerpt is shortened, so a token cut by the limit is still recognised.
    """
    text = body[:4096].decode("utf-8", "replace")
    text = _TOKEN_RUN.sub("<redacted>", text)
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text[:limit] + ("..." if len(text) > limit else "")


def split_url(url: str) -> SplitResult | None:
    """``urlsplit(url)`` when it parses whole, port included; None for what Python refuses
    (an unbalanced IPv6 bracket, a host NFKC turns into a separator, a port that is no port).
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no port
    except ValueError:
        return None
    return parts


def url_for_errors(url: str) -> str:
    """``url`` without query or fragment, for messages: a query may carry a code or token.
    Bounded and printable; a URL that does not parse is named by its scheme alone."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return printable(url.split(":", 1)[0], limit=16) + "://(a malformed URL)"
    return printable(f"{parts.scheme}://{parts.netloc}{parts.path}", limit=300)


def transport_failure(request: HttpRequest, cause: BaseException) -> TransportError:
    """The error an adapter raises when ``request`` could not be completed.

    It names the endpoint and the kind of failure, never the query or body (they may carry a
    code or a token), nor the cause's message (it may repeat the URL).
    """
    where = url_for_errors(request.url)
    return TransportError(f"{request.method} {where} failed: {type(cause).__name__}", url=where)


def exchange_timed_out(request: HttpRequest, seconds: float) -> TransportTimeoutError:
    """The error when ``request`` got no complete response within its deadline."""
    where = url_for_errors(request.url)
    return TransportTimeoutError(
        f"{request.method} {where} timed out: no complete response within {seconds:g} s",
        url=where,
        seconds=seconds,
    )


def call_timed_out(seconds: float) -> TransportTimeoutError:
    """The error when a public call as a whole ran past its ``call_timeout``."""
    return TransportTimeoutError(
        f"the call did not finish within its call_timeout of {seconds:g} s", seconds=seconds
    )


class BoundedBody:
    """A response body collected chunk by chunk as it streams in, at most ``limit`` bytes.

    Adapters feed it what they read and stop reading (closing the connection) as soon as it
    refuses, so an oversized answer costs at most ``limit`` bytes of memory.

    Raises:
        ResponseTooLargeError: from the constructor when the declared Content-Length is over
            the limit, from :meth:`add` when the bytes read so far are.
    """

    def __init__(self, request: HttpRequest, limit: int, content_length: str | None) -> None:
        self._request = request
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        declared = (content_length or "").strip()
        # A run of digits longer than any real length is too large, unconverted (int() of
        # thousands of digits raises).
        if declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
            raise self._too_large()

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._limit:
            raise self._too_large()
        self._chunks.append(chunk)

    def value(self) -> bytes:
        return b"".join(self._chunks)

    def _too_large(self) -> ResponseTooLargeError:
        where = url_for_errors(self._request.url)
        return ResponseTooLargeError(
            f"{self._request.method} {where} answered more than {self._limit} bytes",
            url=where,
            limit=self._limit,
        )


# What an adapter that decodes bodies itself asks for: the encodings BodyDecoder reads.
ACCEPT_ENCODING = "gzip, deflate"
_DECODED_PIECE = 64 * 1024


class BodyDecoder:
    """Undoes a body's ``Content-Encoding`` (``gzip``, ``deflate``, or none) a bounded piece at
    a time: a few kilobytes of gzip can inflate to gigabytes, and a decoder that inflates a
    whole network read at once holds all of it before a :class:`BoundedBody` can refuse it.

    Raises:
        InvalidResponse: from the constructor for an encoding it does not read (it was not
            asked for: see :data:`ACCEPT_ENCODING`), from :meth:`pieces` and :meth:`rest`
            for data that does not decode.
    """

    def __init__(self, request: HttpRequest, content_encoding: str | None) -> None:
        self._request = request
        self._encoding = (content_encoding or "identity").strip().lower()
        if self._encoding not in ("identity", "gzip", "x-gzip", "deflate"):
            raise self._failure("an unrequested Content-Encoding")
        self._inflater: Any = None
        self._head = b""  # deflate's first bytes, until there are two to tell its wrapper

    def pieces(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of ``data`` (the next bytes read), in pieces of at most 64 KiB."""
        if self._encoding == "identity":
            if data:
                yield data
            return
        import zlib

        try:
            if self._inflater is None:
                if self._encoding == "deflate" and len(self._head + data) < 2 and data:
                    self._head += data
                    return
                data, self._head = self._head + data, b""
                self._inflater = zlib.decompressobj(self._window_bits(data))
            pending = data
            while True:
                piece = self._inflater.decompress(pending, _DECODED_PIECE)
                pending = self._inflater.unconsumed_tail
                if piece:
                    yield piece
                if not pending and len(piece) < _DECODED_PIECE:
                    return
        except zlib.error:
            raise undecodable_body(self._request) from None

    def rest(self) -> Iterator[bytes]:
        """What the decoder still holds once the whole body has been read."""
        if self._inflater is None and self._head:
            yield from self.pieces(b"")  # a body of one byte
        if self._inflater is None:
            return
        import zlib

        yield from self.pieces(b"")
        try:
            tail = self._inflater.flush()
        except zlib.error:
            raise undecodable_body(self._request) from None
        if tail:
            yield tail
        if not self._inflater.eof:  # cut short: what came is not the whole body
            raise undecodable_body(self._request)

    def _window_bits(self, first: bytes) -> int:
        import zlib

        if self._encoding != "deflate":
            return 16 + zlib.MAX_WBITS  # the gzip wrapper
        # "deflate" is the zlib wrapper by the standard (RFC 9110 8.4.1.2), raw deflate from
        # some servers: a zlib header is a deflate method byte whose pair divides by 31.
        wrapped = len(first) < 2 or (
            (first[0] & 0x0F) == 8 and (first[0] << 8 | first[1]) % 31 == 0
        )
        return zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS

    def _failure(self, what: str) -> InvalidResponse:
        where = url_for_errors(self._request.url)
        return InvalidResponse(f"{self._request.method} {where} answered {what}")


def undecodable_body(request: HttpRequest) -> InvalidResponse:
    """The error for a body whose ``Content-Encoding`` does not decode (every adapter's)."""
    where = url_for_errors(request.url)
    return InvalidResponse(f"{request.method} {where} answered a body that does not decode")


def form_encode(fields: Mapping[str, str | None]) -> bytes:
    """Encode a form body, leaving out fields whose value is None.

    Raises:
        InvalidArgumentError: a value is no Unicode text (a lone surrogate, as a JSON escape
            in a stored record or an argument can make): named, never quoted.
    """
    pairs = [(k, v) for k, v in fields.items() if v is not None]
    try:
        return urlencode(pairs).encode("ascii")
    except UnicodeEncodeError:
        name = next((k for k, v in pairs if not _is_unicode(k) or not _is_unicode(v)), "form")
        raise InvalidArgumentError(name, f"{name} is not Unicode text.") from None


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_form(body: bytes) -> dict[str, list[str]]:
    """Decode a form body into name -> every value given, keeping duplicates visible."""
    fields: dict[str, list[str]] = {}
    text = body.decode("utf-8", "replace")
    for name, value in parse_qsl(text, keep_blank_values=True):
        fields.setdefault(name, []).append(value)
    return fields


def form_request(
    url: str, fields: Mapping[str, str | None], headers: Iterable[tuple[str, str]] = ()
) -> HttpRequest:
    """A POST with an ``application/x-www-form-urlencoded`` body."""
    return HttpRequest(
        method="POST",
        url=url,
        headers=(("Content-Type", "application/x-www-form-urlencoded"), *headers),
        body=form_encode(fields),
    )


def json_body(value: object) -> bytes:
    """Serialise a JSON body compactly."""
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def json_response(
    status: int, value: object, headers: Iterable[tuple[str, str]] = ()
) -> HttpResponse:
    """A response with a JSON body (used by the emulated tenant and tests)."""
    return HttpResponse(
        status=status,
        headers=(("Content-Type", "application/json"), *headers),
        body=json_body(value),
    )
