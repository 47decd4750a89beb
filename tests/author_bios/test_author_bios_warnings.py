"""Bad input: a warning naming the file (and field and line), the build goes on."""

import logging
import shutil
from pathlib import Path

import pytest
from pelican.plugins.author_bios.profiles import ProfileReader

from tests.harness import build_site

TEST_CONTENT = Path(__file__).parent / "test_data" / "content"


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def _read(tmp_path, text: str, caplog):
    """Read one profile written to tmp_path; returns (profile, path, warnings)."""
    path = tmp_path / "someone.md"
    path.write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        profile = ProfileReader(tmp_path, lambda name: name.lower()).read(path)
    return profile, path, _warnings(caplog)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("Twitter: javascript:alert(1)", "twitter"),
        ("Twitter: @has space", "twitter"),
        ("Mastodon: @user", "mastodon"),
        ("LinkedIn: data:text/html,hi", "linkedin"),
        ("Bluesky: nodot", "bluesky"),
        ("GitHub: https://evil.example/ada", "github"),
        ("Xing: vbscript:msgbox", "xing"),
        ("Email: not-an-address", "email"),
        ("Link: Label | javascript:alert(1)", "link"),
        ("Website: http://insecure.example", "website"),
        ("Myspace: ada", "myspace"),
    ],
)
def test_bad_handle_is_named_with_file_line_and_field_and_left_out(
    tmp_path, caplog, line, field
):
    profile, path, warnings = _read(tmp_path, f"Name: Ada\n{line}\n\nBio.\n", caplog)
    assert profile.links == []
    assert profile.website is None
    assert any(f"{path}:2" in w and repr(field) in w for w in warnings), warnings


def test_raw_html_in_bio_is_text_and_unsafe_links_are_named(tmp_path, caplog):
    bio = (
        '<script>alert(1)</script>\n\n<p onmouseover="alert(2)">x</p>\n\n'
        "[click](javascript:alert(3)) ![img](https://tracker.example/p.png)\n"
    )
    profile, path, warnings = _read(tmp_path, f"Name: Ada\n\n{bio}", caplog)
    assert "<script" not in profile.bio
    assert "&lt;script&gt;" in profile.bio
    assert "<p onmouseover" not in profile.bio
    assert "<a " not in profile.bio and "<img" not in profile.bio
    assert any(str(path) in w and "javascript:alert(3)" in w for w in warnings)
    assert any(str(path) in w and "tracker.example" in w for w in warnings)


def test_missing_avatar_is_named_and_initials_are_used(tmp_path, caplog):
    profile, path, warnings = _read(
        tmp_path, "Name: Ada Lovelace-Test\nAvatar: images/none.png\n", caplog
    )
    assert profile.avatar_source is None
    assert profile.initials == "AL"
    assert any(f"{path}:2" in w and "images/none.png" in w for w in warnings)


@pytest.mark.parametrize(
    "avatar", ["https://gravatar.example/avatar/1", "../../etc/passwd", "someone.md"]
)
def test_remote_outside_or_non_image_avatar_is_refused(tmp_path, caplog, avatar):
    profile, path, warnings = _read(tmp_path, f"Name: Ada\nAvatar: {avatar}\n", caplog)
    assert profile.avatar_source is None
    assert any(f"{path}:2" in w and "avatar" in w for w in warnings)


def test_profile_without_name_is_skipped_with_a_warning(tmp_path, caplog):
    profile, path, warnings = _read(tmp_path, "Role: Nobody\n\nBio.\n", caplog)
    assert profile is None
    assert any(str(path) in w and "Name" in w for w in warnings)


def test_build_names_unprofiled_authors_and_duplicate_profiles(tmp_path, caplog):
    content = tmp_path / "content"
    shutil.copytree(TEST_CONTENT, content)
    with caplog.at_level(logging.WARNING):
        site = build_site(tmp_path / "output", content=content)
    warnings = _warnings(caplog)
    first = content / "authors" / "ada-example.md"
    second = content / "authors" / "zz-duplicate.md"
    assert any(
        str(first) in w and str(second) in w and "both claim" in w for w in warnings
    ), warnings
    assert any("Nobody Profiled" in w and "unprofiled.md" in w for w in warnings), (
        warnings
    )
    hostile = str(content / "authors" / "hostile.md")
    for field in ("'twitter'", "'mastodon'", "'link'", "'website'", "'myspace'"):
        assert any(hostile in w and field in w for w in warnings), field
    assert any(hostile in w and "missing.png" in w for w in warnings)
    # The build went on: every page is there.
    for page in ("posts/co-written/", "author/guest-only/", "author/hostile-profile/"):
        assert site.exists(page)


def test_profile_that_is_not_utf8_is_skipped_with_a_warning(tmp_path, caplog):
    path = tmp_path / "latin1.md"
    path.write_bytes("Name: Zoë\n".encode("latin-1"))
    with caplog.at_level(logging.WARNING):
        profile = ProfileReader(tmp_path, str.lower).read(path)
    assert profile is None
    assert any(str(path) in w for w in _warnings(caplog))
