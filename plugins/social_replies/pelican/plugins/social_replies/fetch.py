"""`pelican-replies`: fetch each post's conversation into `content/replies/`.

For every published post (production settings), ask webmention.io, and the
Mastodon status and Bluesky post its metadata names, what is new; merge it
into the post's stored file (or, with --full, replace each source's items,
so what was deleted upstream goes); download the avatars; write the file
atomically. A source that fails leaves that post's file exactly as it was
(one warning naming the source and the post); the next run catches up.

Run it as `pelican-replies` (command() below; this site's `make replies`
runs `pelican-replies`, which calls it). Only that command imports this
module: a build never fetches.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import logging
import os
import struct
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from PIL import Image, ImageOps

from . import render, sources, store
from .posts import Post, published_posts
from .settings import check_settings, followable

logger = logging.getLogger(__name__)

AVATAR_SIZE = 96  # pixels, square
MAX_AVATAR_BYTES = 2_000_000
# Decoding more pixels than this is refused before any is decoded (a small
# file can claim a huge image: a decompression bomb). 4 Mpx of RGBA: 16 MB.
MAX_AVATAR_PIXELS = 2048 * 2048
AVATAR_FORMATS = ["PNG", "JPEG", "GIF", "WEBP"]
SOURCE_NAMES = {
    "webmention": "webmention.io",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
}


class AvatarError(ValueError):
    """An avatar could not be decoded or is not an image we accept."""


def square_png(data: bytes) -> bytes:
    """An avatar as a 96x96 PNG: EXIF orientation applied, centre-cropped
    square, and nothing else of the original kept (no EXIF, no profile)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=AVATAR_FORMATS)
            width, height = image.size
            if width * height > MAX_AVATAR_PIXELS:
                raise AvatarError(f"{width}×{height} pixels is too large an avatar")
            image.draft(
                "RGB", (AVATAR_SIZE * 2, AVATAR_SIZE * 2)
            )  # JPEG: decode smaller
            image = ImageOps.exif_transpose(image)
            has_alpha = (
                image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
            )
            image = image.convert("RGBA" if has_alpha else "RGB")
            square = ImageOps.fit(
                image,
                (AVATAR_SIZE, AVATAR_SIZE),
                Image.Resampling.LANCZOS,
                centering=(0.5, 0.5),
            )
    except (
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
        struct.error,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise AvatarError(f"not a usable image: {error}") from None
    # A new image from the pixels alone: no EXIF (GPS), no ICC profile, no
    # text chunks of the original can ride along into the PNG.
    clean = Image.frombytes(square.mode, square.size, square.tobytes())
    output = io.BytesIO()
    clean.save(output, "PNG")
    return output.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _without(section: dict, key: str) -> str:
    return json.dumps({k: v for k, v in section.items() if k != key}, sort_keys=True)


@dataclass
class PostReport:
    """What one post's run did, for the line printed about it."""

    post: str
    changes: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    written: bool = False
    note: str = ""

    def line(self) -> str:
        if self.note:
            outcome = self.note
        elif self.failed:
            failed = ", ".join(self.failed)
            outcome = f"not written: {failed} failed (stored file kept as it was)"
        else:
            outcome = "written" if self.written else "unchanged"
        changes = "; ".join(self.changes) or "no sources"
        return f"{self.post}: {changes} -> {outcome}"


class ReplyFetcher:
    """One `make replies` run over some posts."""

    def __init__(self, settings: dict, *, full: bool = False, client: sources.Client):
        self.settings = settings
        self.full = full
        self.client = client
        self.folder = Path(settings["PATH"]) / settings["REPLIES_PATH"]
        self.hidden = store.read_hidden(self.folder)
        self.now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        # avatar_source -> "avatars/<hash>.png": what earlier runs downloaded
        # (reused unless --full), then what this run did (None: it failed).
        self.stored_avatars = {} if full else self._stored_avatars()
        self.fetched_avatars: dict[str, str | None] = {}

    # -- stored data ------------------------------------------------------

    def _stored_files(self) -> list[Path]:
        # Only the posts' files: send.py keeps its record in a subfolder.
        return sorted(self.folder.glob("*.json"))

    def _stored_avatars(self) -> dict[str, str]:
        known = {}
        for path in self._stored_files():
            try:
                data = store.load(path)
            except store.StoredDataError:
                continue  # warned about when its post is fetched
            for item in _items(data):
                author = item.get("author") or {}
                avatar, source = author.get("avatar"), author.get("avatar_source")
                if avatar and source and (self.folder / avatar).is_file():
                    known[source] = avatar
        return known

    def shown(self, data: dict) -> set[int]:
        """The items of a post's data (by `id()`) its page may show, as the
        build decides: not named in hide.txt (by URL, alias or author), not
        below a hidden reply, not a copy of a hidden one, and public."""
        return render.shown_items(data, self.hidden)

    # -- one post ---------------------------------------------------------

    def fetch_post(self, post: Post) -> PostReport:
        """Fetch one post's sources and write its file if all were read."""
        report = PostReport(post.relative_source)
        path = self.folder / f"{post.slug}.json"
        try:
            data = (
                store.load(path)
                if path.exists()
                else store.empty(post.relative_source, post.url)
            )
        except store.StoredDataError as error:
            logger.warning(
                "social_replies: %s; replies for %s are not fetched until it is fixed",
                error,
                post.source_path,
            )
            report.note = "skipped (its stored file cannot be read)"
            return report
        stored_target = data.get("target")
        data["post"] = post.relative_source
        data["target"] = post.url
        old_sources = data["sources"]
        new_sources = dict(old_sources)
        for name, fetch in self._plan(post, old_sources, stored_target):
            old = old_sources.get(name, {})
            try:
                fetched, replace = fetch(old)
            except sources.SourceError as error:
                logger.warning(
                    "social_replies: %s could not be read for %s: %s",
                    SOURCE_NAMES[name],
                    post.source_path,
                    error,
                )
                report.failed.append(SOURCE_NAMES[name])
                continue
            if fetched is None:  # the post no longer names this source
                new_sources.pop(name, None)
                report.changes.append(f"{name} removed (no longer in the metadata)")
                continue
            new_sources[name] = self._section(name, old, fetched, replace)
            report.changes.append(_count_changes(name, old, new_sources[name]))
        if report.failed:
            return report  # nothing written: the next run catches up
        shown = self.shown({"sources": new_sources})
        for section in new_sources.values():
            for item in section.get("items", ()):
                self._set_avatar(item, post, shown=id(item) in shown)
        for name, section in new_sources.items():
            old = old_sources.get(name, {})
            if (
                _without(section, "fetched") != _without(old, "fetched")
                or "fetched" not in old
            ):
                section["fetched"] = self.now
            else:
                section["fetched"] = old["fetched"]
        data["sources"] = new_sources
        report.written = store.save(path, data)
        return report

    def _plan(self, post: Post, old_sources: dict, stored_target: object):
        """(source name, fetch) for each source this post is asked of."""
        since = old_sources.get("webmention", {}).get("since_id")
        incremental = (
            not self.full and stored_target == post.url and isinstance(since, int)
        )
        yield (
            "webmention",
            lambda old: (
                sources.fetch_webmention(
                    self.client,
                    self.settings["REPLIES_WEBMENTION_IO_URL"],
                    post.url,
                    since if incremental else None,
                ),
                not incremental,
            ),
        )
        for name, key, checker in (
            ("mastodon", "status", sources.mastodon_status),
            ("bluesky", "post", sources.bluesky_post),
        ):
            url = post.metadata.get(name)
            if url is None:
                if name in old_sources:
                    yield name, lambda old: (None, True)
                continue
            if not (isinstance(url, str) and followable(url) and checker(url)):
                logger.warning(
                    "social_replies: %s: %s = %r is not a %s post URL (https); ignored",
                    post.source_path,
                    name.capitalize(),
                    url,
                    SOURCE_NAMES[name],
                )
                continue
            yield name, self._thread_fetch(name, key, url)

    def _thread_fetch(self, name: str, key: str, url: str):
        def fetch(old: dict):
            # Another status than the stored one: its replies replace theirs.
            replace = self.full or old.get(key) != url
            known = () if replace else old.get("items", ())
            if name == "mastodon":
                return sources.fetch_mastodon(self.client, url, known), replace
            api = self.settings["REPLIES_BLUESKY_API_URL"]
            return sources.fetch_bluesky(self.client, api, url, known), replace

        return fetch

    def _section(
        self, name: str, old: dict, fetched: sources.Fetched, replace: bool
    ) -> dict:
        """The stored section: the fetched items merged into the stored ones
        (by id; what the source no longer returns is kept, as Mastodon
        answers anonymous readers with at most 60 replies), or, with
        `replace`, the fetched items alone. Unknown fields are kept."""
        section = {**old, **fetched.fields}
        if replace:
            items, truncated = fetched.items, fetched.truncated
        else:
            by_id = {item["id"]: item for item in old.get("items", ()) if "id" in item}
            by_id.update((item["id"], item) for item in fetched.items)
            items, cut = sources.earliest(by_id.values())
            # webmention.io answers with what is new only: what was cut
            # before stays cut.
            earlier = name == "webmention" and bool(old.get("truncated"))
            truncated = fetched.truncated or cut or earlier
        section["items"] = items
        section["truncated"] = truncated
        return section

    # -- avatars ----------------------------------------------------------

    def _set_avatar(self, item: dict, post: Post, *, shown: bool) -> None:
        author = item.setdefault("author", {})
        source = author.get("avatar_source")
        if not shown or not source:
            author["avatar"] = None  # a hidden author's avatar is not kept
            return
        author["avatar"] = self._avatar(source, post)

    def _avatar(self, source: str, post: Post) -> str | None:
        if source in self.fetched_avatars:
            return self.fetched_avatars[source]
        stored = self.stored_avatars.get(source)
        if stored and (self.folder / stored).is_file():
            return stored
        name = None
        if not followable(source):
            logger.warning(
                "social_replies: avatar %r (a reply to %s) is not https; not kept",
                source,
                post.source_path,
            )
        else:
            try:
                png = square_png(
                    self.client.get_bytes(
                        source, max_bytes=MAX_AVATAR_BYTES, accept="image/*"
                    )
                )
            except (sources.SourceError, AvatarError) as error:
                logger.warning(
                    "social_replies: avatar for a reply to %s not kept: %s",
                    post.source_path,
                    error,
                )
            else:
                name = f"{store.AVATARS}/{hashlib.sha256(png).hexdigest()[:20]}.png"
                if not (self.folder / name).is_file():
                    _write_atomically(self.folder / name, png)
        self.fetched_avatars[source] = name
        return name

    def remove_unused_avatars(self) -> int:
        """Delete the avatars no stored, shown item uses; how many went."""
        used = set()
        for path in self._stored_files():
            try:
                data = store.load(path)
            except store.StoredDataError as error:
                logger.warning(
                    "social_replies: %s; no avatar is removed while it cannot be read",
                    error,
                )
                return 0
            shown = self.shown(data)
            for item in _items(data):
                avatar = (item.get("author") or {}).get("avatar")
                if avatar and id(item) in shown:
                    used.add(avatar)
        removed = 0
        for path in sorted((self.folder / store.AVATARS).glob("*.png")):
            if f"{store.AVATARS}/{path.name}" not in used:
                path.unlink()
                removed += 1
        return removed


def _items(data: dict):
    for section in data.get("sources", {}).values():
        if isinstance(section, dict):
            yield from (
                item for item in section.get("items", ()) if isinstance(item, dict)
            )


def _count_changes(name: str, old: dict, new: dict) -> str:
    before = {item.get("id") for item in old.get("items", ())}
    after = {item.get("id") for item in new.get("items", ())}
    counts = [f"+{len(after - before)} new"]
    if before - after:
        counts.append(f"{len(before - after)} gone")
    counts.append(f"{len(after)} stored")
    return f"{name} {', '.join(counts)}"


def user_agent(settings: dict) -> str:
    """Names the site, so a source's operators know who is asking."""
    site = settings.get("SITENAME") or "Pelican site"
    name = f"{site} replies (+{settings.get('SITEURL', '')})"
    return name.encode("ascii", "replace").decode("ascii")


def fetch_replies(
    settings_file: str | Path,
    *,
    full: bool = False,
    only_post: str | Path | None = None,
    out: TextIO | None = None,
    **override,
) -> int:
    """Run `make replies`; the exit status (0 when it ran, warnings or not)."""
    out = out or sys.stdout
    settings, posts = published_posts(settings_file, **override)
    check_settings(settings)
    if only_post is not None:
        wanted = Path(only_post).resolve()
        posts = [post for post in posts if post.source_path == wanted]
        if not posts:
            print(f"error: {only_post} is not a published post", file=sys.stderr)
            return 2
    client = sources.Client(
        user_agent=user_agent(settings),
        timeout=settings["REPLIES_TIMEOUT"],
        max_bytes=settings["REPLIES_MAX_RESPONSE_BYTES"],
        max_retry_after=settings["REPLIES_MAX_RETRY_AFTER"],
    )
    fetcher = ReplyFetcher(settings, full=full, client=client)
    written = failed = 0
    for post in posts:
        report = fetcher.fetch_post(post)
        written += report.written
        failed += bool(report.failed or report.note)
        print(report.line(), file=out)
    removed = fetcher.remove_unused_avatars()
    print(
        f"{len(posts)} posts: {written} written, {failed} kept as they were "
        f"(see the warnings), {removed} unused avatars removed",
        file=out,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """`pelican-replies [--settings publishconf.py] [--full] [--post FILE]`."""
    parser = argparse.ArgumentParser(
        prog="pelican-replies",
        description="Fetch the replies to every published post into REPLIES_PATH.",
    )
    parser.add_argument(
        "--settings",
        type=Path,
        default=Path("publishconf.py"),
        help="the production settings (default: publishconf.py here)",
    )
    parser.add_argument("--full", action="store_true", help="refetch everything")
    parser.add_argument("--post", type=Path, help="only this post's source file")
    parser.add_argument(
        "--content-dir", type=Path, help="instead of the settings' PATH"
    )
    args = parser.parse_args(argv)
    override = {"PATH": str(args.content_dir.resolve())} if args.content_dir else {}
    return fetch_replies(args.settings, full=args.full, only_post=args.post, **override)


def command() -> int:
    """The `pelican-replies` command: main(), warnings printed."""
    logging.basicConfig(format="%(levelname)s: %(message)s", level=logging.WARNING)
    return main()
