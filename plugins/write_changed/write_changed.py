"""Pelican's writer, leaving alone every file whose bytes would not change.

Pelican renders every page on every build, content cache or not, and
rewrites every file it renders. A rebuild of an unchanged site so gives
every page a new modification time, and costs a truncate and write for each
(on the benchmark's `tags` corpus about a fifth of a rebuild with the
content cache warm). This writer renders the same pages, then writes a file
only when what is on disk differs, as Pelican's issue #1043 asked: an
unchanged page keeps its modification time (and its `Last-Modified` on any
server that sends one), so sync tools and caches see only what changed.
"""

from __future__ import annotations

import io
import logging
import os

from pelican import signals
from pelican.writers import Writer

logger = logging.getLogger(__name__)


def write_if_changed(path: str, data: bytes) -> bool:
    """Write `data` to `path` unless the file holds exactly these bytes;
    True if it was written."""
    try:
        if os.path.getsize(path) == len(data):
            with open(path, "rb") as current:
                if current.read() == data:
                    return False
    except OSError:  # no such file yet (or unreadable): write it
        pass
    with open(path, "wb") as target:
        target.write(data)
    return True


class PendingFile(io.StringIO):
    """What Pelican writes to a file, held until the `with` block ends
    without an error, then written only if it changes the file."""

    def __init__(self, path: str, encoding: str):
        super().__init__()
        self.path = path
        self.target_encoding = encoding

    def __exit__(self, kind, error, traceback):
        # Text written as Pelican's open(path, "w") would: "\n" becomes the
        # platform's line separator.
        text = self.getvalue()
        self.close()
        if kind is None:
            if os.linesep != "\n":
                text = text.replace("\n", os.linesep)
            write_if_changed(self.path, text.encode(self.target_encoding))
        return False


class WriteChangedWriter(Writer):
    """Pelican's `Writer`, with files opened as a `PendingFile`."""

    def _open_w(self, filename, encoding, override=False):
        # Pelican's own checks and bookkeeping (4.12): a second write of one
        # file is an error unless `override` says which of them wins; the
        # loser goes to os.devnull. Those cases are left to Pelican; only
        # opening the file itself is deferred.
        written = filename in self._written_files
        if filename in self._overridden_files or (written and not override):
            return super()._open_w(filename, encoding, override)
        if written:
            logger.info('Overwriting "%s"', filename)
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return PendingFile(filename, encoding)


def get_writer(pelican):
    return WriteChangedWriter


def register():
    """Connect the plugin to Pelican's signals."""
    signals.get_writer.connect(get_writer)
