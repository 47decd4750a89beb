"""The three places replies come from, read over HTTP by `pelican-replies`.

Each source turns the remote answer into stored items (the one item shape
of store.py). Only fetch.py imports this module, and only the
`pelican-replies` command (this site: `make replies`) imports fetch.py: a
build never reaches the network.

HTTP is the standard library's: a timeout on the whole request, at most
REPLIES_MAX_RESPONSE_BYTES read (in chunks, so a huge answer never sits in
memory whole), redirects followed only to followable URLs, and one retry
after a 429 whose Retry-After is short enough. Whatever goes wrong is a
`SourceError` whose message says what.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import json
import logging
import re
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from .settings import followable

logger = logging.getLogger(__name__)

# What one source keeps per post. Threads read from the top, so the earliest
# are kept: a reply is always later than what it answers, so every kept
# reply's parent is kept too and the stored thread stays whole.
MAX_ITEMS_PER_SOURCE = 1000
# webmention.io's largest page.
WEBMENTION_PAGE_SIZE = 100
# How deep getPostThread reads a Bluesky thread. Each level nests the JSON
# about three levels deeper, and Python's JSON parser stops near 1,000.
BLUESKY_THREAD_DEPTH = 100
_CHUNK = 64 * 1024

WEBMENTION_KINDS = {
    "in-reply-to": "reply",
    "like-of": "like",
    "repost-of": "repost",
    "bookmark-of": "bookmark",
    "mention-of": "mention",
}
MASTODON_VISIBLE = {"public", "unlisted"}
# Mastodon (since 4.0) shows anonymous readers at most this many of a
# status's descendants: an answer this long may leave replies out.
MASTODON_ANONYMOUS_DESCENDANTS = 60
_MASTODON_STATUS_PATHS = (
    re.compile(r"^/@[^/]+/(?P<id>[0-9]+)/?$"),  # https://instance/@user/123
    re.compile(r"^/users/[^/]+/statuses/(?P<id>[0-9]+)/?$"),  # its ActivityPub id
)
_BLUESKY_POST_PATH = re.compile(
    r"^/profile/(?P<actor>[^/]+)/post/(?P<rkey>[A-Za-z0-9._:~-]+)/?$"
)
_BLUESKY_UNREADABLE = {
    "app.bsky.feed.defs#blockedPost",
    "app.bsky.feed.defs#notFoundPost",
}


class SourceError(Exception):
    """A source could not be read (down, slow, refused, malformed...)."""


class _FollowableRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to a URL we would request ourselves."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0917
        if not followable(newurl):
            raise SourceError(f"redirected to {newurl!r}, which is not followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def retry_after_seconds(
    value: str | None, now: dt.datetime | None = None
) -> float | None:
    """Retry-After in seconds (a number or an HTTP-date); None if unusable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # an HTTP-date is always GMT
        moment = moment.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (moment - now).total_seconds())


class Client:
    """Bounded HTTP GETs for one `pelican-replies` run."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float,
        max_bytes: int,
        max_retry_after: float,
        sleep: Callable[[float], object] = time.sleep,
    ):
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self._opener = urllib.request.build_opener(_FollowableRedirects())

    def get_bytes(
        self, url: str, *, max_bytes: int | None = None, accept: str = "*/*"
    ) -> bytes:
        """The body at `url`, at most `max_bytes` of it, or a SourceError."""
        if not followable(url):
            raise SourceError(f"{url!r} is not https (or http on this machine)")
        limit = max_bytes or self.max_bytes
        for attempt in (1, 2):
            try:
                return self._get_once(url, limit, accept)
            except urllib.error.HTTPError as error:
                error.close()
                if error.code != 429:
                    raise SourceError(f"{url} answered HTTP {error.code}") from None
                wait = retry_after_seconds(error.headers.get("Retry-After"))
                if attempt == 2 or wait is None or wait > self.max_retry_after:
                    raise SourceError(
                        f"{url} answered 429 Too Many Requests "
                        f"(Retry-After: {error.headers.get('Retry-After')!r})"
                    ) from None
                logger.info(
                    "social_replies: %s asks to wait %.0f s; waiting", url, wait
                )
                self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _get_once(self, url: str, limit: int, accept: str) -> bytes:
        request = urllib.request.Request(
            url, headers={"User-Agent": self.user_agent, "Accept": accept}
        )
        started = time.monotonic()
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise SourceError(f"{url} sent {declared} bytes, more than {limit}")
                body = bytearray()
                while chunk := response.read(_CHUNK):
                    body += chunk
                    if len(body) > limit:
                        raise SourceError(f"{url} sent more than {limit} bytes")
                    # The socket timeout is per read: a source that trickles
                    # must still finish within the timeout as a whole.
                    if time.monotonic() - started > self.timeout:
                        raise SourceError(f"{url} took longer than {self.timeout} s")
                # http.client returns a short body without complaint when
                # the connection closes early.
                if declared and declared.isdigit() and len(body) < int(declared):
                    raise SourceError(
                        f"{url} sent {len(body)} of the {declared} bytes it announced"
                    )
                return bytes(body)
        except urllib.error.HTTPError:
            raise
        except (OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", None) or error
            raise SourceError(f"{url} could not be read: {reason!r}") from None

    def get_json(self, url: str) -> object:
        """The JSON document at `url`, parsed, or a SourceError."""
        body = self.get_bytes(url, accept="application/json")
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as error:
            raise SourceError(f"{url} sent malformed JSON: {error}") from None


# ---------------------------------------------------------------------------
# Helpers shared by the sources.
# ---------------------------------------------------------------------------


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def moment(value: object) -> dt.datetime | None:
    """An ISO 8601 string as an aware datetime (UTC when it has no offset)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


