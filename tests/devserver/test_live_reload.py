"""`make devserver` in a real browser: a save shows in the open tab.

The server runs on a free port over copies of content/ and theme/ (with a
settings file that imports pelicanconf.py and points THEME at the copy),
into a temporary output, as an author runs it; the tests edit the copies.
Every wait is for a condition (a page's text, a message the tab got, a file
the server wrote, a line it logged), never for a length of time. How fast
is for bench/preview.py, not for a test.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tornado.websocket import websocket_connect

from tests.harness import ROOT, build_site, tree_bytes

POST = "posts/networking-theory/"
SOURCE = "posts/networking-theory.md"
OLD_TEXT = "This is the first half of a two-part series."
SERVING = re.compile(r"Serving on http://127\.0\.0\.1:(\d+) ")
# Generous: a wait ends as soon as its condition holds, and a full build of
# the site on a loaded machine may take many seconds.
WAIT_SECONDS = 120
WAIT_MS = WAIT_SECONDS * 1000
# Records the type of every message the preview's script gets (its
# `preview:message` event) in window.previewSeen.
RECORD_MESSAGES = """() => {
  window.previewSeen = [];
  document.addEventListener("preview:message",
    (event) => window.previewSeen.push(event.detail.type));
}"""

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


class Server:
    """A running `make devserver` and the folders it works on."""

    def __init__(self, folder: Path, port: int, log: ServerLog):
        self.folder = folder
        self.base = f"http://127.0.0.1:{port}/"
        self.port = port
        self.log = log
        self.content = folder / "content"
        self.theme = folder / "theme"
        self.settings = folder / "settings.py"
        self.output = folder / "output"

    def edit(self, relative: str, old: str, new: str) -> None:
        """Replace `old` with `new` in a content file (it must be there)."""
        source = self.content / relative
        text = source.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        source.write_text(text.replace(old, new, 1), encoding="utf-8")

    def wait_for_output(self, relative: str, text: str, present: bool = True):
        """Wait until the output file holds `text` (or, `present=False`, not)."""
        path = self.output / relative
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            seen = len(self.log.lines)
            try:
                holds = text in path.read_text(encoding="utf-8")
            except FileNotFoundError:
                holds = False
            if holds == present:
                return
            # Whatever the server does next, it logs it.
            self.log.wait_for("", seen)
        pytest.fail(f"{relative} never {'held' if present else 'lost'} {text!r}")


SETTINGS = """\
import sys
sys.path.insert(0, {root!r})
from pelicanconf import *  # noqa: F403

THEME = {theme!r}
"""


@pytest.fixture(scope="module")
def devserver(tmp_path_factory):
    """`make devserver PORT=0` over copies of content/ and theme/ (the
    server takes a free port before it builds, and says which)."""
    folder = tmp_path_factory.mktemp("devserver")
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copytree(ROOT / "theme", folder / "theme")
    (folder / "settings.py").write_text(
        SETTINGS.format(root=str(ROOT), theme=str(folder / "theme")),
        encoding="utf-8",
    )
    server = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "devserver",
            "PORT=0",
            f"INPUTDIR={folder / 'content'}",
            f"OUTPUTDIR={folder / 'output'}",
            f"CONFFILE={folder / 'settings.py'}",
        ],
        cwd=ROOT,
        # Wide lines: the log is read line by line (Rich wraps at COLUMNS).
        env={**os.environ, "COLUMNS": "300"},
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
        yield Server(folder, int(port), log)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def open_connected(page, url: str) -> None:
    """Open `url` and wait until the preview's script has said hello."""
    page.goto(url)
    page.wait_for_selector("html[data-preview='connected']", state="attached")


