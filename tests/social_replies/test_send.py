"""`make webmentions`: social_replies.send against real HTTP on loopback.

One local server plays every linked page (each advertising its endpoint in
another of the ways the W3C Webmention spec allows) and every endpoint,
recording each POST it receives. The posts are real Markdown read by
Pelican (published_posts) from a content folder in tmp_path.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from pelican.plugins.social_replies import send
from pelican.plugins.social_replies.posts import published_posts

from tests.harness import ROOT

SITEURL = "https://blog.example"
SEND_LOGGER = "social_replies.send"


# --- The linked pages and their endpoints ----------------------------------


@dataclass
class Received:
    """One webmention as the endpoint received it."""

    path: str  # the endpoint's path and query
    source: str
    target: str
    content_type: str


@dataclass
class Web:
    """The pages on the local server, and what its endpoints received."""

    base: str
    received: list[Received] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)  # endpoint paths answering 500
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def pairs(self) -> list[tuple[str, str]]:
        """(source, target) of every webmention received, in order."""
        with self.lock:
            return [(item.source, item.target) for item in self.received]

    def forget(self):
        with self.lock:
            self.received.clear()


def _html(head: str = "", body: str = "") -> bytes:
    return (
        f"<!doctype html><html><head><title>t</title>{head}</head>"
        f"<body>{body}</body></html>"
    ).encode()


# path: (status, [(header, value)], body)
PAGES = {
    # A Link header with an absolute URL wins over the <link> in the page.
    "/t/header-absolute": (
        200,
        [("Link", '<{base}/endpoint?via=header-absolute>; rel="webmention"')],
        _html('<link rel="webmention" href="/endpoint?via=WRONG-html">'),
    ),
    "/t/header-relative": (
        200,
        [("Link", "</endpoint?via=header-relative>; rel=webmention")],
        _html(),
    ),
    # Several Link headers, several links in one, rel among other values.
    "/t/header-multi": (
        200,
        [
            ("Link", '</endpoint?via=WRONG-other>; rel="other"'),
            (
                "Link",
                (
                    '</style.css>; rel="preload", '
                    '</endpoint?via=header-multi>; rel="nofollow webmention"'
                ),
            ),
        ],
        _html(),
    ),
    # A relative <link>; the one commented out and the one with no href
    # do not count.
    "/t/link-element": (
        200,
        [],
        _html(
            '<!-- <link rel="webmention" href="/endpoint?via=WRONG-comment"> -->'
            '<link rel="webmention">'
            '<link rel="WebMention" href="/endpoint?via=link-element">'
        ),
    ),
    # An <a> before a <link>: the first in document order wins.
    "/t/a-element": (
        200,
        [],
        _html(
            body='<p><a rel="me webmention" href="/endpoint?via=a-element">wm</a></p>'
            '<link rel="webmention" href="/endpoint?via=WRONG-later">'
        ),
    ),
    # An empty href: the page is its own endpoint.
    "/t/empty-href": (200, [], _html('<link rel="webmention" href="">')),
    # A redirect first: the endpoint is relative to the page moved to.
    "/t/redirect": (302, [("Location", "/moved/page")], b""),
    "/moved/page": (
        200,
        [],
        _html('<link rel="webmention" href="endpoint?via=moved">'),
    ),
    # The endpoint's own query string is kept.
    "/t/query": (
        200,
        [],
        _html('<link rel="webmention" href="/endpoint?version=2&amp;via=query">'),
    ),
    "/t/none": (200, [], _html(body="<p>No endpoint here.</p>")),
    # Not HTML: only its headers count, and it has no Link header.
    "/t/image": (200, [("Content-Type", "image/png")], b"\x89PNG not really"),
    "/t/failing": (200, [("Link", "</down?via=failing>; rel=webmention")], _html()),
    "/t/missing": (404, [], _html(body="Not found")),
}


def _handler(web: Web):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output readable
            pass

        def do_GET(self):
            status, headers, body = PAGES.get(urlsplit(self.path).path, (404, [], b""))
            self.send_response(status)
            names = {name for name, _ in headers}
            for name, value in headers:
                self.send_header(name, value.format(base=web.base))
            if "Content-Type" not in names:
                self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode("ascii"))
            path = urlsplit(self.path).path
            failing = path in web.failing
            if not failing:
                with web.lock:
                    web.received.append(
                        Received(
                            self.path,
                            form.get("source", [""])[0],
                            form.get("target", [""])[0],
                            self.headers.get("Content-Type", ""),
                        )
                    )
            status = 500 if failing else 201 if path == "/t/empty-href" else 202
            self.send_response(status)
            if status == 201:
                self.send_header("Location", web.base + "/status/1")
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@pytest.fixture
def web():
    """The linked pages and endpoints, on a free loopback port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)
    web = Web(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(web)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield web
    server.shutdown()
    server.server_close()
    thread.join()


# --- The posts --------------------------------------------------------------


def write_post(content: Path, name: str, day: int, body: str, status="published"):
    path = content / "posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"Title: Post {path.stem}\nDate: 2024-03-{day:02} 10:00\n"
        f"Slug: {path.stem}\nStatus: {status}\n\n{body}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def content(tmp_path, web):
    """Two published posts and a draft, linking to the pages of `web`."""
    folder = tmp_path / "content"
    write_post(
        folder,
        "a.md",
        1,
        f"Links: [one]({web.url('/t/header-absolute')}), "
        f"[two]({web.url('/t/header-relative')}), "
        f"[three]({web.url('/t/header-multi')}), "
        f"[four]({web.url('/t/link-element')}), "
        f"[five]({web.url('/t/a-element')}), "
        f"[one again]({web.url('/t/header-absolute')}), "
        f"[our own]({SITEURL}/posts/b/), [relative](/posts/b/), "
        "[not https](http://elsewhere.example/page).",
    )
    write_post(
        folder,
        "bb.md",
        2,
        f"More: [six]({web.url('/t/empty-href')}), "
        f"[seven]({web.url('/t/redirect')}), "
        f"[eight]({web.url('/t/query')}), "
        f"[nine]({web.url('/t/none')}), "
        f"[ten]({web.url('/t/image')}), "
        f"[one]({web.url('/t/header-absolute')}).",
    )
    write_post(
        folder,
        "ccc.md",
        3,
        f"Draft: [x]({web.url('/t/header-relative')}).",
        status="draft",
    )
    return folder


def posts_of(content: Path):
    """Settings and published posts as `make webmentions` reads them."""
    return published_posts(
        ROOT / "publishconf.py", PATH=str(content), SITEURL=SITEURL, REPLIES_TIMEOUT=5
    )


def run(content: Path, *, dry_run=False):
    """One run of the sender over `content`; returns (outcomes, output lines)."""
    settings, posts = posts_of(content)
    lines: list[str] = []
    outcomes = send.send_webmentions(settings, posts, dry_run=dry_run, say=lines.append)
    return outcomes, lines


def sent_state(content: Path) -> dict:
    return json.loads(
        (content / "replies" / "sent" / "webmentions.json").read_text(encoding="utf-8")
    )


A = f"{SITEURL}/posts/a/"  # the posts' public URLs (publishconf's ARTICLE_URL)
B = f"{SITEURL}/posts/bb/"


# --- Tests ------------------------------------------------------------------


def test_every_link_gets_one_webmention_at_its_endpoint(content, web):
    outcomes, lines = run(content)
    with web.lock:
        received = {(item.path, item.source, item.target) for item in web.received}
        content_types = {item.content_type for item in web.received}
    assert len(web.pairs()) == len(received)  # nothing twice
    assert received == {
        ("/endpoint?via=header-absolute", A, web.url("/t/header-absolute")),
        ("/endpoint?via=header-relative", A, web.url("/t/header-relative")),
        ("/endpoint?via=header-multi", A, web.url("/t/header-multi")),
        ("/endpoint?via=link-element", A, web.url("/t/link-element")),
        ("/endpoint?via=a-element", A, web.url("/t/a-element")),
        ("/t/empty-href", B, web.url("/t/empty-href")),
        # The target is the link as written, not where it redirects.
        ("/moved/endpoint?via=moved", B, web.url("/t/redirect")),
        ("/endpoint?version=2&via=query", B, web.url("/t/query")),
        ("/endpoint?via=header-absolute", B, web.url("/t/header-absolute")),
    }
    assert content_types == {"application/x-www-form-urlencoded"}
    # Pages without an endpoint, the site's own links and the draft: nothing.
    results = {(o.post.url, o.target): o.result for o in outcomes}
    assert results[B, web.url("/t/none")] == send.NO_ENDPOINT
    assert results[B, web.url("/t/image")] == send.NO_ENDPOINT
    assert results[A, "http://elsewhere.example/page"] == send.SKIPPED
    assert not any(SITEURL in target for _, target in results)
    assert "posts/a.md (https://blog.example/posts/a/):" in lines
    assert (
        f"  sent (201)    {web.url('/t/empty-href')} via {web.url('/t/empty-href')}"
        in lines
    )
    # What was sent is remembered, with the post's hash and each result.
    state = sent_state(content)
    assert state["format"] == send.FORMAT
    assert set(state["posts"]) == {A, B}
    targets = state["posts"][B]["targets"]
    assert targets[web.url("/t/none")]["result"] == "no-endpoint"
    assert targets[web.url("/t/query")]["result"] == "sent"
    assert targets[web.url("/t/query")]["status"] == 202
    assert targets[web.url("/t/empty-href")]["location"] == web.url("/status/1")
    assert state["posts"][A]["post"] == "posts/a.md"


def test_a_second_run_sends_nothing(content, web):
    run(content)
    before = sent_state(content)
    web.forget()
    outcomes, lines = run(content)
    assert web.pairs() == []
    assert outcomes == []
    assert lines == [
        "posts/a.md: nothing new (5 links)",
        "posts/bb.md: nothing new (6 links)",
        "Nothing to send.",
    ]
    assert sent_state(content) == before


def test_an_edited_post_is_sent_again_to_every_target_it_had(content, web):
    run(content)
    web.forget()
    first = sent_state(content)
    # Post B changes: one link removed, the rest the same, one word more.
    post = content / "posts" / "bb.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(
        text.replace(f"[eight]({web.url('/t/query')}), ", "").replace(
            "More:", "More, edited:"
        ),
        encoding="utf-8",
    )
    run(content)
    assert sorted(web.pairs()) == sorted(
        [
            (B, web.url("/t/empty-href")),
            (B, web.url("/t/redirect")),
            # Removed from the post: told once more, so it can see the link went.
            (B, web.url("/t/query")),
            (B, web.url("/t/header-absolute")),
        ]
    )
    state = sent_state(content)
    assert state["posts"][A] == first["posts"][A]  # post A did not change
    assert state["posts"][B]["content_hash"] != first["posts"][B]["content_hash"]
    # Its receiver was told: the removed target is no longer remembered...
    assert web.url("/t/query") not in state["posts"][B]["targets"]
    # ...so the next edit does not tell it again.
    web.forget()
    post.write_text(post.read_text().replace("edited", "edited twice"))
    run(content)
    assert (B, web.url("/t/query")) not in web.pairs()
    assert len(web.pairs()) == 3


