"""social_replies at build time: stored replies under each post.

Reads what `pelican-replies` stored (never the network): sets `article.replies`
on every post (render.py says what it holds), copies the avatars the pages
show into `replies/avatars/`, and hands static_hosting the `Link` header
that advertises REPLIES_WEBMENTION_ENDPOINT. Ships the partials that show it
(templates/social_replies/, loadable after the theme's own templates, so a
theme may override them) and their stylesheet (static/social_replies/,
copied into the theme's static folder), and warns once per build when a
post has something to show and the theme does not include the main partial.
See README.md.
"""

from __future__ import annotations

import filecmp
import logging
import re
import shutil
from pathlib import Path

from pelican import signals
from pelican_plugin_kit import PluginFiles

from . import render, store
from .settings import check_settings

logger = logging.getLogger(__name__)

# Where the build's RepliesBuild is kept in the context (a fresh context
# every build, so `pelican --autoreload` never sees the last build's state).
CONTEXT_KEY = "social_replies_build"
# The static_hosting plugin's hook: headers for its rules of HTML pages.
PAGE_HEADERS_SETTING = "STATIC_HOSTING_PAGE_HEADERS"
_UNSAFE_IN_HEADER = re.compile(r'[\s\x00-\x1f\x7f<>"]')
# The partials and their stylesheet. A theme includes the replies in its
# article.html (the main partial) and the head partial in its <head>.
FILES = PluginFiles(
    "social_replies",
    Path(__file__).resolve().parent,
    "replies.html",
    where="its article.html",
)
HEAD_PARTIAL = "social_replies/head.html"
# The partials' folder, for code that renders them outside a build.
TEMPLATES_DIR = FILES.templates


