"""`make check` (tools/check.py): each finding with its file and line, errors
apart from advice, the exit status, POST=, and the site's own content."""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from pelican.settings import read_settings
from PIL import Image

from tests.harness import ROOT
from tools import check
from tools.newpost import new_post

PLACEHOLDER_LINE = re.compile(r"^.*\[\[.*$", re.MULTILINE)

GOOD = """\
Title: A good post
Date: 2026-01-05 09:00
Series: Checking things
Series_index: 1
Summary: A post with nothing to fix.

## A section

![A chart of contacts by network]({static}/images/chart.png)

See [the other part]({filename}bad.md) and [the archive](/archives/).

### A subsection
"""

LONG_TITLE = (
    "How to build a network that outlasts your job title, your employer and "
    "even your industry: a field guide for the long haul, with worked "
    "examples, checklists and campaign stories from our guest authors, and "
    "a few words on what to do when the people you know move on before you"
)
# Each problem on a line of its own; the test names the line.
BAD = f"""\
Title: {LONG_TITLE}
Slug: a-long-title
Date: 2999-01-01 09:00
Author: Nobody Known
Series: Checking  things
Series_index: 2

## Start

![]({{static}}/images/chart.png)
![A missing photo]({{static}}/images/missing.jpg)
[A lost post]({{filename}}no-such-post.md)
[A lost page](/no-such-page/)
#### Too deep
![Huge]({{static}}/images/huge.png)
<img src="{{static}}/images/chart.png">
[Next door](sibling.md)
![A photo by reference][gone]
```
![](not-an-image-in-code.png)
```

[gone]: {{static}}/images/gone.jpg
[Up and lost](../no-such-post/)
[Up and found](../a-good-post/) and ![A chart](images/chart.png)
<img src="{{static}}/images/chart.png" alt="">
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    folder = tmp_path_factory.mktemp("check") / "content"
    shutil.copytree(ROOT / "content" / "authors", folder / "authors")
    write(folder / "posts" / "good.md", GOOD)
    write(folder / "posts" / "bad.md", BAD)
    other = GOOD.replace("A good post", "Another part").replace("index: 1", "index: 2")
    write(folder / "posts" / "other.md", other)
    write(folder / "pages" / "about.md", "Title: About\n\nNo summary here.\n")
    write(
        folder / "pages" / "long.md", f"Title: Long\nSummary: {'word ' * 50}\n\nText.\n"
    )
    (folder / "images").mkdir()
    Image.new("RGB", (40, 20), "#336699").save(folder / "images" / "chart.png")
    # Over the size limit: random bytes do not compress.
    huge = folder / "images" / "huge.png"
    huge.write_bytes(b"\x89PNG" + (b"\x00" * 16) + bytes(range(256)) * 24_000)
    return folder


def review(content, capsys, *args) -> tuple[int, list[str]]:
    status = check.main(["--content", str(content), *args])
    return status, capsys.readouterr().out.splitlines()


def findings_of(lines, name):
    return [line.split(f"{name}:", 1)[1] for line in lines if f"/{name}:" in line]


def test_each_problem_is_named_with_its_file_line_and_level(content, capsys):
    status, lines = review(content, capsys)
    assert status == 1
    bad = findings_of(lines, "bad.md")
    expected = [
        ("1: advice:", "will not fit its share card"),
        ("1: advice:", "no Summary"),
        ("3: error:", "in the future"),
        ("4: error:", "unknown author 'Nobody Known'"),
        ("6: error:", "Series_index 2 of “Checking  things” is also the number"),
        ("10: error:", "images/chart.png has no alt text"),
        ("11: error:", "images/missing.jpg does not exist"),
        ("12: error:", "{filename}no-such-post.md names no file"),
        ("13: error:", "/no-such-page/ leads nowhere"),
        ("14: advice:", "a level-4 heading after a level-2 one"),
        ("15: advice:", "images/huge.png is 5.9 MB"),
        ("16: error:", "images/chart.png has no alt text"),
        ("17: error:", "sibling.md names a source file"),
        ("18: error:", "images/gone.jpg does not exist"),
        ("24: error:", "leads nowhere: from this page it is /posts/no-such-post"),
    ]
    for where, what in expected:
        assert any(f.startswith(where) and what in f for f in bad), (where, what, bad)
    assert len(bad) == len(expected), bad
    # Nothing inside a code block is read as Markdown.
    assert not any("not-an-image-in-code" in line for line in lines)
    assert lines[-1] == "12 errors, 6 pieces of advice in the content"


def test_a_good_post_has_no_finding_and_a_page_gets_only_advice(content, capsys):
    _, lines = review(content, capsys)
    assert findings_of(lines, "good.md") == []
    assert [f.split(": ", 2)[1] for f in findings_of(lines, "about.md")] == ["advice"]


def test_post_reviews_one_file_and_its_status_is_that_files(content, capsys):
    status, lines = review(content, capsys, str(content / "posts" / "good.md"))
    assert status == 0
    assert lines == [f"0 errors, 0 pieces of advice in {content / 'posts' / 'good.md'}"]
    status, lines = review(content, capsys, str(content / "pages" / "about.md"))
    assert status == 0
    assert "no Summary" in lines[0]


def test_post_that_is_not_content_is_refused(content, capsys):
    assert check.main(["--content", str(content), str(content / "nope.md")]) == 2
    assert "is not a file" in capsys.readouterr().err


def test_scheduled_says_a_future_date_is_meant(content, capsys, tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(content, folder)
    text = (folder / "posts" / "bad.md").read_text()
    (folder / "posts" / "bad.md").write_text(
        text.replace("Author: Nobody", "Scheduled: yes\nAuthor: Nobody", 1)
    )
    _, lines = review(folder, capsys)
    assert not any("in the future" in line for line in lines)


def test_the_sites_own_content_passes_make_check():
    result = subprocess.run(
        ["make", "--no-print-directory", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("0 errors,")


def test_a_campaign_post_from_the_template_is_flagged_until_written(
    content, capsys, tmp_path
):
    """make newpost TEMPLATE=campaign: the template's placeholders are errors
    (and only they), and once each is replaced the post passes."""
    folder = tmp_path / "content"
    shutil.copytree(content / "authors", folder / "authors")
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    path = new_post(
        "My campaign",
        content=folder,
        settings=settings,
        series="Networking in practice",
        author="Paul Weston",
        template=ROOT / "docs" / "templates" / "campaign.md",
    )
    status, lines = review(folder, capsys)
    assert status == 1
    placeholders = PLACEHOLDER_LINE.findall(path.read_text())
    found = findings_of(lines, path.name)
    assert len(found) == len(placeholders) >= 7
    assert all(": error: " in f and "placeholder" in f for f in found), found
    written = re.sub(r"\[\[.*?\]\]", "A sentence of my own.", path.read_text())
    path.write_text(written.replace("Status: draft\n", ""))
    status, lines = review(folder, capsys, str(path))
    assert status == 0, lines


def test_an_overlong_summary_is_advice(content, capsys):
    _, lines = review(content, capsys)
    (finding,) = findings_of(lines, "long.md")
    assert finding.startswith("2: advice: the Summary has 249 characters")


@pytest.mark.parametrize(
    ("line", "previous", "level"),
    [
        ("## Two", "", 2),
        ("Title", "", 0),
        ("=====", "A heading", 1),
        ("-----", "A heading", 2),
        ("-----", "", 0),  # a rule
        ("---", "- an item", 0),
        ("---", "## Already one", 0),
    ],
)
def test_headings_either_way(line, previous, level):
    assert check.Review.heading_level(line, previous) == level


def test_make_newpost_template_campaign_and_an_unknown_one(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "authors", folder / "authors")
    run = [
        "make",
        "--no-print-directory",
        "newpost",
        f"INPUTDIR={folder}",
        "TITLE=My campaign",
        "AUTHOR=Paul Weston",
    ]
    made = subprocess.run(
        [*run, "TEMPLATE=campaign"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    text = Path(made.stdout.strip()).read_text()
    assert text.startswith("Title: My campaign\n")
    assert "Summary: [[" in text and "## What I did" in text
    refused = subprocess.run(
        [*run, "TITLE=Other", "TEMPLATE=nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0
    assert "no template 'nope'; there are: campaign" in refused.stderr
