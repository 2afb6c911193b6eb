"""Headless Chromium driven over the DevTools protocol, for tests of pages in a real browser.

Chromium is driven through ``--remote-debugging-pipe`` (NUL-framed JSON on file descriptors 3
and 4), so no websocket client library is needed. ``offline=True`` starts it with every host
name unresolvable, so a page that needs the network shows it.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 1000}  # the size the map must open readable at
NO_NETWORK = "--host-resolver-rules=MAP * ~NOTFOUND"


def _high_fd(fd: int) -> int:
    """``fd`` moved to a number above 9."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class DevTools:
    """One headless Chromium and one page, driven over the DevTools protocol pipe."""

    def __init__(self, timeout: float = 30.0, offline: bool = False) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="map-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # Chromium's ends must not sit on 3 or 4 already, or placing them there clashes.
        to_chrome_r, from_chrome_w = (_high_fd(to_chrome_r), _high_fd(from_chrome_w))
        args = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-quic", "--disable-extensions", "--disable-default-apps",
            "--hide-scrollbars", "--mute-audio", f"--user-data-dir={self.profile}",
            "--remote-debugging-pipe", *([NO_NETWORK] if offline else []), "about:blank",
        ]  # fmt: skip

        def place_pipes() -> None:  # in the child: the protocol's fds are 3 (in) and 4 (out)
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *args], pass_fds=(3, 4), preexec_fn=place_pipes,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next_id = 0
        self._replies: dict[int, queue.Queue] = {}
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        try:
            target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        except Exception:
            self.close()
            raise
        self.session = attached["sessionId"]

    def _read(self) -> None:
        buffer = b""
        while True:
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    with self._lock:
                        box = self._replies.get(message["id"])
                    if box is not None:
                        box.put(message)
                else:
                    self.events.append(message)

    def send(self, method: str, params: dict | None = None, session: bool = False) -> dict:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            box: queue.Queue = queue.Queue()
            self._replies[ident] = box
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        reply = box.get(timeout=self.timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def page(self, method: str, params: dict | None = None) -> dict:
        return self.send(method, params, session=True)

    def wait_for(self, method: str, since: int = 0) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            for event in self.events[since:]:
                if event.get("method") == method:
                    return event
            time.sleep(0.05)
        raise TimeoutError(f"no {method} within {self.timeout}s")

    def evaluate(self, expression: str) -> Any:
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        result = self.page("Runtime.evaluate", params)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.page(f"{domain}.enable")
        self.page("Emulation.setDeviceMetricsOverride",
                  {**VIEWPORT, "deviceScaleFactor": 1, "mobile": False})  # fmt: skip
        since = len(self.events)
        self.page("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired", since)

    def click(self, x: float, y: float) -> None:
        self.page("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        for kind in ("mousePressed", "mouseReleased"):
            event = {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}
            self.page("Input.dispatchMouseEvent", event)

    def wait_until(self, condition: str, timeout: float = 5.0) -> None:
        """Poll a JavaScript condition until it holds; raise naming it when it never does."""
        deadline = time.monotonic() + timeout
        while not self.evaluate(condition):
            if time.monotonic() > deadline:
                raise AssertionError(f"never true within {timeout}s: {condition}")
            time.sleep(0.05)

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = self.page("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))

    def problems(self, page_url: str) -> list[str]:
        """Failed or outside requests, console errors and uncaught exceptions so far."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if url.split("#")[0] != page_url and not url.startswith("data:"):
                    found.append(f"request left the page: {url}")
            elif method == "Network.loadingFailed":
                found.append(f"failed request: {params.get('errorText')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
                found.append(f"console {params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"log error: {params['entry'].get('text')}")
        return found

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already gone: nothing to close
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_chrome)
        shutil.rmtree(self.profile, ignore_errors=True)


@contextlib.contextmanager
def chromium(offline: bool = False):
    """A started browser, closed afterwards; fails the test naming the install step if absent."""
    import pytest

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run scripts/install_system_deps.sh")
    tools = DevTools(offline=offline)
    try:
        yield tools
    finally:
        tools.close()