class RepliesBuild:
    """One build's stored replies: which posts have some, what hide.txt
    hides, and the avatars the pages show."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.folder = Path(settings["PATH"]) / settings["REPLIES_PATH"]
        self.avatars_folder = self.folder / store.AVATARS
        self.stored: dict[str, Path] = {}
        if self.folder.is_dir():
            self.stored = {path.stem: path for path in self.folder.glob("*.json")}
        self.hidden = self._read_hidden()
        self.avatar_files: set[str] = set()

    def _read_hidden(self) -> set[str]:
        try:
            return store.read_hidden(self.folder)
        except (OSError, UnicodeDecodeError) as error:
            logger.warning(
                "social_replies: %s cannot be read (%s); nothing is hidden",
                self.folder / store.HIDE_FILE,
                error,
            )
            return set()

    def _stored_data(self, slug: str) -> tuple[dict | None, Path | None]:
        path = self.stored.get(slug)
        if path is None:
            return None, None
        try:
            return store.load(path), path
        except store.StoredDataError as error:
            logger.warning(
                "social_replies: %s; the post shows no stored replies", error
            )
            return None, path

    def replies_for(self, article, *, stored: bool = True) -> render.PostReplies:
        """`article.replies`: from its stored file when `stored` (a
        published post), else only the ways to reply."""
        data, path = self._stored_data(article.slug) if stored else (None, None)
        siteurl = self.settings.get("SITEURL", "")
        target = (
            f"{siteurl.rstrip('/')}/{article.url}"
            if siteurl.startswith(("http://", "https://"))
            else f"/{article.url}"
        )
        self._check_links(article)
        replies = render.post_replies(
            data,
            path=path,
            hidden=self.hidden,
            avatars_folder=self.avatars_folder,
            settings=self.settings,
            metadata=article.metadata,
            target=target,
        )
        self.avatar_files.update(replies.avatar_files)
        return replies

    def _check_links(self, article) -> None:
        for key, label in (("mastodon", "Mastodon"), ("bluesky", "Bluesky")):
            value = article.metadata.get(key)
            if value and not render.https_url(value):
                logger.warning(
                    "social_replies: %s: %s %r is not an https address; "
                    "no reply link is shown",
                    article.source_path,
                    label,
                    value,
                    extra={"limit_msg": "More posts with unusable reply links"},
                )

    def copy_avatars(self, output_path: str) -> None:
        """Copy the avatars the pages show (and only those) into the output."""
        for name in sorted(self.avatar_files):
            source = self.avatars_folder / name
            target = Path(output_path) / render.AVATARS_SAVE_AS.format(name=name)
            if target.is_file() and filecmp.cmp(source, target, shallow=False):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def initialize(pelican) -> None:
    """Check the settings once, keep the stored replies out of the posts,
    and give static_hosting the `Link` header for REPLIES_WEBMENTION_ENDPOINT."""
    settings = check_settings(pelican.settings)
    folder = settings["REPLIES_PATH"].strip("/")
    for excludes in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES", "STATIC_EXCLUDES"):
        if folder not in settings.setdefault(excludes, []):
            settings[excludes] = [*settings[excludes], folder]
    if settings["REPLIES_MAX_DEPTH"] > render.MAX_NESTING:
        logger.warning(
            "social_replies: REPLIES_MAX_DEPTH = %d; replies nest at most %d deep",
            settings["REPLIES_MAX_DEPTH"],
            render.MAX_NESTING,
        )
    endpoint = settings["REPLIES_WEBMENTION_ENDPOINT"]
    # urlsplit (settings.followable) drops tabs and newlines before it looks:
    # such a value would start a new line of _headers.
    if endpoint and _UNSAFE_IN_HEADER.search(endpoint):
        logger.warning(
            "social_replies: REPLIES_WEBMENTION_ENDPOINT = %r holds spaces, control "
            'characters or <>"; using None',
            endpoint,
        )
        settings["REPLIES_WEBMENTION_ENDPOINT"] = endpoint = None
    if endpoint:
        # A new dict: never change one a settings file (or a default) shares.
        headers = dict(settings.get(PAGE_HEADERS_SETTING) or {})
        link = f'<{endpoint}>; rel="webmention"'
        if link not in headers.get("Link", ""):
            headers["Link"] = (
                f"{headers['Link']}, {link}" if "Link" in headers else link
            )
        settings[PAGE_HEADERS_SETTING] = headers


def warn_if_not_included(generator) -> None:
    """One warning naming the include lines to paste, when a published post
    has something to show and the theme includes the partials nowhere."""
    needed = any(
        article.replies.any
        or article.replies.reply_links
        or article.replies.webmention_endpoint
        for article in generator.articles
    )
    if not needed or FILES.theme_includes(generator.env):
        return
    # A theme without the replies may lack the head partial too: one warning
    # gives both lines.
    advice = ""
    if not FILES.theme_includes(generator.env, HEAD_PARTIAL):
        advice = (
            f'nor "{HEAD_PARTIAL}": add {FILES.include_line(HEAD_PARTIAL)} '
            "to the <head> of its base.html"
        )
    FILES.warn_if_theme_lacks(generator.env, logger, advice=advice)


def _build(generator) -> RepliesBuild:
    state = generator.context.get(CONTEXT_KEY)
    if state is None:
        # Filled in at `initialized` in a build; a generator made without
        # Pelican (another plugin's tests) gets the defaults here too.
        state = RepliesBuild(check_settings(generator.settings))
        generator.context[CONTEXT_KEY] = state
    return state


def attach_replies(generator) -> None:
    """`article.replies` on every post: stored replies for published ones,
    the invitation alone for drafts and translations (their addresses are
    not the ones replies were fetched for)."""
    state = _build(generator)
    for article in [*generator.articles, *generator.hidden_articles]:
        article.replies = state.replies_for(article)
    others = [
        *generator.translations,
        *generator.hidden_translations,
        *generator.drafts,
        *generator.drafts_translations,
    ]
    for article in others:
        article.replies = state.replies_for(article, stored=False)
    warn_if_not_included(generator)


def copy_avatars(generator, writer) -> None:
    """Copy the shown avatars once the posts are written."""
    _build(generator).copy_avatars(generator.output_path)


def register():
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(initialize)
    # Pelican copies each THEME_STATIC_PATHS folder into THEME_STATIC_DIR:
    # the stylesheet lands in <THEME_STATIC_DIR>/social_replies/.
    signals.initialized.connect(FILES.add_static)
    signals.generator_init.connect(FILES.add_templates)
    signals.article_generator_finalized.connect(attach_replies)
    signals.article_writer_finalized.connect(copy_avatars)
