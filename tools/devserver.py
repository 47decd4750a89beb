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

logger = logging.getLogger("devserver")


class ReloadHandler(LiveReloadHandler):
    """livereload's WebSocket handler, and no tab misses a rebuild.

    livereload counts a tab as open only once its `info` message (the
    handshake's last step) is read. The loop that reads it also runs the
    build, so a tab whose handshake began before a rebuild and ended after it
    was sent no reload: it kept showing the page from before the save.
    """

    rebuilds = 0  # rebuilds finished since the server started

    def open(self):
        self.rebuilds_seen = ReloadHandler.rebuilds

    def on_message(self, message):
        known = self in self.waiters
        super().on_message(message)
        if known or self not in self.waiters:
            return
        if self.rebuilds_seen != ReloadHandler.rebuilds:
            # A rebuild ran while this tab shook hands: its page is older.
            self.send_message({"command": "reload", "path": "*", "liveCSS": False})


class PreviewFileHandler(web.StaticFileHandler):
    """Serves the output folder; the browser never keeps a stale copy."""

    def set_extra_headers(self, path):
        self.set_header("Cache-Control", "no-store")


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


def watch_and_reload(args) -> None:
    """Rebuild when a source changes, then tell every open tab to reload."""
    watcher = get_watcher_class()()
    # No task per folder: livereload would run each changed folder's task,
    # so one save touching two of them (a `git checkout`) built twice.
    for path in (args.content, ROOT / "theme", ROOT / "plugins", args.settings):
        watcher.watch(str(path))
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
        if preview.hostname:
            netloc = f"{preview.hostname}:{args.port}"
            os.environ["PREVIEW_SITEURL"] = preview._replace(netloc=netloc).geturl()
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
    watch_and_reload(args)
    logger.info("Serving on http://%s:%d (Ctrl-C to stop)", args.bind, args.port)
    try:
        ioloop.IOLoop.current().start()
    except KeyboardInterrupt:
        logger.info("Stopped")


if __name__ == "__main__":
    main()
