"""The distributions a release tag stands for: `<package>-v<version>`.

The release workflow (.github/workflows/release.yml) runs it twice on a
tag such as `series_nav-v1.0.0`: first to check that plugins/series_nav/
exists and that its pyproject.toml says version 1.0.0 (before anything is
built), then, after `make dist`, with `--dist dist --into release` to copy
that package's sdist and wheel, and nothing else, into the folder it
publishes. It exits 1 with a message naming what is wrong.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAG = re.compile(r"^(?P<package>[a-z][a-z0-9_]*)-v(?P<version>[0-9][0-9A-Za-z.+!-]*)$")


class ReleaseError(Exception):
    """The tag does not name a package and its version, or the files are missing."""


@dataclass(frozen=True)
class Release:
    package: str  # the folder under plugins/: series_nav
    name: str  # the distribution's name: pelican-series-nav
    version: str

    @property
    def stem(self) -> str:
        """How the files of this release begin: pelican_series_nav-1.0.0."""
        return f"{re.sub(r'[-_.]+', '_', self.name).lower()}-{self.version}"


def release_for(tag: str, plugins: Path = ROOT / "plugins") -> Release:
    """The release a tag names, once checked against the package's pyproject."""
    match = TAG.match(tag)
    if not match:
        raise ReleaseError(
            f"tag {tag!r} is not <package>-v<version> (e.g. series_nav-v1.0.0)"
        )
    package, version = match["package"], match["version"]
    pyproject = plugins / package / "pyproject.toml"
    if not pyproject.is_file():
        raise ReleaseError(f"tag {tag!r}: there is no {pyproject}")
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    if project["version"] != version:
        raise ReleaseError(
            f"tag {tag!r} says version {version}, but {pyproject} says "
            f"{project['version']}"
        )
    return Release(package, project["name"], project["version"])


def release_files(release: Release, dist: Path) -> list[Path]:
    """The release's sdist and wheel in `dist` (exactly one sdist, a wheel)."""
    sdists = sorted(dist.glob(f"{release.stem}.tar.gz"))
    wheels = sorted(dist.glob(f"{release.stem}-*.whl"))
    if len(sdists) != 1 or not wheels:
        raise ReleaseError(
            f"{dist} should hold {release.stem}.tar.gz and a {release.stem}-*.whl; "
            f"it holds {sorted(path.name for path in dist.iterdir())}"
        )
    return sdists + wheels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", help="the release tag, e.g. series_nav-v1.0.0")
    parser.add_argument("--plugins", type=Path, default=ROOT / "plugins")
    parser.add_argument("--dist", type=Path, help="where `make dist` wrote")
    parser.add_argument("--into", type=Path, help="copy the release's files here")
    args = parser.parse_args(argv)
    try:
        release = release_for(args.tag, args.plugins)
        print(f"{args.tag}: {release.name} {release.version}")
        if args.dist:
            files = release_files(release, args.dist)
            if args.into:
                args.into.mkdir(parents=True, exist_ok=True)
            for path in files:
                if args.into:
                    shutil.copy2(path, args.into / path.name)
                print(path.name)
    except ReleaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