_NEVER = dt.datetime.max.replace(tzinfo=dt.UTC)


def chronological(items: Iterable[dict]) -> list[dict]:
    """Items oldest first (undated ones last), ties broken by id: one order,
    so the stored file's bytes depend only on what it holds."""
    return sorted(
        items,
        key=lambda item: (moment(item.get("published")) or _NEVER, str(item["id"])),
    )


def earliest(
    items: Iterable[dict], limit: int = MAX_ITEMS_PER_SOURCE
) -> tuple[list[dict], bool]:
    """The `limit` earliest items, oldest first, and whether any were left out."""
    ordered = chronological(items)
    return ordered[:limit], len(ordered) > limit


def _author(name: object, url: object, avatar_source: object) -> dict:
    return {
        "name": _text(name) or "",
        "url": _text(url),
        "avatar": None,
        "avatar_source": _text(avatar_source),
    }


def _same_url(one: object, other: object) -> bool:
    return (
        isinstance(one, str)
        and isinstance(other, str)
        and one.rstrip("/") == other.rstrip("/")
    )


@dataclass
class Fetched:
    """What one source said about one post."""

    items: list[dict]
    truncated: bool  # the source held more than the items kept
    fields: dict  # the section's other fields (counts, since_id, the status URL)


# ---------------------------------------------------------------------------
# webmention.io
# ---------------------------------------------------------------------------


def webmention_item(entry: dict, target: str) -> dict | None:
    """One jf2 entry as a stored item; None for what is not shown."""
    kind = WEBMENTION_KINDS.get(entry.get("wm-property"))
    wm_id = entry.get("wm-id")
    if kind is None or wm_id is None or entry.get("wm-private") is True:
        return None
    source = _text(entry.get("wm-source"))
    url = _text(entry.get("url")) or source
    if url is None:
        return None
    in_reply_to = None
    if kind == "reply":
        parent = entry.get("in-reply-to")
        parent = parent[0] if isinstance(parent, list) and parent else parent
        if isinstance(parent, str) and not _same_url(parent, target):
            in_reply_to = parent
    author = _dict(entry.get("author"))
    content = _dict(entry.get("content"))
    return {
        "id": str(wm_id),
        "kind": kind,
        "url": url,
        "aliases": [source] if source and source != url else [],
        "in_reply_to": in_reply_to,
        "published": _text(entry.get("published")) or _text(entry.get("wm-received")),
        "author": _author(author.get("name"), author.get("url"), author.get("photo")),
        "html": _text(content.get("html")),
        "text": _text(content.get("text")),
    }


def fetch_webmention(
    client: Client, base_url: str, target: str, since_id: int | None
) -> Fetched:
    """The mentions webmention.io received for `target` (those after
    `since_id` only, when given), oldest first, every page until an empty
    one or until more than the items kept have been read."""
    items: dict[str, dict] = {}
    highest = since_id
    page = 0
    while True:
        query = {
            "target": target,
            "per-page": WEBMENTION_PAGE_SIZE,
            "page": page,
            "sort-by": "created",
            "sort-dir": "up",
        }
        if since_id is not None:
            query["since_id"] = since_id
        answer = client.get_json(
            f"{base_url.rstrip('/')}/api/mentions.jf2?{urlencode(query)}"
        )
        children = _dict(answer).get("children")
        if not isinstance(children, list):
            raise SourceError(
                f"webmention.io's answer for {target} has no 'children' list"
            )
        if not children:
            break
        for entry in children:
            if not isinstance(entry, dict):
                continue
            wm_id = entry.get("wm-id")
            if isinstance(wm_id, int) and not isinstance(wm_id, bool):
                highest = wm_id if highest is None else max(highest, wm_id)
            item = webmention_item(entry, target)
            if item is not None:
                items[item["id"]] = item
        if len(items) > MAX_ITEMS_PER_SOURCE:
            break  # the earliest are all read: what comes next is not kept
        page += 1
    kept, truncated = earliest(items.values())
    return Fetched(kept, truncated, {"since_id": highest})


