"""Stored replies turned into plain, safe data for the theme's templates.

`post_replies()` takes one post's stored data (store.py's format) and returns
a `PostReplies`: counts, the thread of replies (nested, capped), the likes'
and reposts' faces, mentions, the ways to reply. Everything remote is made
safe here, at build time:

- HTML (Mastodon, webmentions) goes through nh3 with a short allow-list;
  Bluesky text is escaped and its facets become links (https only);
- names lose the bidi controls that could flip the text around them;
- a URL becomes a link only if it is http(s);
- an avatar is a file under the stored avatars folder, by name only.

Nothing here recurses over the stored thread: a thread of any size or depth
is walked with explicit stacks, and only the replies shown are sanitised.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import nh3
from markupsafe import Markup
from pelican.utils import strftime

from .store import AVATARS, KINDS

logger = logging.getLogger(__name__)

# Where the avatars of shown items are copied, relative to the output.
AVATARS_SAVE_AS = "replies/avatars/{name}"
# The deepest nesting shown, whatever REPLIES_MAX_DEPTH says: the theme's
# template recurses once per level.
MAX_NESTING = 6
# Faces shown for likes and for reposts (their counts say the rest).
FACES_SHOWN = 12
# A name longer than this is cut (with an ellipsis).
NAME_LENGTH = 80
LINK_REL = "nofollow ugc noopener"
PUBLIC = frozenset({"public", "unlisted"})
SOURCE_LABELS = {"mastodon": "Mastodon", "bluesky": "Bluesky", "webmention": "the web"}
# API sources first: the same reply seen through Bridgy (a webmention) and
# through the API is shown once, as the API's item.
SOURCE_ORDER = ("mastodon", "bluesky", "webmention")

# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069):
# in a name they could flip the text after it.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Unicode's category Cc: the C0 and C1 controls and DEL.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# A scheme of http or https and a host (after any user info).
_HTTP_URL = re.compile(r"https?://(?:[^/?#@]*@)?[^/?#@:]", re.IGNORECASE)
_SPACE_OR_CONTROL = re.compile("[\x00-\x20\x7f-\x9f]")
# A date format that names no part of the time: its labels are the same
# for every moment of a day, so each day's is worked out once.
_TIME_DIRECTIVE = re.compile(r"%[-_0^#]*[HIklMpPSfzZcXxrRTs+]")
_AVATAR_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}\.(?:png|jpe?g|gif|webp)$")
_DID = re.compile(r"^did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}$")

_CLEANER = nh3.Cleaner(
    tags={"p", "br", "a", "em", "strong", "i", "b"},
    clean_content_tags={"script", "style"},
    # "*": set() also drops ammonia's default attributes for every tag
    # (lang, title).
    attributes={"a": {"href"}, "*": set()},
    link_rel=LINK_REL,
    url_schemes={"http", "https"},
    url_relative="deny",
)


# ---------------------------------------------------------------------------
# What templates get.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyAuthor:
    """Who wrote a reply (or liked, reposted, mentioned)."""

    name: str  # plain text, bidi controls removed; never empty
    url: str | None  # http(s) only
    avatar: str | None  # output path ("replies/avatars/<file>"), or None


@dataclass
class Reply:
    """One reply, like, repost or mention, safe to print."""

    kind: str  # "reply", "like", "repost", "bookmark" or "mention"
    source: str  # "webmention", "mastodon" or "bluesky"
    url: str | None  # its own page, http(s) only
    author: ReplyAuthor
    published: dt.datetime | None
    published_label: str | None  # the date in the site's DEFAULT_DATE_FORMAT
    content: Markup  # sanitised HTML ("" when there is none)
    content_warning: str | None  # Mastodon's "spoiler" text, plain text
    replying_to: str | None  # the name it answers, when shown flattened
    replies: list[Reply] = field(default_factory=list)


@dataclass(frozen=True)
class Counts:
    """How many of each; each counted once, hidden ones never."""

    replies: int = 0
    reposts: int = 0
    likes: int = 0
    bookmarks: int = 0
    mentions: int = 0

    @property
    def total(self) -> int:
        return self.replies + self.reposts + self.likes + self.bookmarks + self.mentions


@dataclass(frozen=True)
class SourceLink:
    """A link out: "Reply on Mastodon", "4 more on Bluesky"."""

    source: str  # "mastodon", "bluesky" or "webmention"
    label: str  # "Mastodon", "Bluesky", "the web"
    url: str | None  # https only; None: no page to link to
    count: int = 0


@dataclass
class PostReplies:
    """`article.replies`: everything the theme shows under a post."""

    counts: Counts
    thread: list[Reply]  # top-level replies, each with its `replies`
    shown: int  # replies in `thread`, all levels
    more: list[SourceLink]  # replies not shown, per source
    likes: list[Reply]  # faces: likes with an avatar, at most FACES_SHOWN
    reposts: list[Reply]  # the same for reposts
    mentions: list[Reply]  # posts that mention this one
    reply_links: list[SourceLink]  # "Reply on Mastodon" / "on Bluesky"
    webmention_endpoint: str | None
    target: str  # this post's address, as a webmention's target
    avatar_files: list[str]  # stored avatar file names the page shows

    @property
    def any(self) -> bool:
        """Whether there is anything to show besides the invitation."""
        return bool(self.counts.total)


# ---------------------------------------------------------------------------
# Small safe pieces.
# ---------------------------------------------------------------------------


def http_url(value: object) -> str | None:
    """`value` if it is an absolute http(s) URL with a host, else None.

    A pattern, not urlsplit: it runs a few times for every reply, and
    urlsplit took a third of the plugin's build time. Stricter than
    urlsplit too: a URL with a space or a control character in it (which
    urlsplit silently drops) is refused."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if _HTTP_URL.match(value) is None or _SPACE_OR_CONTROL.search(value):
        return None
    return value


