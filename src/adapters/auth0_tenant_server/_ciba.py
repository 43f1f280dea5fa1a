"""``auth0-core ciba approve|deny (AUTH_REQ_ID | --user USER_ID) --tenant URL``: answer CIBA
requests at a running tenant, as the user would on their device.

One ``POST {tenant}/ciba`` (the form the tenant's approval page posts), asking for JSON.
Standard library only, so it runs from a base install.
"""

from __future__ import annotations

import sys

from auth0_core._http import form_request

from ._backchannel import send_over_http
from ._logout_user import TIMEOUT, _describe, _ssl_context


def answer_ciba(
    decision: str,
    auth_req_id: str | None,
    *,
    user_id: str | None,
    tenant: str,
    cafile: str | None,
) -> int:
    """Approve or deny (``decision``) one request or every pending request of ``user_id``; the
    exit status: 0 when at least one request was answered, else 1.

    Raises:
        ConfigurationError: an unreadable ``cafile``.
    """
    base = tenant.rstrip("/")
    fields = {"decision": decision}
    if auth_req_id is not None:
        fields["auth_req_id"] = auth_req_id
    if user_id is not None:
        fields["user"] = user_id
    request = form_request(f"{base}/ciba", fields, (("Accept", "application/json"),))
    try:
        answer = send_over_http(request, timeout=TIMEOUT, ssl_context=_ssl_context(cafile))
    except OSError as exc:
        print(f"auth0-core: cannot reach {base}/ciba: {exc}", file=sys.stderr)
        return 1
    document = answer.json_or_none() if answer.status == 200 else None
    answered = document.get("auth_req_ids") if isinstance(document, dict) else None
    if not isinstance(answered, list):
        print(f"auth0-core: {decision} refused: {_describe(answer)}", file=sys.stderr)
        return 1
    if not answered:
        print(f"auth0-core: no pending request of {user_id} at {base}", file=sys.stderr)
        return 1
    verb = "approved" if decision == "approve" else "denied"
    for value in answered:
        print(f"{verb} {value}", flush=True)
    return 0
