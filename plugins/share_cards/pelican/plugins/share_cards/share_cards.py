"""Share cards: a card image and share links for every page, as plain data.

After every generator has built its context (`all_generators_finalized`), the
plugin decides which card each page gets and attaches plain data:

- `share_image` (a `ShareImage`: URL, size, type, alt text) on every post,
  draft, page, series (series_nav) and author (author_bios' author pages),
  and the site's own card as `share_site_image` in the context, for home,
  listings and every other page;
- `share_links` (a list of `ShareLink`), `share_title` and `share_url` (the
  page's address) on published posts and series.

The plugin's partials turn them into Open Graph and Twitter metadata
(`templates/share_cards/head.html`) and share links
(`templates/share_cards/links.html`); every generator can load them, after
the theme's own templates (so a theme may override one). Their script and
stylesheet (`static/share_cards/`) are copied with the theme's static files.
The cards themselves are drawn by `cards.py` and written by
`ShareCardsGenerator` with the rest of the output; a card is drawn only when
what shapes it changes (a cache keyed on its inputs, outside output/), and
the output gets a hard link to the cached file (a copy where it cannot link).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import posixpath
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pelican import signals
from pelican.generators import Generator
from pelican_plugin_kit import PluginFiles
from PIL import ImageColor

from .cards import CARD_SIZE, DEFAULT_PALETTE, Card, CardAuthor, CardCache

logger = logging.getLogger(__name__)

DEFAULTS = {
    # Where drawn cards are kept between builds (survives `make clean`).
    # None: a `share-cards` folder in Pelican's CACHE_PATH.
    "SHARE_CARDS_CACHE_PATH": None,
    # og:locale; None: DEFAULT_LANG ("en-GB" becomes "en_GB").
    "SHARE_CARDS_LOCALE": None,
    # twitter:site, the site's own account ("@name"); None: left out.
    "SHARE_CARDS_TWITTER_SITE": None,
    # Colours of the cards: a dict of Palette fields to override the theme's.
    "SHARE_CARDS_COLOURS": {},
}
# Metadata a post or page may set: its own card image and its alt text.
IMAGE_KEY = "share_image"
IMAGE_ALT_KEY = "share_image_alt"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
SITE_CARD_SAVE_AS = "card.png"
STATE_KEY = "share_cards_build"
AVATAR_HUES = 6  # as author_bios' initials avatars
# The partials, their script and stylesheet; the head is the partial a theme
# must include for pages to carry their cards.
FILES = PluginFiles(
    "share_cards",
    Path(__file__).resolve().parent,
    "head.html",
    where="the <head> of its base.html",
)


@dataclass(frozen=True)
class ShareImage:
    """A page's card, as the Open Graph tags describe it."""

    url: str  # relative to SITEURL
    alt: str
    width: int = CARD_SIZE[0]
    height: int = CARD_SIZE[1]
    type: str = "image/png"


@dataclass(frozen=True)
class ShareLink:
    """One "share on ..." link: `network` names its icon and CSS class."""

    network: str
    label: str
    href: str


def card_save_as(save_as: str) -> str:
    """Where a page's card is written: beside the page (`posts/x/card.png`)."""
    folder, slash, name = save_as.rpartition("/")
    if name == "index.html":
        name = "card.png"
    else:
        name = posixpath.splitext(name)[0] + "-card.png"
    return folder + slash + name


def share_links(title: str, url: str) -> list[ShareLink]:
    """Plain share links for a page: no script, no tracking parameters."""
    # Every character but unreserved ones percent-encoded: "&", "#", "="
    # and "/" too, and a space as %20 (mailto: reads "+" as a plus sign).
    # Quoted once a page, then put where each network wants them.
    text, address = quote(title, safe=""), quote(url, safe="")
    return [
        ShareLink("x", "X", f"https://x.com/intent/post?text={text}&url={address}"),
        ShareLink(
            "linkedin",
            "LinkedIn",
            f"https://www.linkedin.com/sharing/share-offsite/?url={address}",
        ),
        ShareLink(
            "bluesky",
            "Bluesky",
            f"https://bsky.app/intent/compose?text={text}%20{address}",
        ),
        ShareLink("email", "E-mail", f"mailto:?subject={text}&body={address}"),
    ]