def test_a_failing_endpoint_warns_and_is_retried_keeping_what_was_sent(
    content, web, caplog
):
    post = content / "posts" / "bb.md"
    post.write_text(
        post.read_text().replace("More:", f"More: [down]({web.url('/t/failing')}),")
    )
    web.failing.add("/down")
    with caplog.at_level("WARNING", logger=SEND_LOGGER):
        outcomes, lines = run(content)
    failed = [o for o in outcomes if o.result == send.FAILED]
    assert [(o.post.url, o.target) for o in failed] == [(B, web.url("/t/failing"))]
    [message] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "posts/bb.md" in message
    assert web.url("/t/failing") in message
    assert "500" in message
    assert any(line.startswith("  failed") and "500" in line for line in lines)
    targets = sent_state(content)["posts"][B]["targets"]
    assert targets[web.url("/t/failing")]["result"] == "failed"
    assert targets[web.url("/t/query")]["result"] == "sent"

    # Next run: only the failed one is tried, and it fails again. (Pelican's
    # LimitFilter drops a warning logged twice in one process, so the
    # outcome says so here; a real run is a process of its own.)
    web.forget()
    outcomes, _ = run(content)
    assert web.pairs() == []
    assert [(o.target, o.result) for o in outcomes] == [
        (web.url("/t/failing"), send.FAILED)
    ]

    # The endpoint is back: it is sent, once, and nothing else is.
    web.failing.clear()
    run(content)
    assert web.pairs() == [(B, web.url("/t/failing"))]
    delivered = sent_state(content)["posts"][B]["targets"][web.url("/t/failing")]
    assert delivered["result"] == "sent"
    assert "error" not in delivered

    # An edit while it is down again: the failure keeps the earlier delivery.
    web.forget()
    web.failing.add("/down")
    post.write_text(post.read_text().replace("More:", "More again:"))
    with caplog.at_level("WARNING", logger=SEND_LOGGER):
        run(content)
    kept = sent_state(content)["posts"][B]["targets"][web.url("/t/failing")]
    assert kept["result"] == "failed"
    assert kept["sent"] == delivered["sent"]
    assert kept["endpoint"] == delivered["endpoint"] == web.url("/down?via=failing")
    assert kept["status"] == 202


