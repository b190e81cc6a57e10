"""Open a local HTML file in a real headless Chromium and report what the page did.

Uses the DevTools protocol over a websocket (tornado's client, already installed with
``dask[distributed]``), so no extra dependency: start ``chromium --remote-debugging-port=0``,
open a tab, load the page, collect console errors / uncaught exceptions / failed loads, count
the images that decoded, and take a PNG screenshot of the whole page.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
START_TIMEOUT_S = 30.0
CALL_TIMEOUT_S = 30.0

_PAGE_STATE_JS = """
(() => {
  const imgs = Array.from(document.images);
  return {
    title: document.title,
    images: imgs.length,
    decoded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
    sizes: imgs.map(i => [i.naturalWidth, i.naturalHeight]),
    height: Math.ceil(document.documentElement.scrollHeight),
    tables: document.querySelectorAll('table').length,
  };
})()
"""


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary on PATH, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageCheck:
    """What happened when the page loaded."""

    title: str
    images: int
    decoded: int
    sizes: list
    height: int
    tables: int
    errors: list[str] = field(default_factory=list)
    screenshot: bytes = b""


def _start(binary: str, profile: str) -> tuple[subprocess.Popen, str]:
    args = [
        binary,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "about:blank",
    ]
    # its own process group, so that its helper processes (renderer, zygote) can be stopped
    # together: one of them still writing to the profile made the cleanup fail once
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip
    found: list[str] = []
    lines: list[str] = []

    def reader() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m and not found:
                found.append(m.group(1))

    threading.Thread(target=reader, daemon=True).start()
    deadline = START_TIMEOUT_S
    step = 0.05
    while not found and deadline > 0 and proc.poll() is None:
        threading.Event().wait(step)
        deadline -= step
    if not found:
        proc.kill()
        raise RuntimeError("chromium did not start: " + "".join(lines[-5:]))
    return proc, found[0]


async def _drive(ws_url: str, url: str, width: int, height: int) -> PageCheck:
    from tornado.websocket import websocket_connect

    conn = await websocket_connect(ws_url, max_message_size=512 * 1024 * 1024)
    events: list[dict] = []
    counter = [0]

    async def read() -> dict:
        raw = await asyncio.wait_for(conn.read_message(), CALL_TIMEOUT_S)
        if raw is None:
            raise RuntimeError("DevTools connection closed")
        return json.loads(raw)

    async def call(method: str, params: dict | None = None, session: str | None = None) -> dict:
        counter[0] += 1
        mid = counter[0]
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        await conn.write_message(json.dumps(msg))
        while True:
            reply = await read()
            if reply.get("id") == mid:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            events.append(reply)

    try:
        target = await call("Target.createTarget", {"url": "about:blank"})
        sid = (
            await call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
        )["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            await call(f"{domain}.enable", session=sid)
        await call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=sid,
        )
        await call("Page.navigate", {"url": url}, session=sid)
        while not any(e.get("method") == "Page.loadEventFired" for e in events):
            events.append(await read())
        state = (
            await call(
                "Runtime.evaluate",
                {"expression": _PAGE_STATE_JS, "returnByValue": True},
                session=sid,
            )
        )["result"]["value"]
        shot = await call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": width,
                    "height": min(state["height"], 4 * height),
                    "scale": 1,
                },
            },
            session=sid,
        )
    finally:
        conn.close()
    errors = []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            errors.append(
                "console: "
                + " ".join(str(a.get("value", a.get("description"))) for a in p.get("args", []))
            )
        elif method == "Runtime.exceptionThrown":
            det = p.get("exceptionDetails", {})
            desc = det.get("exception", {}).get("description") or det.get("text")
            errors.append("exception: " + " ".join(str(desc).split()))
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            errors.append("log: " + str(p["entry"].get("text")))
        elif method == "Network.loadingFailed":
            errors.append("network: " + str(p.get("errorText")))
    return PageCheck(
        title=state["title"],
        images=state["images"],
        decoded=state["decoded"],
        sizes=state["sizes"],
        height=state["height"],
        tables=state["tables"],
        errors=errors,
        screenshot=base64.b64decode(shot["data"]),
    )


def check_page(path: Path, *, width: int = 1280, height: int = 900) -> PageCheck:
    """Load ``path`` in headless Chromium; raises RuntimeError if Chromium is missing/broken."""
    binary = find_chromium()
    if binary is None:
        raise RuntimeError("no chromium on PATH")
    # ignore_cleanup_errors: a left-over profile in /tmp is harmless, a failed test is not
    with tempfile.TemporaryDirectory(prefix="sl-chromium-", ignore_cleanup_errors=True) as profile:
        proc, ws_url = _start(binary, profile)
        try:
            return asyncio.run(_drive(ws_url, Path(path).resolve().as_uri(), width, height))
        finally:
            _stop_group(proc)


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to Chromium's whole process group, then SIGKILL to whatever is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # helpers that outlived the browser process