def mastodon_share_url(server: str, text: str) -> str:
    """The share address on a reader's Mastodon server (the widget does the
    same in the browser; tests compare the two)."""
    return f"https://{server}/share?text={quote(text, safe='')}"


def _card_author(author) -> CardAuthor:
    profile = getattr(author, "profile", None)
    if profile is not None:
        return CardAuthor(
            name=profile.name,
            initials=profile.initials,
            hue=profile.avatar_hue,
            avatar=profile.avatar_source,
        )
    letters = [word[0] for word in author.name.split() if word[0].isalnum()]
    initials = (
        letters[0] + letters[-1] if len(letters) > 1 else "".join(letters)
    ) or "?"
    return CardAuthor(
        name=author.name,
        initials=initials.upper(),
        hue=zlib.crc32(author.slug.encode("utf-8")) % AVATAR_HUES,
        avatar=None,
    )


def _card_authors(authors) -> tuple[CardAuthor, ...]:
    """The named authors of a card (a site without AUTHOR has nameless ones)."""
    return tuple(_card_author(author) for author in authors if author.name)


def _names(authors: tuple[CardAuthor, ...]) -> str:
    names = [author.name for author in authors]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _plain(text) -> str:
    """Metadata text without markup (Markup.striptags), or str as it is."""
    striptags = getattr(text, "striptags", None)
    return striptags() if striptags else str(text)


