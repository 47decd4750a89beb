"""Sending webmentions for the published posts: `pelican-webmentions`.

Every absolute http(s) link in a post's rendered body to a host other than
the site's is a target. For each, the target's Webmention endpoint is
discovered (W3C Webmention, section 3.1.2: the first `Link` header with
rel="webmention", else the first `<link>` or `<a>` with it in document
order, resolved against the target's URL after redirects) and the post's
URL and the target are posted to it as a form.

What was sent is remembered in `content/<REPLIES_PATH>/sent/webmentions.json` (see
`load_state()` for its format), so a run sends only what is new: a post
never contacted, a post whose rendered content changed (then to every
target it had and has, as the spec asks for updates), and every target
that failed last time.

Run it as `pelican-webmentions` (command() below; this site's `make
webmentions` runs `pelican-webmentions`, which calls it). Only that command
imports this module: the build never does, so `make html` and `make
publish` never touch the network. Only https URLs (and http on this
machine, for the tests) are contacted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import logging
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from . import store
from .posts import Post, published_posts
from .settings import check_settings, followable, is_loopback

logger = logging.getLogger(__name__)

FORMAT = 1
STATE_FILE = "sent/webmentions.json"  # in the REPLIES_PATH folder; a folder,
# so no post slug can name the same file as a post's replies (<slug>.json)
MAX_REDIRECTS = 10
MAX_PAGE_BYTES = 1_000_000  # of a target page: the endpoint is near its top
MAX_ANSWER_BYTES = 64_000  # of an endpoint's answer, read and dropped
HTML_TYPES = ("text/html", "application/xhtml+xml")
USER_AGENT = "WhoYouKnow-webmention/1 (+https://www.w3.org/TR/webmention/)"

# What happened to one target (the "result" stored for it).
SENT = "sent"
NO_ENDPOINT = "no-endpoint"
FAILED = "failed"
# Only said, never stored.
WOULD_SEND = "would send"
SKIPPED = "skipped"

# RFC 8288: link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
_LINK_URL = re.compile(r"\s*<([^>]*)>")
_LINK_PARAM = re.compile(
    r"""\s*;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*"""
    r"""(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;,]*)))?"""
)
_HTML_WHITESPACE = re.compile(r"[ \t\n\f\r]+")


class SendError(Exception):
    """A target or its endpoint could not be reached, or refused; the
    message says what happened. The target is tried again next run."""


class SentStateError(ValueError):
    """The sent record cannot be read; the message names the file and says why.
    Nothing is sent, so the record of what was sent is never overwritten."""


# --- Links in a post -------------------------------------------------------


class _LinkCollector(HTMLParser):
    """The href of every <a>, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag != "a":
            return
        for name, value in attrs:
            if name == "href":
                if value:
                    self.hrefs.append(value.strip())
                return  # the first href counts, as in a browser


def external_links(html: str, siteurl: str) -> list[str]:
    """The absolute http(s) links in `html` to other hosts, once each, in order."""
    own_host = urlsplit(siteurl).hostname
    parser = _LinkCollector()
    parser.feed(html)
    parser.close()
    links: list[str] = []
    for href in parser.hrefs:
        try:
            parts = urlsplit(href)
        except ValueError:  # e.g. an unclosed "[" in an IPv6 host
            continue
        if (
            parts.scheme in ("http", "https")
            and parts.hostname
            and parts.hostname != own_host
            and href not in links
        ):
            links.append(href)
    return links


# --- Endpoint discovery ----------------------------------------------------


def link_header_urls(values: list[str], rel: str) -> list[str]:
    """The URLs, in order, of the links in `Link` header values whose rel
    (a space-separated list, case-insensitive) includes `rel`."""
    found = []
    for value in values:
        position = 0
        while position < len(value):
            match = _LINK_URL.match(value, position)
            if not match:  # not a link-value: go on after the next comma
                comma = value.find(",", position)
                if comma < 0:
                    break
                position = comma + 1
                continue
            url, position = match[1].strip(), match.end()
            rels: list[str] | None = None
            while param := _LINK_PARAM.match(value, position):
                position = param.end()
                # RFC 8288 3.3: only the first rel parameter counts.
                if param[1].lower() == "rel" and rels is None:
                    quoted, token = param[2], param[3]
                    if quoted is not None:
                        token = re.sub(r"\\(.)", r"\1", quoted)
                    rels = (token or "").lower().split()
            if rel in (rels or []):
                found.append(url)
            comma = value.find(",", position)
            if comma < 0:
                break
            position = comma + 1
    return found


