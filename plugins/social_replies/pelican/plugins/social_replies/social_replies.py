"""social_replies at build time: stored replies under each post.

Reads what `pelican-replies` stored (never the network): sets `article.replies`
on every post (render.py says what it holds), copies the avatars the pages
show into `replies/avatars/`, and hands static_hosting the `Link` header
that advertises WEBMENTION_ENDPOINT. Ships the partials that show it
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

from jinja2 import FileSystemLoader, TemplateError
from pelican import signals

from . import render, store
from .settings import check_settings

logger = logging.getLogger(__name__)

# Where the build's RepliesBuild is kept in the context (a fresh context
# every build, so `pelican --autoreload` never sees the last build's state).
CONTEXT_KEY = "social_replies_build"
# The static_hosting plugin's hook: headers for its rules of HTML pages.
PAGE_HEADERS_SETTING = "STATIC_HOSTING_PAGE_HEADERS"
_UNSAFE_IN_HEADER = re.compile(r'[\s\x00-\x1f\x7f<>"]')
PACKAGE = Path(__file__).parent
TEMPLATES_DIR = PACKAGE / "templates"
STATIC_DIR = PACKAGE / "static"
# The partials a theme includes, and where: (name, where it goes).
MAIN_PARTIAL = "social_replies/replies.html"
PARTIALS_TO_INCLUDE = (
    (MAIN_PARTIAL, "its article.html"),
    ("social_replies/head.html", "the <head> of its base.html"),
)
# An include tag (`{% include "a" %}`, `{%- include ["a", "b"] ignore
# missing %}`) and the template names quoted in it.
_INCLUDE_TAG = re.compile(r"\{%[-+]?\s*include\s(.*?)[-+]?%\}", re.DOTALL)
_QUOTED_NAME = re.compile(r"""["'](social_replies/[^"']+)["']""")
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


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
    and give static_hosting the `Link` header for WEBMENTION_ENDPOINT."""
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
    endpoint = settings["WEBMENTION_ENDPOINT"]
    # urlsplit (settings.followable) drops tabs and newlines before it looks:
    # such a value would start a new line of _headers.
    if endpoint and _UNSAFE_IN_HEADER.search(endpoint):
        logger.warning(
            "social_replies: WEBMENTION_ENDPOINT = %r holds spaces, control "
            'characters or <>"; using None',
            endpoint,
        )
        settings["WEBMENTION_ENDPOINT"] = endpoint = None
    if endpoint:
        # A new dict: never change one a settings file (or a default) shares.
        headers = dict(settings.get(PAGE_HEADERS_SETTING) or {})
        link = f'<{endpoint}>; rel="webmention"'
        if link not in headers.get("Link", ""):
            headers["Link"] = (
                f"{headers['Link']}, {link}" if "Link" in headers else link
            )
        settings[PAGE_HEADERS_SETTING] = headers
    # Pelican copies each THEME_STATIC_PATHS folder into THEME_STATIC_DIR:
    # the stylesheet lands in <THEME_STATIC_DIR>/social_replies/.
    paths = list(settings.get("THEME_STATIC_PATHS", ["static"]))
    if str(STATIC_DIR) not in paths:
        settings["THEME_STATIC_PATHS"] = [*paths, str(STATIC_DIR)]


def add_templates(generator) -> None:
    """Make the partials loadable, after the theme's templates (a theme's
    own social_replies/replies.html wins)."""
    loaders = generator.env.loader.loaders
    ours = str(TEMPLATES_DIR)
    if not any(ours in getattr(loader, "searchpath", ()) for loader in loaders):
        loaders.append(FileSystemLoader(ours))


def included_templates(env) -> set[str] | None:
    """This plugin's partials that templates other than its own include;
    None when the loader cannot list its templates.

    Read from the templates' text (with Jinja comments taken out), not
    parsed: parsing a theme's templates took a tenth of a second a build.
    """
    try:
        names = env.loader.list_templates()
    except TypeError:  # a loader that cannot list: assume all is well
        return None
    included = set()
    for name in names:
        # "!simple/..." and "!theme/..." are other names of the same files.
        if name.startswith(("social_replies/", "!")):
            continue
        try:
            source = env.loader.get_source(env, name)[0]
        except (TemplateError, OSError, UnicodeDecodeError):
            continue
        if "social_replies/" not in source:
            continue
        for tag in _INCLUDE_TAG.findall(_JINJA_COMMENT.sub("", source)):
            included.update(_QUOTED_NAME.findall(tag))
    return included


def warn_if_not_included(generator) -> None:
    """One warning naming the include lines to paste, when a published post
    has something to show and the theme includes the partials nowhere."""
    needed = any(
        article.replies.any
        or article.replies.reply_links
        or article.replies.webmention_endpoint
        for article in generator.articles
    )
    included = included_templates(generator.env) if needed else None
    if included is None or MAIN_PARTIAL in included:
        return
    missing = [
        f'add {{% include "{name}" %}} to {where}'
        for name, where in PARTIALS_TO_INCLUDE
        if name not in included
    ]
    logger.warning(
        'social_replies: the theme does not include "%s"; %s',
        MAIN_PARTIAL,
        " and ".join(missing),
    )


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
    signals.generator_init.connect(add_templates)
    signals.article_generator_finalized.connect(attach_replies)
    signals.article_writer_finalized.connect(copy_avatars)
