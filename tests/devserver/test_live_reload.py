"""`make devserver` in a real browser: save a post, the open tab shows it.

The server runs on a free port over a copy of content/ (INPUTDIR) into a
temporary OUTPUTDIR, as an author runs it; the test edits the copy.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest
from playwright.sync_api import expect

from tests.harness import ROOT

POST = "posts/networking-theory/"
SOURCE = "posts/networking-theory.md"
OLD_TEXT = "This is the first half of a two-part series."
NEW_TEXT = "Saved a moment ago, shown without a manual reload."

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def devserver(tmp_path_factory):
    """`make devserver` on a free port; yields (base URL, content folder)."""
    folder = tmp_path_factory.mktemp("devserver")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    port = free_port()
    server = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "devserver",
            f"PORT={port}",
            f"INPUTDIR={content}",
            f"OUTPUTDIR={folder / 'output'}",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, to stop make and Python
    )
    log: list[str] = []
    serving = threading.Event()

    def read_log():
        # Drains the pipe for the server's whole life, so it never blocks.
        for line in server.stdout:
            log.append(line)
            if "Serving on" in line:
                serving.set()
        serving.set()  # the server exited: stop waiting

    threading.Thread(target=read_log, daemon=True).start()
    try:
        assert serving.wait(timeout=180), "devserver did not start:\n" + "".join(log)
        assert server.poll() is None, "devserver exited:\n" + "".join(log)
        yield f"http://127.0.0.1:{port}/", content, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_a_saved_change_reloads_the_open_tab(devserver, page, watch):
    base, content, log = devserver
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
    expect(page.locator("main")).to_contain_text(NEW_TEXT, timeout=20_000)
    delay = time.monotonic() - saved
    print(f"\nlive reload: the saved change was on screen after {delay:.2f} s")
    # The preview keeps the policy: no 'unsafe-inline', no violation logged.
    policy = page.locator("meta[http-equiv='Content-Security-Policy']")
    assert "unsafe-inline" not in policy.get_attribute("content")
    assert watch.console_errors == []
    assert watch.offsite_requests == []
    assert delay < 5, "".join(log)


def test_the_reload_script_comes_from_the_page_origin(devserver, page):
    base, _content, _log = devserver
    page.goto(base + POST)
    script = page.locator("script[src*='livereload.js']")
    expect(script).to_have_count(1)
    assert script.get_attribute("src").startswith("/livereload.js?port=")
