"""The published posts, as `pelican-replies` and `pelican-webmentions` see them.

Both commands work from the production settings (publishconf.py), so a
post's target is its public address. Pelican itself reads the posts (its
ArticlesGenerator, with the site's plugins loaded), so slugs, drafts,
scheduled posts and hidden posts are exactly what the build makes of them.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pelican import Pelican
from pelican.generators import ArticlesGenerator
from pelican.settings import read_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Post:
    """One published post: where it comes from and where it is read."""

    source_path: Path  # the Markdown file
    relative_source: str  # that file, relative to PATH ("posts/x.md")
    slug: str
    url: str  # absolute: SITEURL + the post's URL
    metadata: dict
    content: str  # the rendered body (HTML)


def published_posts(settings_file: str | Path, **override) -> tuple[dict, list[Post]]:
    """The site's settings and its published posts, oldest first."""
    settings = read_settings(str(settings_file), override=override or None)
    Pelican(settings)  # loads the plugins, as a build would
    siteurl = settings["SITEURL"].rstrip("/")
    # The context Pelican.run() starts a build with.
    context = settings.copy()
    context.update(
        generated_content={},
        static_links=set(),
        static_content={},
        localsiteurl=settings["SITEURL"],
    )
    with tempfile.TemporaryDirectory() as output:
        generator = ArticlesGenerator(
            context=context,
            settings=settings,
            path=settings["PATH"],
            theme=settings["THEME"],
            output_path=output,
        )
        generator.generate_context()
    content_root = Path(settings["PATH"]).resolve()
    posts = []
    for article in sorted(generator.articles, key=lambda item: item.date):
        source = Path(article.source_path).resolve()
        posts.append(
            Post(
                source_path=source,
                relative_source=source.relative_to(content_root).as_posix(),
                slug=article.slug,
                url=f"{siteurl}/{article.url}",
                metadata=dict(article.metadata),
                content=article.content,
            )
        )
    return settings, posts
