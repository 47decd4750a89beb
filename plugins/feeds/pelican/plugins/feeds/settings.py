"""The feeds plugin's settings: defaults in one place, checked once per build.

A bad value is not fatal: a warning names the setting, the value and the
default used instead, and the build goes on with the default.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

# Every FEEDS_* setting and its default. A path set to None turns that feed off.
DEFAULTS = {
    "FEEDS_SITE_ATOM": "feeds/all.atom.xml",
    "FEEDS_SITE_RSS": "feeds/all.rss.xml",
    "FEEDS_SERIES_ATOM": "feeds/series/{slug}.atom.xml",
    "FEEDS_SERIES_RSS": "feeds/series/{slug}.rss.xml",
    "FEEDS_AUTHOR_ATOM": "feeds/authors/{slug}.atom.xml",
    "FEEDS_AUTHOR_RSS": None,
    # Newest posts in the site and author feeds; series feeds hold every part.
    "FEEDS_MAX_ENTRIES": 20,
    "FEEDS_SUMMARY_ONLY": False,
    # Base URL of the feeds when SITEURL is not absolute (local preview);
    # None writes no feeds in such a build.
    "FEEDS_PREVIEW_SITEURL": "http://127.0.0.1:8000",
    # The tag: URI authority of entry ids; None means the site's host name.
    "FEEDS_ID_AUTHORITY": None,
    # A page of the site (URL relative to SITEURL) that explains feeds: the
    # follow partials link it as "what is this?". None: no such link.
    "FEEDS_SUBSCRIBE_URL": None,
}

PATH_SETTINGS = (
    "FEEDS_SITE_ATOM",
    "FEEDS_SITE_RSS",
    "FEEDS_SERIES_ATOM",
    "FEEDS_SERIES_RSS",
    "FEEDS_AUTHOR_ATOM",
    "FEEDS_AUTHOR_RSS",
)


@dataclass(frozen=True)
class FeedsConfig:
    """The checked FEEDS_* settings of one build, plus the resolved base URL."""

    site_atom: str | None
    site_rss: str | None
    series_atom: str | None
    series_rss: str | None
    author_atom: str | None
    author_rss: str | None
    max_entries: int | None
    summary_only: bool
    preview_siteurl: str | None
    id_authority: str | None
    subscribe_url: str | None
    # Absolute URL the feeds are written against; None when feeds are off.
    base_url: str | None
    timezone: str
    sitename: str
    subtitle: str
    language: str


def _is_absolute_http(url) -> bool:
    """True for an http(s) URL with a host name."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _path_problem(value, needs_slug: bool) -> str | None:
    """What is wrong with `value` as a feed's output path (None if nothing)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        return "is not a path or None"
    if value.startswith("/") or ".." in value.split("/") or "\\" in value:
        return "is not a relative path inside the output folder"
    if needs_slug and "{slug}" not in value:
        return "does not contain {slug}"
    try:
        value.format(slug="x")
    except (KeyError, IndexError, ValueError):
        return "uses a placeholder other than {slug}"
    return None


def _is_entry_count(value) -> bool:
    return value is None or (
        isinstance(value, int) and not isinstance(value, bool) and value >= 1
    )


def _is_domain(value) -> bool:
    return value is None or (
        isinstance(value, str) and bool(value) and not set(value) & set(",:/ ")
    )


def _is_site_relative_url(value) -> bool:
    return value is None or (
        isinstance(value, str)
        and bool(value)
        and not value.startswith("/")
        and not any(char.isspace() for char in value)
        and not urlsplit(value).scheme
    )


# Each other setting: the test its value must pass, and what it is if not.
CHECKS = {
    "FEEDS_MAX_ENTRIES": (
        _is_entry_count,
        "is not a whole number of at least 1 or None",
    ),
    "FEEDS_SUMMARY_ONLY": (
        lambda value: isinstance(value, bool),
        "is not True or False",
    ),
    "FEEDS_PREVIEW_SITEURL": (
        lambda value: value is None or _is_absolute_http(value),
        "is not an absolute http(s) URL or None",
    ),
    "FEEDS_ID_AUTHORITY": (
        _is_domain,
        "is not a domain name such as 'example.com' or None",
    ),
    "FEEDS_SUBSCRIBE_URL": (
        _is_site_relative_url,
        "is not a URL relative to SITEURL (such as 'subscribe/') or None",
    ),
}


def _problem(name: str, value) -> str | None:
    """What is wrong with `value` for the setting `name` (None if nothing)."""
    if name in PATH_SETTINGS:
        return _path_problem(
            value, needs_slug=name.startswith(("FEEDS_SERIES", "FEEDS_AUTHOR"))
        )
    is_good, problem = CHECKS[name]
    return None if is_good(value) else problem


def checked_settings(settings: dict) -> dict:
    """Every FEEDS_* setting, bad values replaced by their defaults (with a warning)."""
    values = {}
    for name, default in DEFAULTS.items():
        value = settings.get(name, default)
        problem = _problem(name, value)
        if problem:
            logger.warning(
                "feeds: %s = %r %s; using the default %r", name, value, problem, default
            )
            value = default
        values[name] = value

    # Two feeds written to one path: the later setting gives way, to its
    # default if that is free, else it is turned off.
    owners: dict[str, str] = {}
    for name in PATH_SETTINGS:
        path = values[name]
        if path and path in owners:
            fallback = DEFAULTS[name] if DEFAULTS[name] not in owners else None
            logger.warning(
                "feeds: %s = %r is already the path of %s; using %r",
                name,
                path,
                owners[path],
                fallback,
            )
            values[name] = path = fallback
        if path:
            owners[path] = name
    return values


def read_config(settings: dict) -> FeedsConfig:
    """The FEEDS_* settings of a build, checked, and the feeds' base URL."""
    values = checked_settings(settings)
    preview = values["FEEDS_PREVIEW_SITEURL"]

    siteurl = settings.get("SITEURL") or ""
    if _is_absolute_http(siteurl):
        base_url = siteurl.rstrip("/")
    elif preview:
        base_url = preview.rstrip("/")
        logger.info(
            "feeds: SITEURL %r is not absolute (local preview): feed URLs use "
            "FEEDS_PREVIEW_SITEURL %s",
            siteurl,
            base_url,
        )
    else:
        base_url = None
        logger.warning(
            "feeds: no feeds written: SITEURL %r is not an absolute URL and "
            "FEEDS_PREVIEW_SITEURL is None",
            siteurl,
        )

    return FeedsConfig(
        site_atom=values["FEEDS_SITE_ATOM"],
        site_rss=values["FEEDS_SITE_RSS"],
        series_atom=values["FEEDS_SERIES_ATOM"],
        series_rss=values["FEEDS_SERIES_RSS"],
        author_atom=values["FEEDS_AUTHOR_ATOM"],
        author_rss=values["FEEDS_AUTHOR_RSS"],
        max_entries=values["FEEDS_MAX_ENTRIES"],
        summary_only=values["FEEDS_SUMMARY_ONLY"],
        preview_siteurl=preview,
        id_authority=values["FEEDS_ID_AUTHORITY"],
        subscribe_url=values["FEEDS_SUBSCRIBE_URL"],
        base_url=base_url,
        timezone=settings.get("TIMEZONE") or "UTC",
        sitename=settings.get("SITENAME") or "",
        subtitle=settings.get("SITESUBTITLE") or "",
        language=settings.get("DEFAULT_LANG") or "en",
    )
