"""write_changed: a rebuild writes only the files whose bytes change, and
Pelican's rules for writing one file twice still hold."""

from __future__ import annotations

import os
import shutil

import jinja2
import pytest
from pelican import signals
from pelican.writers import FileOverwriteFailedError
from write_changed import WriteChangedWriter
from write_changed.write_changed import get_writer

import pelicanconf
from tests.harness import ROOT, build_site, disconnected, tree_bytes

# A modification time no build can give a file (2001-09-09).
LONG_AGO_NS = 1_000_000_000 * 10**9


def pages(root) -> list:
    """Every page Pelican's writer renders (the search bundle and the feeds
    are written by Pagefind and the feeds plugin)."""
    return sorted(root.rglob("*.html"))


def age(files) -> None:
    for path in files:
        os.utime(path, ns=(LONG_AGO_NS, LONG_AGO_NS))


def rewritten(files) -> list[str]:
    return [path.name for path in files if path.stat().st_mtime_ns != LONG_AGO_NS]


@pytest.fixture
def content(tmp_path):
    """A copy of the real content, to edit."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    return folder


def test_a_rebuild_of_an_unchanged_site_writes_no_page(tmp_path, content):
    site = build_site(tmp_path / "site", content=content)
    before = tree_bytes(site.root)
    age(pages(site.root))
    build_site(site.root, content=content)
    assert rewritten(pages(site.root)) == []
    assert tree_bytes(site.root) == before


def test_a_rebuild_writes_the_pages_an_edit_changes(tmp_path, content):
    site = build_site(tmp_path / "site", content=content)
    age(pages(site.root))
    post = content / "posts" / "networking-theory.md"
    post.write_text(
        post.read_text(encoding="utf-8") + "\nA sentence added since.\n",
        encoding="utf-8",
    )
    build_site(site.root, content=content)
    edited = site.path("posts/networking-theory/")
    assert "A sentence added since." in edited.read_text(encoding="utf-8")
    assert edited.stat().st_mtime_ns != LONG_AGO_NS
    # A page that does not show the post's body is left alone.
    assert site.path("about/").stat().st_mtime_ns == LONG_AGO_NS


def test_the_site_is_the_same_without_the_plugin(tmp_path):
    ours = build_site(tmp_path / "with")
    with disconnected((signals.get_writer, get_writer)):
        plain = build_site(
            tmp_path / "without",
            PLUGINS=[name for name in pelicanconf.PLUGINS if name != "write_changed"],
        )
    assert tree_bytes(ours.root) == tree_bytes(plain.root)


@pytest.fixture
def writer(tmp_path):
    return WriteChangedWriter(str(tmp_path), settings={})


def write(writer, name: str, text: str, override: bool = False) -> None:
    template = jinja2.Environment().from_string(text)
    writer.write_file(name, template, {}, override_output=override)


def test_a_second_write_of_one_file_is_still_an_error(tmp_path, writer):
    write(writer, "page.html", "first")
    with pytest.raises(FileOverwriteFailedError):
        write(writer, "page.html", "second")
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == "first"


def test_an_override_still_wins_over_later_writes(tmp_path, writer):
    write(writer, "page.html", "first")
    write(writer, "page.html", "override", override=True)
    write(writer, "page.html", "later")
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == "override"


def test_a_write_that_fails_midway_leaves_the_file_as_it_was(tmp_path, writer):
    target = tmp_path / "page.html"
    target.write_text("as it was", encoding="utf-8")
    with pytest.raises(RuntimeError), writer._open_w(str(target), "utf-8") as file:
        file.write("half of a page")
        raise RuntimeError("the write failed")
    assert target.read_text(encoding="utf-8") == "as it was"
