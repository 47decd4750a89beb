"""`make devserver`: serve the preview, watch the sources, update the tab.

One process. A watcher thread (watchfiles: inotify, changes grouped until
15 ms of quiet) hands each batch of changed paths to a builder thread,
which (see builder.py):

- for a post or page whose body alone changed, re-renders its page at once
  and has the tabs showing it reload; then runs a full build;
- for a stylesheet under the theme's static folders, copies it into the
  output and has every tab swap it in without a reload; then a full build
  (the pages' fingerprinted links change), after which those tabs are not
  reloaded;
- for anything else (a title, date, tag, series, author or status; a new,
  deleted or renamed post; a template; a plugin or the settings, which
  also re-import the plugins and skip the content cache): a full build.

A change arriving during a full build stops it (the fast path never waits
for one). A tab is reloaded when the file it shows has changed since it was
served; a build that logs an error leaves the last good output served and
shows the error over the tab (file, line where known, message) until a
build succeeds. The tab's script (client.js) is served from this origin
under the theme's `/livereload.js` address, so the pages' strict
Content-Security-Policy holds; production builds never load it.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import hashlib
import json
import logging
import mimetypes
import os
import queue
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import watchfiles
from pelican.log import init as init_logging
from pelican.settings import read_settings
from tornado import httpserver, ioloop, netutil, web, websocket

from .builder import BuildCancelledError, Builder, BuildError, Outcome
from .fresh import plugin_folders

logger = logging.getLogger("devserver")

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# A batch of changes is handed over once no new change came for this long:
# an editor's save is often several events (write, rename, chmod).
QUIET_MILLISECONDS = 15
SOCKET_PATH = "/__preview/socket"
# The longest the full build waits for reloaded tabs to load their page.
RELOAD_GRACE_SECONDS = 2.0


def digest(path: Path) -> str | None:
    """A hash of the file's bytes; None if there is no such file."""
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


class Tab(websocket.WebSocketHandler):
    """One open tab: which output file it shows, and that file's hash when
    it was served."""

    def initialize(self, preview):
        self.preview = preview
        self.file: Path | None = None
        self.shown: str | None = None

    def open(self):
        self.preview.tabs.add(self)

    def on_close(self):
        self.preview.tabs.discard(self)

    def on_message(self, message):
        try:
            data = json.loads(message)
        except ValueError:
            return
        if not isinstance(data, dict) or data.get("type") != "hello":
            return
        self.file = self.preview.output_file(str(data.get("path", "/")))
        current = digest(self.file) if self.file else None
        # The hash of the page as last served: a build that ended between
        # serving it and this hello (the tab was still connecting) has
        # changed it.
        self.shown = self.preview.served.get(self.file, current)
        self.send({"type": "ready"})
        self.preview.said_hello()
        if self.preview.errors:
            self.send({"type": "errors", "errors": self.preview.errors})
        if self.shown != current:
            self.send({"type": "reload"})

    def send(self, message: dict) -> None:
        try:
            self.write_message(json.dumps(message))
        except websocket.WebSocketClosedError:
            self.preview.tabs.discard(self)

    def check_origin(self, origin):
        # Only pages of this server (the script connects to its own host).
        return urlsplit(origin).netloc == self.request.host


class OutputHandler(web.RequestHandler):
    """The output folder, never cached by the browser; remembers the hash of
    each page it serves (Tab.on_message)."""

    def initialize(self, preview):
        self.preview = preview

    def head(self, path):
        self.get(path, include_body=False)

    def get(self, path, include_body=True):
        target = self.preview.output / unquote(path)
        if target.is_dir() and path and not path.endswith("/"):
            self.redirect(self.request.path + "/", permanent=False)
            return
        file = self.preview.output_file("/" + path)
        status = 200
        if file is None:
            status = 404
            file = self.preview.output / "404.html"
            if not file.is_file():
                raise web.HTTPError(404)
        data = file.read_bytes()
        if file.suffix == ".html" and status == 200:
            self.preview.served[file] = hashlib.blake2b(
                data, digest_size=16
            ).hexdigest()
        kind, encoding = mimetypes.guess_type(file.name)
        if (kind and kind.startswith("text/")) or kind in {
            "application/javascript",
            "application/json",
            "image/svg+xml",
        }:
            kind = f"{kind}; charset=utf-8"
        self.set_status(status)
        self.set_header("Content-Type", kind or "application/octet-stream")
        if encoding:
            self.set_header("Content-Encoding", encoding)
        self.set_header("Cache-Control", "no-store")
        if include_body:
            self.write(data)
        else:
            self.set_header("Content-Length", len(data))


