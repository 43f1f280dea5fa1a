"""Headless Chromium driven through WebDriver: Debian's ``chromium`` and ``chromium-driver``.

The test starts ``chromedriver`` itself on a free loopback port and stops it by the process
handle it started (never by name); Selenium only speaks the W3C WebDriver protocol to it (a
``Remote`` session, so Selenium Manager never looks for or downloads a driver or a browser).

Every wait is explicit: an element to appear, a URL to be reached. The limit of a wait
(:data:`WAIT`) is how long to keep looking before failing with a clear message, not something
the tests assert about speed.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
from selenium import webdriver
from selenium.common.exceptions import (
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chromium.remote_connection import ChromiumRemoteConnection
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Seconds an explicit wait keeps looking (a shared 2-core machine can be slow; a passing run
# waits for a fraction of it).
WAIT = 20.0
# Seconds chromedriver may take to say it listens.
DRIVER_START = 30.0
INSTALL_HINT = (
    "the browser tests need Debian's chromium and chromium-driver (/usr/bin/chromium, "
    "/usr/bin/chromedriver): apt-get install chromium chromium-driver (scripts/test.sh "
    "installs them where missing)"
)
CHROMIUM_ARGUMENTS = (
    "--headless=new",
    # Root in CI: Chromium's sandbox needs user namespaces a container may not give.
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--window-size=1100,900",
    # Nothing outside the machine: no proxy, no background fetches, no first-run UI.
    "--no-proxy-server",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--disable-features=PasswordLeakDetection,Translate,OptimizationHints,MediaRouter",
)


# What chromedriver answers, instead of a stale-element error, when it is asked about an element
# while its page is being replaced (the race between a navigation and the next command).
_NODE_GONE = "does not belong to the document"


def _left_the_page(element: WebElement) -> Callable[[Any], bool]:
    """``expected_conditions.staleness_of``, which also takes chromedriver's "node does not
    belong to the document" (the page is being replaced) for gone."""

    def gone(_: Any) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if _NODE_GONE in str(error.msg):
                return True
            raise
        return False

    return gone


class BrowserMissingError(RuntimeError):
    """Chromium or chromedriver is not installed."""


@attrs.frozen
class Cookie:
    """A cookie as the browser holds it (WebDriver's or the DevTools protocol's view)."""

    name: str
    value: str
    domain: str
    path: str
    http_only: bool
    secure: bool
    same_site: str | None

    @classmethod
    def from_webdriver(cls, raw: dict[str, Any]) -> Cookie:
        return cls(
            name=raw["name"],
            value=raw["value"],
            domain=raw.get("domain", ""),
            path=raw.get("path", "/"),
            http_only=bool(raw.get("httpOnly", False)),
            secure=bool(raw.get("secure", False)),
            same_site=raw.get("sameSite"),
        )