def test_a_saved_body_shows_in_the_open_tab(devserver, page, watch):
    open_connected(page, devserver.base + POST)
    expect(page.locator("main")).to_contain_text(OLD_TEXT)
    seen = len(devserver.log.lines)
    new_text = "Saved a moment ago, shown without a manual reload."
    devserver.edit(SOURCE, OLD_TEXT, new_text)
    expect(page.locator("main")).to_contain_text(new_text, timeout=WAIT_MS)
    # The page came from the fast path (the post re-rendered on its own).
    assert devserver.log.wait_for(f"Rendered {SOURCE}", seen), str(devserver.log)
    # The preview keeps the policy: no 'unsafe-inline', no violation logged.
    policy = page.locator("meta[http-equiv='Content-Security-Policy']")
    assert "unsafe-inline" not in policy.get_attribute("content")
    assert watch.console_errors == []
    assert watch.offsite_requests == []
    devserver.edit(SOURCE, new_text, OLD_TEXT)
    expect(page.locator("main")).to_contain_text(OLD_TEXT, timeout=WAIT_MS)


def test_a_title_change_updates_the_listings(devserver, page):
    open_connected(page, devserver.base + "archives/")
    new_title = "Networking, retitled while the archive was open"
    devserver.edit(SOURCE, "Title: Networking, in theory", f"Title: {new_title}")
    expect(page.locator("main")).to_contain_text(new_title, timeout=WAIT_MS)
    # And the series page, which the tab does not show.
    devserver.wait_for_output("series/networking-in-practice/index.html", new_title)


def test_a_stylesheet_is_swapped_in_without_a_reload(devserver, page):
    open_connected(page, devserver.base + POST)
    page.evaluate(RECORD_MESSAGES)
    page.evaluate("() => { window.previewKept = true; }")
    stylesheet = devserver.theme / "static" / "css" / "main.css"
    with stylesheet.open("a", encoding="utf-8") as css:
        css.write("\nbody { outline: 7px solid rgb(1, 2, 3); }\n")
    page.wait_for_function(
        "() => getComputedStyle(document.body).outlineWidth === '7px'",
        timeout=WAIT_MS,
    )
    # The full build that follows (new fingerprints in every page) ends
    # with "built"; a reload would have lost previewKept and previewSeen.
    page.wait_for_function(
        "() => window.previewKept && window.previewSeen.includes('built')",
        timeout=WAIT_MS,
    )
    assert "css" in page.evaluate("() => window.previewSeen")
    assert "main.css" in page.locator("link[rel=stylesheet]").first.get_attribute(
        "href"
    )


def test_an_error_shows_over_the_tab_until_it_is_fixed(devserver, page):
    open_connected(page, devserver.base + POST)
    source = devserver.content / SOURCE
    good = source.read_bytes()
    seen = len(devserver.log.lines)
    # Saved in another encoding: Pelican cannot read the post.
    source.write_bytes(good.replace(b"first half", "first h\u00e4lf".encode("latin-1")))
    overlay = page.locator(".preview-overlay[role='alert']")
    expect(overlay).to_contain_text(SOURCE, timeout=WAIT_MS)
    expect(overlay).to_contain_text("UnicodeDecodeError")
    # The full build fails too, and the last good page stays served.
    assert devserver.log.wait_for("Build failed", seen), str(devserver.log)
    with urllib.request.urlopen(devserver.base + POST) as response:
        assert OLD_TEXT in response.read().decode("utf-8")
    expect(page.locator("main")).to_contain_text(OLD_TEXT)
    source.write_bytes(good)
    expect(overlay).to_have_count(0, timeout=WAIT_MS)
    expect(page.locator("main")).to_contain_text(OLD_TEXT)


def test_a_template_error_names_the_template_and_line(devserver, page):
    open_connected(page, devserver.base + POST)
    template = devserver.theme / "templates" / "article.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(good + "\n{% if %}\n", encoding="utf-8")
    overlay = page.locator(".preview-overlay[role='alert']")
    expect(overlay).to_contain_text("article.html, line", timeout=WAIT_MS)
    expect(overlay).to_contain_text("TemplateSyntaxError")
    template.write_text(good, encoding="utf-8")
    expect(overlay).to_have_count(0, timeout=WAIT_MS)


