"""The packages (plugins/*/) and the tools the packaging tests share.

Every package but one is a Pelican plugin (`pelican/plugins/<name>/`); the
one, plugin_kit, is the library most of them depend on (`pelican_plugin_kit`,
not a plugin).

Nothing here goes online: wheels are installed from the wheelhouse that the
Makefile's set-up fills (`.venv/wheelhouse`, every wheel requirements.txt
needs), and from the wheels a test session builds itself (the kit's), with
`--no-index`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PLUGINS = ROOT / "plugins"
PACKAGES = sorted(path.parent.name for path in PLUGINS.glob("*/pyproject.toml"))
# The packages that are Pelican plugins: code in pelican/plugins/<name>/.
PLUGIN_PACKAGES = [
    package
    for package in PACKAGES
    if (PLUGINS / package / "pelican" / "plugins" / package).is_dir()
]
# The library the plugins share.
KIT = "plugin_kit"
# Filled by `make install` (the Makefile's $(WHEELHOUSE_STAMP)).
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"
# What a package folder may hold that is no part of its source: build and
# test leftovers, never copied when a test builds from a copy.
LEFTOVERS = (".pdm-build", "__pycache__", ".pytest_cache", "*.pyc", "dist")


def project(package: str) -> dict:
    """The [project] table of plugins/<package>/pyproject.toml."""
    text = (PLUGINS / package / "pyproject.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["project"]


def code_folder(package: str) -> str:
    """Where the package's code is, in its folder and in its wheel: a
    plugin's in the pelican.plugins namespace, a library's in its own
    top-level module (named as its distribution: pelican_plugin_kit)."""
    if package in PLUGIN_PACKAGES:
        return f"pelican/plugins/{package}"
    return project(package)["name"].replace("-", "_")


def file_stem(package: str) -> str:
    """How the package's files begin: pelican_series_nav-1.0.0."""
    meta = project(package)
    return f"{meta['name'].replace('-', '_')}-{meta['version']}"


def clean_env(venv: Path | None = None) -> dict[str, str]:
    """The environment for a command run outside the project's .venv: no
    user site-packages, no pip configuration (so no index or find-links of
    this machine), and `venv` (if given) first on PATH."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "PYTHON")) and key != "VIRTUAL_ENV"
    }
    env.update(
        PYTHONNOUSERSITE="1",
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        PIP_NO_CACHE_DIR="1",
    )
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
    return env


def run(args, *, cwd=None, venv=None, stdin=None, timeout=300):
    """Run a command to its end; a failure shows the command and its output."""
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=clean_env(venv),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(map(str, args))}` exited {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}",
            pytrace=False,
        )
    return result


def build_wheel(package: str, folder: Path) -> Path:
    """`pip wheel` of the package into `folder`, from a copy of its source
    (no build leftovers), with the pinned pdm-backend of this environment."""
    source = folder / "source" / package
    shutil.copytree(
        PLUGINS / package, source, ignore=shutil.ignore_patterns(*LEFTOVERS)
    )
    wheels = folder / "wheels"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            wheels,
            source,
        ]
    )
    (wheel,) = wheels.glob(f"{file_stem(package)}-*.whl")
    assert wheel.name == f"{file_stem(package)}-py3-none-any.whl"
    return wheel


def pip_into(python: Path, *args, find_links: tuple[Path, ...] = ()):
    """This environment's pip acting on the environment of `python` (which
    has no pip of its own), installing only from the wheelhouse (and the
    folders of wheels in `find_links`), at the versions requirements.txt
    pins."""
    if not WHEELHOUSE.is_dir():
        pytest.fail(f"{WHEELHOUSE} is missing: run `make install`, which fills it")
    return run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--quiet",
            "--no-index",
            "--find-links",
            WHEELHOUSE,
            *(arg for folder in find_links for arg in ("--find-links", folder)),
            "--constraint",
            ROOT / "requirements.txt",
            "--no-compile",
            *args,
        ]
    )


def site_packages(venv: Path) -> Path:
    (path,) = venv.glob("lib/python*/site-packages")
    return path
