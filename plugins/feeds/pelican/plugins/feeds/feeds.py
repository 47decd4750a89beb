"""Feeds plugin: Atom and RSS for the site, every series and every author, via feedgen.

Plans the feeds once all generators have run (so the series and author
plugins' data is there whatever the plugin order), hands templates the list
as plain data (`feeds`), and writes the files once the articles are written.
Everything one build needs lives on a `FeedsBuild` kept on that build's
articles generator, so autoreload and test runs never see stale state.

The partials a theme includes (`feeds/head.html` and the follow links) are
in this package's `templates/` folder, which every generator's Jinja loader
searches after the theme's, so a theme may override them.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.utils import sanitised_join
from pelican_plugin_kit import PluginFiles

from .entries import (
    Dated,
    Entry,
    absolute,
    build_entry,
    clean_text,
    dated,
    derived_id,
    override_id,
    series_of,
    source_of,
)
from .settings import FeedsConfig, checked_settings, read_config

logger = logging.getLogger(__name__)

# The partials; the head is the one a theme needs for feed discovery
# (<link rel="alternate"> tags).
FILES = PluginFiles(
    "feeds",
    Path(__file__).resolve().parent,
    "head.html",
    where="the <head> of its base.html",
)

GENERATOR = "Pelican feeds plugin (feedgen)"
ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"


@dataclass
class Feed:
    """One feed (Atom and/or RSS of the same posts): what it is and holds."""

    kind: str  # "site", "series" or "author"
    slug: str
    name: str
    title: str
    description: str
    page: str  # URL (relative to SITEURL) of the HTML page the feed follows
    atom: str | None
    rss: str | None
    posts: list[Dated] = field(default_factory=list)

    def as_data(self) -> dict:
        """The plain data templates get for this feed."""
        return {
            "kind": self.kind,
            "slug": self.slug,
            "name": self.name,
            "title": self.title,
            "page": self.page,
            "atom": self.atom,
            "rss": self.rss,
        }


def _newest_first(posts: list[Dated]) -> list[Dated]:
    return sorted(posts, key=lambda post: (post.published, post.source), reverse=True)


class FeedsBuild:
    """The feeds of one build: planned from the articles, then written."""

    def __init__(self, config: FeedsConfig, articles, drafts):
        self.config = config
        self.feeds: list[Feed] = []
        self._entries: dict[int, Entry] = {}
        if config.base_url is None:
            return
        posts = self._date_and_identify(articles)
        self._plan(posts, drafts)

    def _date_and_identify(self, articles) -> list[Dated]:
        """Published posts with usable dates, each given a unique, stable id."""
        authority = self.config.id_authority or urlsplit(self.config.base_url).hostname
        posts = []
        for article in sorted(articles, key=source_of):
            if getattr(article, "status", "published") != "published":
                continue  # announced (draft) or hidden parts never reach a feed
            post = dated(article, self.config.timezone)
            if post is not None:
                post.derived_id = derived_id(article, post.published, authority)
                post.id = override_id(article) or post.derived_id
                posts.append(post)

        owners: dict[str, Dated] = {}
        for post in posts:
            first = owners.get(post.id)
            if first is not None:
                fallback = post.derived_id
                if fallback in owners:
                    fallback = f"{post.derived_id}/{len(owners)}"
                logger.warning(
                    "feeds: entry id %r of %s is already the id of %s; using %r for %s",
                    post.id,
                    post.source,
                    first.source,
                    fallback,
                    post.source,
                )
                post.id = fallback
            owners[post.id] = post
        return _newest_first(posts)

    def _plan(self, posts: list[Dated], drafts) -> None:
        """Decide every feed to write and which posts each holds."""
        config = self.config
        limit = config.max_entries
        if posts and (config.site_atom or config.site_rss):
            self.feeds.append(
                Feed(
                    kind="site",
                    slug="",
                    name=config.sitename,
                    title=config.sitename,
                    description=config.subtitle or config.sitename,
                    page="",
                    atom=config.site_atom,
                    rss=config.site_rss,
                    posts=posts[:limit],
                )
            )

        if config.series_atom or config.series_rss:
            self._plan_series(posts, drafts)

        if config.author_atom or config.author_rss:
            by_author: dict[str, Feed] = {}
            for post in posts:
                for author in getattr(post.article, "authors", None) or []:
                    slug = getattr(author, "slug", None)
                    if not slug:
                        continue
                    if slug not in by_author:
                        name = clean_text(author.name, post.source, "author name")
                        by_author[slug] = Feed(
                            kind="author",
                            slug=slug,
                            name=name,
                            title=f"Posts by {name} · {config.sitename}",
                            description=f"Posts by {name} on {config.sitename}",
                            page=str(getattr(author, "url", "") or ""),
                            atom=_format(config.author_atom, slug),
                            rss=_format(config.author_rss, slug),
                        )
                    by_author[slug].posts.append(post)
            for feed in sorted(by_author.values(), key=lambda f: (f.name, f.slug)):
                feed.posts = feed.posts[:limit]
                self.feeds.append(feed)

    def _plan_series(self, posts: list[Dated], drafts) -> None:
        """A feed per series with its published parts; none for announced-only ones."""
        config = self.config
        by_series: dict[str, Feed] = {}
        for post in posts:
            series = series_of(post.article)
            if series is None:
                continue
            slug = series["slug"]
            if slug not in by_series:
                name = clean_text(series["name"], post.source, "series name")
                by_series[slug] = Feed(
                    kind="series",
                    slug=slug,
                    name=name,
                    title=f"{name} · {config.sitename}",
                    description=f"Every published part of the series {name} "
                    f"on {config.sitename}",
                    page=str(series.get("url") or ""),
                    atom=_format(config.series_atom, slug),
                    rss=_format(config.series_rss, slug),
                )
            by_series[slug].posts.append(post)
        self.feeds.extend(sorted(by_series.values(), key=lambda f: (f.name, f.slug)))

        announced: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for draft in drafts:
            series = series_of(draft)
            if series and series["slug"] not in by_series:
                announced.setdefault(series["slug"], []).append(source_of(draft))
                names.setdefault(series["slug"], series["name"])
        for slug in sorted(announced):
            logger.warning(
                "feeds: series %r has no published parts (only announced ones: %s); "
                "no feed is written for it until a part is published",
                names[slug],
                ", ".join(sorted(announced[slug])),
            )

    def template_data(self) -> dict:
        """The `feeds` context variable: every feed as plain data."""
        site = [feed.as_data() for feed in self.feeds if feed.kind == "site"]
        series = [feed.as_data() for feed in self.feeds if feed.kind == "series"]
        authors = [feed.as_data() for feed in self.feeds if feed.kind == "author"]
        return {
            "site": site[0] if site else None,
            "series": series,
            "authors": authors,
            "series_by_slug": {feed["slug"]: feed for feed in series},
            "authors_by_slug": {feed["slug"]: feed for feed in authors},
            "subscribe_url": self.config.subscribe_url,
        }

    def _entry(self, post: Dated) -> Entry:
        """The post's entry, built once however many feeds hold it."""
        key = id(post.article)
        if key not in self._entries:
            self._entries[key] = build_entry(
                post, self.config.base_url, self.config.summary_only
            )
        return self._entries[key]

    def write(self, output_path: str) -> None:
        """Write every planned feed file under `output_path`."""
        for feed in self.feeds:
            entries = [self._entry(post) for post in feed.posts]
            for path, kind in ((feed.atom, "atom"), (feed.rss, "rss")):
                if not path:
                    continue
                generator = self._feedgen(feed, entries, path)
                if kind == "atom":
                    xml = generator.atom_str(pretty=True)
                else:
                    xml = generator.rss_str(pretty=True)
                target = sanitised_join(output_path, path)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as handle:
                    handle.write(xml)
                logger.debug("feeds: wrote %s (%d entries)", target, len(entries))

    def _feedgen(self, feed: Feed, entries: list[Entry], path: str) -> FeedGenerator:
        """A feedgen feed of `entries`, its self link pointing at `path`."""
        base_url = self.config.base_url
        self_url = absolute(base_url, path)
        generator = FeedGenerator()
        generator.load_extension("dc", atom=False, rss=True)
        # The id names the feed, not one of its formats, so Atom keeps it
        # whichever paths are configured.
        generator.id(absolute(base_url, feed.atom or feed.rss))
        generator.title(feed.title)
        generator.subtitle(feed.description)
        generator.language(self.config.language)
        # feedgen stamps the build time and its own version by default: both
        # would change the bytes of an unchanged feed.
        generator.generator(GENERATOR)
        generator.updated(max(entry.updated for entry in entries))
        if not all(entry.authors for entry in entries):
            # Atom needs an author on the feed when an entry has none.
            generator.author({"name": self.config.sitename or base_url})
        # RSS takes its <link> from the last link given: the HTML page.
        generator.link(
            href=self_url,
            rel="self",
            type=ATOM_TYPE if path == feed.atom else RSS_TYPE,
        )
        generator.link(
            href=absolute(base_url, feed.page), rel="alternate", type="text/html"
        )
        for entry in entries:
            item = generator.add_entry(order="append")
            item.id(entry.id)
            item.title(entry.title)
            item.link(href=entry.link, rel="alternate", type="text/html")
            item.published(entry.published)
            item.updated(entry.updated)
            if entry.authors:
                item.author(entry.authors)
                # RSS <author> needs an e-mail address; dc:creator does not.
                item.dc.dc_creator([author["name"] for author in entry.authors])
            for name in entry.categories:
                item.category(term=name, label=name)
            if entry.content:
                item.content(entry.content, type="html")
            item.summary(entry.summary, type="html")
        return generator


