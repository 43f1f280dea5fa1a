"""Real-browser tests (issue 16, item 4): headless Chromium logs in through the emulated
tenant's form on each integration and checks the cookies it holds at every step.

- ``test_demo.py``: ``auth0-core demo`` (auth0_starlette on Hypercorn), as a user starts it;
- ``test_flask.py``, ``test_django.py``: the docs' Flask and Django examples plus a linked
  accounts page (:mod:`.apps`), served by Werkzeug's WSGI server, one scenario for both
  (:mod:`.wsgi_scenario`); the Flask app once more over HTTPS, where every cookie must be
  ``Secure``.

Run them with ``python -m pytest tests/browser``. They need Debian's ``chromium`` and
``chromium-driver`` (``scripts/test.sh`` installs them) and fail, never skip, without them.

Why Selenium rather than our own WebDriver client: the W3C protocol is small, but Selenium
already handles its corners (element references, staleness, the waits' error reporting) and
is typed; it only speaks HTTP to the chromedriver the tests start themselves (a ``Remote``
session: Selenium Manager never runs, nothing is downloaded). The DevTools protocol is used
for one thing WebDriver cannot do: list the cookies of every host (``Storage.getCookies``),
to see the app's login cookie while the browser is on the tenant's page, and that nothing of
either site is left after logout.

When a test fails, each step's screenshot and HTML, and the page it failed on, are written
to ``tests/browser/artifacts/<test>/`` (git-ignored; ``$AUTH0_BROWSER_ARTIFACTS`` to put
them elsewhere), and the report names the folder.
"""
