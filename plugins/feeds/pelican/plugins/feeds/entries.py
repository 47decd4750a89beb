"""Feed entries: one post turned into plain, XML-safe data with absolute URLs."""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit
from zoneinfo import ZoneInfo

from pelican.utils import slugify

logger = logging.getLogger(__name__)

# Characters XML 1.0 does not allow at all (pasted control characters,
# lone surrogates, the two non-characters); lxml refuses to write them.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A URI scheme followed by something: what a `Feed_id:` override must look like.
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
# A start tag, attribute by attribute, so a `>` inside a quoted value does
# not end it (and no name or bare value spans a `<`, so a broken tag costs
# no more than the text up to the next one); then one attribute of a tag.
START_TAG = re.compile(
    r"""(?P<name><[A-Za-z][^\s/>]*)"""
    r"""(?P<attributes>(?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>`]+))?)+)"""
    r"""(?P<end>\s*/?>)"""
)
ATTRIBUTE = re.compile(
    r"""(?P<lead>\s+)(?P<name>[^\s"'>/=]+)"""
    r"""(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'<>`]+)))?"""
)
# A URL with a scheme (https:, mailto:, data:...): nothing to resolve.
ABSOLUTE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Attributes whose value is a URL (or, for srcset, a list of them), and a
# quick test for a tag that may have one.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "poster", "cite", "action", "formaction", "data"}
)
URL_HINT = re.compile(r"(?:href|src|srcset|poster|cite|action|data)\s*=", re.IGNORECASE)
UNTITLED = "Untitled"


@dataclass
class Dated:
    """A published post with usable dates, ready to be ordered and given an id."""

    article: object
    source: str
    published: dt.datetime
    updated: dt.datetime
    id: str = ""
    derived_id: str = ""


@dataclass
class Entry:
    """Everything a feed entry shows, as plain XML-safe text."""

    id: str
    title: str
    link: str
    published: dt.datetime
    updated: dt.datetime
    summary: str
    content: str
    authors: list[dict] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def source_of(article) -> str:
    """The file name warnings use for a post."""
    return str(getattr(article, "source_path", None) or article)


def clean_text(text, source: str, what: str) -> str:
    """`text` without the characters XML forbids; warns naming the file if any."""
    text = "" if text is None else str(text)
    cleaned, count = XML_FORBIDDEN.subn("", text)
    if count:
        logger.warning(
            "feeds: removed %d character(s) that XML forbids from the %s of %s",
            count,
            what,
            source,
            extra={"limit_msg": "feeds: more characters that XML forbids removed"},
        )
    return cleaned


def _aware(value, timezone: str, source: str, what: str):
    """`value` as an aware datetime (naive ones get the site timezone), or None."""
    if not isinstance(value, dt.datetime):
        logger.warning(
            "feeds: %s of %s is %r, not a date and time; left out of the feeds",
            what,
            source,
            value,
        )
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        logger.warning(
            "feeds: %s of %s has no timezone; using the site's TIMEZONE %s",
            what,
            source,
            timezone,
        )
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value


def dated(article, timezone: str) -> Dated | None:
    """The post's published and updated dates, or None (with a warning) if unusable."""
    source = source_of(article)
    if getattr(article, "date", None) is None:
        logger.warning("feeds: %s has no date; left out of the feeds", source)
        return None
    published = _aware(article.date, timezone, source, "the date")
    if published is None:
        return None
    updated = published
    modified = getattr(article, "modified", None)
    if modified is not None:
        modified = _aware(modified, timezone, source, "the modified date")
        if modified is not None and modified > published:
            updated = modified
    return Dated(article=article, source=source, published=published, updated=updated)


def derived_id(article, published: dt.datetime, authority: str) -> str:
    """A tag: URI from the site's domain, the post's date and its source file.

    The source file (not the slug) is used because a slug made from the title
    changes with the title; the extension is dropped so a converted file keeps it.
    """
    source = getattr(article, "relative_source_path", None) or source_of(article)
    source = source.replace("\\", "/").rsplit(".", 1)[0] if "." in source else source
    return "tag:{},{}:{}".format(
        authority, published.strftime("%Y-%m-%d"), quote(source, safe="/-._~")
    )


def override_id(article) -> str | None:
    """The post's `Feed_id:` metadata, if it is a usable URI (warns if not)."""
    metadata = getattr(article, "metadata", None) or {}
    value = metadata.get("feed_id")
    if value is None:
        return None
    value = XML_FORBIDDEN.sub("", str(value)).strip()
    if not URI.match(value):
        logger.warning(
            "feeds: Feed_id %r in %s is not a URI (such as tag:example.com,2026-01-01:"
            "my-post); using the derived id",
            value,
            source_of(article),
        )
        return None
    return value


def series_of(article) -> dict | None:
    """The post's series as {name, slug, url, index, total}, with or without series_nav.

    With the series plugin `article.series` is a dict; without it Pelican
    leaves the raw `Series:` metadata as a string.
    """
    series = getattr(article, "series", None)
    if isinstance(series, dict) and series.get("slug") and series.get("name"):
        return {
            "name": str(series["name"]),
            "slug": str(series["slug"]),
            "url": series.get("url"),
            # "Part N of M" as the pages say it: `position` counts announced
            # parts before this one too; pelican-series' `index` does not.
            "index": series.get("position", series.get("index")),
            "total": series.get("total"),
        }
    if isinstance(series, str) and series.strip():
        settings = getattr(article, "settings", None) or {}
        slug = slugify(series, regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []))
        if slug:
            return {"name": series.strip(), "slug": slug, "url": None}
    return None