class _EndpointFinder(HTMLParser):
    """The href of the first <link> or <a> whose rel includes "webmention"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.href: str | None = None

    def handle_starttag(self, tag, attrs):
        if self.href is not None or tag not in ("link", "a"):
            return
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")  # the first of a repeated one
        rels = _HTML_WHITESPACE.split(values.get("rel", "").lower())
        # An element without an href names no endpoint; an empty one names
        # the target page itself.
        if "webmention" in rels and "href" in values:
            self.href = values["href"].strip()


class _FollowableRedirects(urllib.request.HTTPRedirectHandler):
    """Follows at most MAX_REDIRECTS redirects, and only to followable URLs."""

    max_redirections = MAX_REDIRECTS

    # urllib's signature, hence its six positional arguments.
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0917
        if not followable(newurl):
            raise SendError(f"redirected to {newurl}, which is not https")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Follows no redirect: a 3xx answer to a POST is an error."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0917
        return None


_DISCOVERY = urllib.request.build_opener(_FollowableRedirects)
_POSTING = urllib.request.build_opener(_NoRedirects)

# What urlopen raises besides HTTPError: no connection, a timeout, a broken
# answer, a URL it cannot use.
_NETWORK_ERRORS = (
    urllib.error.URLError,
    OSError,
    http.client.HTTPException,
    ValueError,
)


def _decode(body: bytes, charset: str | None) -> str:
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace")


def discover_endpoint(
    target: str, *, timeout: float, max_bytes: int = MAX_PAGE_BYTES
) -> str | None:
    """The Webmention endpoint `target` advertises (absolute), or None.

    Raises SendError when the target cannot be fetched."""
    request = urllib.request.Request(
        target,
        headers={"User-Agent": USER_AGENT, "Accept": "text/html, */*;q=0.1"},
    )
    try:
        with _DISCOVERY.open(request, timeout=timeout) as response:
            final_url = response.geturl()  # after redirects
            headers = response.headers
            in_header = link_header_urls(headers.get_all("Link") or [], "webmention")
            if in_header:
                return urljoin(final_url, in_header[0])
            if headers.get_content_type() not in HTML_TYPES:
                return None
            body = response.read(max_bytes)  # a page larger is cut short
    except urllib.error.HTTPError as error:
        error.close()
        raise SendError(f"the target answered {error.code} {error.reason}") from None
    except _NETWORK_ERRORS as error:
        raise SendError(f"the target could not be fetched: {error}") from None
    finder = _EndpointFinder()
    finder.feed(_decode(body, headers.get_content_charset()))
    finder.close()
    if finder.href is None:
        return None
    return urljoin(final_url, finder.href)


def usable_endpoint(endpoint: str, target: str) -> str | None:
    """Why `endpoint` is not contacted for `target`; None when it is."""
    if not followable(endpoint):
        return f"its endpoint {endpoint} is not https"
    # A page elsewhere must not make this machine post to itself.
    if is_loopback(urlsplit(endpoint).hostname) and not is_loopback(
        urlsplit(target).hostname
    ):
        return f"its endpoint {endpoint} is on this machine"
    return None


def send_webmention(
    endpoint: str, source: str, target: str, *, timeout: float
) -> tuple[int, str | None]:
    """Post one webmention; returns the status (2xx) and any Location.

    Raises SendError for anything but a 2xx answer."""
    request = urllib.request.Request(
        endpoint,
        data=urlencode({"source": source, "target": target}).encode("ascii"),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": USER_AGENT,
        },
    )
    try:
        with _POSTING.open(request, timeout=timeout) as response:
            response.read(MAX_ANSWER_BYTES)
            return response.status, response.headers.get("Location")
    except urllib.error.HTTPError as error:
        error.close()
        raise SendError(f"the endpoint answered {error.code} {error.reason}") from None
    except _NETWORK_ERRORS as error:
        raise SendError(f"the endpoint could not be reached: {error}") from None


# --- What was sent: the sent record ------------------------------------------


def state_path(settings: dict) -> Path:
    """Where the sent record is: beside the stored replies."""
    return Path(settings["PATH"]) / settings["REPLIES_PATH"].strip("/") / STATE_FILE


def empty_state() -> dict:
    return {"format": FORMAT, "posts": {}}


def load_state(path: Path) -> dict:
    """Read the sent record (an empty state when there is none yet).

    Version 1::

        {
          "format": 1,
          "posts": {
            "<the post's public URL>": {
              "post": "posts/x.md",            # source, relative to PATH
              "content_hash": "sha256:...",    # of the rendered body sent for
              "targets": {
                "<target URL>": {
                  "result": "sent" | "no-endpoint" | "failed",
                  "time": ISO,                 # of the last attempt
                  "sent": ISO,                 # of the last delivery, kept
                                               # through later failures
                  "endpoint": URL | null,      # of the last delivery (or
                                               # the one not contacted)
                  "status": 202 | null,        # the endpoint's answer to it
                  "location": URL,             # its Location, if any
                  "error": "why it failed",    # failed (or not contacted) only
                  "removed": true              # no longer linked; kept until
                                               # the endpoint was told so
                }
              }
            }
          }
        }

    Fields this code does not know are kept as they are."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty_state()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SentStateError(f"{path}: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("posts"), dict):
        raise SentStateError(f"{path}: not a sent-webmentions file (no 'posts' object)")
    version = data.get("format")
    if isinstance(version, int) and version > FORMAT:
        raise SentStateError(
            f"{path}: format {version} is newer than this plugin reads ({FORMAT})"
        )
    if version != FORMAT:
        raise SentStateError(f"{path}: unknown format {version!r}")
    return data


