"""tools/release_files.py: what a release tag stands for (release.yml)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tools.release_files import ReleaseError, main, release_files, release_for

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGES = sorted(path.parent.name for path in ROOT.glob("plugins/*/pyproject.toml"))


def version_of(package: str) -> str:
    pyproject = ROOT / "plugins" / package / "pyproject.toml"
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_has_a_release_tag(package):
    release = release_for(f"{package}-v{version_of(package)}")
    assert release.package == package
    assert release.name == "pelican-" + package.replace("_", "-")
    assert release.stem == f"pelican_{package}-{version_of(package)}"


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("series_nav-v9.9.9", "says version 9.9.9, but"),
        ("no_such_plugin-v1.0.0", "there is no"),
        ("v1.0.0", "is not <package>-v<version>"),
        ("series_nav-1.0.0", "is not <package>-v<version>"),
        ("../series_nav-v1.0.0", "is not <package>-v<version>"),
    ],
)
def test_a_tag_that_does_not_match_its_package_is_refused(tag, message, capsys):
    with pytest.raises(ReleaseError, match=re.escape(message)):
        release_for(tag)
    assert main([tag]) == 1
    error = capsys.readouterr().err
    assert message in error
    assert tag in error


def test_only_the_tagged_packages_files_are_kept(tmp_path, capsys):
    version = version_of("series_nav")
    dist = tmp_path / "dist"
    dist.mkdir()
    names = [
        f"pelican_series_nav-{version}.tar.gz",
        f"pelican_series_nav-{version}-py3-none-any.whl",
        f"pelican_series_nav_extra-{version}.tar.gz",  # a prefix is not a match
        f"pelican_feeds-{version_of('feeds')}.tar.gz",
        f"pelican_feeds-{version_of('feeds')}-py3-none-any.whl",
    ]
    for name in names:
        (dist / name).write_bytes(name.encode())
    into = tmp_path / "release"
    assert (
        main([f"series_nav-v{version}", "--dist", str(dist), "--into", str(into)]) == 0
    )
    assert sorted(path.name for path in into.iterdir()) == sorted(names[:2])
    assert (into / names[0]).read_bytes() == names[0].encode()
    assert names[1] in capsys.readouterr().out


def test_a_missing_wheel_is_an_error(tmp_path, capsys):
    version = version_of("feeds")
    (tmp_path / f"pelican_feeds-{version}.tar.gz").write_bytes(b"")
    with pytest.raises(ReleaseError):
        release_files(release_for(f"feeds-v{version}"), tmp_path)
    assert main([f"feeds-v{version}", "--dist", str(tmp_path)]) == 1
    assert "pelican_feeds-" in capsys.readouterr().err


def test_a_real_build_gives_the_files_the_release_keeps(tmp_path):
    """The names pdm-backend gives an sdist and a wheel are the ones looked
    for (the build `make dist` runs for each package)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--quiet",
            "--no-isolation",
            "--outdir",
            str(tmp_path / "dist"),
            str(ROOT / "plugins" / "series_nav"),
        ],
        check=True,
        capture_output=True,
    )
    tag = f"series_nav-v{version_of('series_nav')}"
    into = tmp_path / "release"
    assert main([tag, "--dist", str(tmp_path / "dist"), "--into", str(into)]) == 0
    kept = sorted(path.suffix for path in into.iterdir())
    assert kept == [".gz", ".whl"]