def absolute(base_url: str, url) -> str:
    """A URL relative to the site root made absolute against `base_url`."""
    return urljoin(base_url + "/", str(url or ""))


def _absolute_value(attribute: str, value: str, page_url: str) -> str:
    """One attribute value (HTML-escaped) with its URL(s) made absolute."""
    if ABSOLUTE_URL.match(value) and attribute != "srcset":
        return value  # already absolute: most links, after Pelican's {filename}
    if value.startswith("#") and len(value) > 1 and "&" not in value:
        # A link within the post (every heading's permalink): what urljoin
        # would make of it, at a fraction of its cost.
        return html.escape(page_url.partition("#")[0] + value, quote=True)
    value = html.unescape(value)
    if attribute == "srcset":
        candidates = []
        for candidate in value.split(","):
            parts = candidate.split()
            if parts:
                parts[0] = urljoin(page_url, parts[0])
                candidates.append(" ".join(parts))
        value = ", ".join(candidates)
    else:
        value = urljoin(page_url, value.strip())
    return html.escape(value, quote=True)


def _absolute_tag(match: re.Match, page_url: str) -> str:
    """A start tag with the URLs in its URL attributes made absolute."""

    def replace(attribute: re.Match) -> str:
        name = attribute.group("name").lower()
        values = [v for v in attribute.group("dq", "sq", "bare") if v is not None]
        if name not in URL_ATTRIBUTES or not values:
            return attribute.group(0)
        absolute_value = _absolute_value(name, values[0], page_url)
        return f'{attribute.group("lead")}{name}="{absolute_value}"'

    attributes = match.group("attributes")
    if not URL_HINT.search(attributes):
        return match.group(0)
    return match.group("name") + ATTRIBUTE.sub(replace, attributes) + match.group("end")


def absolutize(fragment: str, page_url: str) -> str:
    """`fragment` (HTML) with every link and image URL absolute against `page_url`.

    A tokenising regex over start tags rather than an HTML parser: it leaves
    every other byte of the post alone and costs a fraction of a parse, which
    matters with a thousand posts. Text can hold no raw `<`, so only real
    tags match.
    """
    if "=" not in fragment:
        return fragment
    return START_TAG.sub(lambda match: _absolute_tag(match, page_url), fragment)


def part_text(series: dict, base_url: str) -> str:
    """The "Part 2 of 3 of <series>" paragraph that opens a series part's entry."""
    name = html.escape(series["name"])
    if series.get("url"):
        href = html.escape(absolute(base_url, series["url"]), quote=True)
        name = f'<a href="{href}">{name}</a>'
    index, total = series.get("index"), series.get("total")
    if isinstance(index, int) and isinstance(total, int) and 0 < index <= total:
        return f"<p><em>Part {index} of {total} of {name}</em></p>\n"
    return f"<p><em>Part of the series {name}</em></p>\n"


def _authors(article, base_url: str, source: str) -> list[dict]:
    """Name and URI of each author, from the author profiles when present."""
    authors = []
    for author in getattr(article, "authors", None) or []:
        profile = getattr(author, "profile", None)
        name = getattr(profile, "name", None) or getattr(author, "name", None)
        url = getattr(profile, "url", None) or getattr(author, "url", None)
        name = clean_text(name, source, "author name").strip()
        if not name:
            continue
        entry_author = {"name": name}
        if url:
            uri = absolute(base_url, url)
            if urlsplit(uri).scheme in {"http", "https"}:
                entry_author["uri"] = uri
        authors.append(entry_author)
    return authors


def _categories(article, source: str) -> list[str]:
    """The post's category, then its tags, without repeats."""
    names = []
    category = getattr(article, "category", None)
    for item in [category, *(getattr(article, "tags", None) or [])]:
        name = clean_text(getattr(item, "name", item), source, "category").strip()
        if item is not None and name and name not in names:
            names.append(name)
    return names


def off_page(article, html: str) -> str:
    """The post's HTML as it may leave its page.

    A plugin whose markup works only on the page (the checklist's form) gives
    the post an `off_page_html` function that swaps it for something that
    reads well anywhere (a plain list and a link to the page).
    """
    convert = getattr(article, "off_page_html", None)
    return convert(html) if callable(convert) else html


def build_entry(post: Dated, base_url: str, summary_only: bool) -> Entry:
    """The entry of a dated post: text cleaned, URLs absolute, series part named."""
    article, source = post.article, post.source
    link = absolute(base_url, getattr(article, "url", ""))
    title = " ".join(clean_text(getattr(article, "title", ""), source, "title").split())
    if not title:
        logger.warning(
            "feeds: %s has an empty title; its entry is titled %r", source, UNTITLED
        )
        title = UNTITLED

    prefix = ""
    series = series_of(article)
    if series:
        prefix = part_text(
            {**series, "name": clean_text(series["name"], source, "series name")},
            base_url,
        )

    summary = getattr(article, "summary", "") or ""
    summary = prefix + absolutize(clean_text(summary, source, "summary"), link)
    content = ""
    if not summary_only:
        if hasattr(article, "get_content"):
            raw = article.get_content(base_url)
        else:
            raw = getattr(article, "content", "")
        raw = off_page(article, raw)
        content = prefix + absolutize(clean_text(raw, source, "content"), link)

    return Entry(
        id=post.id,
        title=title,
        link=link,
        published=post.published,
        updated=post.updated,
        summary=summary,
        content=content,
        authors=_authors(article, base_url, source),
        categories=_categories(article, source),
    )