def content_hash(post: Post) -> str:
    """What identifies the version of a post its webmentions were sent for."""
    return "sha256:" + hashlib.sha256(post.content.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --- A run ----------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one target of one post in this run."""

    post: Post
    target: str
    result: str  # SENT, NO_ENDPOINT, FAILED, WOULD_SEND or SKIPPED
    endpoint: str | None = None
    status: int | None = None
    location: str | None = None
    detail: str = ""  # why it failed, or was not contacted
    removed: bool = False  # no longer linked from the post

    def line(self) -> str:
        """One line of output saying what happened."""
        target = self.target + (" (no longer linked)" if self.removed else "")
        if self.result == SENT:
            return f"  sent ({self.status})    {target} via {self.endpoint}"
        if self.result == WOULD_SEND:
            return f"  would send    {target} via {self.endpoint}"
        if self.result == NO_ENDPOINT:
            because = f": {self.detail}" if self.detail else ""
            return f"  no endpoint   {target}{because}"
        return f"  {self.result:<13} {target}: {self.detail}"


def targets_to_contact(
    links: list[str], record: dict | None, digest: str
) -> list[tuple[str, bool]]:
    """The (target, no longer linked) pairs this run contacts for one post.

    A new or changed post: every target it links to and every one it linked
    to before (W3C Webmention 3.2, updates and deletes). An unchanged post:
    the targets that failed last time and any not tried yet."""
    previous = (record or {}).get("targets", {})
    removed = [target for target in previous if target not in links]
    if record is None or record.get("content_hash") != digest:
        return [(target, False) for target in links] + [(t, True) for t in removed]
    return [
        (target, False)
        for target in links
        if previous.get(target, {}).get("result") not in (SENT, NO_ENDPOINT)
    ] + [(t, True) for t in removed if previous[t].get("result") == FAILED]


def contact(
    post: Post, target: str, *, removed: bool, timeout: float, dry_run: bool
) -> Outcome:
    """Discover the target's endpoint and (unless dry_run) send to it."""
    outcome = Outcome(post, target, FAILED, removed=removed)
    try:
        outcome.endpoint = discover_endpoint(target, timeout=timeout)
        if outcome.endpoint is None:
            outcome.result = NO_ENDPOINT
            return outcome
        refusal = usable_endpoint(outcome.endpoint, target)
        if refusal:
            outcome.result, outcome.detail = NO_ENDPOINT, refusal
        elif dry_run:
            outcome.result = WOULD_SEND
        else:
            outcome.status, outcome.location = send_webmention(
                outcome.endpoint, post.url, target, timeout=timeout
            )
            outcome.result = SENT
    except SendError as error:
        outcome.detail = str(error)
        logger.warning(
            "webmention from %s (%s) to %s failed: %s; it is tried again next run",
            post.relative_source,
            post.url,
            target,
            error,
        )
    return outcome


def record_outcomes(state: dict, post: Post, digest: str, outcomes: list[Outcome]):
    """Write this run's outcomes for `post` into `state`, keeping what
    earlier runs recorded (the last delivery survives a failure)."""
    record = state["posts"].setdefault(post.url, {})
    record["post"] = post.relative_source
    record["content_hash"] = digest
    targets = record.setdefault("targets", {})
    now = _now()
    for outcome in outcomes:
        entry = targets.setdefault(outcome.target, {})
        entry.update(result=outcome.result, time=now)
        if outcome.result == SENT:
            entry.update(sent=now, endpoint=outcome.endpoint, status=outcome.status)
            if outcome.location:
                entry["location"] = outcome.location
            else:
                entry.pop("location", None)
        elif outcome.result == NO_ENDPOINT:
            entry.update(endpoint=outcome.endpoint, status=None)
        # A failure keeps the endpoint and status of the last delivery.
        if outcome.detail:
            entry["error"] = outcome.detail
        else:
            entry.pop("error", None)
        if not outcome.removed:
            entry.pop("removed", None)
        elif outcome.result == FAILED:
            entry["removed"] = True  # told nothing yet: try again next run
        else:
            del targets[outcome.target]  # told (or nobody to tell): done


def send_webmentions(
    settings: dict,
    posts: list[Post],
    *,
    dry_run: bool = False,
    say=print,
) -> list[Outcome]:
    """Send what is new for `posts`; returns every outcome of the run.

    The state file is saved after each post, so an interrupted run keeps
    what it sent. A dry run discovers endpoints but sends and saves nothing."""
    settings = check_settings(settings)
    timeout = settings["REPLIES_TIMEOUT"]
    path = state_path(settings)
    state = load_state(path)
    everything: list[Outcome] = []
    for post in posts:
        digest = content_hash(post)
        links = external_links(post.content, settings["SITEURL"])
        record = state["posts"].get(post.url)
        changed = record is None or record.get("content_hash") != digest
        skipped = [link for link in links if not followable(link)]
        links = [link for link in links if followable(link)]
        todo = targets_to_contact(links, record, digest)
        if not todo and not (changed and skipped):
            say(f"{post.relative_source}: nothing new ({len(links)} links)")
            continue
        say(f"{post.relative_source} ({post.url}):")
        outcomes = [
            contact(post, target, removed=removed, timeout=timeout, dry_run=dry_run)
            for target, removed in todo
        ]
        if changed:
            outcomes += [
                Outcome(post, link, SKIPPED, detail="only https links are contacted")
                for link in skipped
            ]
        for outcome in outcomes:
            say(outcome.line())
        everything += outcomes
        if not dry_run:
            stored = [o for o in outcomes if o.result in (SENT, NO_ENDPOINT, FAILED)]
            record_outcomes(state, post, digest, stored)
            store.save(path, state)
    counts = {
        result: sum(outcome.result == result for outcome in everything)
        for result in (SENT, WOULD_SEND, NO_ENDPOINT, FAILED, SKIPPED)
    }
    say(
        ", ".join(f"{count} {result}" for result, count in counts.items() if count)
        or "Nothing to send."
    )
    return everything


def main(argv: list[str] | None = None) -> int:
    """`pelican-webmentions [--settings publishconf.py] [--post FILE] [--dry-run]`."""
    parser = argparse.ArgumentParser(
        prog="pelican-webmentions",
        description="Send webmentions for the links in the published posts.",
    )
    parser.add_argument(
        "--settings",
        type=Path,
        default=Path("publishconf.py"),
        help="the production settings (default: publishconf.py here)",
    )
    parser.add_argument(
        "--content-dir", type=Path, help="the content folder (default: PATH)"
    )
    parser.add_argument(
        "--post", type=Path, help="only this post (its source file)", default=None
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="discover endpoints and say what would be sent; send and write nothing",
    )
    args = parser.parse_args(argv)
    override = {"PATH": str(args.content_dir.resolve())} if args.content_dir else {}
    settings, posts = published_posts(args.settings, **override)
    if args.post:
        wanted = args.post.resolve()
        posts = [post for post in posts if post.source_path == wanted]
        if not posts:
            print(f"error: {args.post} is not a published post", file=sys.stderr)
            return 2
    if args.dry_run:
        print("Dry run: nothing is sent and nothing is written.")
    try:
        send_webmentions(settings, posts, dry_run=args.dry_run)
    except SentStateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def command() -> int:
    """The `pelican-webmentions` command: main(), warnings printed."""
    logging.basicConfig(format="%(levelname)s: %(message)s", level=logging.WARNING)
    return main()
