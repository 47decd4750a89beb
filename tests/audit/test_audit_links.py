"""LinkChecker (from PyPI) finds zero broken internal links in the production build."""

import re
import subprocess
import sys
from pathlib import Path

LINKCHECKER = str(Path(sys.executable).with_name("linkchecker"))


def test_production_build_has_no_broken_internal_links(production, tmp_path):
    # Every page is a starting point, so pages nothing links to (the 404
    # page, draft previews) are checked too; robots.txt keeps crawlers out
    # of drafts/, not us. The whole server is internal (LinkChecker would
    # otherwise take each start URL's folder as the site), and AnchorCheck
    # checks #fragments: a missing anchor is a warning, so warnings fail too.
    config = tmp_path / "linkcheckerrc"
    config.write_text(
        f"[filtering]\ninternlinks=^{re.escape(production.url)}\n[AnchorCheck]\n",
        encoding="utf-8",
    )
    pages = [
        production.page_url(path.relative_to(production.site.root).as_posix())
        for path in production.site.html_files()
    ]
    result = subprocess.run(
        [
            LINKCHECKER,
            "--config",
            str(config),
            "--no-status",
            "--no-robots",
            "--threads",
            "4",
            *pages,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    # Run as root, LinkChecker drops to user `nobody` once it has read its
    # config, and could not write a report file then: the report is stdout.
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 warnings found. 0 errors found." in result.stdout, result.stdout
