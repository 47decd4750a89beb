"""Session fixtures for the packaging tests: Pelican's own dependencies in
one environment, and a site as `pelican-quickstart` makes it.

Each plugin gets a new virtual environment of its own (test_wheels.py):
Pelican and the plugin's wheel are installed into it, with what the plugin
declares it needs. Pelican's dependencies (Jinja2, docutils, Pygments, rich,
...) are the same for every plugin, so they are installed once, into
`pelican_dependencies`, and each plugin's environment sees them through a
.pth file: the plugin sees Pelican, Pelican's dependencies, its own
dependencies and nothing else, in a few seconds instead of a full install.

Most plugins depend on pelican-plugin-kit, which is no more on an index than
they are: its wheel is built once a session (`kit_wheels`) and offered to
each environment beside the wheelhouse, as PyPI would offer it to a user.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.packaging.packages import KIT, build_wheel, pip_into, run, site_packages

QUICKSTART_ANSWERS = "\n".join(
    [
        "",  # where: the -p path
        "",  # title: -t
        "",  # author: -a
        "",  # language: -l
        "n",  # a URL prefix? no (SITEURL stays "")
        "",  # pagination? yes
        "",  # 10 per page
        "Europe/London",  # time zone
        "n",  # a tasks.py/Makefile? no
        "",
    ]
)


@pytest.fixture(scope="session")
def pelican_dependencies(tmp_path_factory) -> Path:
    """The site-packages folder of an environment holding exactly Pelican's
    dependencies (Pelican installed, with them, then removed)."""
    venv = tmp_path_factory.mktemp("pelican-dependencies") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    pip_into(venv / "bin" / "python", "pelican")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            venv / "bin" / "python",
            "uninstall",
            "--quiet",
            "--yes",
            "pelican",
        ]
    )
    return site_packages(venv)


@pytest.fixture(scope="session")
def kit_wheels(tmp_path_factory) -> Path:
    """A folder holding the wheel of pelican-plugin-kit, built from its
    source as `pip wheel --no-deps --no-build-isolation plugins/plugin_kit`
    builds it, for pip's --find-links."""
    return build_wheel(KIT, tmp_path_factory.mktemp("kit")).parent


@pytest.fixture(scope="session")
def quickstart_site(tmp_path_factory) -> Path:
    """A new site made by Pelican's own `pelican-quickstart` (the pinned
    Pelican's), answering its questions as a new user might."""
    site = tmp_path_factory.mktemp("quickstart") / "site"
    run(
        [
            Path(sys.prefix) / "bin" / "pelican-quickstart",
            "--path",
            site,
            "--title",
            "Quickstart",
            "--author",
            "Quinn Starter",
            "--lang",
            "en",
        ],
        stdin=QUICKSTART_ANSWERS,
        timeout=60,
    )
    settings = (site / "pelicanconf.py").read_text(encoding="utf-8")
    # The defaults a new user gets: Pelican's default theme, and no PLUGINS,
    # so Pelican loads every plugin installed in the pelican.plugins namespace.
    for name in ("PLUGINS", "PLUGIN_PATHS", "THEME"):
        assert f"\n{name} " not in settings
    assert 'SITEURL = ""' in settings
    return site
