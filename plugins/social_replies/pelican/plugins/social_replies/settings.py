"""The plugin's settings: their defaults in one place, checked once.

A bad value is warned about (naming the setting) and replaced by its
default, so a typo never stops a build.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

DEFAULTS = {
    # Advertised on every page (<link rel="webmention">) and in _headers
    # (Link); e.g. "https://webmention.io/example.org/webmention".
    # None: the site advertises no endpoint.
    "REPLIES_WEBMENTION_ENDPOINT": None,
    # Where `pelican-replies` reads received webmentions (webmention.io's API).
    "REPLIES_WEBMENTION_IO_URL": "https://webmention.io",
    # Where `pelican-replies` reads Bluesky threads (the public AppView).
    "REPLIES_BLUESKY_API_URL": "https://public.api.bsky.app",
    # The stored replies, relative to PATH (one JSON file per post).
    "REPLIES_PATH": "replies",
    # The most replies shown under a post; the rest are linked at the source.
    "REPLIES_MAX_PER_POST": 200,
    # How deep replies to replies are nested before they are shown flat.
    "REPLIES_MAX_DEPTH": 3,
    # `pelican-replies`: seconds to wait for a source, the largest answer read
    # (bytes), and the longest Retry-After honoured (seconds).
    "REPLIES_TIMEOUT": 10,
    "REPLIES_MAX_RESPONSE_BYTES": 32_000_000,
    "REPLIES_MAX_RETRY_AFTER": 120,
}

_URL_SETTINGS = ("REPLIES_WEBMENTION_IO_URL", "REPLIES_BLUESKY_API_URL")
_WHOLE_NUMBERS = (
    "REPLIES_MAX_PER_POST",
    "REPLIES_MAX_DEPTH",
    "REPLIES_TIMEOUT",
    "REPLIES_MAX_RESPONSE_BYTES",
    "REPLIES_MAX_RETRY_AFTER",
)


def is_loopback(host: str | None) -> bool:
    """Whether `host` is this machine (tests serve the sources there)."""
    return host in {"localhost", "127.0.0.1", "::1"} or (
        host is not None and host.startswith("127.")
    )


def followable(url: object) -> bool:
    """Whether a source URL may be fetched: https, or http on loopback."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and is_loopback(parts.hostname)


def _valid(key: str, value: object) -> bool:
    if key == "REPLIES_WEBMENTION_ENDPOINT":
        return value is None or followable(value)
    if key == "REPLIES_PATH":
        # A folder inside PATH: not absolute, not above it.
        return (
            isinstance(value, str)
            and bool(value.strip("/"))
            and not PurePosixPath(value).is_absolute()
            and ".." not in PurePosixPath(value).parts
        )
    if key in _URL_SETTINGS:
        return followable(value)
    if key in _WHOLE_NUMBERS:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return True


def check_settings(settings: dict) -> dict:
    """Fill in the defaults; warn about and replace each unusable value."""
    for key, default in DEFAULTS.items():
        value = settings.setdefault(key, default)
        if not _valid(key, value):
            logger.warning(
                "social_replies: %s = %r cannot be used; using %r",
                key,
                value,
                default,
            )
            settings[key] = default
    return settings
