"""Pelican wiring for responsive images.

- At `initialized`: the settings are checked, and the stylesheet's folder is
  added to THEME_STATIC_PATHS (Pelican copies it with the theme's files).
- At `generator_init`: the partials become loadable, after the theme's.
- At `article_generator_finalized` and `page_generator_finalized`, once
  every post and page has been read (and Pelican's content cache saved, so
  the rewritten HTML never goes into it): each body's images are resized
  (or found in the image cache) and rewritten as `<picture>`s, and the post
  gets `responsive_images`, the list of its image sets, for templates.
- At `static_generator_finalized`: the originals of resized images are
  taken out of the static files, so Pelican never copies them; a photo that
  is still copied as it is and holds a GPS position is warned about.
- At `all_generators_finalized`: one warning if the theme lacks the head
  partial on a site with resized images.
- At `content_object_init`, once the build is over: a post read again with
  the build's context (a preview server's fast render) is rewritten at once.

Per-build state lives in an `ImageBuild` kept in the build's context, which
Pelican makes anew for every build (autoreload included).
"""

from __future__ import annotations

import logging
import os
import re
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pelican import signals
from pelican.contents import Article, Page
from pelican_plugin_kit import PluginFiles
from PIL import Image

from .images import (
    PROCESSED_SUFFIXES,
    AnimatedImageError,
    ImageCache,
    ImageSet,
    UnreadableImageError,
)
from .markup import BodyImages, Found, Untouched, resolve_markers
from .settings import check_settings, read_config

logger = logging.getLogger(__name__)

# The partial (and its stylesheet) a theme includes in its <head>.
FILES = PluginFiles(
    "responsive_images",
    Path(__file__).resolve().parent,
    "head.html",
    where="the <head> of its base.html (it sizes the images and styles their captions)",
)
STATE_KEY = "responsive_images_build"
# Images a browser shows that are not resized, but whose size can be read.
OTHER_RASTER_SUFFIXES = frozenset({".gif", ".bmp", ".ico"})
# Copied photos checked for a GPS position. (PNG is left out: Pillow may
# have to decode a PNG to find its EXIF.)
GPS_CHECKED_SUFFIXES = frozenset({".jpg", ".jpeg", ".webp", ".avif", ".tif", ".tiff"})
GPS_IFD = 0x8825
# Where a URL is not an image of the site (an external address, data: URL).
NOT_LOCAL = object()

ARTICLE_LISTS = (
    "articles",
    "translations",
    "drafts",
    "drafts_translations",
    "hidden_articles",
    "hidden_translations",
)
PAGE_LISTS = (
    "pages",
    "translations",
    "hidden_pages",
    "hidden_translations",
    "draft_pages",
    "draft_translations",
)


class ImageBuild:
    """What one build has resized, and the cache it resizes through."""

    def __init__(self, settings: dict):
        self.config = read_config(settings)
        self.relative_urls = bool(settings.get("RELATIVE_URLS"))
        self.content_root = Path(settings["PATH"]).resolve()
        self.cache = ImageCache(self.config, settings)
        self.intrasite = re.compile(
            settings.get("INTRASITE_LINK_REGEX", r"[{|](?P<what>.*?)[|}]")
        )
        # Source file -> its set, Untouched, or None (left as it is).
        self.found: dict[Path, Found] = {}
        # Every post and page of the build has been rewritten: a post read
        # again after that (a preview's fast render) is rewritten at once.
        self.finished = False

    @property
    def resized_sources(self) -> set[str]:
        return {
            os.path.realpath(path)
            for path, found in self.found.items()
            if isinstance(found, ImageSet)
        }

    def locate(self, url: str, content) -> Path | object | None:
        """The content file a URL in `content` names: a Path, NOT_LOCAL, or
        None when it names no file in the content folder."""
        value = unescape(url).strip()
        marker = self.intrasite.match(value)
        if marker:
            if marker.group("what") not in ("static", "attach", "filename"):
                return NOT_LOCAL
            value = value[marker.end() :]
            relative_first = False
        else:
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or value.startswith("//"):
                return NOT_LOCAL
            relative_first = True
        path = unquote(urlsplit(value).path)
        if not path:
            return NOT_LOCAL  # a fragment or query only
        if path.startswith("/"):
            candidates = [self.content_root / path.lstrip("/")]
        else:
            # As Pelican resolves {static}: from the post's folder. A plain
            # relative path may also be written from the content folder, as
            # `Share_image:` is.
            candidates = [self.content_root / content.relative_dir / path]
            if relative_first:
                candidates.append(self.content_root / path)
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved.is_relative_to(self.content_root) and resolved.is_file():
                return resolved
        return None

    def resize(self, source: Path, content) -> Found:
        """The set of a photo, made once per build whoever asks."""
        if source not in self.found:
            try:
                self.found[source] = self.cache.image_set(source)
            except AnimatedImageError:
                # Shown as it is (every frame), sized and lazy like the rest.
                self.found[source] = Untouched(*_size(source))
            except UnreadableImageError as error:
                logger.warning(
                    "responsive_images: %s (in %s) is left as it is: %s",
                    _shown(source, self.content_root),
                    content.source_path,
                    error,
                )
                self.found[source] = None
            except OSError as error:
                logger.warning(
                    "responsive_images: %s (in %s) cannot be read (%s); left as it is",
                    _shown(source, self.content_root),
                    content.source_path,
                    error,
                )
                self.found[source] = None
        return self.found[source]

    def rewrite(self, content) -> None:
        """Resize the images of one post or page and rewrite its HTML."""
        body = getattr(content, "_content", None)
        if not body or (
            "<img" not in body and "<IMG" not in body and "href" not in body
        ):
            return

        def find_image(src: str) -> Found:
            located = self.locate(src, content)
            if located is NOT_LOCAL:
                return Untouched()
            if located is None:
                logger.warning(
                    "responsive_images: image %r in %s is not a file in the "
                    "content folder; left as it is",
                    src,
                    _where(content, src),
                    extra={
                        "limit_msg": "responsive_images: more images are not "
                        "files in the content folder"
                    },
                )
                return None
            suffix = located.suffix.lower()
            if suffix in PROCESSED_SUFFIXES:
                return self.resize(located, content)
            if suffix in OTHER_RASTER_SUFFIXES:
                return Untouched(*_size(located))
            return Untouched()

        def find_link(href: str) -> ImageSet | None:
            if not href.lower().endswith(tuple(PROCESSED_SUFFIXES)):
                return None
            located = self.locate(href, content)
            if not isinstance(located, Path):
                return None
            found = self.resize(located, content)
            return found if isinstance(found, ImageSet) else None

        images = BodyImages(
            find_image, find_link, self.config.sizes, self.config.max_density
        )
        rewritten = images.rewrite(body)
        if rewritten == body:
            return
        content._content = rewritten
        content.responsive_images = images.image_sets
        if not isinstance(vars(content).get("_update_content"), _LinksWithImages):
            content._update_content = _LinksWithImages(
                content._update_content, self.relative_urls
            )


