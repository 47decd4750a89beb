"""Pelican wiring for the network checklist.

- Markdown files are read by `ChecklistMarkdownReader`, Pelican's reader with
  the checklist extension added and told which file it is converting (a
  Markdown extension cannot know that by itself), so its warnings name the
  file and line. The reader records the ids of the checklists a file holds
  as the `checklists` metadata, which the theme uses to load the widget's
  script and stylesheet only where they are needed.
- The widget's files, in this package's `static/` folder, are added to
  `THEME_STATIC_PATHS`, so Pelican copies them to `<THEME_STATIC_DIR>/checklist/`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from markdown import Markdown
from pelican import signals
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from .extension import ChecklistExtension

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


class ChecklistMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, with checklists and their source file named."""

    def read(self, source_path):
        """Convert one file; returns (HTML, metadata) as Pelican's reader does."""
        self._source_path = source_path
        settings = dict(self.settings["MARKDOWN"])
        extension = ChecklistExtension(source_path=source_path)
        settings["extensions"] = [*settings.get("extensions", []), extension]
        self._md = Markdown(**settings)
        with pelican_open(source_path) as text:
            content = self._md.convert(text)
        # Read before _parse_metadata: converting formatted metadata (the
        # summary) resets the extension.
        checklist_ids = extension.checklist_ids
        metadata = (
            self._parse_metadata(self._md.Meta) if hasattr(self._md, "Meta") else {}
        )
        if checklist_ids:
            metadata["checklists"] = checklist_ids
        return content, metadata


def use_checklist_reader(readers) -> None:
    """Read Markdown with the checklist reader, unless READERS chose another."""
    for extension, reader_class in list(readers.reader_classes.items()):
        if reader_class is MarkdownReader:
            readers.reader_classes[extension] = ChecklistMarkdownReader


def add_static_files(pelican) -> None:
    """Have Pelican copy the widget's script and stylesheet with the theme's."""
    paths = list(pelican.settings.get("THEME_STATIC_PATHS", ["static"]))
    if str(STATIC_DIR) not in paths:
        # A new list: never append to one shared with other builds.
        pelican.settings["THEME_STATIC_PATHS"] = [*paths, str(STATIC_DIR)]


def register():
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(add_static_files)
    signals.readers_init.connect(use_checklist_reader)