def test_an_unreachable_or_missing_target_is_a_warning_and_retried(
    content, web, caplog
):
    post = content / "posts" / "a.md"
    post.write_text(
        post.read_text().replace("Links:", f"Links: [gone]({web.url('/t/missing')}),")
    )
    with caplog.at_level("WARNING", logger=SEND_LOGGER):
        outcomes, _ = run(content)
    assert "posts/a.md" in caplog.text
    assert "404" in caplog.text
    assert [o.target for o in outcomes if o.result == send.FAILED] == [
        web.url("/t/missing")
    ]
    assert len(web.pairs()) == 9  # the others went
    caplog.clear()
    with caplog.at_level("WARNING", logger=SEND_LOGGER):
        outcomes, _ = run(content)
    assert [o.target for o in outcomes] == [web.url("/t/missing")]


def test_a_dry_run_sends_nothing_and_writes_nothing(content, web):
    outcomes, lines = run(content, dry_run=True)
    assert web.pairs() == []
    assert not (content / "replies").exists()
    would = [(o.target, o.endpoint) for o in outcomes if o.result == send.WOULD_SEND]
    assert (web.url("/t/query"), web.url("/endpoint?version=2&via=query")) in would
    assert len(would) == 9
    assert any(line.startswith("  would send") for line in lines)
    # After a real run, a dry run shows nothing new and changes nothing.
    run(content)
    before = (content / "replies" / "sent" / "webmentions.json").read_bytes()
    web.forget()
    outcomes, _ = run(content, dry_run=True)
    assert outcomes == []
    assert web.pairs() == []
    assert (content / "replies" / "sent" / "webmentions.json").read_bytes() == before


