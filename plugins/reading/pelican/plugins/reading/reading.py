"""Reading aids for posts: reading time, a contents list and what to read next.

Once every generator is done (`all_generators_finalized`, so series_nav has
set `article.series`), each post gets plain data the theme shows:

- `word_count` and `reading_time` (whole minutes, at least 1), from the words
  of the rendered body, leaving out code blocks and forms (the checklist
  widget): what a reader reads, not what they skim or fill in;
- `sections` (the body's top-level headings, with their subsections, as the
  Markdown `toc` extension gave them ids) and `show_contents` (whether there
  are enough of them for a contents list). Pelican 4.12's Markdown reader
  does not keep the extension's `toc`, so the headings are read back from the
  HTML it wrote;
- `read_next`: up to READING_NEXT_COUNT other posts, as `ReadNextItem`s.

The partials a theme includes (`reading/time.html` and the others) are in
this package's `templates/`, loaded after the theme's own templates (so a
theme may override one); their stylesheet is in `static/`, copied with the
theme's static files.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator
from pelican_plugin_kit import PluginFiles

logger = logging.getLogger(__name__)

# The partials and their stylesheet; the reading time is the partial a theme
# must include for the plugin to show anything.
FILES = PluginFiles(
    "reading",
    Path(__file__).resolve().parent,
    "time.html",
    where="its article.html, by the post's byline",
)

DEFAULTS = {
    # Adult silent reading of non-fiction runs at about 230 words a minute.
    "READING_WORDS_PER_MINUTE": 230,
    # A post with at least this many sections gets a contents list.
    "READING_CONTENTS_MIN_SECTIONS": 4,
    # How many posts "Read next" offers.
    "READING_NEXT_COUNT": 3,
}
# Not prose: code blocks, forms (the checklist widget) and anything a
# browser does not show as text.
SKIPPED = re.compile(
    r"<(pre|form|script|style|template|svg)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE
)
# A heading with the id the toc extension gave it, and its permalink ("#").
HEADING = re.compile(r'<h([2-6])\b[^>]*?\bid="([^"]*)"[^>]*>(.*?)</h\1\s*>', re.DOTALL)
PERMALINK = re.compile(r'<a\b[^>]*\bclass="[^"]*\bheaderlink\b[^>]*>.*?</a>', re.DOTALL)
TAG = re.compile(r"<[^>]*>")
WORD = re.compile(r"\w+(?:['’.-]\w+)*")


@dataclass
class Section:
    """A heading of the body: its anchor, its text and the headings under it."""

    id: str
    title: str
    subsections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class ReadNextItem:
    """One "read next" post. `url` (relative to SITEURL) is None for an
    announced part: it is named, never linked. `reason` is why it was
    chosen: "series", "tags" or "latest"."""

    article: object
    url: str | None
    reason: str


def check_settings(pelican) -> None:
    """Fill in the READING_* defaults; an unusable value is warned about and
    replaced by its default, and the build goes on."""
    settings = pelican.settings
    for key, default in DEFAULTS.items():
        value = settings.setdefault(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            logger.warning(
                "reading: %s %r is not a whole number of 1 or more; "
                "using the default %r",
                key,
                value,
                default,
            )
            settings[key] = default


def _setting(settings, key):
    """A READING_* setting, or its default when `initialized` did not run."""
    return settings.get(key, DEFAULTS[key])


def read_body(html: str) -> tuple[int, list[Section]]:
    """The body's word count and its top-level sections (with subsections).

    Regular expressions over the HTML Markdown wrote, not an HTML parser:
    the body is Python-Markdown's own well-formed output, and a parser in
    Python costs a fifth of the Markdown conversion itself.
    """
    text = PERMALINK.sub(" ", SKIPPED.sub(" ", html))
    headings = [
        (int(level), anchor, " ".join(unescape(TAG.sub("", inner)).split()))
        for level, anchor, inner in HEADING.findall(text)
    ]
    words = len(WORD.findall(unescape(TAG.sub(" ", text))))
    if not headings:
        return words, []
    # Top-level sections are the highest level used (h2 in our posts);
    # the next level down are their subsections.
    top = min(level for level, _, _ in headings)
    sections: list[Section] = []
    for level, anchor, title in headings:
        if level == top:
            sections.append(Section(anchor, title))
        elif level == top + 1 and sections:
            sections[-1].subsections.append(Section(anchor, title))
    return words, sections


def _newest_first(article) -> tuple:
    """Sort key: newest first, then by file path, so ties are stable."""
    return (-article.date.timestamp(), article.source_path)


class ReadNext:
    """Chooses the "read next" posts; made afresh for every build."""

    def __init__(self, published: list, count: int):
        self.count = count
        self.latest = sorted(published, key=_newest_first)
        # Each tag's posts by their place among the newest (an index into
        # `latest`): ranking compares plain numbers, sort keys read once.
        self.tagged = defaultdict(list)
        for place, article in enumerate(self.latest):
            for tag in getattr(article, "tags", None) or []:
                self.tagged[tag].append(place)

    def for_article(self, article) -> list[ReadNextItem]:
        chosen: list[ReadNextItem] = []
        seen = {id(article)}

        def add(candidate, reason, linked=True):
            # Pelican works `url` out afresh on every read: read it only for
            # the posts chosen, never for every candidate (that made the
            # build quadratic in the number of posts).
            if id(candidate) not in seen and len(chosen) < self.count:
                seen.add(id(candidate))
                url = candidate.url if linked else None
                chosen.append(ReadNextItem(candidate, url, reason))

        series = getattr(article, "series", None)
        if series:
            # As the series box does: the next published part, else the
            # part right after this one if it is announced (never linked).
            if series.get("next"):
                add(series["next"], "series")
            elif series.get("announced_next"):
                add(series["announced_next"], "series", linked=False)
        # Posts sharing tags: most tags in common first, then newest.
        in_common = Counter()
        for tag in getattr(article, "tags", None) or []:
            in_common.update(self.tagged[tag])
        # Only the first few can be chosen (the post itself and its series
        # part may be among them): no need to sort them all.
        ranked = heapq.nsmallest(
            self.count + 2, ((-shared, place) for place, shared in in_common.items())
        )
        for _, place in ranked:
            if len(chosen) >= self.count:
                break
            add(self.latest[place], "tags")
        for other in self.latest:
            if len(chosen) >= self.count:
                break
            add(other, "latest")
        return chosen


def attach(generators) -> None:
    """Give every post its reading time, sections and "read next" posts."""
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles is None:
        return
    settings = articles.settings
    words_per_minute = _setting(settings, "READING_WORDS_PER_MINUTE")
    min_sections = _setting(settings, "READING_CONTENTS_MIN_SECTIONS")
    count = _setting(settings, "READING_NEXT_COUNT")
    published = [*articles.articles, *articles.translations]
    # Posts are offered in their own language only.
    by_lang = defaultdict(list)
    for article in published:
        by_lang[article.lang].append(article)
    choosers = {lang: ReadNext(posts, count) for lang, posts in by_lang.items()}
    everything = [
        *published,
        *articles.drafts,
        *articles.drafts_translations,
        *articles.hidden_articles,
        *articles.hidden_translations,
    ]
    for article in everything:
        article.word_count, article.sections = read_body(article.content)
        article.reading_time = max(1, math.ceil(article.word_count / words_per_minute))
        article.show_contents = len(article.sections) >= min_sections
        chooser = choosers.get(article.lang) or ReadNext([], count)
        article.read_next = chooser.for_article(article)
    # Once per build, and only for a site with posts to show it on.
    if everything:
        FILES.warn_if_theme_lacks(articles.env, logger)


def register():
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(check_settings)
    signals.initialized.connect(FILES.add_static)
    signals.generator_init.connect(FILES.add_templates)
    signals.all_generators_finalized.connect(attach)