# ---------------------------------------------------------------------------
# Mastodon
# ---------------------------------------------------------------------------


def mastodon_status(url: str) -> tuple[str, str] | None:
    """(origin, status id) of a Mastodon status URL; None if it is not one."""
    parts = urlsplit(url)
    for pattern in _MASTODON_STATUS_PATHS:
        match = pattern.match(parts.path)
        if match and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}", match["id"]
    return None


def _mastodon_item(
    status: dict, post_status_id: str, urls_by_id: dict[str, str]
) -> dict:
    account = _dict(status.get("account"))
    url = _text(status.get("url")) or _text(status.get("uri"))
    uri = _text(status.get("uri"))
    parent_id = status.get("in_reply_to_id")
    parent_id = str(parent_id) if parent_id is not None else None
    return {
        "id": str(status["id"]),
        "kind": "reply",
        "url": url,
        "aliases": [uri] if uri and uri != url else [],
        # A reply to a reply we cannot see (private) is shown under the post.
        "in_reply_to": None
        if parent_id == post_status_id
        else urls_by_id.get(parent_id),
        "published": _text(status.get("created_at")),
        "author": _author(
            account.get("display_name") or account.get("username"),
            account.get("url"),
            account.get("avatar_static") or account.get("avatar"),
        ),
        "html": _text(status.get("content")),
        "text": None,
        "content_warning": _text(status.get("spoiler_text")),
        "visibility": status.get("visibility"),
    }


def fetch_mastodon(
    client: Client, status_url: str, known: Iterable[dict] = ()
) -> Fetched:
    """The public replies to a Mastodon status, and its counts. `known`:
    items stored before, so a reply to one no longer returned keeps its
    parent."""
    parsed = mastodon_status(status_url)
    if parsed is None:
        raise SourceError(f"{status_url!r} is not a Mastodon status URL")
    origin, status_id = parsed
    status = client.get_json(f"{origin}/api/v1/statuses/{status_id}")
    context = client.get_json(f"{origin}/api/v1/statuses/{status_id}/context")
    if not isinstance(status, dict) or not isinstance(context, dict):
        raise SourceError(
            f"{origin} did not answer with a Mastodon status and its context"
        )
    descendants = context.get("descendants")
    if not isinstance(descendants, list):
        raise SourceError(
            f"{origin}'s context for status {status_id} has no 'descendants' list"
        )
    urls_by_id = {str(item["id"]): item["url"] for item in known if item.get("url")}
    readable = []
    for reply in descendants:
        if not isinstance(reply, dict) or reply.get("id") is None:
            continue
        url = _text(reply.get("url")) or _text(reply.get("uri"))
        if url and reply.get("visibility") in MASTODON_VISIBLE:
            urls_by_id[str(reply["id"])] = url
            readable.append(reply)
    items = [_mastodon_item(reply, status_id, urls_by_id) for reply in readable]
    kept, truncated = earliest(items)
    # The rest are on Mastodon: the page links them there (and counts them
    # from the status's own `replies`).
    truncated = truncated or len(descendants) >= MASTODON_ANONYMOUS_DESCENDANTS
    fields = {
        "status": status_url,
        # The status by its other addresses (its page, its ActivityPub id):
        # Bridgy's copies of its likes and boosts may name it either way.
        "aliases": [
            url
            for url in (_text(status.get("url")), _text(status.get("uri")))
            if url and not _same_url(url, status_url)
        ],
        "likes": _count(status.get("favourites_count")),
        "reposts": _count(status.get("reblogs_count")),
        "replies": _count(status.get("replies_count")),
    }
    return Fetched(kept, truncated, fields)


def _count(value: object) -> int | None:
    return (
        value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0
        else None
    )


# ---------------------------------------------------------------------------
# Bluesky
# ---------------------------------------------------------------------------


def bluesky_post(url: str) -> tuple[str, str] | None:
    """(handle or DID, record key) of a bsky.app post URL; None if not one."""
    parts = urlsplit(url)
    match = _BLUESKY_POST_PATH.match(parts.path)
    if parts.hostname != "bsky.app" or not match:
        return None
    return match["actor"], match["rkey"]


def _bluesky_url(author: dict, at_uri: str) -> str:
    """The bsky.app page of a post, by its author's handle (or DID)."""
    handle = _text(author.get("handle"))
    actor = handle if handle and handle != "handle.invalid" else author.get("did")
    return f"https://bsky.app/profile/{actor}/post/{at_uri.rsplit('/', 1)[-1]}"


