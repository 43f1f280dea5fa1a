"""The one stylesheet of the emulated tenant's pages (login, consent, CIBA approval, errors) and
of the demo app, so that a login through the demo looks like one product.

It is a string, not a file: the tenant stays a pure ``handle(Request) -> Response`` model and
serves it at :data:`STYLESHEET_PATH` like any other page; the demo app (``auth0_demo``) serves
the same string from its own origin. Nothing here is fetched from elsewhere (no fonts, no
images, no CDN): a demo machine may have no way out.
"""

from __future__ import annotations

from .._http import HttpResponse

# Where the tenant serves it (its pages link it); root-relative, like the login form's action.
STYLESHEET_PATH = "/assets/auth0-core.css"

STYLESHEET = """\
:root {
  --accent: #3451b2; --accent-dark: #263c8a; --danger: #b4232f;
  --ink: #1d2330; --muted: #5d6577; --line: #dde1ea; --page: #f3f5f9; --card: #ffffff;
  --radius: 10px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif;
  color: var(--ink); background: var(--page); line-height: 1.5;
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
.topbar {
  display: flex; align-items: center; gap: 1rem; padding: 0.75rem 1.5rem;
  background: var(--card); border-bottom: 1px solid var(--line);
}
.brand { font-weight: 700; color: var(--ink); text-decoration: none; }
.brand::before {
  content: ""; display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.5em;
  border-radius: 3px; background: var(--accent); vertical-align: -0.1em;
}
.topbar nav { display: flex; flex-wrap: wrap; gap: 1rem; margin-left: auto; }
.topbar nav a { text-decoration: none; color: var(--muted); }
.topbar nav a:hover { color: var(--accent); }
main { max-width: 56rem; margin: 2rem auto; padding: 0 1rem; }
body.tenant main { max-width: 28rem; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 0 0 0.75rem; }
.card {
  background: var(--card); border: 1px solid var(--line); border-radius: var(--radius);
  padding: 1.25rem 1.5rem; margin-bottom: 1.25rem; box-shadow: 0 1px 2px rgba(20, 30, 60, 0.06);
}
.muted, .hint { color: var(--muted); font-size: 0.9rem; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
code { background: var(--page); padding: 0.1em 0.35em; border-radius: 4px; font-size: 0.88em; }
pre {
  background: var(--page); border: 1px solid var(--line); border-radius: 6px;
  padding: 0.75rem; overflow-x: auto; font-size: 0.85rem;
}
button, .button {
  display: inline-block; font: inherit; font-size: 0.95rem; cursor: pointer;
  padding: 0.45rem 0.95rem; border-radius: 6px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; text-decoration: none;
}
button:hover, .button:hover { background: var(--accent-dark); border-color: var(--accent-dark); }
button.secondary, .button.secondary, button[value="deny"] {
  background: var(--card); color: var(--accent);
}
button.danger { background: var(--card); color: var(--danger); border-color: var(--danger); }
button.secondary:hover, .button.secondary:hover, button[value="deny"]:hover,
button.danger:hover { background: var(--page); }
form.inline { display: inline; margin: 0; }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 1rem 0; }
label { display: block; margin: 0 0 0.75rem; font-size: 0.9rem; color: var(--muted); }
input[type="text"], input[type="password"], input[type="email"] {
  display: block; width: 100%; margin-top: 0.25rem; padding: 0.5rem 0.6rem; font: inherit;
  color: var(--ink); border: 1px solid var(--line); border-radius: 6px; background: #fff;
}
input:focus, button:focus-visible, .button:focus-visible {
  outline: 2px solid var(--accent); outline-offset: 1px;
}
table { width: 100%; border-collapse: collapse; font-size: 0.92rem; }
th, td {
  text-align: left; vertical-align: middle; padding: 0.5rem 0.6rem;
  border-bottom: 1px solid var(--line);
}
th { color: var(--muted); font-weight: 600; font-size: 0.8rem; text-transform: uppercase; }
td.number { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.scopes { overflow-wrap: anywhere; }
td.connection, td.created, td.expires, td.row-actions, button, .button { white-space: nowrap; }
td.created { font-size: 0.85rem; color: var(--muted); }
.table-wrap { overflow-x: auto; }
.user-card { display: flex; gap: 1.25rem; align-items: flex-start; }
.avatar {
  flex: none; width: 4.5rem; height: 4.5rem; border-radius: 50%; object-fit: cover;
  display: flex; align-items: center; justify-content: center;
  background: var(--accent); color: #fff; font-size: 1.6rem; font-weight: 600;
}
.user-card h2 { margin: 0; font-size: 1.3rem; }
.identities, .scopes { list-style: none; padding: 0; margin: 0.5rem 0 0; }
ul.scopes { margin-bottom: 1rem; }
.identities li { display: flex; gap: 0.5rem; align-items: center; padding: 0.2rem 0; }
.scopes li, .chip {
  display: inline-block; margin: 0 0.3rem 0.3rem 0; padding: 0.1rem 0.55rem;
  border-radius: 999px; background: var(--page); border: 1px solid var(--line);
  font-size: 0.8rem;
}
details summary { cursor: pointer; color: var(--muted); }
details[open] summary { margin-bottom: 0.5rem; }
.error, .notice {
  border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0 0 1rem;
  background: #fdecee; color: var(--danger); border: 1px solid #f3c2c7;
}
.notice { background: #eef2fc; color: var(--accent-dark); border-color: #c9d4f3; }
.status { font-size: 3rem; font-weight: 700; color: var(--line); margin: 0; line-height: 1; }
"""


def stylesheet(state: object, incoming: object) -> HttpResponse:
    """``GET /assets/auth0-core.css``: the stylesheet the tenant's pages link (an endpoint
    that needs neither the state nor the request, so this module imports neither)."""
    return stylesheet_response()


def stylesheet_response() -> HttpResponse:
    """The stylesheet as a response (cacheable: it changes only with a release)."""
    headers = (
        ("Content-Type", "text/css; charset=utf-8"),
        ("Cache-Control", "public, max-age=3600"),
    )
    return HttpResponse(status=200, headers=headers, body=STYLESHEET.encode("utf-8"))
