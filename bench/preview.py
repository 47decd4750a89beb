"""Save-to-screen time of `make devserver` (tools/devserver.py).

Starts the preview server on a free port over a blog (this site's content,
or a synthetic blog of N posts from bench.py's generator), opens one of its
posts in headless Chromium, and then, edit after edit, writes a unique
marker into the post's body and times how long until the open tab shows it:
from the save to the first paint of the page that holds the marker (the
browser's own paint timing; `page.wait_for_function` finds that page, and
the time until it did is reported too, as `observed_median`). Between
edits it waits until the server has finished its background work (the full
build), so each edit is timed from the same state: the server idle, the tab
connected.

    python bench/preview.py --posts 1000 --edits 10
    python bench/preview.py --posts 0 --edits 10            # this site
    python bench/preview.py --posts 1000 --full-rebuild     # the old way

`measure(posts, edits)` returns the figures as a dict for `make bench`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SERVING = re.compile(r"Serving on http://127\.0\.0\.1:(\d+) ")
# A wait ends when its condition holds; these only bound a stuck server.
START_SECONDS = 900
EDIT_SECONDS = 300
# True once the open tab shows the marker.
SHOWS_MARKER = "marker => document.body && document.body.innerText.includes(marker)"
# When the tab painted the page that shows the marker: its first
# contentful paint, on the machine's clock (performance.timeOrigin is the
# navigation's start, in ms since the epoch, as time.time() counts).
FIRST_PAINT = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return performance.timeOrigin + (paint ? paint.startTime : performance.now());
}"""
# The post edited on this site.
SITE_POST = "posts/networking-theory.md"


def _bench_module():
    """bench.py, imported from its file: its corpus generator and shapes
    (`bench` is a folder and a module name both, so not by name)."""
    spec = importlib.util.spec_from_file_location(
        "bench_corpora", ROOT / "bench" / "bench.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look themselves up)
    spec.loader.exec_module(module)
    return module


def _chromium_args() -> list[str]:
    """The test suite's Chromium flags (tests/harness.py)."""
    sys.path[:0] = [str(ROOT)]
    from tests.harness import CHROMIUM_ARGS  # noqa: PLC0415 (pulls in the test stack)

    return CHROMIUM_ARGS


class Server:
    """tools/devserver.py in a child process, its log read line by line."""

    def __init__(self, content: Path, output: Path, full_rebuild: bool):
        command = [
            sys.executable,
            str(ROOT / "tools" / "devserver.py"),
            str(content),
            "-o",
            str(output),
            "-s",
            str(ROOT / "pelicanconf.py"),
            "-p",
            "0",
        ]
        if full_rebuild:
            command.append("--full-rebuild")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={
                **os.environ,
                "COLUMNS": "300",
                "PREVIEW_SITEURL": "http://127.0.0.1:0",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append("")  # the end
            self.changed.notify_all()

    def wait_for(self, text: str, start: int, seconds: float) -> int:
        """Waits for a line holding `text` from line `start` on; returns its
        index. RuntimeError if the server exits or `seconds` pass first."""

        def found():
            for index in range(start, len(self.lines)):
                if text in self.lines[index]:
                    return index
            return None

        with self.changed:
            self.changed.wait_for(
                lambda: found() is not None or self.process.poll() is not None,
                seconds,
            )
            index = found()
        if index is None:
            tail = "".join(self.lines[-30:])
            raise RuntimeError(f"the preview server never logged {text!r}:\n{tail}")
        return index

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def _published_post(content: Path, posts: int) -> Path:
    """A published post from the middle of the blog (none on this site's)."""
    if posts == 0:
        return content / SITE_POST
    for number in range(posts // 2, posts):
        source = content / "posts" / f"post-{number}.md"
        if "Status: draft" not in source.read_text(encoding="utf-8"):
            return source
    raise RuntimeError("no published post in the second half of the blog")


def _url_of(source: Path) -> str:
    """The post's URL path (our ARTICLE_URL, posts/{slug}/)."""
    text = source.read_text(encoding="utf-8")
    found = re.search(r"^Slug: (.+)$", text, re.MULTILINE)
    return f"posts/{found.group(1).strip() if found else source.stem}/"


def percentile(samples: list[float], share: float) -> float:
    """The `share` (0 to 1) quantile, by linear interpolation."""
    ordered = sorted(samples)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measure(posts: int, edits: int, full_rebuild: bool = False) -> dict:
    """Median and p95 save-to-screen time of `edits` body edits of one post,
    on a synthetic blog of `posts` posts (0: this site's content): a dict
    with "median", "p95" and "samples", in milliseconds."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="preview-bench-") as folder:
        work = Path(folder)
        if posts:
            bench = _bench_module()
            # This site's shape; no social replies (not what is timed here).
            content = bench.generate(work, posts, "series", 0)
        else:
            content = work / "content"
            shutil.copytree(ROOT / "content", content)
        output = work / "output"
        source = _published_post(content, posts)
        original = source.read_text(encoding="utf-8")
        server = Server(content, output, full_rebuild)
        samples, observed = [], []
        try:
            serving = server.wait_for("Serving on", 0, START_SECONDS)
            port = SERVING.search(server.lines[serving]).group(1)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=_chromium_args()
                )
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}/{_url_of(source)}")
                for _ in range(edits):
                    page.wait_for_selector(
                        "html[data-preview='connected']", state="attached"
                    )
                    marker = f"preview-marker-{uuid.uuid4().hex}"
                    seen = len(server.lines)
                    saved_at = time.time() * 1000  # the clock the page uses
                    saved = time.perf_counter()
                    source.write_text(f"{original}\n{marker}\n", encoding="utf-8")
                    page.wait_for_function(
                        SHOWS_MARKER,
                        arg=marker,
                        timeout=EDIT_SECONDS * 1000,
                    )
                    observed.append((time.perf_counter() - saved) * 1000)
                    samples.append(page.evaluate(FIRST_PAINT) - saved_at)
                    # The next edit starts from an idle server.
                    server.wait_for("Rebuilt in", seen, EDIT_SECONDS)
                browser.close()
        finally:
            server.stop()
    return {
        "posts": posts or "this site",
        "edits": edits,
        "mode": "full rebuild" if full_rebuild else "fast path",
        "median": round(statistics.median(samples), 1),  # ms
        "p95": round(percentile(samples, 0.95), 1),  # ms
        "samples": [round(sample, 1) for sample in samples],  # ms, in order
        # Until Playwright saw the marker: also its own round trips and
        # re-attaching to the new document (about 85 ms here).
        "observed_median": round(statistics.median(observed), 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000, help="0: this site")
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument(
        "--full-rebuild",
        action="store_true",
        help="the server without its fast path (rebuild everything, then reload)",
    )
    args = parser.parse_args(argv)
    if args.edits < 1:
        parser.error("--edits must be at least 1")
    print(json.dumps(measure(args.posts, args.edits, args.full_rebuild), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