def fetch_bluesky(
    client: Client, api_url: str, post_url: str, known: Iterable[dict] = ()
) -> Fetched:
    """The replies to a Bluesky post, every level of the thread read, and
    its counts. `known`: items stored before (their at:// URIs are aliases)."""
    parsed = bluesky_post(post_url)
    if parsed is None:
        raise SourceError(
            f"{post_url!r} is not a https://bsky.app/profile/…/post/… URL"
        )
    actor, rkey = parsed
    base = f"{api_url.rstrip('/')}/xrpc"
    did = actor
    if not actor.startswith("did:"):
        answer = client.get_json(
            f"{base}/com.atproto.identity.resolveHandle?{urlencode({'handle': actor})}"
        )
        did = _dict(answer).get("did")
        if not isinstance(did, str) or not did.startswith("did:"):
            raise SourceError(f"{api_url} did not resolve the handle {actor!r}")
    root_uri = f"at://{did}/app.bsky.feed.post/{rkey}"
    query = urlencode(
        {"uri": root_uri, "depth": BLUESKY_THREAD_DEPTH, "parentHeight": 0}
    )
    answer = client.get_json(f"{base}/app.bsky.feed.getPostThread?{query}")
    thread = _dict(_dict(answer).get("thread"))
    root = _dict(thread.get("post"))
    if thread.get("$type") in _BLUESKY_UNREADABLE or not root:
        raise SourceError(
            f"{api_url} cannot show the post {root_uri} (deleted or blocked)"
        )
    urls_by_uri = {}
    for item in known:
        for alias in item.get("aliases") or ():
            if isinstance(alias, str) and alias.startswith("at://"):
                urls_by_uri[alias] = item["url"]
    items = []
    # Breadth-first, without recursion: a parent is always met before its
    # replies, and no depth of nesting can overflow the stack.
    waiting = deque((reply, root_uri) for reply in _replies_of(thread))
    while waiting:
        node, parent_uri = waiting.popleft()
        post = _dict(node.get("post"))
        uri = _text(post.get("uri"))
        if node.get("$type") in _BLUESKY_UNREADABLE or not uri:
            continue
        item = _bluesky_item(post, parent_uri, root_uri, urls_by_uri)
        urls_by_uri[uri] = item["url"]
        items.append(item)
        waiting.extend((reply, uri) for reply in _replies_of(node))
    kept, truncated = earliest(items)
    by_did = f"https://bsky.app/profile/{did}/post/{rkey}"
    fields = {
        "post": post_url,
        # The post by its at:// URI and by its author's DID (Bridgy names
        # posts by DID), whichever the metadata used.
        "aliases": [root_uri, *([by_did] if not _same_url(by_did, post_url) else [])],
        "likes": _count(root.get("likeCount")),
        "reposts": _count(root.get("repostCount")),
        "replies": _count(root.get("replyCount")),
    }
    return Fetched(kept, truncated, fields)


def _bluesky_item(
    post: dict, parent_uri: str, root_uri: str, urls_by_uri: dict[str, str]
) -> dict:
    """One post of a thread as a stored item (text and facets as received)."""
    author = _dict(post.get("author"))
    record = _dict(post.get("record"))
    uri = post["uri"]
    # The record says what it answers; the thread's nesting is the fallback.
    parent_uri = (
        _dict(_dict(record.get("reply")).get("parent")).get("uri") or parent_uri
    )
    text, facets = record.get("text"), record.get("facets")
    actor = author.get("handle") or author.get("did")
    url = _bluesky_url(author, uri)
    # The same post by its author's DID, as links to it may name it.
    by_did = (
        f"https://bsky.app/profile/{author.get('did')}/post/{uri.rsplit('/', 1)[-1]}"
    )
    return {
        "id": uri,
        "kind": "reply",
        "url": url,
        "aliases": [uri, *([by_did] if by_did != url and author.get("did") else [])],
        "in_reply_to": None if parent_uri == root_uri else urls_by_uri.get(parent_uri),
        "published": _text(record.get("createdAt")) or _text(post.get("indexedAt")),
        "author": _author(
            author.get("displayName") or actor,
            f"https://bsky.app/profile/{actor}",
            author.get("avatar"),
        ),
        "html": None,
        "text": text if isinstance(text, str) else "",
        "facets": facets if isinstance(facets, list) else [],
    }


def _replies_of(node: dict) -> list[dict]:
    replies = node.get("replies")
    return (
        [reply for reply in replies if isinstance(reply, dict)]
        if isinstance(replies, list)
        else []
    )