def https_url(value: object) -> str | None:
    """`value` if it is an absolute https URL, else None."""
    url = http_url(value)
    return url if url and url[:6].lower() == "https:" else None


def clean_name(value: object, limit: int = NAME_LENGTH) -> str:
    """A name as plain text: no bidi or other control characters, one line."""
    if not isinstance(value, str):
        return ""
    value = _BIDI_CONTROLS.sub("", value)
    value = " ".join(_CONTROL.sub(" ", value).split())
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "\u2026"
    return value


def _identifier(value: object) -> str | None:
    """A URL as compared for dedupe and hide.txt: no trailing slash."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().rstrip("/")


def _moment(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def sanitise_html(value: str) -> Markup:
    """Remote HTML cut down to p, br, a (http(s) href), em, strong, i, b."""
    return Markup(_CLEANER.clean(value).strip())


def text_to_html(text: str) -> str:
    """Plain text as escaped HTML: blank lines make paragraphs, newlines <br>."""
    paragraphs = [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return "".join(
        "<p>" + html.escape(part.strip()).replace("\n", "<br>") + "</p>"
        for part in paragraphs
    )


def _facet_link(facet: object) -> str | None:
    """The https address a Bluesky facet links its span to, if any."""
    if not isinstance(facet, dict) or not isinstance(facet.get("features"), list):
        return None
    for feature in facet["features"]:
        if not isinstance(feature, dict):
            continue
        kind = feature.get("$type")
        if kind == "app.bsky.richtext.facet#link":
            url = https_url(feature.get("uri"))
            if url:
                return url
        elif kind == "app.bsky.richtext.facet#mention":
            did = feature.get("did")
            if isinstance(did, str) and _DID.match(did):
                return f"https://bsky.app/profile/{did}"
    return None


def _byte_range(facet: dict, size: int, data: bytes) -> tuple[int, int] | None:
    index = facet.get("index")
    if not isinstance(index, dict):
        return None
    start, end = index.get("byteStart"), index.get("byteEnd")
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end)):
        return None
    if not 0 <= start < end <= size:
        return None

    # A span must start and end on a character boundary, not inside one.
    def inside_character(offset):
        return offset < size and 0x80 <= data[offset] < 0xC0

    if inside_character(start) or inside_character(end):
        return None
    return start, end


def bluesky_html(text: str, facets: object) -> str:
    """Bluesky post text as escaped HTML, its link and mention facets as
    links. Facets count UTF-8 bytes; invalid or overlapping ones are left
    out, and only https links are made."""
    data = text.encode("utf-8")
    spans = []
    for facet in facets if isinstance(facets, list) else ():
        if not isinstance(facet, dict):
            continue
        url = _facet_link(facet)
        where = _byte_range(facet, len(data), data) if url else None
        if where:
            spans.append((*where, url))
    spans.sort()
    pieces, cursor = [], 0
    for start, end, url in spans:
        if start < cursor:  # overlaps the one before
            continue
        pieces.append(("text", data[cursor:start].decode("utf-8")))
        pieces.append((url, data[start:end].decode("utf-8")))
        cursor = end
    pieces.append(("text", data[cursor:].decode("utf-8")))
    # Paragraphs and line breaks as in text_to_html, links kept whole.
    out = []
    for kind, piece in pieces:
        escaped = html.escape(piece)
        if kind == "text":
            out.append(escaped)
        else:
            out.append(f'<a href="{html.escape(kind, quote=True)}">{escaped}</a>')
    joined = "".join(out).strip()
    paragraphs = [part for part in re.split(r"\n\s*\n", joined) if part.strip()]
    return "".join(
        "<p>" + part.strip().replace("\n", "<br>") + "</p>" for part in paragraphs
    )


# ---------------------------------------------------------------------------
# Reading the stored items.
# ---------------------------------------------------------------------------


class _Item:
    """One stored item, checked, with what threading needs."""

    __slots__ = (
        "author",
        "author_urls",
        "hidden",
        "identifiers",
        "kind",
        "order",
        "parent",
        "parent_key",
        "published",
        "raw",
        "source",
        "url",
    )

    def __init__(self, raw: dict, source: str, order: int):
        self.raw = raw
        self.source = source
        self.order = order
        self.kind = raw["kind"]
        self.url = raw["url"].strip()
        aliases = raw.get("aliases")
        aliases = aliases if isinstance(aliases, list) else []
        self.identifiers = {
            key for key in map(_identifier, [self.url, *aliases]) if key is not None
        }
        self.author = raw["author"]
        # The author's profile, and on Bluesky also by the DID in the post's
        # at:// URI (a handle can change; hide.txt may name either).
        self.author_urls = {_identifier(self.author.get("url"))} - {None}
        at_uri = raw.get("id")
        if source == "bluesky" and isinstance(at_uri, str):
            did = at_uri.removeprefix("at://").split("/", 1)[0]
            if at_uri.startswith("at://") and _DID.match(did):
                self.author_urls.add(f"https://bsky.app/profile/{did}")
        self.parent_key = _identifier(raw.get("in_reply_to"))
        self.parent: _Item | None = None
        self.published = _moment(raw.get("published"))
        self.hidden = False

    def sort_key(self):
        return (self.published is None, self.published or _EPOCH, self.order)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _usable(raw: object) -> bool:
    """Whether a stored item has what showing it needs."""
    return (
        isinstance(raw, dict)
        and raw.get("kind") in KINDS
        and isinstance(raw.get("url"), str)
        and bool(raw["url"].strip())
        and isinstance(raw.get("author"), dict)
        and isinstance(raw["author"].get("name", ""), str | None)
    )


def _public(raw: dict, source: str) -> bool:
    visibility = raw.get("visibility")
    if source == "mastodon":
        return visibility in PUBLIC
    return visibility is None or visibility in PUBLIC


def _read_items(data: dict, path: object) -> tuple[list[_Item], list[str]]:
    """The usable public items of every source, API sources first, and what
    could not be used (said in one warning per file)."""
    items, problems, unusable = [], [], 0
    sources = data.get("sources") or {}
    for source in SOURCE_ORDER:
        section = sources.get(source)
        if section is None:
            continue
        entries = section.get("items", []) if isinstance(section, dict) else None
        if not isinstance(entries, list):
            problems.append(f"the {source} section has no list of items")
            continue
        for raw in entries:
            if not _usable(raw):
                unusable += 1
            elif _public(raw, source):
                items.append(_Item(raw, source, len(items)))
    if unusable:
        problems.append(f"{unusable} item(s) lack a kind, url or author")
    return items, problems


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# ---------------------------------------------------------------------------
# The thread.
# ---------------------------------------------------------------------------


def _link_parents(replies: list[_Item], by_identifier: dict[str, _Item]) -> None:
    """Set each reply's parent (a reply shown on this page, or None for the
    post), breaking any cycle in the stored data."""
    members = set(replies)
    for item in replies:
        parent = by_identifier.get(item.parent_key) if item.parent_key else None
        item.parent = parent if parent is not item and parent in members else None
    # A cycle (A answers B answers A) has no way up to the post: cut it at
    # the first item met twice. Each item is walked over once.
    settled: set[_Item] = set()
    for item in replies:
        path, on_path, node = [], set(), item
        while node is not None and node not in settled:
            if node in on_path:
                node.parent = None
                break
            on_path.add(node)
            path.append(node)
            node = node.parent
        settled.update(path)


def _children_of(replies: list[_Item]) -> dict[_Item | None, list[_Item]]:
    children: dict[_Item | None, list[_Item]] = {}
    for item in replies:
        children.setdefault(item.parent, []).append(item)
    return children


def _descendants(item: _Item, children) -> list[_Item]:
    """Every reply below `item`, oldest first."""
    found, waiting = [], list(children.get(item, ()))
    while waiting:
        node = waiting.pop()
        found.append(node)
        waiting.extend(children.get(node, ()))
    return sorted(found, key=_Item.sort_key)


def _reading_order(replies, children, max_depth: int, limit: int):
    """(item, depth, flattened) in reading order, at most `limit` of them.

    Depth 0 answers the post. Levels go down to max_depth - 1; the replies
    below an item on the level above the deepest are all shown on the
    deepest level, oldest first (`flattened` says whether an item stands
    there below its real parent)."""
    if max_depth == 1:
        top = [(item, 0, item.parent is not None) for item in replies]
        top.sort(key=lambda entry: entry[0].sort_key())
        return top[:limit]
    roots = sorted(children.get(None, ()), key=_Item.sort_key)
    stack = [(item, 0, False) for item in reversed(roots)]
    shown = []
    while stack and len(shown) < limit:
        item, depth, flattened = stack.pop()
        shown.append((item, depth, flattened))
        if depth + 1 < max_depth - 1:
            below = sorted(children.get(item, ()), key=_Item.sort_key)
            stack.extend((child, depth + 1, False) for child in reversed(below))
        elif depth + 1 == max_depth - 1:
            below = _descendants(item, children)
            stack.extend(
                (child, depth + 1, child.parent is not item)
                for child in reversed(below)
            )
    return shown


# ---------------------------------------------------------------------------
# Building the page's data.
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _day_label(day: dt.date, date_format: str) -> str:
    """A day in a date format that names no part of the time."""
    return strftime(dt.datetime.combine(day, dt.time()), date_format)


class _Renderer:
    """Turns checked items into `Reply` objects for one post."""

    def __init__(self, avatars_folder: Path, date_format: str):
        self.avatars_folder = avatars_folder
        self.date_format = date_format
        self.avatar_files: list[str] = []
        self.labels_by_day = not _TIME_DIRECTIVE.search(date_format)

    def date_label(self, moment: dt.datetime) -> str:
        """`moment` in the site's date format (Pelican's strftime, which is
        slow: a day's label is worked out once when the format names no
        time)."""
        if not self.labels_by_day:
            return strftime(moment, self.date_format)
        return _day_label(moment.date(), self.date_format)

    def author(self, raw: dict) -> ReplyAuthor:
        url = http_url(raw.get("url"))
        name = clean_name(raw.get("name"))
        if not name:
            name = clean_name(urlsplit(url).hostname) if url else ""
        return ReplyAuthor(name=name or "Someone", url=url, avatar=self.avatar(raw))

    def avatar(self, raw: dict) -> str | None:
        """The output path of a stored avatar, noted for copying; or None."""
        name = self.avatar_name(raw)
        if name is None:
            return None
        if name not in self.avatar_files:
            self.avatar_files.append(name)
        return AVATARS_SAVE_AS.format(name=name)

    def avatar_name(self, raw: dict) -> str | None:
        """The file name of an author's stored avatar, if it is a plain name
        in the avatars folder and the file is there."""
        stored = raw.get("avatar")
        if not isinstance(stored, str) or not stored.startswith(AVATARS + "/"):
            return None
        name = stored[len(AVATARS) + 1 :]
        if not _AVATAR_NAME.match(name) or not (self.avatars_folder / name).is_file():
            return None
        return name

    def content(self, item: _Item) -> Markup:
        raw = item.raw
        if item.source == "bluesky" and isinstance(raw.get("text"), str):
            return sanitise_html(bluesky_html(raw["text"], raw.get("facets")))
        if isinstance(raw.get("html"), str) and raw["html"].strip():
            return sanitise_html(raw["html"])
        if isinstance(raw.get("text"), str):
            return sanitise_html(text_to_html(raw["text"]))
        return Markup("")

    def reply(self, item: _Item, replying_to: str | None = None) -> Reply:
        warning = item.raw.get("content_warning")
        return Reply(
            kind=item.kind,
            source=item.source,
            url=http_url(item.url),
            author=self.author(item.author),
            published=item.published,
            published_label=(
                self.date_label(item.published) if item.published else None
            ),
            # Only replies show their text: a mention may be a whole post.
            content=self.content(item) if item.kind == "reply" else Markup(""),
            content_warning=clean_name(warning, 500) or None,
            replying_to=replying_to,
        )


def _thread(replies, renderer, max_depth, limit):
    """The nested `Reply` tree of the replies shown, and the items not shown."""
    by_identifier: dict[str, _Item] = {}
    for item in replies:
        for key in item.identifiers:
            by_identifier.setdefault(key, item)
    _link_parents(replies, by_identifier)
    children = _children_of(replies)
    order = _reading_order(replies, children, max_depth, limit)
    thread: list[Reply] = []
    # The open Reply on each level: a reply goes under the one above it.
    open_levels: list[Reply] = []
    names: dict[_Item, str] = {}
    for item, depth, flattened in order:
        replying_to = names.get(item.parent) if flattened else None
        reply = renderer.reply(item, replying_to)
        names[item] = reply.author.name
        del open_levels[depth:]
        (open_levels[-1].replies if open_levels else thread).append(reply)
        open_levels.append(reply)
    shown = {item for item, _depth, _flat in order}
    return thread, len(order), [item for item in replies if item not in shown]


def _mark_hidden(items: list[_Item], hidden: set[str]) -> None:
    """Hide items named in hide.txt (by their URLs or their author's URL),
    and every reply below a hidden reply."""
    by_identifier: dict[str, _Item] = {}
    for item in items:
        for key in item.identifiers:
            by_identifier.setdefault(key, item)
        if hidden and (item.identifiers & hidden or item.author_urls & hidden):
            item.hidden = True
    below: dict[_Item, list[_Item]] = {}
    for item in items:
        parent = by_identifier.get(item.parent_key) if item.parent_key else None
        if parent is not None and parent is not item:
            below.setdefault(parent, []).append(item)
    waiting = [item for item in items if item.hidden]
    while waiting:
        for child in below.get(waiting.pop(), ()):
            if not child.hidden:
                child.hidden = True
                waiting.append(child)


def _dedupe(items: list[_Item]) -> list[_Item]:
    """Each interaction once: the first seen (API sources come first) wins,
    and later copies' URLs become its aliases (so their replies find it)."""
    kept, seen = [], {}
    for item in items:
        twin = next((seen[key] for key in item.identifiers if key in seen), None)
        if twin is None:
            kept.append(item)
            twin = item
        for key in item.identifiers:
            seen.setdefault(key, twin)
        twin.identifiers |= item.identifiers
    return kept


def _section(sources: dict, source: str) -> dict:
    section = sources.get(source)
    return section if isinstance(section, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _unstored_replies(section: dict) -> int:
    """Replies a source has that were not stored (it said `truncated`)."""
    total = _count(section.get("replies"))
    if section.get("truncated") is not True or total is None:
        return 0
    entries = section.get("items")
    entries = entries if isinstance(entries, list) else []
    stored = sum(
        1
        for entry in entries
        if isinstance(entry, dict) and entry.get("kind") == "reply"
    )
    return max(total - stored, 0)


def _counts(items: list[_Item], sources: dict, post_urls: dict) -> Counts:
    """Each kind counted once. Likes and reposts: the APIs' counts, less the
    hidden ones they list, plus the webmentions they do not cover. Bridgy's
    copy of a like of the post's Mastodon status (or Bluesky post) is a
    webmention whose URL is that status URL followed by "#": already in
    the API's count."""
    tally = dict.fromkeys(KINDS, 0)
    counted_by_api: set[tuple[str, str]] = set()
    covered: dict[str, list[str]] = {"like": [], "repost": []}
    for source in ("mastodon", "bluesky"):
        section = _section(sources, source)
        for kind, key in (("like", "likes"), ("repost", "reposts")):
            number = _count(section.get(key))
            if number is not None and number >= 0:
                tally[kind] += number
                counted_by_api.add((source, kind))
                covered[kind].extend(url.rstrip("/") + "#" for url in post_urls[source])
    for item in items:
        if item.kind in covered:
            if item.source == "webmention":
                in_api = any(
                    item.url.startswith(prefix) for prefix in covered[item.kind]
                )
            else:
                in_api = (item.source, item.kind) in counted_by_api
            if in_api:
                tally[item.kind] -= item.hidden  # the API counted it; we must not
                continue
        if not item.hidden:
            tally[item.kind] += 1
    return Counts(
        replies=tally["reply"],
        reposts=max(tally["repost"], 0),
        likes=max(tally["like"], 0),
        bookmarks=tally["bookmark"],
        mentions=tally["mention"],
    )


def shown_items(data: dict, hidden: set[str]) -> set[int]:
    """The stored items (by `id()`) a page may show: usable and public, not
    named in hide.txt, not below a hidden reply, and not the copy of one
    that is. `pelican-replies` keeps the avatars of these only."""
    items, _problems = _read_items(data, None)
    kept = _dedupe(list(items))
    _mark_hidden(kept, hidden)
    by_identifier = {key: item for item in kept for key in item.identifiers}
    shown = set()
    for item in items:
        twin = next(
            (by_identifier[key] for key in item.identifiers if key in by_identifier),
            item,
        )
        if not (item.hidden or twin.hidden):
            shown.add(id(item.raw))
    return shown


def post_replies(
    data: dict | None,
    *,
    path: object,
    hidden: set[str],
    avatars_folder: Path,
    settings: dict,
    metadata: dict,
    target: str,
) -> PostReplies:
    """What the theme shows under one post. `data`: its stored replies (None:
    none stored); `path` names the file in warnings; `hidden`: hide.txt's
    URLs; `metadata`: the post's (its `mastodon` and `bluesky` addresses)."""
    renderer = _Renderer(
        avatars_folder, settings.get("DEFAULT_DATE_FORMAT", "%Y-%m-%d")
    )
    data = data or {}
    sources = data.get("sources") or {}
    items, problems = _read_items(data, path)
    if problems:
        logger.warning(
            "social_replies: %s: %s; left out, the rest is shown",
            path,
            "; ".join(problems),
        )
    items = _dedupe(items)
    _mark_hidden(items, hidden)
    visible = [item for item in items if not item.hidden]
    # The addresses of the post's own status and Bluesky post: https ones
    # become "Reply on" links; every one the post is known by (the fetch
    # stores the others as `aliases`: Bridgy names a Bluesky post by its
    # DID), http too, only recognises Bridgy's copies of likes and reposts.
    post_urls, counted_urls = {}, {}
    for source, key in (("mastodon", "status"), ("bluesky", "post")):
        section = _section(sources, source)
        named = [section.get(key), metadata.get(source)]
        post_urls[source] = [url for url in map(https_url, named) if url]
        known = [*named, *_list(section.get("aliases"))]
        counted_urls[source] = [url for url in map(http_url, known) if url]
    counts = _counts(items, sources, counted_urls)
    replies = [item for item in visible if item.kind == "reply"]
    max_depth = max(1, min(int(settings.get("REPLIES_MAX_DEPTH", 3)), MAX_NESTING))
    limit = max(0, int(settings.get("REPLIES_MAX_PER_POST", 200)))
    thread, shown, not_shown = _thread(replies, renderer, max_depth, limit)

    # A source that held more replies than `pelican-replies` keeps says how
    # many it has: those are linked at the source, and counted, too.
    unstored = {
        source: _unstored_replies(_section(sources, source))
        for source in ("mastodon", "bluesky")
    }
    counts = dataclasses.replace(
        counts, replies=counts.replies + sum(unstored.values())
    )
    more: list[SourceLink] = []
    for source in SOURCE_ORDER:
        left = sum(1 for item in not_shown if item.source == source)
        left += unstored.get(source, 0)
        if left:
            url = next(iter(post_urls.get(source, ())), None)
            more.append(SourceLink(source, SOURCE_LABELS[source], url, left))

    def faces(kind):
        chosen = sorted(
            (i for i in visible if i.kind == kind and renderer.avatar_name(i.author)),
            key=_Item.sort_key,
        )
        return [renderer.reply(item) for item in chosen[:FACES_SHOWN]]

    mentions = sorted((i for i in visible if i.kind == "mention"), key=_Item.sort_key)
    reply_links = [
        SourceLink(source, SOURCE_LABELS[source], url)
        for source in ("mastodon", "bluesky")
        if (url := https_url(metadata.get(source)))
    ]
    endpoint = settings.get("REPLIES_WEBMENTION_ENDPOINT")
    return PostReplies(
        counts=counts,
        thread=thread,
        shown=shown,
        more=more,
        likes=faces("like"),
        reposts=faces("repost"),
        mentions=[renderer.reply(item) for item in mentions[:limit]],
        reply_links=reply_links,
        webmention_endpoint=endpoint if isinstance(endpoint, str) else None,
        target=target,
        avatar_files=renderer.avatar_files,
    )
