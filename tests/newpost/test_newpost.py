"""`make newpost`: tools/newpost.py against a temporary content folder."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from pelican.settings import read_settings

from tests.harness import ROOT
from tools import newpost

# A December moment: London is on UTC, so 09:30 UTC is 09:30 there.
FROZEN = dt.datetime(2026, 12, 2, 9, 30, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def content(tmp_path, monkeypatch):
    """A copy of the real content folder, and a frozen clock."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    monkeypatch.setattr(newpost, "now", lambda timezone: FROZEN)
    return folder


def run(content, *args):
    """tools/newpost.py in-process; returns (exit code, stdout, stderr)."""
    return newpost.main(["--content-dir", str(content), *args])


def metadata(path):
    return newpost.read_metadata(path)


def test_writes_a_draft_with_the_site_author(content, capsys):
    assert run(content, "--title", "Coffee, and why it works") == 0
    out, err = capsys.readouterr()
    path = content / "posts" / "coffee-and-why-it-works.md"
    assert out.strip() == str(path)
    assert err == ""  # the site author has a profile
    assert path.read_text().startswith(
        "Title: Coffee, and why it works\n"
        "Date: 2026-12-02 09:30\n"
        "Slug: coffee-and-why-it-works\n"
        "Author: Site Author\n"
        "Status: draft\n\n"
    )


def test_a_series_gets_the_next_free_index(content, capsys):
    # The real series has parts 1 and 2; its name matched as series_nav
    # matches it, whatever the case and spacing.
    assert (
        run(content, "--title", "Part three", "--series", "networking  IN practice")
        == 0
    )
    first = metadata(content / "posts" / "part-three.md")
    assert first["series"] == "networking IN practice"
    assert first["series_index"] == "3"
    assert (
        run(content, "--title", "Part four", "--series", "Networking in practice") == 0
    )
    assert metadata(content / "posts" / "part-four.md")["series_index"] == "4"
    assert run(content, "--title", "A new start", "--series", "Brand new") == 0
    assert metadata(content / "posts" / "a-new-start.md")["series_index"] == "1"


def test_a_guest_with_a_profile_and_one_without(content, capsys):
    assert run(content, "--title", "Guest post", "--author", "Paul Weston") == 0
    assert metadata(content / "posts" / "guest-post.md")["author"] == "Paul Weston"
    assert capsys.readouterr().err == ""
    assert run(content, "--title", "Another guest", "--author", "Ada Byron") == 0
    assert metadata(content / "posts" / "another-guest.md")["author"] == "Ada Byron"
    err = capsys.readouterr().err
    assert "'Ada Byron' has no profile" in err
    assert str(content / "authors") in err


def test_never_overwrites(content, capsys):
    existing = content / "posts" / "networking-theory.md"
    before = existing.read_bytes()
    assert run(content, "--title", "Networking theory") == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{existing} already exists" in err
    assert existing.read_bytes() == before


@pytest.mark.parametrize("title", ["!!!", "   ", "—"])
def test_refuses_a_title_without_a_slug(content, capsys, title):
    posts_before = sorted((content / "posts").iterdir())
    assert run(content, "--title", title) == 1
    assert "no letters or digits" in capsys.readouterr().err
    assert sorted((content / "posts").iterdir()) == posts_before


def test_the_slug_follows_the_site_settings(content):
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    title = "Café culture: who's who?"
    assert run(content, "--title", title) == 0
    expected = newpost.site_slugify(title, settings)
    assert expected == "cafe-culture-whos-who"
    assert (content / "posts" / f"{expected}.md").is_file()


def test_make_newpost(tmp_path):
    """The make target, with a title that needs quoting in a shell."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    title = 'Say "yes" to $HOME & co'
    before = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    result = subprocess.run(
        ["make", "--no-print-directory", "newpost", f"INPUTDIR={content}"],
        cwd=ROOT,
        env={**os.environ, "TITLE": title, "SERIES": "Networking in practice"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    path = content / "posts" / "say-yes-to-home-co.md"
    # The last line: a first run of make may set up .venv before it.
    assert result.stdout.strip().splitlines()[-1] == str(path)
    written = metadata(path)
    assert written["title"] == title
    assert written["series_index"] == "3"
    # Its date is when it ran, in London, to the minute (either reading of
    # the hour London's clocks repeat in October).
    after = dt.datetime.now(dt.UTC)
    date = dt.datetime.strptime(written["date"], "%Y-%m-%d %H:%M")
    readings = [
        date.replace(tzinfo=ZoneInfo("Europe/London"), fold=fold) for fold in (0, 1)
    ]
    assert any(before <= reading <= after for reading in readings), (before, date)


def test_make_newpost_without_a_title_says_how(tmp_path):
    result = subprocess.run(
        ["make", "--no-print-directory", "newpost", f"INPUTDIR={tmp_path}"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "TITLE"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert 'make newpost TITLE="..."' in result.stdout


def test_finds_the_guest_in_the_sites_profile_folder(content, tmp_path, capsys):
    """A site with AUTHORS_PROFILE_PATH = "people": author_bios reads there."""
    (content / "authors").rename(content / "people")
    settings = tmp_path / "settings.py"
    settings.write_text(
        f'exec(open({str(ROOT / "pelicanconf.py")!r}, encoding="utf-8").read())\n'
        'AUTHORS_PROFILE_PATH = "people"\n',
        encoding="utf-8",
    )
    args = ["--settings", str(settings), "--title", "Guest post"]
    assert run(content, *args, "--author", "Paul Weston") == 0
    assert capsys.readouterr().err == ""
    assert run(content, "--settings", str(settings), "--title", "Another") == 0
    assert capsys.readouterr().err == ""  # the site author's profile too
    assert run(content, *args[:2], "--title", "Third", "--author", "Ada Byron") == 0
    assert f"'Ada Byron' has no profile in {content / 'people'}" in (
        capsys.readouterr().err
    )


def test_matches_a_profile_by_its_slug(content, capsys):
    """A profile's `Slug:` names the author it belongs to, whatever its file."""
    (content / "authors" / "grace.md").write_text(
        "Name: Rear Admiral Grace M. Hopper\nSlug: grace-hopper\n\nShe wrote code.\n",
        encoding="utf-8",
    )
    assert run(content, "--title", "Compilers", "--author", "Grace Hopper") == 0
    assert capsys.readouterr().err == ""
    # The file name is not a slug: a build would not match it either.
    assert run(content, "--title", "Graceful", "--author", "Grace") == 0
    assert "'Grace' has no profile" in capsys.readouterr().err


def test_the_series_is_matched_as_series_nav_matches_it(content, capsys):
    """Series are one per slug *and language*; Series_index as series_nav reads it."""
    # A French series of the same name is another series (series_nav keys
    # series by language and slug), even when it is further along.
    (content / "posts" / "reseau-3.md").write_text(
        "Title: Réseau, troisième partie\nLang: fr\nSeries: Networking in practice\n"
        "Series_index: 3\n\nTexte.\n",
        encoding="utf-8",
    )
    # "²" is a digit to str.isdigit() but no Series_index to series_nav.
    (content / "posts" / "squared.md").write_text(
        "Title: Squared\nSeries: Networking in practice\nSeries_index: ²\n\nText.\n",
        encoding="utf-8",
    )
    assert (
        run(content, "--title", "Part three", "--series", "Networking in practice") == 0
    )
    assert metadata(content / "posts" / "part-three.md")["series_index"] == "3"