class BuildCards:
    """The cards of one build: what to write where, and the drawing cache.

    Lives in the build's context (Pelican makes a fresh context for every
    run), so `pelican --autoreload` never sees the last build's cards.
    """

    def __init__(self, settings: dict):
        self.settings = settings
        self.site_name = settings["SITENAME"]
        self.site_url = settings["SITEURL"]
        self.content_root = Path(settings["PATH"]).resolve()
        palette = dataclasses.replace(
            DEFAULT_PALETTE, **settings["SHARE_CARDS_COLOURS"]
        )
        self.cache = CardCache(Path(settings["SHARE_CARDS_CACHE_PATH"]), palette)
        self.jobs: dict[str, Card] = {}  # output path -> the card to write there
        self.linking = True  # False once the output proved unable to hard-link

    def add(self, save_as: str, card: Card, alt: str) -> ShareImage:
        target = card_save_as(save_as)
        self.jobs[target] = card
        return ShareImage(url=target, alt=alt)

    def alt_text(self, card: Card) -> str:
        """What the drawn card says, for readers who cannot see it."""
        parts = [card.title]
        if card.kicker:
            parts.append(card.kicker)
        if card.authors:
            parts.append("by " + _names(card.authors))
        parts.append(self.site_name)
        return "Card: " + " · ".join(parts)

    def page_url(self, url: str) -> str:
        return f"{self.site_url}/{url}"

    def own_image(self, content) -> Path | None:
        """The local image a post names as its card, if it is usable."""
        value = content.metadata.get(IMAGE_KEY)
        if not value:
            return None
        value = str(value).strip()
        path = (self.content_root / value.lstrip("/")).resolve()
        if (
            "://" in value
            or not path.is_relative_to(self.content_root)
            or path.suffix.lower() not in IMAGE_SUFFIXES
            or not path.is_file()
        ):
            logger.warning(
                "share_cards: Share_image %r in %s is not an image file (%s) "
                "inside the content folder; drawing the card instead",
                value,
                content.source_path,
                " ".join(IMAGE_SUFFIXES),
            )
            return None
        return path

    def for_content(self, content) -> None:
        """A post's, draft's or page's card (and a post's share links)."""
        series = getattr(content, "series", None)
        kicker = None
        if series:
            kicker = f"Part {series['position']} of {series['total']}: {series['name']}"
        card = Card(
            title=_plain(content.title),
            site_name=self.site_name,
            kicker=kicker,
            authors=_card_authors(getattr(content, "authors", ())),
            image=self.own_image(content),
            source=content.source_path,
        )
        alt = content.metadata.get(IMAGE_ALT_KEY) if card.image else None
        content.share_image = self.add(
            content.save_as, card, _plain(alt) if alt else self.alt_text(card)
        )

    def for_post(self, article) -> None:
        self.for_content(article)
        self.links(article, _plain(article.title), article.url)

    def links(self, item, title: str, url: str) -> None:
        item.share_title = title
        item.share_url = self.page_url(url)
        item.share_links = share_links(title, item.share_url)

    def for_series(self, series) -> None:
        authors = {}
        for part, _url in series.contents:
            for author in getattr(part, "authors", ()):
                authors.setdefault(author.slug, author)
        total = series.total
        card = Card(
            title=series.name,
            site_name=self.site_name,
            kicker=f"Series in {total} part{'s' if total != 1 else ''}",
            authors=_card_authors(authors.values()),
        )
        series.share_image = self.add(series.save_as, card, self.alt_text(card))
        self.links(series, series.name, series.url)

    def for_author(self, author) -> None:
        profile = getattr(author, "profile", None)
        card_author = _card_author(author)
        card = Card(
            title=card_author.name,
            site_name=self.site_name,
            kicker=(profile.role if profile and profile.role else "Author"),
            authors=(card_author,),
        )
        author.share_image = self.add(author.save_as, card, self.alt_text(card))

    def for_site(self) -> ShareImage:
        card = Card(
            title=self.settings.get("SITESUBTITLE") or self.site_name,
            site_name=self.site_name,
        )
        self.jobs[SITE_CARD_SAVE_AS] = card
        return ShareImage(url=SITE_CARD_SAVE_AS, alt=self.alt_text(card))

    def write(self, output_path: str) -> None:
        """Write every card into the output, drawing only what changed."""
        output = Path(output_path)
        for save_as, card in sorted(self.jobs.items()):
            self.place(self.cache.path(card), output / save_as)
        self.cache.save()
        logger.info(
            "share_cards: %d cards (%d drawn, %d from the cache)",
            len(self.jobs),
            self.cache.drawn,
            self.cache.reused,
        )

    def place(self, cached: Path, target: Path) -> None:
        """Put a cached card at `target`: a hard link to it, else a copy.

        A link writes no bytes: copying every card (~20 KB each, ~1,100 for
        1,000 posts) was most of what a warm build spent on cards. In the
        common case (a fresh output, the page's folder already written) it
        is one system call: no mkdir, no stat.

        A card already at `target` (an earlier build into the same output,
        as `make html` does) is removed, never written into: it may be a
        link to a cache entry, and writing through the link would change
        the cached card for every later build. For the same reason nothing
        may edit a card in the output in place.
        """
        try:
            if self._link(cached, target):
                return
        except FileExistsError:
            if os.path.samefile(cached, target):
                return  # linked by an earlier build into this output
        except FileNotFoundError:
            pass  # no folder yet: a card whose page is not written (yet)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        if not self._link(cached, target):
            shutil.copyfile(cached, target)

    def _link(self, cached: Path, target: Path) -> bool:
        """Hard-link `cached` at `target`; False when the output cannot link.

        A cache on another filesystem (EXDEV), or one that refuses hard
        links (EPERM, ENOTSUP), fails for every card alike: one debug line,
        and the rest of the build copies without trying again.
        FileExistsError and FileNotFoundError are the caller's to handle.
        """
        if not self.linking:
            return False
        try:
            os.link(cached, target)
        except (FileExistsError, FileNotFoundError):
            raise
        except OSError as error:
            self.linking = False
            logger.debug(
                "share_cards: cannot hard-link cards from %s into the output "
                "(%s); copying them",
                self.cache.folder,
                error,
            )
            return False
        return True


