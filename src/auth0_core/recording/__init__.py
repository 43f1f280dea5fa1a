"""Recorded fixtures: record a client's HTTP exchanges once, replay them in tests with no network.

The pure half of the testing tool described in ``docs/testing-with-fixtures.md``:

- :class:`Recorder` collects the exchanges an adapter's recording transport hands it
  (``auth0_requests.recording`` / ``auth0_anyio.recording``), grouped by the flows you name,
  and writes them as one JSON file. Every secret is replaced as it is recorded, by a
  :class:`Redactor`: the same secret gets the same placeholder everywhere in the file.
- :class:`Replayer` answers a client's requests from such a file, in order, and raises a typed
  :class:`ReplayError` when the client asks for something the file does not have.

Both give the client an :class:`~auth0_core.Env` (``recorder.env`` / ``replayer.env``): the
same seeded randomness, so the replayed flows make the same state, nonce and PKCE verifier as
the recorded ones, and a clock that the replayer sets to the recorded time of each flow.

What is replaced, and how:

- request form fields, JSON members and query parameters named like a credential
  (``client_secret``, ``code``, ``code_verifier``, ``client_assertion``, ``refresh_token``,
  ``subject_token``, ``access_token``, ``id_token``, ``mfa_token``, ``auth_req_id``, ...), the
  ``Authorization``, ``DPoP`` and ``Cookie`` headers, and ``Set-Cookie`` values: by
  placeholders ``redacted-<kind>-<n>``;
- tokens in response bodies: opaque ones by placeholders; JWTs (ID tokens, JWT access tokens)
  are *re-minted*: the same header and claims, signed by a fixture key generated for the
  recording (one per key of the server's JWKS, of the same type), and every JWKS response is
  replaced by the fixture keys' public halves under the same placeholder ``kid``\\ s. So the ID
  tokens still verify on replay, key rotations included, and no server key or signature is kept.
  The fixture keys' private halves are not written anywhere. ``HS*``-signed tokens cannot be
  re-minted and become placeholders (they would no longer verify).
- any known secret found anywhere else in an exchange (a URL, another header, a body) is
  replaced by the same placeholder.

Claims (``sub``, ``email``, ...) are kept: record with test users.

A replayed request matches a recorded one when method, URL (query as a multiset), body (form
fields or JSON compared parsed) and ``Authorization`` are equal once the live request went
through the same redaction. Other headers (``User-Agent``, ``Auth0-Client``) are not compared.
"""

from __future__ import annotations

from ._format import (
    FORMAT,
    SECRET_FIELDS,
    FixtureFormatError,
    ReplayError,
    ReplayMismatchError,
    UnrecordedRequestError,
    UnusedExchangesError,
    check_recording,
    load_recording,
    request_from_json,
    request_to_json,
    response_from_json,
    response_to_json,
)
from ._recorder import Recorder
from ._redaction import Redactor
from ._replayer import Replayer

__all__ = [
    "FORMAT",
    "SECRET_FIELDS",
    "FixtureFormatError",
    "Recorder",
    "Redactor",
    "ReplayError",
    "ReplayMismatchError",
    "Replayer",
    "UnrecordedRequestError",
    "UnusedExchangesError",
    "check_recording",
    "load_recording",
    "request_from_json",
    "request_to_json",
    "response_from_json",
    "response_to_json",
]
