"""A fake webmention.io, Mastodon instance and Bluesky AppView on loopback.

One threaded `http.server` on 127.0.0.1, port 0, answers as the three do
(paths, parameters and JSON shapes from their documentation:
webmention.io's `/api/mentions.jf2`, Mastodon's `/api/v1/statuses/:id` and
`/context`, the AppView's `com.atproto.identity.resolveHandle` and
`app.bsky.feed.getPostThread`), serves avatar files, records every request,
and can be told to fail in the ways a real source does (`fail()`).

Also here: builders for the three sources' JSON shapes, and `Blog`, a small
content tree with the settings overrides `make replies` runs with.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pelican.plugins.social_replies.fetch import fetch_replies

from tools.preview.fresh import prepare_fresh_build

ROOT = Path(__file__).resolve().parents[2]
SITEURL = "https://site.example"
# A hold never outlasts this, so a broken test cannot hang the suite.
LONGEST_HOLD = 30


@dataclass
class Fault:
    """How a source misbehaves: `kind` is one of hold, 404, 500, 429,
    malformed, truncated, oversized, redirect."""

    kind: str
    times: int | None = None  # then the source recovers; None: always
    retry_after: str | None = None
    size: int = 0  # oversized: bytes sent (no Content-Length)
    location: str = ""  # redirect: where to


def source_of(path: str) -> str:
    """Which of the fake's sources a request path belongs to."""
    if path.startswith("/api/mentions"):
        return "webmention"
    if path.startswith("/api/v1/"):
        return "mastodon"
    if path.startswith("/xrpc/"):
        return "bluesky"
    return "file"


