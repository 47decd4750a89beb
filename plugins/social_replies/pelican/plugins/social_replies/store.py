"""The stored replies: one JSON file per post under `content/replies/`.

`make replies` writes them (fetch.py), the build only reads them
(social_replies.py). The format is versioned: `load()` reads every older
version and returns the newest; `save()` writes the newest, atomically.
Fields this code does not know are kept as they are, never dropped.

Version 1, one file per post, named after the post's slug::

    {
      "format": 1,
      "post": "posts/some-post.md",          # source, relative to PATH
      "target": "https://site.example/posts/some-post/",
      "sources": {
        "webmention": {"fetched": ISO, "since_id": 123, "truncated": false,
                       "items": [...]},
        "mastodon": {"status": URL, "aliases": [URL, ...], "fetched": ISO,
                     "likes": 3, "reposts": 2, "replies": 70,
                     "truncated": false, "items": [...]},
        "bluesky": {"post": URL, "aliases": [URL, ...], "fetched": ISO,
                    "likes": 3, "reposts": 2, "replies": 12,
                    "truncated": false, "items": [...]}
      }
    }

"fetched" is when the section last changed (a run that finds nothing new
leaves the file's bytes alone). "likes", "reposts" and "replies" are the
source's own totals (null when it did not say): Mastodon answers anonymous
readers with at most 60 replies, and at most 1,000 items are kept per
source (the earliest), so "replies" can exceed the items stored;
"truncated" is true when the source held more items than were kept (or,
Mastodon, may have: it answered with as many as it shows anonymous readers).
"aliases" (added later, absent in older files): the status's or post's other
addresses (a Mastodon status's page and ActivityPub id; a Bluesky post's
at:// URI and its bsky.app address by DID), as Bridgy may name it.

Every item, whatever its source, has the same shape::

    {
      "id": "the source's own id",
      "kind": "reply" | "like" | "repost" | "bookmark" | "mention",
      "url": "the interaction's own page (https)",
      "aliases": ["other URLs the same interaction is known by"],
      "in_reply_to": "URL of the item it answers; null: the post itself",
      "published": "ISO 8601 with offset, or null",
      "author": {"name": str, "url": str, "avatar": "avatars/<hash>.png" | null,
                 "avatar_source": "the remote URL the avatar came from" | null},
      "html": "remote HTML as received (sanitised at build time)" | null,
      "text": "plain text (Bluesky, or a webmention's content.text)" | null,
      "facets": [...Bluesky facets as received...]   # Bluesky only
      "visibility": "public" | "unlisted" | ...      # Mastodon only
      "content_warning": "the author's spoiler text" | null  # Mastodon only
    }

Remote text is stored as received; the build sanitises it, so a better
sanitiser cleans old data too.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

FORMAT = 1
SOURCES = ("webmention", "mastodon", "bluesky")
KINDS = ("reply", "like", "repost", "bookmark", "mention")
AVATARS = "avatars"  # folder beside the JSON files
HIDE_FILE = "hide.txt"


class StoredDataError(ValueError):
    """A stored replies file cannot be read; the message says which and why."""


def empty(post: str, target: str) -> dict:
    """The stored data of a post nothing was fetched for yet."""
    return {"format": FORMAT, "post": post, "target": target, "sources": {}}


def _migrate(data: dict, path: Path) -> dict:
    """Bring `data` of any known format up to FORMAT, keeping unknown fields."""
    version = data.get("format")
    if version == FORMAT:
        return data
    if isinstance(version, int) and version > FORMAT:
        raise StoredDataError(
            f"{path}: format {version} is newer than this plugin reads ({FORMAT})"
        )
    raise StoredDataError(f"{path}: unknown format {version!r}")


def load(path: Path) -> dict:
    """Read one post's stored replies, migrated to the newest format."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StoredDataError(f"{path}: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("sources", {}), dict):
        raise StoredDataError(f"{path}: not a replies file (no 'sources' object)")
    data = _migrate(data, Path(path))
    data.setdefault("sources", {})
    return data


def save(path: Path, data: dict) -> bool:
    """Write `data` atomically (a temporary file renamed over the old one).

    Returns whether the file changed: identical bytes are not rewritten, so
    a fetch that found nothing new leaves the file (and git) untouched."""
    path = Path(path)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def read_hidden(folder: Path) -> set[str]:
    """The URLs listed in `hide.txt`: one a line; a line starting with `#` is
    a comment (a URL may hold a `#` fragment, so only whole lines are)."""
    try:
        lines = (Path(folder) / HIDE_FILE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    hidden = set()
    for line in lines:
        url = line.strip()
        if url and not url.startswith("#"):
            hidden.add(url.rstrip("/"))
    return hidden
