"""The pull-request summary: the step of pr.yml run as it is written.

A git repository with the site's content on `main` and a pull request's
branch that adds two posts (one of them a draft, one with a title full of
Markdown and HTML); the production site built from the branch, as
`make publish` builds it for the preview; then pr.yml's summary step, its
shell script taken from the workflow, run with the environment GitHub
gives it. The summary it writes must list exactly the changed posts, with
what their built pages say, and copy their cards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.harness import build_site
from tools.pr_summary import code, escape, main

ROOT = Path(__file__).resolve().parent.parent.parent
PREVIEW_SITEURL = "http://127.0.0.1:8000"

EVIL_TITLE = (
    "Hire me <img src=x onerror=alert(1)> [now](https://evil.example) **please**"
)
NEW_POST = f"""Title: {EVIL_TITLE}
Date: 2026-01-05 09:00
Slug: hire-me
Category: Networking
Summary: A post <b>added</b> by the pull request.

Body.
"""
DRAFT_POST = """Title: Coming up
Date: 2026-01-06 09:00
Slug: coming-up
Category: Networking
Status: draft
Summary: Not out yet.

Body.
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def summary_step() -> dict:
    workflow = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "pr.yml").read_text(encoding="utf-8")
    )
    (step,) = [
        step
        for step in workflow["jobs"]["preview"]["steps"]
        if "tools/pr_summary.py" in step.get("run", "")
    ]
    return step


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory) -> Path:
    """A checkout of a pull request, as actions/checkout leaves it (with the
    base branch as origin/main), built as the workflow builds it."""
    repo = tmp_path_factory.mktemp("pull-request")
    shutil.copytree(ROOT / "content", repo / "content")
    # The settings, theme, tools and environment of this checkout.
    for name in ("pelicanconf.py", "publishconf.py", "theme", "tools", ".venv"):
        (repo / name).symlink_to(ROOT / name)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "the site")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(repo, "checkout", "--quiet", "-b", "new-posts")
    posts = repo / "content" / "posts"
    (posts / "hire-me.md").write_text(NEW_POST, encoding="utf-8")
    (posts / "coming-up.md").write_text(DRAFT_POST, encoding="utf-8")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "two posts")
    build_site(
        repo / "output",
        content=repo / "content",
        settings_file="publishconf.py",
        SITEURL=PREVIEW_SITEURL,
    )
    return repo


@pytest.fixture(scope="module")
def summary(pull_request) -> str:
    step = summary_step()
    summary_file = pull_request / "step-summary.md"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(pull_request)),
        "GITHUB_STEP_SUMMARY": str(summary_file),
        **step["env"],
        "BASE_REF": "main",  # ${{ github.base_ref }}
    }
    # GitHub's `shell: bash`: bash --noprofile --norc -eo pipefail {0}
    assert step["shell"] == "bash"
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=pull_request,
        env=env,
        check=True,
    )
    return summary_file.read_text(encoding="utf-8")


def test_the_summary_lists_exactly_the_changed_posts(summary):
    headings = [line for line in summary.splitlines() if line.startswith("### ")]
    # (In git's order: by path.)
    assert headings == ["### Coming up", f"### {escape(EVIL_TITLE)}"]
    assert "networking" not in " ".join(headings).lower()


def test_each_post_shows_its_page_summary_and_card(summary):
    assert "`content/posts/hire-me.md`, page `posts/hire-me/index.html`" in summary
    assert escape("A post added by the pull request.") in summary
    assert "- Share card: `posts/hire-me/card.png` (1200x630)" in summary
    assert "`drafts/coming-up/index.html` (a draft" in summary
    assert "`drafts/coming-up/card.png`" in summary
    assert "`site-preview`" in summary
    assert "`share-cards`" in summary
    # How to browse the preview at the address it was built for.
    assert "`python3 -m http.server 8000 --bind 127.0.0.1`" in summary


def test_the_cards_are_copied_for_their_artifact(pull_request, summary):
    cards = pull_request / "share-cards"
    copied = sorted(path.relative_to(cards).as_posix() for path in cards.rglob("*.png"))
    assert copied == ["drafts/coming-up/card.png", "posts/hire-me/card.png"]
    for card in copied:
        assert (cards / card).read_bytes() == (
            pull_request / "output" / card
        ).read_bytes()


def test_nothing_from_a_post_becomes_markup(summary):
    """A title or summary is shown as text: no tag, link or emphasis of it."""
    unescaped = re.sub(r"\\.", "", summary)
    for markup in ("<", ">", "](", "**", "https://evil"):
        assert markup not in unescaped
    assert r"\<img src\=x onerror\=alert\(1\)\>" in summary


def test_a_removed_post_and_other_files(pull_request, capsys, monkeypatch):
    monkeypatch.chdir(pull_request)
    monkeypatch.setenv("SITEURL", PREVIEW_SITEURL)
    status = main(
        [
            "--output",
            "output",
            "content/posts/gone.md",
            "content/posts/photo.png",
            "content/posts/hire-me.md",
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "### `content/posts/gone.md`\n\nRemoved from the content." in printed
    assert "photo.png" not in printed
    assert "posts/hire-me/card.png" in printed
    assert "share-cards" not in printed  # no --cards: no cards artifact


def test_no_changed_post(pull_request, capsys, monkeypatch):
    monkeypatch.chdir(pull_request)
    assert main(["--output", "output"]) == 0
    assert "No post changed." in capsys.readouterr().out


def test_a_missing_build_is_an_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--output", "output", "content/posts/x.md"]) == 2
    assert "no build in output" in capsys.readouterr().err


def test_code_spans_hold_backticks():
    assert code("a`b") == "``a`b``"
    assert code("`a") == "`` `a ``"
    assert code("two\nlines") == "`two lines`"
