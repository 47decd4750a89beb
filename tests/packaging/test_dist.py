"""`make dist`: every plugin package's sdist and wheel, built and checked as
the release workflow builds them, and what each distribution says.

The test runs the Makefile's own target into a temporary DIST_DIR (its
set-up is taken as done: `-o` the dev stamp, so a test never installs
anything), then reads each file back: the name and version its pyproject
gives, the Pelican plugin classifier (for plugins only: pelican-plugin-kit
is a library, not a plugin), the licence, the README as long description,
the declared dependencies, and a wheel holding only its code folder
(pelican/plugins/<name>/, no namespace __init__.py; pelican_plugin_kit/ for
the kit) and no tests.
"""

from __future__ import annotations

import email.parser
import re
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.packaging.packages import (
    PACKAGES,
    PLUGIN_PACKAGES,
    PLUGINS,
    ROOT,
    code_folder,
    file_stem,
    project,
    run,
)

SOURCE_FILES = ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "PKG-INFO")


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dist")
    venv = Path(sys.prefix)
    run(
        [
            "make",
            "--no-print-directory",
            "-s",
            "-C",
            ROOT,
            "-o",
            venv / ".dev-installed",
            "dist",
            f"VENV={venv}",
            f"DIST_DIR={folder}",
        ],
        timeout=600,
    )
    return folder


def metadata(text: str):
    return email.parser.Parser().parsestr(text)


def requirements(values) -> set[str]:
    return {str(Requirement(value)) for value in values}


def package_files(package: str) -> set[str]:
    """The files of the package's code that a wheel must hold: all but tests
    and bytecode."""
    source = PLUGINS / package
    return {
        path.relative_to(source).as_posix()
        for path in (source / code_folder(package)).rglob("*")
        if path.is_file()
        and "tests" not in path.relative_to(source).parts
        and "__pycache__" not in path.parts
    }


def test_dist_holds_exactly_an_sdist_and_a_wheel_of_each_package(dist):
    expected = set()
    for package in PACKAGES:
        stem = file_stem(package)
        expected |= {f"{stem}.tar.gz", f"{stem}-py3-none-any.whl"}
    assert {path.name for path in dist.iterdir()} == expected


@pytest.mark.parametrize("package", PACKAGES)
def test_the_wheel_says_what_its_pyproject_says(package, dist):
    meta = project(package)
    stem = file_stem(package)
    with zipfile.ZipFile(dist / f"{stem}-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
        info = metadata(wheel.read(f"{stem}.dist-info/METADATA").decode())
        licence = wheel.read(f"{stem}.dist-info/licenses/LICENSE").decode()
    assert meta["name"] == "pelican-" + package.replace("_", "-")
    assert info["Name"] == meta["name"]
    assert info["Version"] == meta["version"]
    # A plugin says it is one (PyPI lists it with Pelican's plugins); the
    # kit, which registers nothing, does not.
    is_plugin = "Framework :: Pelican :: Plugins" in info.get_all("Classifier")
    assert is_plugin == (package in PLUGIN_PACKAGES)
    assert info["License-Expression"] == "MIT"
    assert info.get_all("License-File") == ["LICENSE"]
    assert licence == (PLUGINS / package / "LICENSE").read_text(encoding="utf-8")
    assert info["Description-Content-Type"] == "text/markdown"
    readme = (PLUGINS / package / "README.md").read_text(encoding="utf-8")
    assert info.get_payload().strip() == readme.strip()
    assert requirements(info.get_all("Requires-Dist") or []) == requirements(
        meta["dependencies"]
    )
    assert info["Requires-Python"] == meta["requires-python"]

    # Only the package's own folder: pelican/ and pelican/plugins/ are
    # namespace packages, shared with Pelican and every other plugin.
    code = {name for name in names if not name.startswith(f"{stem}.dist-info/")}
    assert code == package_files(package)
    assert f"{code_folder(package)}/__init__.py" in code
    assert "pelican/__init__.py" not in code
    assert "pelican/plugins/__init__.py" not in code


@pytest.mark.parametrize("package", PACKAGES)
def test_the_sdist_holds_the_source_the_tests_and_the_changelog(package, dist):
    stem = file_stem(package)
    with tarfile.open(dist / f"{stem}.tar.gz") as sdist:
        names = {name.removeprefix(f"{stem}/") for name in sdist.getnames()}
        info = metadata(sdist.extractfile(f"{stem}/PKG-INFO").read().decode())
    assert set(SOURCE_FILES) <= names
    assert info["Version"] == project(package)["version"]
    assert package_files(package) <= names
    # The package's own tests travel with its source, to be run from it.
    tests = re.escape(f"{code_folder(package)}/tests/")
    assert any(re.fullmatch(rf"{tests}test_\w+\.py", name) for name in names)
    # The changelog has an entry for the version being released.
    changelog = (PLUGINS / package / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(
        rf"^## {re.escape(project(package)['version'])}\b", changelog, re.M
    )


def test_sizes_and_needs(dist, capsys):
    """The closing note's table: each wheel's size and what it needs."""
    rows = ["| Distribution | Wheel | sdist | Needs |", "| --- | ---: | ---: | --- |"]
    for package in PACKAGES:
        stem = file_stem(package)
        wheel = dist / f"{stem}-py3-none-any.whl"
        sdist = dist / f"{stem}.tar.gz"
        needs = ", ".join(project(package)["dependencies"])
        rows.append(
            f"| {project(package)['name']} {project(package)['version']} "
            f"| {wheel.stat().st_size / 1000:,.1f} kB "
            f"| {sdist.stat().st_size / 1000:,.1f} kB | {needs} |"
        )
    with capsys.disabled():
        print("\n" + "\n".join(rows))
    assert len(rows) == len(PACKAGES) + 2


def test_the_plugins_readme_lists_each_distribution_and_what_it_needs():
    readme = (PLUGINS / "README.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| \[(pelican-[a-z-]+)\]\(([a-z_]+)/README\.md\) \| .+ \| (.+) \|$",
        readme,
        re.MULTILINE,
    )
    listed = {folder: (name, needs) for name, folder, needs in rows}
    assert sorted(listed) == PACKAGES
    for package, (name, needs) in listed.items():
        assert name == project(package)["name"]
        assert needs.split(", ") == project(package)["dependencies"]