class FakeSources:
    """The three sources (and avatar files) on one loopback port."""

    def __init__(self):
        self.mentions: list[dict] = []  # jf2 entries, any target
        self.statuses: dict[str, dict] = {}  # Mastodon id -> status
        self.descendants: dict[str, list[dict]] = {}  # Mastodon id -> replies
        self.handles: dict[str, str] = {}  # Bluesky handle -> DID
        self.threads: dict[str, dict] = {}  # at:// URI -> threadViewPost
        self.files: dict[str, bytes] = {}  # path -> bytes (avatars)
        self.requests: list[tuple[str, str, float]] = []  # (source, path, when)
        self.faults: dict[str, Fault] = {}
        self.holding = threading.Event()  # a held request has arrived
        self.release = threading.Event()  # let held requests go
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def fail(self, source: str, kind: str, **details) -> Fault:
        """Make `source` (webmention, mastodon, bluesky, file) misbehave."""
        self.faults[source] = Fault(kind, **details)
        return self.faults[source]

    def requested(self, source: str) -> list[str]:
        """The paths (with queries) asked of `source`, in order."""
        return [path for name, path, _ in self.requests if name == source]

    def _fault_for(self, source: str) -> Fault | None:
        with self._lock:
            fault = self.faults.get(source)
            if fault is None:
                return None
            if fault.times is not None:
                fault.times -= 1
                if fault.times < 0:
                    del self.faults[source]
                    return None
            return fault

    # -- answers ----------------------------------------------------------

    def answer(self, path: str, query: dict[str, list[str]]):
        """(status, JSON or bytes) for a request the fake knows."""
        one = {key: values[0] for key, values in query.items()}
        if path == "/api/mentions.jf2":
            return 200, self._mentions(one)
        if path.startswith("/api/v1/statuses/"):
            return self._mastodon(path.removeprefix("/api/v1/statuses/").split("/"))
        if path.startswith("/xrpc/"):
            return self._bluesky(path.removeprefix("/xrpc/"), one)
        if path in self.files:
            return 200, self.files[path]
        return 404, {"error": "Not Found"}

    def _mastodon(self, parts: list[str]):
        """/api/v1/statuses/:id and /api/v1/statuses/:id/context."""
        status_id = parts[0]
        if status_id not in self.statuses:
            return 404, {"error": "Record not found"}
        if parts[1:] == ["context"]:
            return 200, {
                "ancestors": [],
                "descendants": self.descendants.get(status_id, []),
            }
        return 200, self.statuses[status_id]

    def _bluesky(self, method: str, query: dict[str, str]):
        """The two XRPC methods `make replies` calls."""
        if method == "com.atproto.identity.resolveHandle":
            did = self.handles.get(query.get("handle", ""))
            if did is None:
                return 400, {
                    "error": "InvalidRequest",
                    "message": "Unable to resolve handle",
                }
            return 200, {"did": did}
        if method == "app.bsky.feed.getPostThread":
            thread = self.threads.get(query.get("uri", ""))
            if thread is None:
                return 400, {"error": "NotFound", "message": "Post not found"}
            return 200, {"thread": thread}
        return 501, {"error": "MethodNotImplemented"}

    def _mentions(self, query: dict[str, str]) -> dict:
        """webmention.io's jf2 feed: one target, after since_id, paged."""
        target = query.get("target")
        since = int(query.get("since_id", -1))
        per_page = int(query.get("per-page", 20))
        page = int(query.get("page", 0))
        chosen = [
            entry
            for entry in self.mentions
            if entry["wm-target"] == target and entry["wm-id"] > since
        ]
        chosen.sort(
            key=lambda entry: entry["wm-id"], reverse=query.get("sort-dir") != "up"
        )
        children = chosen[page * per_page : (page + 1) * per_page]
        return {"type": "feed", "name": "Webmentions", "children": children}

    # -- the request handler ----------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output readable
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                source = source_of(parts.path)
                with fake._lock:
                    fake.requests.append((source, self.path, time.monotonic()))
                fault = fake._fault_for(source)
                if fault is not None and fault.kind != "truncated":
                    with contextlib.suppress(OSError):
                        self._misbehave(fault)
                    return
                status, body = fake.answer(parts.path, parse_qs(parts.query))
                if not isinstance(body, bytes):
                    body = json.dumps(body).encode()
                # Truncated: the whole answer (usable JSON, even), but it
                # announced twice as many bytes before the connection closed.
                announced = len(body) * (2 if fault else 1)
                self._send(status, body, "application/json", length=announced)

            def _send(self, status, body, content_type, headers=(), length=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(length or len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _misbehave(self, fault: Fault):
                if fault.kind == "hold":
                    fake.holding.set()
                    fake.release.wait(LONGEST_HOLD)
                    self._send(200, b"{}", "application/json")
                elif fault.kind in {"404", "500"}:
                    self._send(int(fault.kind), b'{"error": "no"}', "application/json")
                elif fault.kind == "429":
                    headers = [("Retry-After", fault.retry_after)] * bool(
                        fault.retry_after
                    )
                    self._send(
                        429, b'{"error": "slow down"}', "application/json", headers
                    )
                elif fault.kind == "malformed":
                    self._send(200, b'{"children": [{"wm-id": 1,,]', "application/json")
                elif fault.kind == "oversized":
                    # No Content-Length: the client must count as it reads.
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"children": ["')
                    chunk = b"x" * 65536
                    for _ in range(fault.size // len(chunk) + 1):
                        self.wfile.write(chunk)  # stops when the client hangs up
                elif fault.kind == "redirect":
                    self.send_response(302)
                    self.send_header("Location", fault.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    raise ValueError(fault.kind)

        return Handler


def closed_port_url() -> str:
    """An http://127.0.0.1 URL nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# ---------------------------------------------------------------------------
# The three sources' shapes.
# ---------------------------------------------------------------------------


def mention(wm_id, target, prop="in-reply-to", *, author="Ann", photo=None, **extra):
    """A webmention.io jf2 entry."""
    source = f"https://ann.example/notes/{wm_id}"
    entry = {
        "type": "entry",
        "author": {
            "type": "card",
            "name": author,
            "photo": photo,
            "url": f"https://{author.lower()}.example/",
        },
        "url": source,
        "published": f"2024-03-01T10:{wm_id % 60:02d}:00+00:00",
        "wm-received": f"2024-03-01T11:{wm_id % 60:02d}:00Z",
        "wm-id": wm_id,
        "wm-source": source,
        "wm-target": target,
        "wm-protocol": "webmention",
        "wm-property": prop,
        "wm-private": False,
    }
    if prop == "in-reply-to":
        entry["in-reply-to"] = target
        entry["content"] = {
            "html": f"<p>Reply {wm_id}</p>",
            "text": f"Reply {wm_id}",
        }
    else:
        entry[prop] = target
    entry.update(extra)
    return entry


def moment(day: int, second: int) -> str:
    """An ISO 8601 UTC time, `second` seconds into March `day` 2024."""
    start = dt.datetime(2024, 3, day, tzinfo=dt.UTC)
    return (start + dt.timedelta(seconds=second)).isoformat().replace("+00:00", "Z")


def toot(status_id, origin, *, parent, at=0, visibility="public", avatar=None):
    """A Mastodon Status entity, as /context's descendants list them."""
    return {
        "id": str(status_id),
        "created_at": moment(2, at),
        "in_reply_to_id": None if parent is None else str(parent),
        "in_reply_to_account_id": "1",
        "sensitive": False,
        "spoiler_text": "",
        "visibility": visibility,
        "language": "en",
        "uri": f"{origin}/users/bob/statuses/{status_id}",
        "url": f"{origin}/@bob/{status_id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "content": f"<p>Toot {status_id}</p>",
        "account": {
            "id": "2",
            "username": "bob",
            "acct": "bob",
            "display_name": "Bob",
            "url": f"{origin}/@bob",
            "avatar": avatar,
            "avatar_static": avatar,
        },
    }


def skeet(did, handle, rkey, *, parent_uri, root_uri, at=0, avatar=None):
    """An app.bsky.feed.defs#threadViewPost with no replies yet."""
    uri = f"at://{did}/app.bsky.feed.post/{rkey}"
    return {
        "$type": "app.bsky.feed.defs#threadViewPost",
        "post": {
            "uri": uri,
            "cid": f"bafy{rkey}",
            "author": {
                "did": did,
                "handle": handle,
                "displayName": handle.split(".")[0].title(),
                "avatar": avatar,
            },
            "record": {
                "$type": "app.bsky.feed.post",
                "text": f"Skeet {rkey} see example.org",
                "createdAt": moment(3, at),
                "facets": [
                    {
                        "index": {"byteStart": 16, "byteEnd": 27},
                        "features": [
                            {
                                "$type": "app.bsky.richtext.facet#link",
                                "uri": "https://example.org",
                            }
                        ],
                    }
                ],
                "reply": {
                    "root": {"uri": root_uri, "cid": "bafyroot"},
                    "parent": {"uri": parent_uri, "cid": "bafyparent"},
                },
            },
            "replyCount": 0,
            "repostCount": 0,
            "likeCount": 0,
            "indexedAt": "2024-03-03T00:00:00.000Z",
            "labels": [],
        },
        "replies": [],
    }


# ---------------------------------------------------------------------------
# A small blog to fetch for.
# ---------------------------------------------------------------------------


class Blog:
    """A content tree under a temporary folder, fetched for as `make
    replies` does (publishconf.py, with the sources on the fake)."""

    def __init__(self, folder: Path, fake: FakeSources):
        self.content = folder / "content"
        (self.content / "posts").mkdir(parents=True)
        self.replies = self.content / "replies"
        self.fake = fake
        self.override = {
            "PATH": str(self.content),
            "SITEURL": SITEURL,
            "PLUGINS": [],
            "CACHE_PATH": str(folder / "cache"),
            "REPLIES_WEBMENTION_IO_URL": fake.url,
            "REPLIES_BLUESKY_API_URL": fake.url,
        }

    def post(self, slug: str, *, day: int = 1, **metadata) -> Path:
        lines = [
            f"Title: Post {slug}",
            f"Date: 2024-02-{day:02d} 09:00",
            f"Slug: {slug}",
        ]
        lines += [f"{key.capitalize()}: {value}" for key, value in metadata.items()]
        path = self.content / "posts" / f"{slug}.md"
        path.write_text("\n".join([*lines, "", "Body.", ""]), encoding="utf-8")
        return path

    def target(self, slug: str) -> str:
        return f"{SITEURL}/posts/{slug}/"

    def fetch(self, *, full=False, post=None, **override) -> tuple[int, str]:
        """Run the fetch in-process, as in the fresh process `make replies`
        runs in; (exit status, what it printed)."""
        # A build earlier in this test process left its plugins connected to
        # Pelican's signals (the site's social_replies would warn about the
        # fake's http status URLs while the fetch reads the posts).
        prepare_fresh_build({})
        out = io.StringIO()
        status = fetch_replies(
            ROOT / "publishconf.py",
            full=full,
            only_post=post,
            out=out,
            **{**self.override, **override},
        )
        return status, out.getvalue()

    def stored(self, slug: str) -> dict:
        return json.loads((self.replies / f"{slug}.json").read_text(encoding="utf-8"))

    def stored_bytes(self) -> dict[str, bytes]:
        """Every file under content/replies/, by relative path."""
        if not self.replies.exists():
            return {}
        return {
            path.relative_to(self.replies).as_posix(): path.read_bytes()
            for path in sorted(self.replies.rglob("*"))
            if path.is_file()
        }

    def avatars(self) -> list[Path]:
        return sorted((self.replies / "avatars").glob("*.png"))

    def copy_settings_file(self, folder: Path) -> Path:
        """A settings file for the command line: publishconf.py plus the
        overrides (paths made absolute, as they are relative to the file)."""
        path = folder / "replies_settings.py"
        lines = [
            "import sys",
            f"sys.path.insert(0, {str(ROOT)!r})",
            "from publishconf import *  # noqa: F403",
            f"THEME = {str(ROOT / 'theme')!r}",
        ]
        lines += [f"{key} = {value!r}" for key, value in self.override.items()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


# ---------------------------------------------------------------------------
# A conversation on all three sources.
# ---------------------------------------------------------------------------

DID = "did:plc:alice"
HANDLE = "alice.example"


def root_uri(rkey: str) -> str:
    return f"at://{DID}/app.bsky.feed.post/{rkey}"


def converse(blog: Blog, slug: str, *, status_id: str = "1", rkey: str = "3kroot"):
    """A post whose conversation waits on webmention.io, Mastodon and
    Bluesky: one of each webmention kind (and an RSVP and a private one,
    which are not kept), Mastodon replies of every visibility, a Bluesky
    thread with a nested reply, a blocked one and a deleted one."""
    fake = blog.fake
    target = blog.target(slug)
    base = len(fake.mentions) * 10 + 1
    fake.mentions += [
        mention(base, target, author="Ann"),
        mention(base + 1, target, "like-of", author="Cat"),
        mention(base + 2, target, "repost-of", author="Dan"),
        mention(base + 3, target, "bookmark-of", author="Eve"),
        mention(base + 4, target, "mention-of", author="Fay"),
        mention(base + 5, target, "rsvp", author="Gus"),
        mention(base + 6, target, author="Hal", **{"wm-private": True}),
    ]
    origin = fake.url
    status = toot(status_id, origin, parent=None)
    status.update(favourites_count=5, reblogs_count=2, replies_count=4)
    fake.statuses[status_id] = status
    first = int(status_id) * 10
    fake.descendants[status_id] = [
        toot(first + 1, origin, parent=status_id, at=10),
        toot(first + 2, origin, parent=first + 1, at=20),
        toot(first + 3, origin, parent=status_id, at=30, visibility="private"),
        toot(first + 4, origin, parent=status_id, at=40, visibility="direct"),
        toot(first + 5, origin, parent=status_id, at=50, visibility="unlisted"),
    ]
    fake.handles[HANDLE] = DID
    root = skeet(DID, HANDLE, rkey, parent_uri=None, root_uri=None)
    root["post"].update(likeCount=7, repostCount=3, replyCount=4)
    reply = skeet("did:plc:bob", "bob.example", f"{rkey}a", **_under(rkey, rkey, 10))
    nested = skeet(
        "did:plc:cy", "cy.example", f"{rkey}b", **_under(f"{rkey}a", rkey, 20)
    )
    reply["replies"].append(nested)
    root["replies"] = [
        reply,
        {
            "$type": "app.bsky.feed.defs#blockedPost",
            "uri": f"at://did:plc:troll/app.bsky.feed.post/{rkey}x",
            "blocked": True,
            "author": {"did": "did:plc:troll"},
        },
        {
            "$type": "app.bsky.feed.defs#notFoundPost",
            "uri": f"at://did:plc:gone/app.bsky.feed.post/{rkey}y",
            "notFound": True,
        },
    ]
    fake.threads[root_uri(rkey)] = root
    return blog.post(
        slug,
        mastodon=f"{origin}/@alice/{status_id}",
        bluesky=f"https://bsky.app/profile/{HANDLE}/post/{rkey}",
    )


def _under(parent_rkey: str, rkey: str, at: int) -> dict:
    parent_did = DID if parent_rkey == rkey else "did:plc:bob"
    return {
        "parent_uri": f"at://{parent_did}/app.bsky.feed.post/{parent_rkey}",
        "root_uri": root_uri(rkey),
        "at": at,
    }


def warnings_of(caplog) -> list[str]:
    """The messages of the warnings (and worse) a test logged."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
