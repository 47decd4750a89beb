"""`make publish`'s output served as Cloudflare Pages serves it: wrangler's
`pages dev` (pinned in package.json) reads our `_headers` the way the host
does, and a real Chromium asks for the pages. What it receives is asserted,
not the text of `_headers` (test_static_hosting.py checks that).

wrangler runs offline: NODE_ENV=test keeps Miniflare from fetching its
`Request.cf` object from workers.cloudflare.com, WRANGLER_SEND_METRICS=false
sends no metrics, and its update check asks a closed port on loopback
(`npm_registry`, read by its `registry-url` dependency) instead of npm.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.harness import ROOT, build_site
from tests.static_hosting.test_static_hosting import parse_headers, rule_for

# Chromium and Node.js (wrangler) both: not in `make test-fast`.
pytestmark = pytest.mark.browser

WRANGLER = ROOT / "node_modules" / ".bin" / "wrangler"
# The newest date this wrangler's workerd knows: a later one only makes it
# warn (and look for a newer wrangler).
COMPATIBILITY_DATE = "2025-07-18"
ENDPOINT = "https://webmention.io/whoyouknow.example/webmention"
THEORY = "posts/networking-theory/"
STARTUP_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, server: subprocess.Popen, log) -> None:
    """Poll until the server answers (a condition, with a generous deadline
    for a loaded machine), failing at once if it exits."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"wrangler exited ({server.returncode}):\n{log.read_text()}")
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, OSError),
            urllib.request.urlopen(url, timeout=5),
        ):
            return
        time.sleep(0.2)
    pytest.fail(f"wrangler never answered on {url}:\n{log.read_text()}")


@pytest.fixture(scope="module")
def address():
    """Where wrangler will serve: the build's SITEURL, so that every link and
    asset of a page stays on that host (as on the real one)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def published(tmp_path_factory, address):
    """The production build, with a webmention endpoint (so pages carry the
    Link header that advertises it)."""
    return build_site(
        tmp_path_factory.mktemp("pages-dev"),
        settings_file="publishconf.py",
        SITEURL=address,
        REPLIES_WEBMENTION_ENDPOINT=ENDPOINT,
    )


@pytest.fixture(scope="module")
def pages_dev(published, address, tmp_path_factory):
    """`wrangler pages dev` over the build; its address."""
    assert WRANGLER.exists(), "run `make test`: it installs wrangler (package.json)"
    work = tmp_path_factory.mktemp("wrangler")
    log = work / "wrangler.log"
    port = address.rsplit(":", 1)[1]
    environment = {
        **os.environ,
        "NODE_ENV": "test",
        "WRANGLER_SEND_METRICS": "false",
        "CI": "1",
        "npm_registry": "http://127.0.0.1:9/",
        "npm_config_registry": "http://127.0.0.1:9/",
        "TMPDIR": str(work),
        "HOME": str(work),
    }
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                str(WRANGLER),
                "pages",
                "dev",
                str(published.root),
                "--ip",
                "127.0.0.1",
                "--port",
                port,
                f"--compatibility-date={COMPATIBILITY_DATE}",
            ],
            cwd=work,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_serving(address + "/", server, log)
        yield address
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def rules(published):
    return parse_headers(published.text("_headers"))


def received(page, url: str) -> dict[str, str]:
    """The headers Chromium received for `url`, loaded as a page."""
    response = page.goto(url)
    assert response.status == 200, url
    return response.all_headers()


def test_a_post_gets_its_policy_cache_rule_and_webmention_link(pages_dev, rules, page):
    headers = received(page, f"{pages_dev}/{THEORY}")
    rule = rule_for(rules, THEORY)
    assert headers["content-security-policy"] == rule["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == rule["Cache-Control"] == "public, max-age=300"
    assert headers["link"] == f'<{ENDPOINT}>; rel="webmention"'
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_the_page_runs_under_its_policy_without_a_violation(pages_dev, page):
    violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and violations.append(message.text)
        ),
    )
    page.goto(f"{pages_dev}/{THEORY}", wait_until="load")
    assert page.evaluate("document.styleSheets.length") >= 1
    assert violations == []


def test_fingerprinted_assets_are_kept_a_year_and_arrive_compressed(
    pages_dev, published, page
):
    assets = {}
    page.on(
        "response",
        lambda response: (
            "/theme/" in response.url and assets.setdefault(response.url, response)
        ),
    )
    page.goto(f"{pages_dev}/{THEORY}", wait_until="load")
    stylesheet = next(url for url in assets if "/theme/css/main.css?v=" in url)
    headers = assets[stylesheet].all_headers()
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    # Chromium asks for br (and gzip); what it decodes is the built file.
    assert headers["content-encoding"] in {"br", "gzip"}
    assert (
        assets[stylesheet].body() == published.path("theme/css/main.css").read_bytes()
    )


def test_cloudflare_compresses_pages_itself_and_leaves_our_copies_alone(
    pages_dev, published
):
    """What a client asking for br receives from Cloudflare Pages: the page,
    compressed by the host itself, not the build's precompressed .br copy
    (which only Netlify-style hosts and nginx's brotli_static send); the
    copy itself is a plain file there, under the page's cache rule."""
    import brotli  # noqa: PLC0415

    page = published.path(THEORY)
    copy = page.with_name("index.html.br")
    request = urllib.request.Request(
        f"{pages_dev}/{THEORY}", headers={"Accept-Encoding": "br"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Encoding"] == "br"
        body = response.read()
    assert brotli.decompress(body) == page.read_bytes()
    assert body != copy.read_bytes()
    with urllib.request.urlopen(f"{pages_dev}/{THEORY}index.html.br") as response:
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert response.read() == copy.read_bytes()


def test_a_missing_page_gets_the_404_page_and_status(pages_dev, published, page):
    response = page.goto(f"{pages_dev}/no-such-post/")
    assert response.status == 404
    assert page.title() == published.page("404.html").findtext(".//title")
