"""Full-text search: index the built site with Pagefind after every build.

Pelican sends `finalized` once every page is written, on every build path
(`make html`, `serve`, `devserver`, `publish`, each autoreload rebuild), so
that is where the index is made. What is indexed is said in the HTML by the
theme: `data-pagefind-body` on published posts and pages only,
`data-pagefind-ignore` on boilerplate, `data-pagefind-meta` for the fields a
result shows. The plugin only runs Pagefind over the output and reports.

The search box and the search page's results area are partials in this
package's `templates/` folder (searched after the theme's), with the page's
script and stylesheet in `static/`; a theme without a search.html gets the
plugin's own.

A missing binary or a failed run is a warning: the site is still built, and
the search page says search is unavailable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pagefind.service import get_executable
from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.settings import DEFAULT_THEME
from pelican_plugin_kit import PluginFiles

logger = logging.getLogger(__name__)

# The partials (and the search page a theme without one gets), the page's
# script and stylesheet; the box is the partial a theme puts in its header.
FILES = PluginFiles(
    "pagefind_search",
    Path(__file__).resolve().parent,
    "box.html",
    where="the header of its base.html",
)

DEFAULTS = {
    # False: build without an index (the search page then says search is
    # unavailable). For quick local builds and for measuring the cost.
    "SEARCH_INDEX": True,
    # The search bundle's folder under OUTPUT_PATH.
    "SEARCH_BUNDLE_DIR": "pagefind",
    # Where the last index is kept, to be reused by a build whose indexed
    # files are byte for byte the same. None: <CACHE_PATH>/search.
    "SEARCH_CACHE_PATH": None,
    # CSS selectors Pagefind leaves out of the index, for markup inside post
    # bodies that the theme cannot mark with data-pagefind-ignore: the
    # network checklist's form (a widget, not prose).
    "SEARCH_IGNORE_SELECTORS": ("form[data-checklist]",),
    # The element Pagefind reads of each page (its `root_selector`). None:
    # the whole page, except in Pelican's default theme (notmyidea), which
    # marks nothing and whose first <h1> is the site's name: there it is
    # "#content", the section holding the post and its title.
    "SEARCH_ROOT_SELECTOR": None,
    # The search page: the direct template "search" (the plugin adds it to
    # DIRECT_TEMPLATES), the theme's search.html or else the plugin's.
    # Pelican reads these two.
    "SEARCH_URL": "search/",
    "SEARCH_SAVE_AS": "search/index.html",
}
# The root selector for Pelican's default theme (see SEARCH_ROOT_SELECTOR).
DEFAULT_THEME_ROOT = "#content"
# What Pagefind prints when no page has data-pagefind-body; it then indexes
# every page, drafts and listings included, which we never want.
NO_BODY_NOTICE = "Did not find a data-pagefind-body element"
NOTHING_MARKED = (
    "pagefind_search: no page is marked data-pagefind-body (no published post "
    "or page, or a theme without the marks); not indexing every page"
)
NOTHING_MARKED_OF_THE_POSTS = (
    "pagefind_search: the theme marks no page data-pagefind-body: the whole "
    "of each published post and page is indexed%s"
)
# Characters with a meaning in Pagefind's glob syntax (its `wax` crate),
# each matched literally after a backslash. (`!` and `#` are literal as
# they are, and an error after a backslash.)
GLOB_SPECIAL = frozenset("\\{}[]*?,()<>:")


@dataclass(frozen=True)
class IndexReport:
    """What one indexing run did: for the build log and `make bench`."""

    pages: int
    seconds: float
    index_bytes: int  # the index itself: what grows with the site
    bundle_bytes: int  # the whole bundle: index, WebAssembly and scripts


def _is_bundle_dir(value) -> bool:
    return isinstance(value, str) and bool(value.strip("/")) and ".." not in value


def _is_selector_list(value) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(s, str) for s in value)


# Each setting: the test its value must pass, and what it is if not.
CHECKS = {
    "SEARCH_INDEX": (lambda value: isinstance(value, bool), "is not True or False"),
    "SEARCH_BUNDLE_DIR": (_is_bundle_dir, "is not a folder inside the output"),
    "SEARCH_CACHE_PATH": (
        lambda value: value is None or isinstance(value, str),
        "is not a folder's path or None",
    ),
    "SEARCH_IGNORE_SELECTORS": (_is_selector_list, "is not a list of CSS selectors"),
    "SEARCH_ROOT_SELECTOR": (
        lambda value: value is None or (isinstance(value, str) and value.strip()),
        "is not a CSS selector or None",
    ),
    "SEARCH_URL": (lambda value: isinstance(value, str), "is not a string"),
    "SEARCH_SAVE_AS": (
        lambda value: isinstance(value, str) and bool(value),
        "is not a file name",
    ),
}


def check_settings(pelican) -> None:
    """Fill in the SEARCH_* defaults, put them in place of unusable values
    (with a warning naming the setting, the value and the default), and
    make the search page and its files part of the build."""
    settings = pelican.settings
    for key, default in DEFAULTS.items():
        value = settings.get(key, default)
        is_good, problem = CHECKS[key]
        if not is_good(value):
            logger.warning(
                "pagefind_search: %s = %r %s; using the default %r",
                key,
                value,
                problem,
                default,
            )
            value = default
        settings[key] = value
    if settings["SEARCH_CACHE_PATH"] is None:
        settings["SEARCH_CACHE_PATH"] = os.path.join(settings["CACHE_PATH"], "search")
    if settings["SEARCH_ROOT_SELECTOR"] is None and _is_default_theme(settings):
        settings["SEARCH_ROOT_SELECTOR"] = DEFAULT_THEME_ROOT
    # New lists: never append to one shared with other builds.
    if "search" not in settings["DIRECT_TEMPLATES"]:
        settings["DIRECT_TEMPLATES"] = [*settings["DIRECT_TEMPLATES"], "search"]


def _is_default_theme(settings) -> bool:
    theme = settings.get("THEME")
    return bool(theme) and Path(theme).resolve() == Path(DEFAULT_THEME).resolve()


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def index_bytes(bundle: Path) -> int:
    """The bytes of the index proper: word index, fragments, filters, metadata."""
    return _bundle_sizes(bundle)[0]


def _bundle_sizes(bundle: Path) -> tuple[int, int]:
    """The bytes of the index proper and of the whole bundle, in one walk."""
    index = total = 0
    for path in bundle.rglob("*"):
        if path.is_file():
            size = path.stat().st_size
            total += size
            part = path.relative_to(bundle).parts[0]
            if part in ("index", "fragment", "filter") or part.endswith(".pf_meta"):
                index += size
    return index, total


def pagefind_glob(files: Iterable[str]) -> str:
    """A Pagefind glob matching exactly `files` (paths in the output).

    A backslash before each character of GLOB_SPECIAL matches it
    literally (tested with every one of them).
    """
    escaped = (
        "".join("\\" + c if c in GLOB_SPECIAL else c for c in path)
        for path in sorted(files)
    )
    return "{" + ",".join(escaped) + "}"


def _link_or_copy(source: str, target: str) -> None:
    """Hard-link `source` to `target` (no bytes copied), or copy it where
    links cannot be made (another file system). Nothing writes into these
    files afterwards: a new index is written as new files."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def index_key(
    output_path: Path, files: Collection[str], config: dict, executable: Path
) -> str:
    """What an index depends on: the Pagefind binary, its options and the
    bytes of every file it reads (paths included: they are the URLs)."""
    digest = hashlib.blake2b(digest_size=16)
    binary = executable.stat()
    options = {key: value for key, value in config.items() if key != "site"}
    identity = [str(executable), binary.st_size, binary.st_mtime_ns, options]
    digest.update(json.dumps(identity, sort_keys=True).encode())
    for relative in sorted(files):
        digest.update(b"\0" + relative.encode() + b"\0")
        try:
            digest.update((output_path / relative).read_bytes())
        except OSError:
            digest.update(b"\1missing")
    return digest.hexdigest()


