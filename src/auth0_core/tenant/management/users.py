"""``GET`` and ``PATCH /api/v2/users/{id}`` (protocol doc 5.2): a user, and its metadata.

PATCH merges ``user_metadata`` and ``app_metadata`` at the first level (a key set to null is
removed); no other member of the user can be changed yet.
"""

from __future__ import annotations

from ..._http import HttpResponse
from ..directory import UserRecord
from ..dpop.checks import sends_nonce
from ..params import Incoming
from ..responses import json_ok
from ..responses import management_reject as reject
from ..state import TenantState
from .api import READ, UPDATE, authorized_claims, json_body

_METADATA = ("user_metadata", "app_metadata")


@sends_nonce("rs")
def get_user(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``GET /api/v2/users/{id}``: the user as the Management API shows it."""
    authorized_claims(state, incoming, READ)
    return json_ok(200, _user(state, incoming.path_params["id"]).as_json())


@sends_nonce("rs")
def patch_user(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``PATCH /api/v2/users/{id}``: merge the body's metadata objects; the updated user."""
    authorized_claims(state, incoming, UPDATE)
    body = json_body(incoming)
    unsupported = sorted(set(body) - set(_METADATA))
    if unsupported:
        message = f"Payload validation error: unsupported properties: {', '.join(unsupported)}"
        raise reject(400, message, "invalid_body")
    for field in _METADATA:
        if field in body and not isinstance(body[field], dict):
            message = f"Payload validation error: '{field}' must be an object"
            raise reject(400, message, "invalid_body")
    record = _user(state, incoming.path_params["id"])
    for field in _METADATA:
        if field in body:
            state.users.patch_metadata(record.user_id, field, body[field])
    return json_ok(200, record.as_json())


def _user(state: TenantState, user_id: str) -> UserRecord:
    record = state.users.get(user_id)
    if record is None:
        raise reject(404, "The user does not exist.", "inexistent_user")
    return record
