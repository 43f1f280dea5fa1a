"""``DELETE /api/v2/users/{id}/sessions``: end every tenant session of a user.

Each ended session sends a back-channel logout token to every client that received tokens in it
and has a ``backchannel_logout_uri`` (:mod:`..backchannel`). Auth0 documents the
``delete:sessions`` scope; ``update:users`` is accepted too. The answer is 202 with no body
(Auth0 ends sessions asynchronously; the status is UNCONFIRMED).
"""

from __future__ import annotations

from ..._http import HttpResponse
from ..backchannel import end_user_sessions
from ..dpop.checks import sends_nonce
from ..params import Incoming
from ..responses import management_reject as reject
from ..state import TenantState
from .api import DELETE_SESSIONS, UPDATE, authorized_claims


@sends_nonce("rs")
def delete_user_sessions(state: TenantState, incoming: Incoming) -> HttpResponse:
    """End the user's sessions and queue their back-channel logout deliveries; 202."""
    authorized_claims(state, incoming, DELETE_SESSIONS, UPDATE)
    user_id = incoming.path_params["id"]
    if state.users.get(user_id) is None:
        raise reject(404, "The user does not exist.", "inexistent_user")
    end_user_sessions(state, user_id)
    return HttpResponse(status=202, headers=(("Cache-Control", "no-store"),))
