"""Builds are reproducible, and Pelican's content cache is safe.

Every build here runs `pelican` in its own process, as `make publish` does,
so state kept at import time (or in module globals) cannot hide a
difference. The two clean builds run with different hash seeds so that
output depending on set or dict-of-set ordering shows up too.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import PUBLISHED_SITEURL, ROOT, tree_bytes


def _pelican(content: Path, output: Path, *, hash_seed: str = "random", **settings):
    """Build `content` with publishconf.py into `output` in a fresh process."""
    extra = [f"{name}={json.dumps(value)}" for name, value in settings.items()]
    command = [sys.executable, "-m", "pelican", str(content), "-o", str(output)]
    command += ["-s", str(ROOT / "publishconf.py")]
    if extra:
        command += ["-e", *extra]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "SITEURL": PUBLISHED_SITEURL, "PYTHONHASHSEED": hash_seed},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _differences(first: Path, second: Path) -> list[str]:
    """Files missing on one side or differing in bytes."""
    a, b = tree_bytes(first), tree_bytes(second)
    found = [f"only in first build: {name}" for name in sorted(a.keys() - b.keys())]
    found += [f"only in second build: {name}" for name in sorted(b.keys() - a.keys())]
    found += [
        f"differs: {name}" for name in sorted(a.keys() & b.keys()) if a[name] != b[name]
    ]
    return found


def test_two_clean_builds_are_byte_identical(tmp_path):
    _pelican(ROOT / "content", tmp_path / "one", hash_seed="1")
    _pelican(ROOT / "content", tmp_path / "two", hash_seed="2")
    tree = tree_bytes(tmp_path / "one")
    # The comparison covers every kind of file the site publishes.
    assert any(name.endswith(".html") for name in tree)
    assert any(name.endswith(".css") for name in tree)
    assert "sitemap.txt" in tree and "robots.txt" in tree
    assert _differences(tmp_path / "one", tmp_path / "two") == []


@pytest.mark.parametrize("edit", [False, True], ids=["unchanged", "one-post-edited"])
def test_warm_rebuild_with_content_cache_matches_clean_build(tmp_path, edit):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = {"CACHE_PATH": str(tmp_path / "cache"), "CACHE_CONTENT": True}
    warm = tmp_path / "warm"
    _pelican(content, warm, LOAD_CONTENT_CACHE=False, **cache)  # fills the cache
    assert any((tmp_path / "cache").iterdir()), "the content cache stayed empty"
    if edit:
        post = content / "posts" / "networking-theory.md"
        text = post.read_text(encoding="utf-8")
        post.write_text(text.replace("Title: Networking", "Title: Edited networking"))
        later = post.stat().st_mtime + 10  # the cache compares mtimes
        os.utime(post, (later, later))
    _pelican(content, warm, LOAD_CONTENT_CACHE=True, **cache)
    _pelican(content, tmp_path / "clean")
    if edit:
        page = tmp_path / "clean" / "posts" / "networking-theory" / "index.html"
        assert "Edited networking" in page.read_text(encoding="utf-8")
    assert _differences(warm, tmp_path / "clean") == []