class _LinksWithImages:
    """Pelican's link replacement for one post, with the resized images'
    URLs made first: Pelican replaces one `{static}` link per tag, and
    none in `srcset`."""

    def __init__(self, replace_links, relative_urls: bool):
        self.replace_links = replace_links
        self.relative_urls = relative_urls

    def __call__(self, body: str, siteurl: str) -> str:
        return self.replace_links(
            resolve_markers(body, siteurl, self.relative_urls), siteurl
        )


def _size(path: Path) -> tuple[int | None, int | None]:
    """An image file's size, read from its header; (None, None) if unreadable."""
    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None, None


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _where(content, needle: str) -> str:
    """The post's file, with the line that holds `needle` where it is found."""
    source = content.source_path
    try:
        with open(source, encoding="utf-8") as file:
            for number, line in enumerate(file, start=1):
                if needle in line or unescape(needle) in line:
                    return f"{source}:{number}"
    except (OSError, UnicodeDecodeError):
        pass
    return str(source)


def _state(generator) -> ImageBuild:
    """The build's ImageBuild, made by the first generator that asks."""
    state = generator.context.get(STATE_KEY)
    if state is None:
        state = generator.context[STATE_KEY] = ImageBuild(generator.settings)
    return state


def check(pelican) -> None:
    """Check the settings, and have Pelican copy the stylesheet."""
    check_settings(pelican.settings)
    FILES.add_static(pelican)


def rewrite_articles(generator) -> None:
    state = _state(generator)
    for name in ARTICLE_LISTS:
        for article in getattr(generator, name, []):
            state.rewrite(article)


def rewrite_pages(generator) -> None:
    state = _state(generator)
    for name in PAGE_LISTS:
        for page in getattr(generator, name, []):
            state.rewrite(page)


def rewrite_read_again(content) -> None:
    """Rewrite a post read again once its build is over, with that build's
    context (a preview server's fast render): reading it gives the body the
    full build gave it. During a build, the generators' signals do it."""
    context = getattr(content, "_context", None) or {}
    state = context.get(STATE_KEY)
    if state is not None and state.finished and isinstance(content, (Article, Page)):
        state.rewrite(content)


def keep_originals_out(generator) -> None:
    """Take resized originals out of the static files; warn of GPS in the rest."""
    state = generator.context.get(STATE_KEY)
    resized = state.resized_sources if state else set()
    kept = []
    for static in generator.staticfiles:
        if os.path.realpath(static.source_path) in resized:
            generator.context["static_content"].pop(
                static.get_relative_source_path(), None
            )
        else:
            kept.append(static)
            _warn_of_position(static.source_path)
    # In place: the context holds the same list, which Pelican copies from.
    generator.staticfiles[:] = kept
    if state:
        state.finished = True
    if state and state.found:
        logger.info(
            "responsive_images: %d images resized "
            "(%d files encoded, %d from the cache)",
            len(resized),
            state.cache.encoded,
            state.cache.reused,
        )


def _warn_of_position(path: str) -> None:
    """Warn when a photo copied as it is tells where it was taken."""
    if Path(path).suffix.lower() not in GPS_CHECKED_SUFFIXES:
        return
    try:
        with Image.open(path) as image:
            position = image.getexif().get_ifd(GPS_IFD)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return
    if position:
        logger.warning(
            "responsive_images: %s is copied as it is and its EXIF data holds "
            "the GPS position where it was taken; show it in a post (resized "
            "copies carry no metadata) or remove the position",
            path,
        )


def check_theme(generators) -> None:
    """One warning a build when the theme lacks the partial and pages need it."""
    articles = next((g for g in generators if hasattr(g, "drafts")), None)
    if articles is None:
        return
    state = articles.context.get(STATE_KEY)
    if state and state.resized_sources:
        FILES.warn_if_theme_lacks(articles.env, logger)


def register():
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(check)
    signals.generator_init.connect(FILES.add_templates)
    signals.article_generator_finalized.connect(rewrite_articles)
    signals.page_generator_finalized.connect(rewrite_pages)
    signals.static_generator_finalized.connect(keep_originals_out)
    signals.content_object_init.connect(rewrite_read_again)
    signals.all_generators_finalized.connect(check_theme)