def _format(template: str | None, slug: str) -> str | None:
    return template.format(slug=slug) if template else None


def plan_feeds(generators) -> None:
    """Plan this build's feeds and give templates the `feeds` data."""
    articles_generator = next(
        (g for g in generators if isinstance(g, ArticlesGenerator)), None
    )
    if articles_generator is None:
        return
    config = read_config(articles_generator.settings)
    build = FeedsBuild(config, articles_generator.articles, articles_generator.drafts)
    articles_generator.feeds_build = build
    data = build.template_data()
    articles_generator.context["feeds"] = data
    if build.feeds:
        FILES.warn_if_theme_lacks(
            articles_generator.env, logger, advice="no page links its feeds"
        )

    # Each series part (drafts and pages included) carries its series feed,
    # so templates link it without knowing how series are stored.
    parts = [*articles_generator.articles, *articles_generator.drafts]
    for generator in generators:
        if isinstance(generator, PagesGenerator):
            parts.extend(generator.pages)
            parts.extend(generator.draft_pages)
    for part in parts:
        series = series_of(part)
        part.series_feed = (
            data["series_by_slug"].get(series["slug"]) if series else None
        )


def check_settings(pelican) -> None:
    """Check the FEEDS_* settings once, when Pelican starts: a bad value is
    warned about and its default put in its place, so the templates (which
    see the settings) and every later step get usable values."""
    pelican.settings.update(checked_settings(pelican.settings))


def write_feeds(generator, writer=None) -> None:
    """Write the feeds planned for this build, now that the articles are written."""
    build = getattr(generator, "feeds_build", None)
    if build is not None:
        build.write(generator.output_path)


def register():
    """Connect the feeds plugin to Pelican."""
    signals.initialized.connect(check_settings)
    signals.generator_init.connect(FILES.add_templates)
    signals.all_generators_finalized.connect(plan_feeds)
    signals.article_writer_finalized.connect(write_feeds)
