"""Full-text search: index the built site with Pagefind after every build.

Pelican sends `finalized` once every page is written, on every build path
(`make html`, `serve`, `devserver`, `publish`, each autoreload rebuild), so
that is where the index is made. What is indexed is said in the HTML by the
theme: `data-pagefind-body` on published posts and pages only,
`data-pagefind-ignore` on boilerplate, `data-pagefind-meta` for the fields a
result shows. The plugin only runs Pagefind over the output and reports.

A missing binary or a failed run is a warning: the site is still built, and
the search page says search is unavailable.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pagefind.service import get_executable
from pelican import signals

logger = logging.getLogger(__name__)

DEFAULTS = {
    # False: build without an index (the search page then says search is
    # unavailable). For quick local builds and for measuring the cost.
    "SEARCH_INDEX": True,
    # The search bundle's folder under OUTPUT_PATH.
    "SEARCH_BUNDLE_DIR": "pagefind",
    # CSS selectors Pagefind leaves out of the index, for markup inside post
    # bodies that the theme cannot mark with data-pagefind-ignore: the
    # network checklist's form (a widget, not prose).
    "SEARCH_IGNORE_SELECTORS": ("form[data-checklist]",),
    # The search page, written by the theme's `search.html` (a direct
    # template: "search" in DIRECT_TEMPLATES). Pelican reads these two.
    "SEARCH_URL": "search/",
    "SEARCH_SAVE_AS": "search/index.html",
}
# What Pagefind prints when no page has data-pagefind-body; it then indexes
# every page, drafts and listings included, which we never want.
NO_BODY_NOTICE = "Did not find a data-pagefind-body element"


class SearchSettingsError(ValueError):
    """A SEARCH_* setting cannot be used; the message says which and why."""


@dataclass(frozen=True)
class IndexReport:
    """What one indexing run did: for the build log and `make bench`."""

    pages: int
    seconds: float
    index_bytes: int  # the index itself: what grows with the site
    bundle_bytes: int  # the whole bundle: index, WebAssembly and scripts


def check_settings(pelican) -> None:
    """Fill in the SEARCH_* defaults and stop early on an unusable value."""
    settings = pelican.settings
    for key, default in DEFAULTS.items():
        settings.setdefault(key, default)
    if not isinstance(settings["SEARCH_INDEX"], bool):
        raise SearchSettingsError(
            f"SEARCH_INDEX must be True or False, not {settings['SEARCH_INDEX']!r}"
        )
    folder = settings["SEARCH_BUNDLE_DIR"]
    if not isinstance(folder, str) or not folder.strip("/") or ".." in folder:
        raise SearchSettingsError(
            f"SEARCH_BUNDLE_DIR must be a folder inside the output, not {folder!r}"
        )
    selectors = settings["SEARCH_IGNORE_SELECTORS"]
    if isinstance(selectors, str) or not all(isinstance(s, str) for s in selectors):
        raise SearchSettingsError(
            f"SEARCH_IGNORE_SELECTORS must be a list of CSS selectors: {selectors!r}"
        )
    for key in ("SEARCH_URL", "SEARCH_SAVE_AS"):
        if not isinstance(settings[key], str):
            raise SearchSettingsError(f"{key} must be a string, not {settings[key]!r}")


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def index_bytes(bundle: Path) -> int:
    """The bytes of the index proper: word index, fragments, filters, metadata."""
    parts = [bundle / name for name in ("index", "fragment", "filter")]
    return sum(folder_bytes(part) for part in parts if part.is_dir()) + sum(
        path.stat().st_size for path in bundle.glob("*.pf_meta")
    )


def build_index(
    output_path: Path | str,
    bundle_dir: str = DEFAULTS["SEARCH_BUNDLE_DIR"],
    ignore_selectors: Sequence[str] = DEFAULTS["SEARCH_IGNORE_SELECTORS"],
) -> IndexReport | None:
    """Index a built site with Pagefind; None (after a warning) if it failed.

    Public so that `bench/bench.py` can time indexing on its own.
    """
    output_path = Path(output_path)
    executable = get_executable()
    if executable is None:
        logger.warning(
            "search: the Pagefind binary is missing (pip package pagefind-bin); "
            "the site has no search index"
        )
        return None
    bundle = output_path / bundle_dir.strip("/")
    # A fresh bundle: Pagefind names index files by content hash, so files
    # of pages since deleted would otherwise pile up across rebuilds.
    shutil.rmtree(bundle, ignore_errors=True)
    command = [
        str(executable),
        "--site",
        str(output_path),
        "--output-subdir",
        bundle_dir.strip("/"),
    ]
    for selector in ignore_selectors:
        command += ["--exclude-selectors", selector]
    started = time.perf_counter()
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        logger.warning("search: could not run Pagefind (%s): no search index", error)
        return None
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        logger.warning(
            "search: Pagefind failed (exit %d): no search index\n%s",
            result.returncode,
            (result.stderr or result.stdout)[-2000:],
        )
        shutil.rmtree(bundle, ignore_errors=True)
        return None
    if NO_BODY_NOTICE in result.stdout:
        logger.warning(
            "search: no page is marked data-pagefind-body (no published post "
            "or page, or a theme without the marks); not indexing every page"
        )
        shutil.rmtree(bundle, ignore_errors=True)
        return None
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(language["page_count"] for language in entry["languages"].values())
    return IndexReport(pages, seconds, index_bytes(bundle), folder_bytes(bundle))


def index_site(pelican) -> None:
    """After every build: index the output (unless SEARCH_INDEX is off)."""
    settings = pelican.settings
    if not settings.get("SEARCH_INDEX", DEFAULTS["SEARCH_INDEX"]):
        return
    report = build_index(
        settings["OUTPUT_PATH"],
        settings.get("SEARCH_BUNDLE_DIR", DEFAULTS["SEARCH_BUNDLE_DIR"]),
        settings.get("SEARCH_IGNORE_SELECTORS", DEFAULTS["SEARCH_IGNORE_SELECTORS"]),
    )
    if report is not None:
        logger.info(
            "search: indexed %d pages in %.2f s, index %d KB (bundle %d KB)",
            report.pages,
            report.seconds,
            round(report.index_bytes / 1024),
            round(report.bundle_bytes / 1024),
        )


def register():
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(check_settings)
    signals.finalized.connect(index_site)