class AssetHandler(web.RequestHandler):
    """The tab's script and the overlay's stylesheet, from this package."""

    def initialize(self, name, kind):
        self.file = HERE / name
        self.kind = kind

    def head(self):
        self.get(include_body=False)

    def get(self, include_body=True):
        self.set_header("Content-Type", self.kind)
        self.set_header("Cache-Control", "no-store")
        if include_body:
            self.write(self.file.read_bytes())


@dataclasses.dataclass
class Pending:
    """What the changes since the last good full build ask of the next one."""

    fresh_code: bool = False  # a plugin or the settings changed
    only_stylesheets: bool = True  # every change was a swapped stylesheet


@dataclasses.dataclass
class Plan:
    """What one batch of changed paths asks for."""

    bodies: list[Path] = dataclasses.field(default_factory=list)
    stylesheets: list[Path] = dataclasses.field(default_factory=list)
    full: bool = False
    fresh_code: bool = False


class Preview:
    """The server's state: tabs, pages served, errors shown; the watcher and
    the builder threads."""

    def __init__(self, args):
        self.args = args
        self.output = args.output.resolve()
        self.content = args.content.resolve()
        self.settings_file = args.settings.resolve()
        self.builder = Builder(self.content, self.output, self.settings_file, args.port)
        self.builder.cancel = threading.Event()
        self.fast = not args.full_rebuild
        self.tabs: set[Tab] = set()
        self.served: dict[Path, str] = {}
        self.errors: list[dict] = []
        self.changes: queue.Queue = queue.Queue()
        self.stopping = threading.Event()
        self.loop: ioloop.IOLoop | None = None
        self.pending = Pending()
        # Hellos from tabs so far: a reloaded tab says hello once its page
        # is loaded (render_now waits for that before the full build).
        self.hellos = 0
        self.hello_said = threading.Condition()

    def said_hello(self) -> None:
        with self.hello_said:
            self.hellos += 1
            self.hello_said.notify_all()

    def wait_for_reloads(self, reloaded: int, hellos_before: int) -> None:
        """Wait (2 s at most) until `reloaded` tabs have loaded their new
        page, or a new change came: the full build would slow the server
        (one interpreter) while it serves the reloading tab."""
        with self.hello_said:
            self.hello_said.wait_for(
                lambda: (
                    self.hellos >= hellos_before + reloaded
                    or self.builder.cancel.is_set()
                ),
                RELOAD_GRACE_SECONDS,
            )

    def change_came(self) -> None:
        self.builder.cancel.set()
        with self.hello_said:
            self.hello_said.notify_all()

    # -- Paths -------------------------------------------------------------

    def output_file(self, url_path: str) -> Path | None:
        """The output file a URL path serves (a folder's index.html), or None."""
        relative = unquote(url_path.split("?", 1)[0]).lstrip("/")
        candidate = (self.output / relative).resolve()
        if not candidate.is_relative_to(self.output):
            return None
        if candidate.is_dir():
            candidate /= "index.html"
        return candidate if candidate.is_file() else None

    def shown_name(self, path: str | None) -> str | None:
        """A path as the author knows it: inside the content folder or the
        project, relative to it."""
        if not path:
            return None
        for base in (self.content, ROOT):
            if Path(path).resolve().is_relative_to(base):
                return Path(path).resolve().relative_to(base).as_posix()
        return path

    # -- Watching ----------------------------------------------------------

    def watched(self) -> list[Path]:
        """The content, the theme, the plugins' folders and the settings file
        (as the settings name them when the server starts)."""
        settings = read_settings(str(self.settings_file))
        folders = [Path(settings["THEME"]), *plugin_folders(settings)]
        return [self.content, *(p for p in folders if p.exists()), self.settings_file]

    def watch(self, started: threading.Event) -> None:
        """Hand each batch of changes to the builder; stop a build under way."""
        for changes in watchfiles.watch(
            *self.watched(),
            step=QUIET_MILLISECONDS,
            stop_event=self.stopping,
            rust_timeout=200,
            yield_on_timeout=True,
        ):
            started.set()
            if changes:
                self.changes.put({Path(path) for _change, path in changes})
                self.change_came()

    def plan(self, paths: set[Path]) -> Plan:
        plan = Plan()
        plugins = []
        if self.builder.last:
            plugins = plugin_folders(self.builder.last.settings)
        for path in paths:
            if path == self.settings_file or any(
                path.is_relative_to(p) for p in plugins
            ):
                plan.full = plan.fresh_code = True
            elif path.suffix == ".css" and self.builder.is_theme_static(path):
                plan.stylesheets.append(path)
            elif path.is_relative_to(self.content):
                known = self.builder.find(path) is not None
                if known and path.is_file():
                    plan.bodies.append(path)
                elif known or path.is_file():
                    plan.full = True  # a new, deleted or renamed file
                # else: a file that came and went (an editor's temporary)
            else:
                plan.full = True
        return plan

    # -- Building ----------------------------------------------------------

    def work(self) -> None:
        """The builder thread: one batch of changes after another."""
        while not self.stopping.is_set():
            try:
                paths = self.changes.get(timeout=0.5)
            except queue.Empty:
                continue
            # Cleared before the queue is emptied: a change after this
            # point stops the build it would otherwise miss.
            self.builder.cancel.clear()
            while not self.changes.empty():
                paths |= self.changes.get_nowait()
            try:
                self.handle(self.plan(paths))
            except Exception:
                logger.exception(
                    "The preview failed to update; waiting for the next change"
                )

    def handle(self, plan: Plan) -> None:
        if not (plan.bodies or plan.stylesheets or plan.full):
            return
        if self.fast and not plan.full and not plan.stylesheets:
            for source in plan.bodies:
                self.render_now(source)
        if self.fast and plan.stylesheets and not plan.full and not plan.bodies:
            swapped = [self.builder.copy_theme_file(path) for path in plan.stylesheets]
            swapped = [path for path in swapped if path]
            if swapped:
                logger.info("Swapping %s into the open tabs", ", ".join(swapped))
                self.on_loop(self.send_all, {"type": "css", "paths": swapped})
        self.pending.fresh_code |= plan.fresh_code
        self.pending.only_stylesheets &= bool(
            self.fast and plan.stylesheets and not plan.bodies and not plan.full
        )
        self.full_build()

    def render_now(self, source: Path) -> None:
        started = time.monotonic()
        outcome = self.builder.fast_render(source)
        if outcome is None:
            return
        name = self.shown_name(str(source))
        if outcome.errors:
            logger.error("%s: %s", name, outcome.errors[0].message)
        else:
            logger.info(
                "Rendered %s in %.0f ms", name, (time.monotonic() - started) * 1000
            )
        reloaded, hellos = self.on_loop(
            self.after_fast_render, str(source), outcome, wait=True
        )
        self.wait_for_reloads(reloaded, hellos)

    def full_build(self) -> None:
        started = time.monotonic()
        try:
            outcome = self.builder.full_build(fresh_code=self.pending.fresh_code)
        except BuildCancelledError:
            logger.info("Build stopped: a newer change came in")
            return
        if outcome.replaced_output:
            self.on_loop(self.after_full_build, outcome, wait=True)
            self.builder.remove_old_output()
            self.pending = Pending()
            logger.info("Rebuilt in %.2f s", time.monotonic() - started)
        else:
            self.on_loop(self.show_errors, outcome.errors, wait=True)
            logger.error("Build failed; the last good build stays served")

    def first_build(self) -> None:
        started = time.monotonic()
        self.builder.cancellable = False
        try:
            outcome = self.builder.full_build(fresh_code=True)
        finally:
            self.builder.cancellable = True
        if outcome.replaced_output:
            self.builder.replace_output()
            self.builder.remove_old_output()
            logger.info("Built in %.2f s", time.monotonic() - started)
        self.errors = [self.as_message(error) for error in outcome.errors]

    # -- On the server's loop: between two requests -------------------------

    def on_loop(self, function, *args, wait: bool = False):
        """Run `function(*args)` on the server's thread; `wait`: until done."""
        done: concurrent.futures.Future = concurrent.futures.Future()

        def call():
            try:
                done.set_result(function(*args))
            except Exception as error:  # noqa: BLE001 (handed to the waiting thread)
                done.set_exception(error)

        self.loop.add_callback(call)
        return done.result() if wait else None

    def send_all(self, message: dict) -> None:
        for tab in list(self.tabs):
            tab.send(message)

    def as_message(self, error: BuildError) -> dict:
        message = error.as_message()
        message["file"] = self.shown_name(error.file)
        return message

    def show_errors(self, errors: list[BuildError]) -> None:
        self.errors = [self.as_message(error) for error in errors]
        self.send_all({"type": "errors", "errors": self.errors})

    def after_fast_render(self, source: str, outcome: Outcome) -> None:
        shown = self.shown_name(source)
        errors = [error for error in self.errors if error["file"] != shown]
        errors += [self.as_message(error) for error in outcome.errors]
        if errors != self.errors:
            self.errors = errors
            self.send_all({"type": "errors", "errors": errors})
        return self.reload_changed(adopt=False), self.hellos

    def after_full_build(self, outcome: Outcome) -> None:
        self.builder.replace_output()
        self.show_errors(outcome.errors)
        self.reload_changed(adopt=self.pending.only_stylesheets)
        # The background work is done (after any reload, on the same socket).
        self.send_all({"type": "built"})

    def reload_changed(self, adopt: bool) -> int:
        """Reload each tab whose page changed since it was served (returns
        how many); `adopt`: the change is a stylesheet the tabs have swapped
        in already."""
        reloaded = 0
        for tab in list(self.tabs):
            if tab.file is None:
                continue
            current = digest(tab.file)
            if current == tab.shown:
                continue
            if adopt:
                tab.shown = current
            else:
                tab.shown = current  # one reload per change
                tab.send({"type": "reload"})
                reloaded += 1
        return reloaded

    # -- Running -----------------------------------------------------------

    def application(self) -> web.Application:
        return web.Application(
            [
                (SOCKET_PATH, Tab, {"preview": self}),
                (
                    r"/livereload\.js",
                    AssetHandler,
                    {"name": "client.js", "kind": "text/javascript; charset=utf-8"},
                ),
                (
                    r"/__preview/overlay\.css",
                    AssetHandler,
                    {"name": "overlay.css", "kind": "text/css; charset=utf-8"},
                ),
                (r"/(.*)", OutputHandler, {"preview": self}),
            ]
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("-s", "--settings", type=Path, required=True)
    parser.add_argument("-p", "--port", type=int, default=8000)
    parser.add_argument("-b", "--bind", default="127.0.0.1")
    parser.add_argument("--debug", action="store_true")
    parser.add_argument(
        "--full-rebuild",
        action="store_true",
        help="no fast path and no stylesheet swap: rebuild, then reload (to compare)",
    )
    args = parser.parse_args(argv)
    init_logging(level=logging.DEBUG if args.debug else logging.INFO)

    # The port is taken before the first build, which writes its number into
    # every page (the script's address); with `-p 0` the system picks a free
    # one, and the feeds' preview links follow it.
    sockets = netutil.bind_sockets(args.port, address=args.bind)
    if args.port == 0:
        args.port = sockets[0].getsockname()[1]
        preview_url = urlsplit(os.environ.get("PREVIEW_SITEURL", ""))
        if host := preview_url.hostname:
            host = f"[{host}]" if ":" in host else host  # an IPv6 address
            netloc = f"{host}:{args.port}"
            os.environ["PREVIEW_SITEURL"] = preview_url._replace(netloc=netloc).geturl()

    preview = Preview(args)
    preview.loop = ioloop.IOLoop.current()
    # The watcher starts before the first build: a change made while it
    # runs is seen.
    watching = threading.Event()
    threading.Thread(target=preview.watch, args=(watching,), daemon=True).start()
    watching.wait(5)
    preview.first_build()
    httpserver.HTTPServer(preview.application()).add_sockets(sockets)
    threading.Thread(target=preview.work, daemon=True).start()
    logger.info("Serving on http://%s:%d (Ctrl-C to stop)", args.bind, args.port)
    try:
        preview.loop.start()
    except KeyboardInterrupt:
        logger.info("Stopped")
    finally:
        preview.stopping.set()
