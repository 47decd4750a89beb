"""`make devserver`: rebuild on every change, serve, and reload the open tab.

Pelican's own `tasks.py` pairs the livereload package with a rebuild; we do
the same, with one difference. livereload's `Server` injects an *inline*
script into every page it serves, which our Content-Security-Policy (no
'unsafe-inline') blocks. So we take the package's parts (its watcher, its
LiveReload-protocol WebSocket handler and its livereload.js) and serve them
from a small Tornado application of our own, and the theme loads
livereload.js from this same origin with a plain <script src>, only when the
build says LIVERELOAD_PORT (which only this script sets). Production builds
never contain it.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.watcher import get_watcher_class
from pelican import Pelican
from pelican.log import LimitFilter
from pelican.log import init as init_logging
from pelican.settings import read_settings
from tornado import httpserver, ioloop, netutil, web

ROOT = Path(__file__).resolve().parent.parent
# How often to look for changed files. The build takes most of the delay
# between a save and the reloaded tab; polling often keeps the rest small.
POLL_MILLISECONDS = 200
# The rebuild a served page comes from (ReloadHandler).
REBUILD_COOKIE = "preview-rebuild"

logger = logging.getLogger("devserver")


class ReloadHandler(LiveReloadHandler):
    """livereload's WebSocket handler, which also reloads a tab whose page is
    older than the latest rebuild when it connects.

    livereload counts a tab as open only once its `info` message (the
    handshake's last step) is read, and reloads only the tabs open when a
    rebuild ends. The loop that reads that message also runs the build, so a
    tab whose page was served before a rebuild, but whose handshake ended
    after it, was sent no reload and kept showing the page from before the
    save. Each page served carries the rebuild count in a cookie
    (`PreviewFileHandler`), which the tab's WebSocket sends back. (Cookies
    are shared by the browser's tabs: of two tabs loaded either side of a
    rebuild and connecting after it, the older can still be missed.)
    """

    rebuilds = 0  # rebuilds run since the server started (failed ones too)

    def open(self, *args, **kwargs):
        seen = self.get_cookie(REBUILD_COOKIE, "")
        self.rebuilds_seen = int(seen) if seen.isdigit() else ReloadHandler.rebuilds

    def on_message(self, message):
        known = self in self.waiters
        super().on_message(message)
        if known or self not in self.waiters:
            return
        if self.rebuilds_seen != ReloadHandler.rebuilds:
            # A rebuild ran after this tab's page was served: it is older.
            self.send_message({"command": "reload", "path": "*", "liveCSS": False})


class PreviewFileHandler(web.StaticFileHandler):
    """Serves the output folder; the browser never keeps a stale copy."""

    def set_extra_headers(self, path):
        self.set_header("Cache-Control", "no-store")
        if self.absolute_path.endswith(".html"):
            self.set_cookie(REBUILD_COOKIE, str(ReloadHandler.rebuilds), path="/")


def build(args) -> None:
    """One preview build; a broken build is logged and the server goes on."""
    started = time.monotonic()
    settings = read_settings(
        str(args.settings),
        override={
            "PATH": str(args.content),
            "OUTPUT_PATH": str(args.output),
            "LIVERELOAD_PORT": args.port,
        },
    )
    # Pelican logs a warning once per process; every rebuild here is in one
    # process, and each should warn again (an overdue part, a bad date).
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    try:
        Pelican(settings).run()
    # Any error in a template, plugin or post while it is being edited: the
    # author fixes it and saves again, as with `pelican --autoreload`.
    except Exception:
        logger.exception("Build failed; waiting for the next change")
        return
    logger.info("Rebuilt in %.2f s", time.monotonic() - started)


def watch(args):
    """A watcher of every source, with what each file is like now: a change
    from here on is seen (one made while the first build runs, too)."""
    watcher = get_watcher_class()()
    # No task per folder: livereload would run each changed folder's task,
    # so one save touching two of them (a `git checkout`) built twice.
    for path in (args.content, ROOT / "theme", ROOT / "plugins", args.settings):
        watcher.watch(str(path))
    # The first look records every file; it also names one of them as
    # changed (livereload does so for any file it has not seen): ignored.
    watcher.examine()
    return watcher


def reload_on_change(args, watcher) -> None:
    """Rebuild when a source changes, then tell every open tab to reload."""
    # The handler's class attributes are how livereload wires its parts.
    ReloadHandler.watcher = watcher
    ReloadHandler.live_css = True

    def poll():
        changed, _delay = watcher.examine()
        if changed:
            build(args)
            ReloadHandler.rebuilds += 1
            ReloadHandler.reload_waiters()

    ioloop.PeriodicCallback(poll, POLL_MILLISECONDS).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("-s", "--settings", type=Path, required=True)
    parser.add_argument("-p", "--port", type=int, default=8000)
    parser.add_argument("-b", "--bind", default="127.0.0.1")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    init_logging(level=logging.DEBUG if args.debug else logging.INFO)

    # The port is taken before the first build, which writes its number into
    # every page (the reload script's address); with `-p 0` the system picks
    # a free one, and the feeds' preview links follow it.
    sockets = netutil.bind_sockets(args.port, address=args.bind)
    if args.port == 0:
        args.port = sockets[0].getsockname()[1]
        preview = urlsplit(os.environ.get("PREVIEW_SITEURL", ""))
        if host := preview.hostname:
            host = f"[{host}]" if ":" in host else host  # an IPv6 address
            netloc = f"{host}:{args.port}"
            os.environ["PREVIEW_SITEURL"] = preview._replace(netloc=netloc).geturl()
    watcher = watch(args)
    build(args)
    application = web.Application(
        [
            (r"/livereload", ReloadHandler),
            (r"/livereload\.js", LiveReloadJSHandler),
            (
                r"/(.*)",
                PreviewFileHandler,
                {"path": str(args.output), "default_filename": "index.html"},
            ),
        ]
    )
    httpserver.HTTPServer(application).add_sockets(sockets)
    reload_on_change(args, watcher)
    logger.info("Serving on http://%s:%d (Ctrl-C to stop)", args.bind, args.port)
    try:
        ioloop.IOLoop.current().start()
    except KeyboardInterrupt:
        logger.info("Stopped")


if __name__ == "__main__":
    main()
