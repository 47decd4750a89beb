"""A Pelican build in a long-lived process, run as a fresh process runs it.

Pelican connects each plugin's receivers when a `Pelican` object is made and
never disconnects them, and blinker calls receivers in the order they were
first connected. So in a process that builds more than once (the preview
server, the test session) every plugin stays connected after its first
build, a build without it still runs it, and receivers keep the order of the
first build. `disconnect_plugins()` before `Pelican(settings)` takes every
plugin's receivers off every signal, so Pelican connects exactly the
plugins of PLUGINS, in their order. Receivers that are not a plugin's (a
test's, the preview server's own) are left alone: they stay where their
owner put them.
"""

from __future__ import annotations

import logging
import sys
import sysconfig
import weakref
from pathlib import Path

import pelican.plugins
from blinker.base import default_namespace
from pelican.contents import Content
from pelican.log import LimitFilter

logger = logging.getLogger(__name__)

# Namespace plugins (pelican-sitemap's `pelican.plugins.sitemap`) live in
# folders inside pelican/plugins/; the files directly in it (signals.py,
# _utils.py) are Pelican's machinery.
NAMESPACE_FOLDERS = [Path(folder).resolve() for folder in pelican.plugins.__path__]


def _receiver_file(receiver) -> Path | None:
    """The source file of `receiver` (a function, a bound method or a
    callable object); None if it has none."""
    function = getattr(receiver, "__func__", receiver)
    code = getattr(function, "__code__", None)
    if code is None:
        call = vars(type(receiver)).get("__call__")
        code = getattr(call, "__code__", None)
    return Path(code.co_filename).resolve() if code else None


def is_plugin_file(path: Path | None, folders: list[Path]) -> bool:
    """Whether the source file `path` is (part of) a plugin: a file in one
    of the PLUGIN_PATHS `folders`, or in a namespace plugin's folder."""
    if path is None:
        return False
    if any(path.is_relative_to(folder) for folder in folders):
        return True
    return any(
        path.is_relative_to(folder) and path.parent != folder
        for folder in NAMESPACE_FOLDERS
    )


# Where installed distributions live: a namespace folder outside them is a
# plugin installed editable (`pip install -e`), as this site's own are.
INSTALLED = [
    Path(sysconfig.get_path(name)).resolve() for name in ("purelib", "platlib")
]
EDITABLE_FOLDERS = [
    folder
    for folder in NAMESPACE_FOLDERS
    if not any(folder.is_relative_to(installed) for installed in INSTALLED)
]


def plugin_folders(settings: dict) -> list[Path]:
    """The folders of the plugins being worked on: the PLUGIN_PATHS of
    `settings` and the namespace plugins installed editable, resolved."""
    base = Path(settings.get("PATH", ".")).resolve()
    paths = [(base / folder).resolve() for folder in settings.get("PLUGIN_PATHS", [])]
    return [*paths, *EDITABLE_FOLDERS]


def disconnect_plugins(settings: dict) -> int:
    """Take every plugin's receivers off every signal (Pelican's and any
    other named blinker signal, such as a plugin's own); returns how many."""
    folders = plugin_folders(settings)
    taken = 0
    for signal in list(default_namespace.values()):
        for reference in list(signal.receivers.values()):
            receiver = reference() if isinstance(reference, weakref.ref) else reference
            if receiver is None:
                continue
            if is_plugin_file(_receiver_file(receiver), folders):
                signal.disconnect(receiver)
                taken += 1
    return taken


def forget_plugin_modules(settings: dict) -> None:
    """Drop the modules of the plugins being worked on, so the next build
    imports the code as it is on disk now (Pelican imports a plugin only if
    it is not loaded yet)."""
    folders = plugin_folders(settings)
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        # Only the project's own: a plugin installed from an index is not
        # being edited, and pelican-granular-signals must be imported once only
        # (it wraps Pelican's `finalized` signal when imported).
        if path and any(Path(path).resolve().is_relative_to(f) for f in folders):
            del sys.modules[name]


def forget_memos() -> None:
    """Empty Pelican's memos of rendered post bodies and summaries. They live
    on the class, keyed on the post, for the life of the process: without
    this a long-lived process keeps every post of every build."""
    for name in ("get_content", "get_summary"):
        vars(Content)[name].cache.clear()


def forget_memos_of(content) -> None:
    """Forget the rendered body and summary of one post (its body changed)."""
    for name in ("get_content", "get_summary"):
        cache = vars(Content)[name].cache
        for key in [key for key in cache if key and key[0] is content]:
            del cache[key]


def forget_logged_warnings() -> None:
    """Pelican logs a warning once per process; each build should warn again
    (an overdue part, a bad date)."""
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()


def prepare_fresh_build(settings: dict) -> None:
    """Everything above a build in a long-lived process needs before
    `Pelican(settings)` is made."""
    disconnect_plugins(settings)
    forget_memos()
    forget_logged_warnings()