def _is_colour(value) -> bool:
    try:
        ImageColor.getrgb(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def _colours_problem(colours) -> str | None:
    """Why `colours` cannot be SHARE_CARDS_COLOURS; None when it can."""
    fields = {field.name for field in dataclasses.fields(DEFAULT_PALETTE)}
    if not isinstance(colours, dict) or set(colours) - fields:
        return f"must be a dict with keys from {sorted(fields)}"
    for key, value in colours.items():
        if key == "avatar_hues":
            if (
                not isinstance(value, (list, tuple))
                or len(value) != AVATAR_HUES
                or not all(_is_colour(hue) for hue in value)
            ):
                return f"avatar_hues must be {AVATAR_HUES} colours"
        elif not _is_colour(value):
            return f"{key} must be a colour such as '#0b5cad'"
    return None


def _is_handle(value) -> bool:
    return isinstance(value, str) and value[:1] == "@" and value[1:].isidentifier()


def _is_text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_path(value) -> bool:
    return isinstance(value, (str, os.PathLike)) and bool(str(value).strip())


# Setting -> (whether a value is good, what a good value is). Colours have
# their own check.
SETTING_CHECKS = {
    "SHARE_CARDS_CACHE_PATH": (
        lambda value: value is None or _is_path(value),
        "must be a folder's path or None",
    ),
    "SHARE_CARDS_LOCALE": (
        lambda value: value is None or _is_text(value),
        "must be a locale such as 'en_GB' or None",
    ),
    "SHARE_CARDS_TWITTER_SITE": (
        lambda value: value is None or _is_handle(value),
        "must be an @name or None",
    ),
}


def _setting_problem(name: str, value) -> str | None:
    """Why `value` cannot be the setting `name`; None when it can."""
    if name == "SHARE_CARDS_COLOURS":
        return _colours_problem(value)
    is_good, rule = SETTING_CHECKS[name]
    return None if is_good(value) else rule


def check_settings(pelican) -> None:
    """Fill in the SHARE_CARDS_* defaults; a bad value is warned about and
    replaced by its default, so the build goes on. Once per build."""
    settings = pelican.settings
    for name, default in DEFAULTS.items():
        settings.setdefault(name, default)
        problem = _setting_problem(name, settings[name])
        if problem:
            logger.warning(
                "share_cards: %s %s, not %r; using the default %r",
                name,
                problem,
                settings[name],
                default,
            )
            settings[name] = default
    if settings["SHARE_CARDS_CACHE_PATH"] is None:
        settings["SHARE_CARDS_CACHE_PATH"] = os.path.join(
            settings["CACHE_PATH"], "share-cards"
        )
    if settings["SHARE_CARDS_LOCALE"] is None:
        settings["SHARE_CARDS_LOCALE"] = settings["DEFAULT_LANG"].replace("-", "_")
    colours = dict(settings["SHARE_CARDS_COLOURS"])
    if "avatar_hues" in colours:
        colours["avatar_hues"] = tuple(colours["avatar_hues"])
    settings["SHARE_CARDS_COLOURS"] = colours


def _with_translations(items):
    for item in items:
        yield item
        yield from getattr(item, "translations", [])


def attach(generators) -> None:
    """Decide every page's card once the whole context is known."""
    articles = next(g for g in generators if hasattr(g, "drafts"))
    pages = next(g for g in generators if hasattr(g, "hidden_pages"))
    context = articles.context
    state = BuildCards(articles.settings)
    context[STATE_KEY] = state
    for article in _with_translations([*articles.articles, *articles.hidden_articles]):
        state.for_post(article)
    # A draft is previewed with its card, but offers no share links: its
    # address is not the one it will be published at.
    for draft in _with_translations(articles.drafts):
        state.for_content(draft)
    for page in _with_translations(
        [*pages.pages, *pages.hidden_pages, *pages.draft_pages]
    ):
        state.for_content(page)
    for series in [
        *context.get("series_list", []),
        *context.get("series_translations", []),
    ]:
        state.for_series(series)
    for author, _articles in context.get("authors", []):
        if author.name:
            state.for_author(author)
    context["share_site_image"] = state.for_site()
    # Every page has a card; without the head partial none is announced.
    has_pages = articles.articles or articles.drafts or pages.pages
    if has_pages:
        FILES.warn_if_theme_lacks(articles.env, logger)


class ShareCardsGenerator(Generator):
    """Writes the cards decided at `all_generators_finalized`."""

    def generate_output(self, writer):
        state = self.context.get(STATE_KEY)
        if state is not None:
            state.write(self.output_path)


def get_generators(pelican):
    return ShareCardsGenerator


def register():
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(check_settings)
    # Pelican copies share.js and the stylesheet with the theme's files.
    signals.initialized.connect(FILES.add_static)
    signals.generator_init.connect(FILES.add_templates)
    signals.all_generators_finalized.connect(attach)
    signals.get_generators.connect(get_generators)