def first_reload(server: Server, path: str) -> list[str]:
    """A tab's hello over a raw WebSocket; returns the types of the server's
    messages up to its first "reload"."""

    async def talk():
        url = server.base.replace("http://", "ws://") + "__preview/socket"
        connection = await websocket_connect(url)
        try:
            connection.write_message(json.dumps({"type": "hello", "path": path}))
            seen = []
            while "reload" not in seen:
                message = connection.read_message()
                seen.append(
                    json.loads(await asyncio.wait_for(message, WAIT_SECONDS))["type"]
                )
            return seen
        finally:
            connection.close()

    # In a thread of its own: an event loop must not run inside Playwright's.
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, talk()).result()


def test_a_page_served_before_a_save_is_reloaded_when_its_tab_connects(devserver):
    """The page came before the save, its tab's socket after: the server
    knows what it served, so that tab is reloaded at once."""
    with urllib.request.urlopen(devserver.base + POST) as response:
        response.read()
    marker = "Added after the page was served."
    devserver.edit(SOURCE, OLD_TEXT, f"{OLD_TEXT} {marker}")
    devserver.wait_for_output(POST + "index.html", marker)
    assert first_reload(devserver, "/" + POST)[0] == "ready"


def test_the_script_comes_from_the_page_origin(devserver, page):
    page.goto(devserver.base + POST)
    script = page.locator("script[src*='livereload.js']")
    expect(script).to_have_count(1)
    assert script.get_attribute("src") == f"/livereload.js?port={devserver.port}"


def test_the_feeds_name_the_port_the_server_took(devserver):
    """With PORT=0 the port is known only once taken: the feeds link to it."""
    feed = (devserver.output / "feeds" / "all.atom.xml").read_text()
    assert f'href="{devserver.base}"' in feed


def test_after_every_kind_of_edit_the_output_is_a_clean_build(
    devserver, tmp_path, page
):
    """Body, title, new, renamed and deleted posts, a stylesheet and a
    template, some saved while the previous build still ran: once the
    server is done, its output is what a clean build writes."""
    server = devserver
    open_connected(page, server.base + POST)
    server.edit(SOURCE, OLD_TEXT, "A body edited once more.")
    server.edit(SOURCE, "Tags: networking,", "Tags: networking, introductions,")
    extra = server.content / "posts" / "a-new-post.md"
    extra.write_text(
        "Title: A post written during the preview\nDate: 2026-01-02 10:00\n"
        "Category: Networking\nSummary: New.\n\nA new post.\n",
        encoding="utf-8",
    )
    server.wait_for_output("archives/index.html", "A post written during the preview")
    renamed = extra.with_name("a-renamed-post.md")
    extra.rename(renamed)
    server.edit(
        "posts/a-renamed-post.md", "written during the preview", "renamed in preview"
    )
    server.wait_for_output("archives/index.html", "A post renamed in preview")
    gone = server.content / "posts" / "short-lived.md"
    gone.write_text(
        "Title: Short-lived\nDate: 2026-01-03 10:00\nCategory: Networking\n"
        "Summary: Gone soon.\n\nDeleted in a moment.\n",
        encoding="utf-8",
    )
    server.wait_for_output("archives/index.html", "Short-lived")
    gone.unlink()
    with (server.theme / "static" / "css" / "print.css").open("a") as css:
        css.write("\n/* edited in preview */\n")
    template = server.theme / "templates" / "base.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace(
            "</body>", "<!-- template edited in preview -->\n</body>"
        ),
        encoding="utf-8",
    )
    # The template edit came last: once every page has it (the old output
    # is replaced in one step), the server has nothing left to do.
    server.wait_for_output("about/index.html", "template edited in preview")
    server.wait_for_output("archives/index.html", "Short-lived", present=False)

    clean = build_site(
        tmp_path / "clean",
        content=server.content,
        settings_file=str(server.settings),
        built_at=dt.datetime.now(dt.UTC),
        LIVERELOAD_PORT=server.port,
        FEEDS_PREVIEW_SITEURL=server.base.rstrip("/"),
    )
    preview, expected = tree_bytes(server.output), tree_bytes(clean.root)
    assert sorted(preview) == sorted(expected)
    assert [name for name in expected if preview[name] != expected[name]] == []
    # The tab followed: it shows the last template.
    page.wait_for_function(
        "() => document.body.innerHTML.includes('template edited in preview')",
        timeout=WAIT_MS,
    )
