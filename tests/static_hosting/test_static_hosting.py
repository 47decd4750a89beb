"""What `make publish` gives a CDN: _headers, fingerprinted assets,
precompressed copies, no preview script; and the deploy workflow."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import brotli
import pytest
import yaml
from pelican.plugins.static_hosting import static_hosting

from tests.harness import ROOT

THEORY = "posts/networking-theory/"
WORKFLOW = ROOT / ".github" / "workflows" / "deploy.yml"
# An exact release tag (v1.2.3) or a full commit SHA: never a moving `@v4`.
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$")


def parse_headers(text: str) -> dict[str, dict[str, str]]:
    """_headers as Netlify and Cloudflare read it: {path: {name: value}}."""
    rules: dict[str, dict[str, str]] = {}
    path = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            path = line.strip()
            assert path not in rules, f"{path} has two rules"
            rules[path] = {}
            continue
        name, value = line.strip().split(":", 1)
        assert name not in rules[path], f"{name} twice for {path}"
        rules[path][name] = value.strip()
    return rules


def rule_for(rules, relative: str) -> dict[str, str]:
    """The one rule (besides /*) for a file at a site-relative path."""
    url = "/" + relative
    matching = [
        path
        for path in rules
        if path != "/*"
        and (path == url or (path.endswith("/*") and url.startswith(path[:-1])))
    ]
    assert len(matching) == 1, (relative, matching)
    return rules[matching[0]]


@pytest.fixture(scope="module")
def rules(published_site):
    return parse_headers(published_site.text("_headers"))


def meta_policy(site, relative):
    (policy,) = site.page(relative).xpath(
        "//meta[@http-equiv='Content-Security-Policy']/@content"
    )
    return policy


def test_header_policy_is_the_meta_policy_plus_frame_ancestors(published_site, rules):
    meta = meta_policy(published_site, THEORY)
    expected = f"{meta}; frame-ancestors 'none'"
    for relative in (THEORY, "", "404.html", "feeds/all.atom.xml", "search/"):
        assert rule_for(rules, relative)["Content-Security-Policy"] == expected
    # Pagefind's worker compiles WebAssembly: only its folder adds that.
    pagefind = rule_for(rules, "pagefind/pagefind-worker.js")
    assert pagefind["Content-Security-Policy"] == expected.replace(
        "script-src 'self';", "script-src 'self' 'wasm-unsafe-eval';"
    )
    assert rules["/*"] == {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


def test_every_page_carries_the_same_meta_policy(published_site):
    policies = {
        meta_policy(published_site, str(path.relative_to(published_site.root)))
        for path in published_site.html_files()
        if "pagefind" not in path.parts
    }
    assert policies == {published_site.settings["CONTENT_SECURITY_POLICY"]}
    assert "unsafe-inline" not in policies.pop()


def test_every_built_file_has_exactly_one_cache_rule(published_site, rules):
    # Precompressed copies are for hosts that serve them as they are (nginx's
    # gzip_static), which do not read _headers; Netlify and Cloudflare
    # compress for themselves.
    for path in published_site.root.rglob("*"):
        if path.suffix in {".gz", ".br"}:
            continue
        if path.is_file() and path.name != "_headers":
            relative = path.relative_to(published_site.root).as_posix()
            assert "Cache-Control" in rule_for(rules, relative)


def test_theme_assets_are_kept_long_and_pages_and_feeds_briefly(rules):
    assert rules["/theme/*"]["Cache-Control"] == ("public, max-age=31536000, immutable")
    for relative in (THEORY, "", "feeds/all.atom.xml", "sitemap.txt"):
        assert rule_for(rules, relative)["Cache-Control"] == "public, max-age=300"


def test_page_headers_go_with_html_pages_only(published_site, rules):
    # The real site sets none (REPLIES_WEBMENTION_ENDPOINT is None): no Link at all.
    assert not any("Link" in headers for headers in rules.values())
    settings = {
        **published_site.settings,
        "STATIC_HOSTING_PAGE_HEADERS": {
            "Link": '<https://wm.example/>; rel="webmention"'
        },
    }
    entries = [
        ("index.html", False, True),
        ("posts", True, True),
        ("feeds", True, False),
        ("card.png", False, False),
        ("theme", True, False),
        ("pagefind", True, False),
    ]
    with_links = parse_headers(static_hosting.headers_file(settings, entries))
    sent = sorted(path for path, headers in with_links.items() if "Link" in headers)
    assert sent == ["/", "/index.html", "/posts/*"]
    assert with_links["/posts/*"]["Link"] == '<https://wm.example/>; rel="webmention"'


@pytest.mark.parametrize(
    "headers",
    [
        {"Link": "<https://a.example/>\n/evil\n  X-Injected: 1"},
        {"Bad Name": "value"},
        {"Link": ""},
        {"Link": 3},
    ],
)
def test_a_page_header_that_could_break_headers_is_left_out(headers, caplog):
    class Pelican:
        settings = {
            "CONTENT_SECURITY_POLICY": "default-src 'self'",
            "STATIC_HOSTING_PAGE_HEADERS": {**headers, "X-Good": "kept"},
        }

    static_hosting.check_settings(Pelican)
    assert Pelican.settings["STATIC_HOSTING_PAGE_HEADERS"] == {"X-Good": "kept"}
    (warning,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "STATIC_HOSTING_PAGE_HEADERS" in warning
    assert repr(next(iter(headers.values()))) in warning


def theme_links(site):
    """(page, URL) of every link from a page into the theme's assets."""
    static = f"{site.settings['SITEURL']}/{site.settings['THEME_STATIC_DIR']}/"
    for path in site.html_files():
        doc = site.page(str(path.relative_to(site.root)))
        for url in doc.xpath("//link/@href | //script/@src"):
            if url.startswith(static):
                yield path, url[len(site.settings["SITEURL"]) + 1 :]


def test_every_theme_asset_is_linked_with_its_content_hash(published_site):
    links = list(theme_links(published_site))
    linked = {url.split("?")[0] for _page, url in links}
    # The stylesheets, the favicon and every script, the checklist's too.
    assert {
        "theme/css/main.css",
        "theme/css/print.css",
        "theme/images/favicon.svg",
        "theme/series_nav/series-progress.js",
        "theme/share_cards/share.js",
        "theme/pagefind_search/search.js",
        "theme/checklist/checklist.js",
        "theme/checklist/checklist.css",
        "theme/social_replies/replies.css",
    } <= linked
    for page, url in links:
        path, _, query = url.partition("?")
        digest = hashlib.sha256(published_site.path(path).read_bytes()).hexdigest()
        assert query == f"v={digest[:10]}", (page, url)


def test_precompressed_copies_decompress_to_the_originals(published_site):
    copies = sorted(published_site.root.rglob("*.gz")) + sorted(
        published_site.root.rglob("*.br")
    )
    assert len(copies) > 20
    for copy in copies:
        original = copy.with_suffix("")
        data = copy.read_bytes()
        unpacked = (
            gzip.decompress(data) if copy.suffix == ".gz" else brotli.decompress(data)
        )
        assert unpacked == original.read_bytes(), copy
    theory = published_site.path(THEORY)
    for suffix in (".gz", ".br"):
        assert theory.with_name(theory.name + suffix).is_file()
        css = published_site.path("theme/css/main.css")
        assert css.with_name(css.name + suffix).is_file()


def test_no_page_of_either_build_loads_the_reload_script(site, published_site):
    for built in (site, published_site):
        for path in built.html_files():
            assert "livereload" not in path.read_text(encoding="utf-8"), path


def test_the_workflow_publishes_and_deploys_daily_and_on_push():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the key `on` as True.
    triggers = workflow.get("on") or workflow[True]
    assert triggers["push"]["branches"] == ["main"]
    assert triggers["schedule"][0]["cron"]
    build = workflow["jobs"]["build"]["steps"]
    assert any(step.get("run") == "make publish" for step in build)
    uses = [
        step["uses"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "uses" in step
    ]
    assert {use.split("@")[0] for use in uses} >= {
        "actions/checkout",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    }
    for use in uses:
        assert PINNED.match(use), f"{use} is not pinned to an exact version"
    upload = next(s for s in build if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "output"


def test_make_deploy_uses_the_one_set_of_settings():
    """`make -n deploy` prints the rsync it would run (nothing is sent)."""
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "deploy", "SSH_HOST=host.test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rsync = [line for line in result.stdout.splitlines() if line.startswith("rsync")]
    assert len(rsync) == 1
    assert "--delete" in rsync[0]
    assert '"deploy@host.test:/var/www/whoyouknow/"' in rsync[0]
    assert f'"{Path(ROOT) / "output"}/"' in rsync[0]


# Two builds in one fresh process: a preview build (no sitemap plugin), then
# a production one. Blinker keeps each receiver where it was first connected,
# so the sitemap's `finalized` handler comes after static_hosting's unless
# static_hosting puts itself last on every build.
TWO_BUILDS = """
import sys
from tests.harness import PUBLISHED_SITEURL, build_site
build_site(sys.argv[1] + "/preview")
build_site(
    sys.argv[1] + "/production",
    settings_file="publishconf.py",
    SITEURL=PUBLISHED_SITEURL,
)
"""


def test_headers_list_what_every_other_plugin_wrote_whatever_ran_first(
    tmp_path, published_site
):
    # The import path pytest gives the tests (pyproject.toml's `pythonpath`).
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    result = subprocess.run(
        [sys.executable, "-c", TWO_BUILDS, str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    after_a_preview = (tmp_path / "production" / "_headers").read_text()
    rules = parse_headers(after_a_preview)
    assert rule_for(rules, "sitemap.txt")["Cache-Control"] == "public, max-age=300"
    assert after_a_preview == published_site.text("_headers")
