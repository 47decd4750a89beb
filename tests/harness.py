"""The test harness: real Pelican builds, parsed pages, a real browser.

- `build_site()` builds any content folder into any output folder and returns
  a `Site`, which finds, parses and resolves what Pelican wrote. Every build
  happens a day after the latest date in its content (`freeze_now()`),
  whatever the day the suite runs.
- `serve()` serves a folder over HTTP on loopback.
- `recorded_warnings()` collects the warnings a (module-scoped) build logs.
- `PageWatch` records console errors of every tab in a browser context and
  blocks (and records) every off-site request.
- `axe_violations()` runs axe-core on a page.
Fixtures built on these live in tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import logging
import os
import threading
import types
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pelican.contents
import pytest
from axe_playwright_python.sync_playwright import Axe
from lxml import html as lxml_html
from pelican import Pelican
from pelican.plugins import series_nav
from pelican.settings import read_settings
from pelican.utils import get_date

from tools.newpost import read_metadata
from tools.preview.fresh import prepare_fresh_build

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PUBLISHED_SITEURL = "https://whoyouknow.example"


def day_after_the_content(content: Path) -> dt.datetime:
    """A day after the latest `Date:` or `Series_expected:` in `content`.

    The moment a test build happens: what a page says that depends on the
    day (a part "running late", a post held back until its date) is the same
    whenever the suite runs, and every dated post is published, so the tests
    and audits cover a post the author has scheduled too."""
    dates = []
    for source in content.rglob("*.md"):
        try:
            metadata = read_metadata(source)
        except UnicodeDecodeError:  # Pelican cannot read it either, and warns
            continue
        for value in (metadata.get("date"), metadata.get("series_expected")):
            with contextlib.suppress(ValueError):  # the build warns about it
                if value:
                    dates.append(get_date(value).replace(tzinfo=None))
    latest = max(dates, default=dt.datetime(2026, 1, 1))  # (no date: any day)
    return (latest + dt.timedelta(days=1)).replace(tzinfo=dt.UTC)


def freeze_now(monkeypatch, moment: dt.datetime):
    """Make both clocks read `moment`: Pelican's (which holds future-dated
    posts back) and series_nav's (which finds overdue parts)."""

    class FrozenDateTime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    frozen_module = types.ModuleType("datetime")
    frozen_module.__dict__.update(vars(dt))
    frozen_module.datetime = FrozenDateTime
    monkeypatch.setattr(pelican.contents, "datetime", frozen_module)
    monkeypatch.setattr(series_nav.series_nav, "now", lambda: moment)


def build_site(
    output,
    *,
    content=None,
    settings_file="pelicanconf.py",
    built_at=None,
    **override,
):
    """Build a site with Pelican into `output` and return it as a `Site`.

    `content` defaults to the real content/ folder; `override` replaces
    settings (as Pelican's `read_settings(override=...)` does); the build
    happens at `built_at`, by default a day after the content's latest date.
    """
    override.setdefault("PATH", str(content or ROOT / "content"))
    override.setdefault("OUTPUT_PATH", str(output))
    override.setdefault("CACHE_CONTENT", False)
    override.setdefault("LOAD_CONTENT_CACHE", False)
    # Each build its own search index cache, beside its output: a test's
    # index is Pagefind's, never one another test's build left behind.
    override.setdefault("SEARCH_CACHE_PATH", f"{output}.search-cache")
    settings = read_settings(str(ROOT / settings_file), override=override)
    # As in a fresh process: only the plugins of PLUGINS, in their order.
    prepare_fresh_build(settings)
    with pytest.MonkeyPatch.context() as monkeypatch:
        freeze_now(
            monkeypatch, built_at or day_after_the_content(Path(settings["PATH"]))
        )
        Pelican(settings).run()
    return Site(Path(output), settings)


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root`, by its relative path: two trees compare equal
    when they hold the same files with the same bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@contextlib.contextmanager
def disconnected(*receivers):
    """(signal, receiver) pairs taken off for the block, as in a fresh
    process: Pelican connects a plugin's receivers for a build and never
    disconnects them, so a build that leaves the plugin out after one that
    loaded it would still run them."""
    for signal, receiver in receivers:
        signal.disconnect(receiver)
    try:
        yield
    finally:
        for signal, receiver in receivers:
            signal.connect(receiver)


class Site:
    """A built site: finds, reads and parses what Pelican wrote."""

    def __init__(self, root: Path, settings: dict):
        self.root = root
        self.settings = settings

    def path(self, relative: str) -> Path:
        """The file a site-relative URL such as `posts/x/` is served from."""
        target = self.root / unquote(relative).lstrip("/")
        return target / "index.html" if target.is_dir() else target

    def exists(self, relative: str) -> bool:
        return self.path(relative).is_file()

    def html_files(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))

    def page(self, relative: str):
        """Parse the page at a site-relative URL (`""` is the home page)."""
        return lxml_html.parse(str(self.path(relative))).getroot()

    def text(self, relative: str) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def resolve(self, page_file: Path, href: str) -> Path | None:
        """The file a link on `page_file` points to; None if it leaves the site."""
        href, _ = urldefrag(href)
        siteurl = self.settings.get("SITEURL", "")
        if siteurl.startswith("http") and href.startswith(siteurl):
            href = "/" + href[len(siteurl) :].lstrip("/")
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            return None
        if not parts.path:
            return page_file
        if parts.path.startswith("/"):
            target = self.root / unquote(parts.path).lstrip("/")
        else:
            target = page_file.parent / unquote(parts.path)
        target = Path(os.path.normpath(target))
        return target / "index.html" if target.is_dir() else target


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def recorded_warnings(logger_name: str | None = None):
    """The text of every warning logged while the block runs: a caplog for
    builds shared by a module's tests (caplog is one test's)."""
    handler = _Warnings()
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass

    def end_headers(self):
        # Tests rebuild a site while it is served, often within one second,
        # and Last-Modified counts whole seconds: a browser that kept a copy
        # would revalidate it and get "304 Not Modified" for a changed page.
        # Keeping no copy, it always gets the file as it is now.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def serve(root: Path):
    """Serve `root` on a free loopback port; returns (base URL, server)."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


class PageWatch:
    """Records console errors and off-site requests in a browser context.

    Every request that does not go to loopback is blocked and recorded, and
    every tab opened in the context is watched for console errors.
    """

    def __init__(self, context):
        self.console_errors: list[str] = []
        self.offsite_requests: list[str] = []
        context.route("**/*", self._route)
        context.on("page", self._watch)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in {
            "127.0.0.1",
            "localhost",
        }:
            route.continue_()
        else:
            self.offsite_requests.append(url)
            route.abort()

    def _watch(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page; returns the violations (empty is good)."""
    results = Axe().run(page)
    return [
        {
            "id": violation["id"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]],
        }
        for violation in results.response["violations"]
    ]


def scrolls_sideways(page) -> bool:
    """Whether the page is wider than the viewport (a layout that breaks)."""
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def assert_clean_in_browser(page, watch, url, scheme="light", width=320, *, ready=None):
    """Load `url` in a colour scheme at a narrow width and assert that axe finds
    nothing, the console has no error, nothing came from another host and
    nothing scrolls sideways.

    `ready(page)`, when given, waits for what the page's scripts still do after
    it has loaded (results fetched and drawn), so that the page is checked
    as the reader sees it, not half-drawn."""
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 640})
    page.goto(url)
    if ready is not None:
        ready(page)
    assert axe_violations(page) == []
    assert watch.console_errors == []
    assert watch.offsite_requests == []
    assert not scrolls_sideways(page), f"{url} scrolls sideways at {width} px"
