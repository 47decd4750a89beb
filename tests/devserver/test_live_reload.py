"""`make devserver` in a real browser: save a post, the open tab shows it.

The server runs on a free port over a copy of content/ (INPUTDIR) into a
temporary OUTPUTDIR, as an author runs it; the tests edit the copy. Each
waits for what the server logs or sends, never for a length of time.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.request

import pytest
from playwright.sync_api import expect
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from tests.harness import ROOT

POST = "posts/networking-theory/"
SOURCE = "posts/networking-theory.md"
OLD_TEXT = "This is the first half of a two-part series."
NEW_TEXT = "Saved a moment ago, shown without a manual reload."
PROTOCOL = "http://livereload.com/protocols/official-7"
SERVING = re.compile(r"Serving on http://127\.0\.0\.1:(\d+) ")
# Generous: a wait ends as soon as its condition holds, and a rebuild of the
# site on a loaded machine may take many seconds.
WAIT_SECONDS = 120

pytestmark = pytest.mark.browser


class ServerLog:
    """The server's output, line by line, and a way to wait for a line."""

    def __init__(self):
        self.lines: list[str] = []
        self.ended = False
        self._changed = threading.Condition()

    def add(self, line: str | None) -> None:
        """Adds a line; None: the server has exited."""
        with self._changed:
            if line is None:
                self.ended = True
            else:
                self.lines.append(line)
            self._changed.notify_all()

    def wait_for(self, text: str, start: int = 0) -> bool:
        """Whether a line from `start` on holds `text` (False: the server
        exited, or WAIT_SECONDS passed, without one)."""

        def found():
            return any(text in line for line in self.lines[start:])

        with self._changed:
            self._changed.wait_for(lambda: found() or self.ended, WAIT_SECONDS)
            return found()

    def __str__(self) -> str:
        return "".join(self.lines)


@pytest.fixture(scope="module")
def devserver(tmp_path_factory):
    """`make devserver PORT=0` (the server takes a free port before it
    builds, and says which); yields (base URL, content folder, its log)."""
    folder = tmp_path_factory.mktemp("devserver")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    server = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "devserver",
            "PORT=0",
            f"INPUTDIR={content}",
            f"OUTPUTDIR={folder / 'output'}",
        ],
        cwd=ROOT,
        # Wide lines: the log is read line by line (Rich wraps at COLUMNS).
        env={**os.environ, "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, to stop make and Python
    )
    log = ServerLog()

    def read_log():
        # Drains the pipe for the server's whole life, so it never blocks.
        for line in server.stdout:
            log.add(line)
        log.add(None)

    threading.Thread(target=read_log, daemon=True).start()
    try:
        assert log.wait_for("Serving on"), f"devserver did not start:\n{log}"
        assert server.poll() is None, f"devserver exited:\n{log}"
        (port,) = SERVING.findall(str(log))
        yield f"http://127.0.0.1:{port}/", content, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_a_saved_change_reloads_the_open_tab(devserver, page, watch):
    base, content, _log = devserver
    page.goto(base + POST)
    expect(page.locator("main")).to_contain_text(OLD_TEXT)
    # livereload.js has shaken hands with the server (protocol 7 and the
    # page's URL sent): from now on a rebuild reloads this tab.
    page.wait_for_function(
        "() => window.LiveReload && window.LiveReload.connector.protocol >= 7"
    )
    source = content / SOURCE
    saved = time.monotonic()
    source.write_text(source.read_text().replace(OLD_TEXT, NEW_TEXT))
    expect(page.locator("main")).to_contain_text(NEW_TEXT, timeout=WAIT_SECONDS * 1000)
    # For the reader of -s output; how fast is for a benchmark, not a test.
    delay = time.monotonic() - saved
    print(f"\nlive reload: the saved change was on screen after {delay:.2f} s")
    # The preview keeps the policy: no 'unsafe-inline', no violation logged.
    policy = page.locator("meta[http-equiv='Content-Security-Policy']")
    assert "unsafe-inline" not in policy.get_attribute("content")
    assert watch.console_errors == []
    assert watch.offsite_requests == []


def save_and_wait_for_the_rebuild(devserver, marker: str) -> None:
    """Adds `marker` to the post and returns once the server has written the
    page with it: the server then sends its reloads before it reads anything
    else from a tab (one loop does both)."""
    _base, content, log = devserver
    source = content / SOURCE
    source.write_text(source.read_text() + f"\n{marker}\n")
    built = content.parent / "output" / POST / "index.html"
    while True:
        seen = len(log.lines)
        if marker in built.read_text():
            return
        assert log.wait_for("Rebuilt in", seen), f"no rebuild:\n{log}"


def handshake(devserver, before_info, cookie=None) -> dict:
    """A tab's LiveReload handshake over a raw WebSocket: `hello`, then
    `before_info()`, then `info`; returns the server's next message."""
    base, _content, _log = devserver
    request = HTTPRequest(
        base.replace("http://", "ws://") + "livereload",
        headers={"Cookie": cookie} if cookie else None,
    )

    async def talk():
        connection = await websocket_connect(request)
        try:
            hello = {"command": "hello", "protocols": [PROTOCOL]}
            connection.write_message(json.dumps(hello))
            assert json.loads(await connection.read_message())["command"] == "hello"
            await asyncio.to_thread(before_info)
            info = {"command": "info", "url": base + POST, "plugins": {}}
            connection.write_message(json.dumps(info))
            return json.loads(
                await asyncio.wait_for(connection.read_message(), WAIT_SECONDS)
            )
        finally:
            connection.close()

    # In a thread of its own: an event loop must not run inside Playwright's.
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, talk()).result()


def test_a_tab_still_shaking_hands_during_a_rebuild_is_reloaded(devserver):
    """The server reads a tab's last handshake message only after a rebuild
    it started first: that tab shows the old page, so it is reloaded too."""
    message = handshake(
        devserver, lambda: save_and_wait_for_the_rebuild(devserver, "Line one.")
    )
    assert message["command"] == "reload"


def test_a_page_served_before_a_rebuild_is_reloaded_when_its_tab_connects(
    devserver,
):
    """The page came before the rebuild, its WebSocket after: the cookie
    served with the page tells the server the page is older."""
    base, _content, _log = devserver
    with urllib.request.urlopen(base + POST) as response:
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    save_and_wait_for_the_rebuild(devserver, "Line two.")
    message = handshake(devserver, lambda: None, cookie=cookie)
    assert message["command"] == "reload"


def test_the_reload_script_comes_from_the_page_origin(devserver, page):
    base, _content, _log = devserver
    page.goto(base + POST)
    script = page.locator("script[src*='livereload.js']")
    expect(script).to_have_count(1)
    port = base.rstrip("/").rsplit(":", 1)[1]
    assert script.get_attribute("src") == f"/livereload.js?port={port}"


def test_the_feeds_name_the_port_the_server_took(devserver):
    """With PORT=0 the port is known only once taken: the feeds link to it."""
    base, content, _log = devserver
    feed = (content.parent / "output" / "feeds" / "all.atom.xml").read_text()
    assert f'href="{base}"' in feed