def require_chromium() -> None:
    """Raises BrowserMissingError (naming the packages) when either binary is missing."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).is_file()]
    if missing or shutil.which(CHROMEDRIVER) is None:
        raise BrowserMissingError(f"{', '.join(missing) or CHROMEDRIVER} not found: {INSTALL_HINT}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Driver:
    """``chromedriver`` on a free loopback port, started and stopped by this object."""

    def __init__(self) -> None:
        require_chromium()
        failures = []
        for _ in range(3):  # another process may take the port between the probe and the bind
            port = _free_port()
            process = subprocess.Popen(
                [CHROMEDRIVER, f"--port={port}", "--allowed-ips=127.0.0.1", "--log-level=SEVERE"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            started = threading.Event()
            output: list[str] = []
            # Reads every line chromedriver writes (so its pipe never fills) and says when it
            # listens: no polling of the port.
            reader = threading.Thread(
                target=self._read, args=(process, output, started), daemon=True
            )
            reader.start()
            if started.wait(DRIVER_START) and process.poll() is None:
                self.process = process
                self.url = f"http://127.0.0.1:{port}"
                return
            self._stop(process)
            failures.append("".join(output).strip() or f"exit status {process.returncode}")
        raise RuntimeError(f"chromedriver did not start: {failures}")

    @staticmethod
    def _read(process: subprocess.Popen[str], output: list[str], started: threading.Event) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if len(output) < 50:
                output.append(line)
            if "started successfully" in line:
                started.set()
        started.set()  # it exited: the caller sees poll() is not None

    @staticmethod
    def _stop(process: subprocess.Popen[str]) -> None:
        if process.poll() is None:
            process.terminate()  # SIGTERM to this PID
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def stop(self) -> None:
        self._stop(self.process)


class Browser:
    """One headless Chromium session; :meth:`close` ends it and stops chromedriver."""

    def __init__(self) -> None:
        self._driver = _Driver()
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in CHROMIUM_ARGUMENTS:
            options.add_argument(argument)
        options.add_experimental_option(
            "prefs",
            {"credentials_enable_service": False, "profile.password_manager_enabled": False},
        )
        options.page_load_strategy = "normal"
        # The HTTPS test serves an app with a certificate from a throwaway CA.
        options.accept_insecure_certs = True
        try:
            connection = ChromiumRemoteConnection(
                self._driver.url, vendor_prefix="goog", browser_name="chrome", ignore_proxy=True
            )
            self.driver = webdriver.Remote(command_executor=connection, options=options)
        except BaseException:
            self._driver.stop()
            raise
        self.driver.set_page_load_timeout(WAIT)

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            self._driver.stop()

    # --- pages --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return str(self.driver.current_url)

    def open(self, url: str) -> None:
        self.driver.get(url)

    def wait(self, condition: Callable[[Any], Any], what: str) -> Any:
        """What ``condition`` returns once truthy; fails naming ``what`` and the page. Asked
        while a page is being replaced, chromedriver may answer that a node no longer belongs
        to the document: that is "not yet", and the condition is asked again."""

        def settled(driver: Any) -> Any:
            try:
                return condition(driver)
            except WebDriverException as error:
                if _NODE_GONE in str(error.msg):
                    return False
                raise

        try:
            return WebDriverWait(self.driver, WAIT).until(settled)
        except TimeoutException:
            raise AssertionError(
                f"waited {WAIT:.0f}s for {what}; the browser is at {self.url}: "
                f"{self.text('body')[:500]!r}"
            ) from None

    def wait_for_url(self, url: str) -> None:
        """Wait until the browser is at ``url`` exactly (after its redirects)."""
        self.wait(expected_conditions.url_to_be(url), f"the URL {url}")

    def wait_for_url_starting(self, prefix: str) -> None:
        self.wait(lambda d: str(d.current_url).startswith(prefix), f"a URL starting {prefix}")

    def find(self, css: str) -> WebElement:
        """The element ``css`` selects, once it is there and visible."""
        element: WebElement = self.wait(
            expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, css)),
            f"the element {css!r}",
        )
        return element

    def has(self, css: str) -> bool:
        """Whether the page has an element ``css`` selects right now (no wait)."""
        return bool(self.driver.find_elements(By.CSS_SELECTOR, css))

    def text(self, css: str) -> str:
        try:
            return str(self.driver.find_element(By.CSS_SELECTOR, css).text)
        except WebDriverException:
            return ""

    def click(self, css: str) -> None:
        """Click what ``css`` selects, and wait until the page it was on has been replaced
        (every click of these tests follows a link or submits a form)."""
        element = self.find(css)
        element.click()
        self.wait(_left_the_page(element), f"{css!r} to leave the page")

    def fill(self, css: str, value: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(value)

    def screenshot(self) -> bytes:
        png: bytes = self.driver.get_screenshot_as_png()
        return png

    def html(self) -> str:
        return str(self.driver.page_source)

    # --- cookies ------------------------------------------------------------------------

    def cookies(self) -> dict[str, Cookie]:
        """The cookies the current page's document sees, by name (WebDriver's cookie API,
        which includes HttpOnly cookies)."""
        return {c["name"]: Cookie.from_webdriver(c) for c in self.driver.get_cookies()}

    def all_cookies(self) -> list[Cookie]:
        """Every cookie the browser holds, for every host (the DevTools protocol's
        ``Storage.getCookies``: WebDriver only shows the current document's)."""
        found = self._cdp("Storage.getCookies")["cookies"]
        return [Cookie.from_webdriver(raw) for raw in found]

    def clear_cookies(self) -> None:
        """Forget every cookie of every host (between two tests of one module)."""
        self._cdp("Storage.clearCookies")

    def _cdp(self, command: str, **params: Any) -> dict[str, Any]:
        answer = self.driver.execute("executeCdpCommand", {"cmd": command, "params": params})
        value: dict[str, Any] = answer["value"]
        return value
