"""The feeds plugin's settings: defaults in one place, validated once per build."""

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
}

PATH_SETTINGS = (
    "FEEDS_SITE_ATOM",
    "FEEDS_SITE_RSS",
    "FEEDS_SERIES_ATOM",
    "FEEDS_SERIES_RSS",
    "FEEDS_AUTHOR_ATOM",
    "FEEDS_AUTHOR_RSS",
)


class FeedsSettingsError(ValueError):
    """A FEEDS_* setting has a value the plugin cannot work with."""


@dataclass(frozen=True)
class FeedsConfig:
    """The validated FEEDS_* settings of one build, plus the resolved base URL."""

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


def _check_path(name: str, value, needs_slug: bool) -> None:
    """Raise FeedsSettingsError unless `value` is a usable output path or None."""
    if value is None:
        return
    if not isinstance(value, str) or not value.strip():
        raise FeedsSettingsError(f"{name} must be a path string or None, not {value!r}")
    if value.startswith("/") or ".." in value.split("/") or "\\" in value:
        raise FeedsSettingsError(
            f"{name} must be a relative path inside the output folder, not {value!r}"
        )
    if needs_slug and "{slug}" not in value:
        raise FeedsSettingsError(f"{name} must contain {{slug}}, got {value!r}")
    try:
        value.format(slug="x")
    except (KeyError, IndexError, ValueError) as error:
        raise FeedsSettingsError(
            f"{name} may only use the {{slug}} placeholder: {value!r} ({error})"
        ) from error


def read_config(settings: dict) -> FeedsConfig:
    """Validate the FEEDS_* settings (defaults filled in) and resolve the base URL."""
    values = {name: settings.get(name, default) for name, default in DEFAULTS.items()}
    for name in PATH_SETTINGS:
        _check_path(
            name,
            values[name],
            needs_slug=name.startswith(("FEEDS_SERIES", "FEEDS_AUTHOR")),
        )
    owners: dict[str, str] = {}
    for name in PATH_SETTINGS:
        path = values[name]
        if path and path in owners:
            raise FeedsSettingsError(
                f"{owners[path]} and {name} are the same path {path!r}"
            )
        if path:
            owners[path] = name

    max_entries = values["FEEDS_MAX_ENTRIES"]
    if max_entries is not None and (
        isinstance(max_entries, bool)
        or not isinstance(max_entries, int)
        or max_entries < 1
    ):
        raise FeedsSettingsError(
            f"FEEDS_MAX_ENTRIES must be a whole number of at least 1 or None, "
            f"not {max_entries!r}"
        )
    if not isinstance(values["FEEDS_SUMMARY_ONLY"], bool):
        raise FeedsSettingsError(
            f"FEEDS_SUMMARY_ONLY must be True or False, "
            f"not {values['FEEDS_SUMMARY_ONLY']!r}"
        )
    preview = values["FEEDS_PREVIEW_SITEURL"]
    if preview is not None and not _is_absolute_http(preview):
        raise FeedsSettingsError(
            f"FEEDS_PREVIEW_SITEURL must be an absolute http(s) URL or None, "
            f"not {preview!r}"
        )
    authority = values["FEEDS_ID_AUTHORITY"]
    if authority is not None and (
        not isinstance(authority, str) or not authority or set(authority) & set(",:/ ")
    ):
        raise FeedsSettingsError(
            f"FEEDS_ID_AUTHORITY must be a domain name such as 'example.com' or None, "
            f"not {authority!r}"
        )

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
        max_entries=max_entries,
        summary_only=values["FEEDS_SUMMARY_ONLY"],
        preview_siteurl=preview,
        id_authority=authority,
        base_url=base_url,
        timezone=settings.get("TIMEZONE") or "UTC",
        sitename=settings.get("SITENAME") or "",
        subtitle=settings.get("SITESUBTITLE") or "",
        language=settings.get("DEFAULT_LANG") or "en",
    )
