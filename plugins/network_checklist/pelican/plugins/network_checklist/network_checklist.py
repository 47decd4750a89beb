"""Pelican wiring for the network checklist.

- Markdown files are read by `ChecklistMarkdownReader`, Pelican's reader with
  the checklist extension added and told which file it is converting (a
  Markdown extension cannot know that by itself), so its warnings name the
  file and line. The reader records the ids of the checklists a file holds
  as the `checklists` metadata, which the theme uses to load the widget's
  script and stylesheet only where they are needed.
- The widget's files, in this package's `static/` folder, are added to
  `THEME_STATIC_PATHS`, so Pelican copies them to `<THEME_STATIC_DIR>/checklist/`.
- A post or page with checklists gets `off_page_html`, the function that
  turns its HTML into what may leave the page (each form a plain list and a
  link: see off_page.py), and, without a `Summary:`, an automatic summary
  made that way, so listings and share descriptions never show form labels.
"""

from __future__ import annotations

import logging
from pathlib import Path

from markdown import Markdown
from pelican import signals
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from .extension import ChecklistExtension
from .off_page import auto_summary, checklists_as_lists

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
# The priority Python-Markdown's meta extension registers its preprocessor at.
META_PRIORITY = 27


class ChecklistMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, with checklists and their source file named.

    Unlike Pelican's reader, it builds its Markdown instance (and loads the
    extensions) once, not once per file, and resets it between files as
    Python-Markdown intends: building one costs about as much as converting a
    short post.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._md = None
        self._extension = None
        self._meta = None

    def _markdown(self) -> Markdown:
        """The reader's Markdown instance, made on first use."""
        if self._md is None:
            self._extension = ChecklistExtension()
            settings = dict(self.settings["MARKDOWN"])
            settings["extensions"] = [*settings.get("extensions", []), self._extension]
            self._md = Markdown(**settings)
            # Pelican's reader always adds the meta extension.
            self._meta = self._md.preprocessors["meta"]
        return self._md

    def read(self, source_path):
        """Convert one file; returns (HTML, metadata) as Pelican's reader does."""
        self._source_path = source_path
        md = self._markdown()
        md.reset()
        self._extension.setConfig("source_path", source_path)
        # Pelican's _parse_metadata removes the meta preprocessor (so that
        # formatted fields keep their text): the next file needs it back.
        if "meta" not in md.preprocessors:
            md.preprocessors.register(self._meta, "meta", META_PRIORITY)
        with pelican_open(source_path) as text:
            content = md.convert(text)
        # Read before _parse_metadata: converting formatted metadata (the
        # summary) resets the extension.
        checklist_ids = self._extension.checklist_ids
        metadata = self._parse_metadata(md.Meta) if hasattr(md, "Meta") else {}
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


def plain_off_the_page(content) -> None:
    """Have a post or page with checklists show them as lists off its page."""
    if not getattr(content, "checklists", None):
        return
    # Called by the feeds plugin (and any plugin that sends the post's HTML
    # elsewhere) on the HTML it got from `get_content()`.
    content.off_page_html = checklists_as_lists
    if "summary" not in content.metadata:
        # Pelican would cut its summary from the page's HTML, form and all.
        # `_content` is that HTML before links are resolved: the summary's
        # links are resolved with the other metadata's, once every file is read.
        summary = auto_summary(content._content, content.settings)
        content.metadata["summary"] = content._summary = summary


def register():
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(add_static_files)
    signals.readers_init.connect(use_checklist_reader)
    signals.content_object_init.connect(plain_off_the_page)
