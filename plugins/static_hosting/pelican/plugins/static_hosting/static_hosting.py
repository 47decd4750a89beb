"""What a CDN or static host needs from the build.

- The `fingerprint` Jinja filter: a theme asset's output path with a hash of
  its content as a query (`theme/css/main.css?v=0123456789`). A changed file
  gets a new address, so hosts may let browsers keep assets for a year.
- `_headers` (when STATIC_HOSTING_HEADERS is on, as in publishconf.py): the
  HTTP headers for Netlify and Cloudflare Pages: the site's
  CONTENT_SECURITY_POLICY (the very setting the theme's <meta> tag prints)
  plus `frame-ancestors 'none'`, which a <meta> policy cannot carry;
  nosniff; the referrer policy; long caching for theme assets, short for
  pages and feeds; and, on HTML pages only, the headers other plugins ask
  for in STATIC_HOSTING_PAGE_HEADERS (social_replies' webmention `Link`).

Per-build state lives on objects made at `generator_init`, so
`--autoreload` starts afresh.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from pelican import signals

logger = logging.getLogger(__name__)

DEFAULTS = {
    "STATIC_HOSTING_HEADERS": False,
    "STATIC_HOSTING_HEADERS_SAVE_AS": "_headers",
    # A year, for files whose address changes with their content.
    "STATIC_HOSTING_ASSET_MAX_AGE": 31536000,
    # Five minutes for pages, feeds and everything else: a new post or a
    # scheduled part shows up soon after the deploy.
    "STATIC_HOSTING_PAGE_MAX_AGE": 300,
    "STATIC_HOSTING_REFERRER_POLICY": "strict-origin-when-cross-origin",
    # Headers sent with HTML pages only, {name: value}: a hook for other
    # plugins (social_replies adds `Link: <endpoint>; rel="webmention"`),
    # which set it at `initialized` to a new dict, never changing this one.
    "STATIC_HOSTING_PAGE_HEADERS": {},
}
HASH_LENGTH = 10
# The values the Referrer-Policy header may take (W3C Referrer Policy, 3):
# one, or a comma-separated list of them (browsers use the last they know).
REFERRER_POLICIES = frozenset(
    {
        "no-referrer",
        "no-referrer-when-downgrade",
        "same-origin",
        "origin",
        "strict-origin",
        "origin-when-cross-origin",
        "strict-origin-when-cross-origin",
        "unsafe-url",
    }
)


def _valid(key, value):
    """Whether `value` can be used for the STATIC_HOSTING_* setting `key`."""
    default = DEFAULTS[key]
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):  # seconds
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if key == "STATIC_HOSTING_HEADERS_SAVE_AS":
        # One file at the top of the output, where the hosts look for it.
        return isinstance(value, str) and bool(re.fullmatch(r"[\w.-]+", value))
    if key == "STATIC_HOSTING_REFERRER_POLICY":
        return isinstance(value, str) and all(
            part.strip() in REFERRER_POLICIES for part in value.split(",")
        )
    return isinstance(value, type(default))


def check_settings(pelican):
    """Fill in the STATIC_HOSTING_* defaults; warn about and replace each
    unusable value (the build goes on)."""
    settings = pelican.settings
    for key, default in DEFAULTS.items():
        # A copy of a dict default: a plugin's change stays in this build.
        settings.setdefault(
            key, default.copy() if isinstance(default, dict) else default
        )
        if not _valid(key, settings[key]):
            logger.warning(
                "static_hosting: %s = %r cannot be used; using %r",
                key,
                settings[key],
                default,
            )
            settings[key] = default.copy() if isinstance(default, dict) else default
    # Each page header that could not stand as one line of _headers is left
    # out (a new dict: never change one a settings file shares).
    page_headers = settings["STATIC_HOSTING_PAGE_HEADERS"]
    usable = {
        name: value
        for name, value in page_headers.items()
        if _header_line_ok(name, value)
    }
    for name in page_headers.keys() - usable.keys():
        logger.warning(
            "static_hosting: STATIC_HOSTING_PAGE_HEADERS %r: %r is not one header "
            "name and one line of value; left out",
            name,
            page_headers[name],
        )
    settings["STATIC_HOSTING_PAGE_HEADERS"] = usable
    if settings["STATIC_HOSTING_HEADERS"] and not settings.get(
        "CONTENT_SECURITY_POLICY"
    ):
        logger.warning(
            "static_hosting: STATIC_HOSTING_HEADERS = True needs "
            "CONTENT_SECURITY_POLICY, which is not set; using False (no _headers)"
        )
        settings["STATIC_HOSTING_HEADERS"] = False
    # _headers names every top-level file, so it is written after every
    # other plugin's `finalized` handler (the sitemap's, the search index's)
    # whatever the order of PLUGINS. Blinker calls receivers in the order
    # they were first connected and keeps it for every later build in the
    # process (a preview build before a production one, in tests); here,
    # once every plugin has registered, reconnecting puts this one last.
    # (pelican-precompress runs later still: pelican-granular-signals sends
    # its `compress` signal after every `finalized` receiver.)
    signals.finalized.disconnect(write_headers)
    signals.finalized.connect(write_headers)


def _header_line_ok(name, value):
    """A header name (a token) and a one-line value: nothing that could
    start another line (or rule) of _headers."""
    return (
        isinstance(name, str)
        and isinstance(value, str)
        and bool(re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", name))
        and bool(value.strip())
        and not any(char in value for char in "\r\n")
    )


# Where a build's AssetFingerprints is kept in the context.
FINGERPRINTS_KEY = "static_hosting_fingerprints"


class AssetFingerprints:
    """The `fingerprint` filter of one build's templates."""

    def __init__(self, settings):
        theme = Path(settings["THEME"])
        # Pelican copies each THEME_STATIC_PATHS folder's contents into
        # THEME_STATIC_DIR, in order (a later file wins); plugins may add
        # folders of their own (the checklist does).
        self.folders = [theme / path for path in settings["THEME_STATIC_PATHS"]]
        self.static_dir = settings["THEME_STATIC_DIR"].strip("/")
        self.hashes = {}

    def source_of(self, path):
        """The file Pelican copies to `path` (relative to the output), or None."""
        prefix = self.static_dir + "/"
        if not path.startswith(prefix):
            return None
        relative = path[len(prefix) :]
        for folder in reversed(self.folders):
            if (folder / relative).is_file():
                return folder / relative
        return None

    def __call__(self, path):
        """`path` with `?v=<content hash>`; unchanged, with a warning, if unknown."""
        if path not in self.hashes:
            source = self.source_of(path)
            if source is None:
                logger.warning(
                    "static_hosting: no theme file is copied to %s; "
                    "linking it without a fingerprint",
                    path,
                )
                self.hashes[path] = None
            else:
                digest = hashlib.sha256(source.read_bytes()).hexdigest()
                self.hashes[path] = digest[:HASH_LENGTH]
        digest = self.hashes[path]
        return f"{path}?v={digest}" if digest else path


