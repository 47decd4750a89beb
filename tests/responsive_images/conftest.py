"""The five-photo post, built with the site's settings once per session.

- `photo_content`: a copy of content/ with the post and its five photos.
- `photo_cache`: the plugin's image cache of that build.
- `photo_site`: the build (the plugin on), with `warnings`, what it logged.
"""

from __future__ import annotations

import pytest

from tests.harness import ROOT, build_site, recorded_warnings
from tests.responsive_images.photo_post import make_photo_content

# Before the site's own latest post, so the build happens on the same day
# as every other test build of the site.
POST_DATE = "2026-11-21 18:00"


@pytest.fixture(scope="session")
def photo_content(tmp_path_factory):
    root = tmp_path_factory.mktemp("photo-content")
    return make_photo_content(ROOT / "content", root / "content", POST_DATE)


@pytest.fixture(scope="session")
def photo_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("photo-cache")


@pytest.fixture(scope="session")
def photo_site(photo_content, photo_cache, tmp_path_factory):
    with recorded_warnings() as warnings:
        site = build_site(
            tmp_path_factory.mktemp("photo-site"),
            content=photo_content,
            RESPONSIVE_IMAGES_CACHE_PATH=str(photo_cache),
        )
    site.warnings = warnings
    return site
