"""Pelican wiring for the network checklist.

- Markdown files are read by `ChecklistMarkdownReader`, Pelican's reader with
  the checklist extension added and told which file it is converting (a
  Markdown extension cannot know that by itself), so its warnings name the
  file and line. The reader records the ids of the checklists a file holds
  as the `checklists` metadata, which the theme uses to load the widget's
  script and stylesheet only where they are needed.
- The widget's files, in this package's `static/` folder, are added to
  `THEME_STATIC_PATHS`, so Pelican copies them to `<THEME_STATIC_DIR>/checklist/`.
- The package's `templates/` folder is added to every generator's Jinja
  loader, after the theme's: a theme includes
  `{% include "network_checklist/head.html" %}` in its <head> to load those
  files where a checklist is. Any written page that shows a checklist form
  but does not load them (a theme without that line, a listing that shows a
  post's whole content) gets the same <link> and <script> in its first
  form, so the widget works in any theme; a theme without the line also
  gets one warning per build saying how to load them from its <head>.
- A post or page with checklists gets `off_page_html`, the function that
  turns its HTML into what may leave the page (each form a plain list and a
  link: see off_page.py), and, without a `Summary:`, an automatic summary
  made that way, so listings and share descriptions never show form labels.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from markdown import Markdown
from pelican import signals
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open
from pelican_plugin_kit import PluginFiles

from .extension import ChecklistExtension
from .off_page import auto_summary, checklists_as_lists

logger = logging.getLogger(__name__)

# The partials and the widget's files. The head partial is the one a theme
# includes in its <head>; without it the checklist still works (the files
# load from the page body), so the warning is advice.
FILES = PluginFiles(
    "network_checklist",
    Path(__file__).resolve().parent,
    "head.html",
    where="the theme's <head> to load them there",
)
ASSETS_PARTIAL = "network_checklist/assets.html"
FORM_START = re.compile(r'<form class="checklist"[^>]*>')
# Where a build keeps what it knows about the theme, in its context (a new
# dict for every build, so nothing outlives it: autoreload builds again).
BUILD_KEY = "network_checklist_build"
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


class ThemeSupport:
    """What one build knows of its theme (does it load the widget's files
    from its <head>?), and the Jinja environment that renders the files'
    lines for the pages where it does not."""

    def __init__(self, env):
        self.env = env
        self.theme_loads_files = FILES.theme_includes(env)
        self.warned = False

    def add_files(self, path: str, context: dict) -> None:
        """Put the widget's <link> and <script> in the first checklist form
        of the page just written at `path`, if it shows one and does not load
        them already (a theme without the head partial, or a listing that
        shows a post's whole content).

        Both are valid in a page's body (a stylesheet link is "body-ok", and
        a module script runs once however often the page names it). Their
        URLs are the theme's own: made with this page's SITEURL (relative to
        it with RELATIVE_URLS) and fingerprinted when static_hosting is on.
        """
        page = Path(path)
        html = page.read_text(encoding="utf-8")
        form = FORM_START.search(html)
        script = f"{context['THEME_STATIC_DIR']}/checklist/checklist.js"
        if form is None or script in html:
            return
        files = self.env.get_template(ASSETS_PARTIAL).render(context).strip()
        page.write_text(
            f"{html[: form.end()]}\n{files}{html[form.end() :]}", encoding="utf-8"
        )
        if not self.theme_loads_files and not self.warned:
            self.warned = True
            content = context.get("article") or context.get("page")
            first = getattr(content, "source_path", None) or path
            FILES.warn_if_theme_lacks(
                self.env,
                logger,
                advice="the checklist still works, loading its stylesheet and"
                f" script from the page body, first in {first}",
            )


def add_templates(generator) -> None:
    """Make the plugin's partials loadable, after the theme's own templates
    (so that a theme may override one), and learn whether the theme loads
    the widget's files."""
    FILES.add_templates(generator)
    if BUILD_KEY not in generator.context:
        generator.context[BUILD_KEY] = ThemeSupport(generator.env)


def shown_content(context: dict) -> list:
    """The posts and pages a written page renders: its own, or a listing's
    (a theme may show a whole post there, checklist and all)."""
    own = context.get("article") or context.get("page")
    if own is not None:
        return [own]
    return list(getattr(context.get("articles_page"), "object_list", ()))


def add_files_to_page(path, context) -> None:
    """Have a written page that shows a checklist load the widget's files.
    Only a page that renders content with checklists is read back: on the
    rest (most pages of most builds) this costs no I/O."""
    support = context.get(BUILD_KEY)
    if support is not None and any(
        getattr(content, "checklists", None) for content in shown_content(context)
    ):
        support.add_files(path, context)


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
    signals.initialized.connect(FILES.add_static)
    signals.generator_init.connect(add_templates)
    signals.readers_init.connect(use_checklist_reader)
    signals.content_object_init.connect(plain_off_the_page)
    signals.content_written.connect(add_files_to_page)