def add_filter(generator):
    """Give the generator's templates the `fingerprint` filter: one per
    build (kept in the context every generator of a build shares), so each
    asset is read and hashed once, not once per generator."""
    fingerprints = generator.context.get(FINGERPRINTS_KEY)
    if fingerprints is None:
        fingerprints = AssetFingerprints(generator.settings)
        generator.context[FINGERPRINTS_KEY] = fingerprints
    generator.env.filters["fingerprint"] = fingerprints


def policy_with(policy, **extra):
    """A CSP string with sources added to directives (`script_src=...`)."""
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    for key, sources in extra.items():
        name = key.replace("_", "-")
        for index, directive in enumerate(directives):
            if directive.split()[0] == name:
                directives[index] = f"{directive} {sources}"
                break
        else:
            directives.append(f"{name} {sources}")
    return "; ".join(directives)


def headers_file(settings, top_level_entries):
    """The text of `_headers`, given the top of the output: (name, is_folder,
    holds_pages) for each entry, holds_pages saying whether it is or holds
    an HTML page.

    Both hosts *combine* a header that two matching rules set (Cloudflare
    joins the values with a comma: two policies, both enforced), so each
    path gets its Cache-Control and CSP from exactly one rule: one per
    top-level file or folder, none overlapping. Only headers that are the
    same everywhere go under `/*`.
    """
    page_policy = policy_with(
        settings["CONTENT_SECURITY_POLICY"], frame_ancestors="'none'"
    )
    # Pagefind's worker script gets the policy of its own response: it
    # compiles WebAssembly, which needs 'wasm-unsafe-eval' (not eval() of
    # JavaScript); see the pagefind_search plugin's README.
    search_policy = policy_with(page_policy, script_src="'wasm-unsafe-eval'")
    search_dir = settings.get("SEARCH_BUNDLE_DIR", "pagefind").strip("/")
    static_dir = settings["THEME_STATIC_DIR"].strip("/")
    short = f"public, max-age={settings['STATIC_HOSTING_PAGE_MAX_AGE']}"
    long = f"public, max-age={settings['STATIC_HOSTING_ASSET_MAX_AGE']}, immutable"

    lines = [
        "# Written by the static_hosting plugin (make publish) for Netlify and",
        "# Cloudflare Pages. Do not edit: change the settings and rebuild.",
        "/*",
        "  X-Content-Type-Options: nosniff",
        f"  Referrer-Policy: {settings['STATIC_HOSTING_REFERRER_POLICY']}",
    ]

    # Only on the rules that serve HTML pages (the static and search
    # folders never do): one rule per path, so never sent twice. Checked
    # again here: a plugin may have set them after check_settings ran.
    page_headers = []
    for name, value in sorted(settings.get("STATIC_HOSTING_PAGE_HEADERS", {}).items()):
        if _header_line_ok(name, value):
            page_headers.append((name, value))
        else:
            logger.warning(
                "static_hosting: STATIC_HOSTING_PAGE_HEADERS %r: %r is not one "
                "header name and one line of value; left out of _headers",
                name,
                value,
            )

    def rule(path, policy, cache, pages=False):
        lines.extend(
            [
                "",
                path,
                f"  Content-Security-Policy: {policy}",
                f"  Cache-Control: {cache}",
            ]
        )
        if pages:
            lines.extend(f"  {name}: {value}" for name, value in page_headers)

    rule("/", page_policy, short, pages=True)
    for name, is_folder, holds_pages in sorted(top_level_entries):
        if name == settings["STATIC_HOSTING_HEADERS_SAVE_AS"]:
            continue
        path = f"/{name}/*" if is_folder else f"/{name}"
        if name == static_dir:
            rule(path, page_policy, long)  # linked with ?v=<hash> only
        elif name == search_dir:
            rule(path, search_policy, short)
        else:
            rule(path, page_policy, short, pages=holds_pages)
    return "\n".join(lines) + "\n"


def _holds_pages(entry: Path) -> bool:
    """Whether a top-level file is an HTML page, or a folder holds one."""
    if entry.is_dir():
        return next(entry.rglob("*.html"), None) is not None
    return entry.suffix == ".html"


def write_headers(pelican):
    """Write `_headers` into the output, once the build (and index) is written."""
    settings = pelican.settings
    if not settings.get("STATIC_HOSTING_HEADERS"):
        return
    output = Path(settings["OUTPUT_PATH"])
    entries = [
        (entry.name, entry.is_dir(), _holds_pages(entry)) for entry in output.iterdir()
    ]
    target = output / settings["STATIC_HOSTING_HEADERS_SAVE_AS"]
    target.write_text(headers_file(settings, entries), encoding="utf-8")


def register():
    signals.initialized.connect(check_settings)
    signals.generator_init.connect(add_filter)
    signals.finalized.connect(write_headers)