def test_a_newer_state_file_is_left_alone(content, web):
    state = content / "replies" / "sent" / "webmentions.json"
    state.parent.mkdir(parents=True)
    state.write_text('{"format": 99, "posts": {}}')
    with pytest.raises(send.SentStateError, match=r"webmentions\.json.*newer"):
        run(content)
    assert web.pairs() == []
    assert state.read_text() == '{"format": 99, "posts": {}}'


def test_unknown_fields_in_the_state_file_are_kept(content, web):
    run(content)
    state = sent_state(content)
    state["note"] = "kept"
    state["posts"][A]["targets"][web.url("/t/header-relative")]["extra"] = 1
    (content / "replies" / "sent" / "webmentions.json").write_text(json.dumps(state))
    post = content / "posts" / "a.md"
    post.write_text(post.read_text().replace("Links:", "Links, edited:"))
    run(content)
    after = sent_state(content)
    assert after["note"] == "kept"
    assert after["posts"][A]["targets"][web.url("/t/header-relative")]["extra"] == 1


def test_the_command_limits_to_one_post(content, web, monkeypatch, capsys):
    monkeypatch.setenv("SITEURL", SITEURL)
    code = send.main(
        [
            "--settings",
            str(ROOT / "publishconf.py"),
            "--content-dir",
            str(content),
            "--post",
            str(content / "posts" / "bb.md"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert {source for source, _ in web.pairs()} == {B}
    assert "posts/bb.md (https://blog.example/posts/bb/):" in out
    assert "posts/a.md" not in out
    assert set(sent_state(content)["posts"]) == {B}
    # A draft is not a published post.
    code = send.main(
        [
            "--settings",
            str(ROOT / "publishconf.py"),
            "--content-dir",
            str(content),
            "--post",
            str(content / "posts" / "ccc.md"),
        ]
    )
    assert code == 2
    assert "ccc.md is not a published post" in capsys.readouterr().err


def test_make_webmentions_dry_run(content, web):
    """The Makefile target, as a reader runs it."""
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "webmentions",
            "DRY_RUN=1",
            f"INPUTDIR={content}",
            f"POST={content / 'posts' / 'a.md'}",
            f"SITEURL={SITEURL}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Dry run" in result.stdout
    assert f"  would send    {web.url('/t/header-multi')} via " in result.stdout
    assert "posts/bb.md" not in result.stdout
    assert web.pairs() == []
    assert not (content / "replies").exists()


# --- The parts --------------------------------------------------------------


def test_link_header_parsing():
    values = [
        '<https://a.example/x,y>; rel="other webmention", </wm?a=1>; rel=webmention',
        '<https://b.example/>; title="a, rel=webmention"; rel="next"',
        "<c>; rel=webmention; rel=other, <d>; rel=other; rel=webmention",
        "garbage, <e>; REL=WebMention",
    ]
    assert send.link_header_urls(values, "webmention") == [
        "https://a.example/x,y",
        "/wm?a=1",
        "c",
        "e",
    ]


def test_external_links_are_absolute_off_site_and_once_each():
    html = (
        '<a href="https://x.example/a?b=1&amp;c=2">x</a><a href="/local">l</a>'
        '<a href="https://blog.example/p">own</a><a href="mailto:a@b.example">m</a>'
        '<a href="https://x.example/a?b=1&amp;c=2">again</a><a>no href</a>'
        '<img src="https://img.example/i.png" alt="">'
    )
    assert send.external_links(html, SITEURL) == ["https://x.example/a?b=1&c=2"]


def test_the_build_never_imports_the_network_code():
    """`make html` loads the plugin; only `pelican-replies` (`make replies`)
    loads fetch.py and sources.py, and only `pelican-webmentions`
    (`make webmentions`) loads send.py."""
    script = (
        "import sys; from pelican import Pelican; "
        "from pelican.settings import read_settings; "
        "Pelican(read_settings('publishconf.py')); "
        "print(*(name in sys.modules for name in ("
        "'pelican.plugins.social_replies.social_replies', "
        "'pelican.plugins.social_replies.send', "
        "'pelican.plugins.social_replies.fetch', "
        "'pelican.plugins.social_replies.sources')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    loaded_plugin, *loaded_network_code = result.stdout.split()
    assert loaded_plugin == "True"  # the build's plugins were loaded...
    assert loaded_network_code == ["False"] * 3  # ...and none of these