def _reuse(cached: Path, bundle: Path) -> bool:
    """Put a cached index in place of the bundle; False if there is none
    (or it could not be put there: then Pagefind runs)."""
    if not (cached / "pagefind-entry.json").is_file():
        return False
    try:
        shutil.copytree(cached, bundle, copy_function=_link_or_copy)
    except OSError as error:
        logger.warning(
            "pagefind_search: could not reuse the index in %s (%s)", cached, error
        )
        shutil.rmtree(bundle, ignore_errors=True)
        return False
    return True


def _keep(bundle: Path, cache: Path, key: str) -> None:
    """Keep this index as the cache's only entry (the last build's)."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.iterdir():
            shutil.rmtree(old, ignore_errors=True)
        partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=cache))
        shutil.copytree(
            bundle, partial, copy_function=_link_or_copy, dirs_exist_ok=True
        )
        partial.rename(cache / key)
    except OSError as error:
        logger.warning(
            "pagefind_search: could not keep the index in %s (%s)", cache, error
        )


def build_index(
    output_path: Path | str,
    bundle_dir: str = DEFAULTS["SEARCH_BUNDLE_DIR"],
    ignore_selectors: Sequence[str] = DEFAULTS["SEARCH_IGNORE_SELECTORS"],
    files: Collection[str] | None = None,
    cache_path: Path | str | None = None,
    *,
    root_selector: str | None = None,
) -> IndexReport | None:
    """Index a built site with Pagefind; None (after a warning) if it failed.

    `files` (paths relative to the output) limits what Pagefind reads: the
    plugin passes the published posts and pages, the only files the theme
    marks, so Pagefind need not parse every listing and tag page (about a
    third of its time and a fifth of its memory on 1,000 posts). None reads
    every HTML file; the `data-pagefind-body` marks decide either way. If
    no page has them, the given files are indexed whole (within
    `root_selector`, if given); every HTML file, never: that would index
    drafts and listings too.

    With `files` and a `cache_path`, the index is kept there, and a later
    build whose files (and options, and Pagefind) are byte for byte the
    same gets it back without running Pagefind.

    Public so that `bench/bench.py` can time indexing on its own.
    """
    output_path = Path(output_path)
    bundle = output_path / bundle_dir.strip("/")
    # A fresh bundle: Pagefind names index files by content hash, so files
    # of pages since deleted would otherwise pile up across rebuilds.
    shutil.rmtree(bundle, ignore_errors=True)
    if files is not None and not files:
        logger.warning(NOTHING_MARKED)
        return None
    executable = get_executable()
    if executable is None:
        logger.warning(
            "pagefind_search: the Pagefind binary is missing (pip package "
            "pagefind-bin); the site has no search index"
        )
        return None
    config = {
        "site": str(output_path.resolve()),
        "output_subdir": bundle_dir.strip("/"),
        "exclude_selectors": list(ignore_selectors),
    }
    if files is not None:
        config["glob"] = pagefind_glob(files)
    if root_selector:
        config["root_selector"] = root_selector
    started = time.perf_counter()
    key = None
    if files is not None and cache_path is not None:
        key = index_key(output_path, files, config, Path(executable))
        if _reuse(Path(cache_path) / key, bundle):
            logger.info(
                "pagefind_search: no indexed page changed, the last index is reused"
            )
            return _report(bundle, time.perf_counter() - started)
    if not _run_pagefind(executable, config, bundle):
        return None
    if key is not None:
        _keep(bundle, Path(cache_path), key)
    return _report(bundle, time.perf_counter() - started)


def _run_pagefind(executable, config: dict, bundle: Path) -> bool:
    """Run Pagefind with `config`; False (after a warning) if no index came of it."""
    # The options go in a config file (Pagefind reads pagefind.json in the
    # folder it runs in), not on the command line: the glob of 4,000 posts'
    # paths is longer than Linux allows one argument to be (128 KB).
    with tempfile.TemporaryDirectory(prefix="pagefind-") as folder:
        (Path(folder) / "pagefind.json").write_text(json.dumps(config), "utf-8")
        try:
            result = subprocess.run(
                [str(executable)],
                cwd=folder,
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as error:
            logger.warning(
                "pagefind_search: could not run Pagefind (%s): no search index", error
            )
            return False
    if result.returncode != 0:
        logger.warning(
            "pagefind_search: Pagefind failed (exit %d): no search index\n%s",
            result.returncode,
            (result.stderr or result.stdout)[-2000:],
        )
    elif NO_BODY_NOTICE not in result.stdout:
        return True
    elif "glob" in config:
        # Only the published posts and pages were read: all of them may be
        # indexed, if not as neatly as the theme's marks would have it.
        root = config.get("root_selector")
        logger.info(NOTHING_MARKED_OF_THE_POSTS, f" (within {root})" if root else "")
        return True
    else:
        logger.warning(NOTHING_MARKED)
    shutil.rmtree(bundle, ignore_errors=True)
    return False


def _report(bundle: Path, seconds: float) -> IndexReport:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(language["page_count"] for language in entry["languages"].values())
    return IndexReport(pages, seconds, *_bundle_sizes(bundle))


class MarkedFiles:
    """Per build: the output files of the published posts and pages.

    They are the pages the theme marks for the index. Pelican knows them
    when the generators are done (`all_generators_finalized`); they are
    used, and dropped, once everything is written (`finalized`). Each build
    sets them afresh, so an autoreload rebuild never sees the last build's.
    """

    def __init__(self):
        self.files: list[str] | None = None

    def collect(self, generators) -> None:
        """Note the files to index, and say once if the theme lacks the box."""
        files = []
        for generator in generators:
            # The published posts and pages with their translations (drafts,
            # hidden pages and listings are never marked).
            if isinstance(generator, ArticlesGenerator):
                items = [*generator.articles, *generator.translations]
            elif isinstance(generator, PagesGenerator):
                items = [*generator.pages, *generator.translations]
            else:
                continue
            files += [
                PurePosixPath(item.save_as).as_posix()
                for item in items
                if item.status == "published" and item.save_as
            ]
        self.files = files
        env = next((g.env for g in generators if hasattr(g, "env")), None)
        if files and env is not None:
            FILES.warn_if_theme_lacks(env, logger, advice="readers find no search box")

    def index(self, pelican) -> None:
        """After every build: index the output (unless SEARCH_INDEX is off)."""
        files, self.files = self.files, None
        settings = pelican.settings  # with the defaults check_settings set
        if not settings["SEARCH_INDEX"]:
            return
        report = build_index(
            settings["OUTPUT_PATH"],
            settings["SEARCH_BUNDLE_DIR"],
            settings["SEARCH_IGNORE_SELECTORS"],
            files,
            settings["SEARCH_CACHE_PATH"],
            root_selector=settings["SEARCH_ROOT_SELECTOR"],
        )
        if report is not None:
            logger.info(
                "pagefind_search: indexed %d pages in %.2f s, "
                "index %d KB (bundle %d KB)",
                report.pages,
                report.seconds,
                round(report.index_bytes / 1024),
                round(report.bundle_bytes / 1024),
            )


MARKED = MarkedFiles()


def register():
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(check_settings)
    signals.initialized.connect(FILES.add_static)
    signals.generator_init.connect(FILES.add_templates)
    signals.all_generators_finalized.connect(MARKED.collect)
    signals.finalized.connect(MARKED.index)
