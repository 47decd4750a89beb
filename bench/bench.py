"""Benchmark the site's build against plain Pelican (`make bench`).

Generates synthetic blogs outside the repository (a temporary folder), one
for each corpus in CORPORA (the same generator with different shapes), and
builds each

  (a) with plain Pelican at its defaults: default theme, no plugins,
      Pelican's default Markdown extensions and flat URLs: the baseline
      of the targets;
  (m) with plain Pelican given our Markdown settings: the same Markdown
      work as ours (for information);
  (u) as (m) with our folder-per-page URLs: what that scheme costs alone;
  (b) with our pelicanconf.py: our theme and plugins; when the share_cards
      plugin is on, with its card cache filled by an earlier build (warm),
      as a real rebuild is;
  (c) ours with share cards cold: an empty card cache, every card drawn
      (half as many runs: no target, and the costliest build);
  (n) ours without share_cards, so b/n is what warm cards cost;
  (s) ours without the search plugin's Pagefind index, so b/s is what
      indexing costs (and the size of (b)'s index is noted); in every row
      Pagefind runs (a never-used SEARCH_CACHE_PATH for each build);
  (x) ours without share_cards and without the index: the theme and the
      other plugins alone (for information);

in turn, each build in a fresh `python -m pelican` process. Where valgrind
is installed (`make bench` installs it), (a), (b) and (n) are also built
once each under valgrind's cachegrind, ours without the index, which counts
the instructions they run: b/n, and how our Python side compares with
plain Pelican, without the machine's noise (CPU times of one build spread
by 10% or more on a shared machine; see docs/benchmarks.md).
Then ours and
(a) at four times the size (how cost grows; first corpus only), and a warm
rebuild with Pelican's content cache against a cold one. It prints a table
per corpus: median CPU time, wall time and peak memory (the child's
ru_maxrss) of each build, and the ratios against their targets.

    python bench/bench.py --posts 1000 --runs 5
    python bench/bench.py --posts 200 --runs 1            # a quick look
    python bench/bench.py --posts 200 --runs 1 --corpus tags
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

import pelicanconf  # noqa: E402  (our Markdown settings, URLs and PLUGINS)

OURS = ROOT / "pelicanconf.py"
# The share-cards plugin and the setting naming its card cache folder.
CARDS_PLUGIN = "share_cards"
SEARCH_PLUGIN = "search"
CARD_CACHE = "SHARE_CARDS_CACHE_PATH"
SEARCH_CACHE = "SEARCH_CACHE_PATH"

WORDS = [
    "network",
    "contact",
    "referral",
    "career",
    "business",
    "introduction",
    "meeting",
    "coffee",
    "colleague",
    "customer",
    "supplier",
    "partner",
    "mentor",
    "alumni",
    "conference",
    "follow-up",
    "trust",
    "favour",
    "reputation",
    "profile",
    "message",
    "community",
    "group",
    "event",
    "idea",
    "problem",
    "opportunity",
    "project",
    "team",
    "industry",
    "sector",
    "market",
    "recommendation",
]
CATEGORIES = ["Networking", "Careers", "Business", "Social media", "Events"]
CHECKLIST_ITEMS = [
    "Family and extended family",
    "School and university classmates, and alumni",
    "Friends, their families and their friends",
    "Former colleagues, customers and suppliers",
    "Trade associations and professional bodies",
    "Connections on social networking sites",
]


# ---------------------------------------------------------------------------
# The synthetic blogs.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    """The shape of a synthetic blog. Shares are of all posts."""

    description: str
    series_share: float  # posts that are parts of a series
    series_parts: tuple[int, int]  # fewest and most parts in a series
    posts_per_author: int  # one author (with a profile) per this many posts
    coauthored_share: float  # posts written by two authors
    tag_words: int  # tags: each of the first tag_words WORDS ...
    tag_kinds: tuple[str, ...]  # ... with each of these ("network-tips")
    tags_per_post: tuple[int, int]
    sections: tuple[int, int]  # fewest and most sections in a post
    checklist_every: int  # a checklist block in one post in this many


CORPORA = {
    # The corpus of the earlier figures: the same files, byte for byte.
    "series": Corpus(
        "series (40% of posts, 2 to 12 parts) with intros and announced parts; "
        "one author per 50 posts, 20% co-written; 2 to 4 of 40 tags; "
        "posts of about 5 KB; a checklist in 1 post in 10",
        series_share=0.4,
        series_parts=(2, 12),
        posts_per_author=50,
        coauthored_share=0.2,
        tag_words=20,
        tag_kinds=("tips", "stories"),
        tags_per_post=(2, 4),
        sections=(3, 5),
        checklist_every=10,
    ),
    # Another shape, since a margin found on one corpus did not hold on
    # another (issue 14): listings (tag pages) weigh more, Markdown less.
    "tags": Corpus(
        "many tags (4 to 8 of 198 a post), short posts of about 2 KB, "
        "few short series (10% of posts, 2 to 4 parts); one author per "
        "100 posts, 5% co-written; a checklist in 1 post in 50",
        series_share=0.1,
        series_parts=(2, 4),
        posts_per_author=100,
        coauthored_share=0.05,
        tag_words=33,
        tag_kinds=("tips", "stories", "guide", "mistakes", "basics", "research"),
        tags_per_post=(4, 8),
        sections=(1, 2),
        checklist_every=50,
    ),
}


def _sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def _body(rng: random.Random, shape: Corpus, number: int, checklist: bool) -> str:
    """Markdown like the real posts: sections, lists, quotes, links."""
    fewest, most = shape.sections
    parts = [_paragraph(rng)]
    for section in range(1, rng.randint(fewest + 1, most + 1)):
        parts.append(f"## Section {section}: {_sentence(rng, 4)[:-1]}")
        parts.append(_paragraph(rng))
        parts.append(
            f"{_sentence(rng, 8)} See [part {section}](https://example.org/{section}/) "
            f"and *{rng.choice(WORDS)}*."
        )
        if section == 2:
            parts.append(
                "\n".join(
                    f"- **{rng.choice(WORDS)}**: {_sentence(rng, 8)}" for _ in range(4)
                )
            )
            parts.append(f"> {_sentence(rng)}")
    if checklist:
        items = "\n".join(
            f"- [ ] {item} {{#item-{i}}}" for i, item in enumerate(CHECKLIST_ITEMS)
        )
        parts.append(
            f"::: checklist\nid: audit-{number}\ntitle: Your networks\n"
            f"counts: yes\ncloseness: yes\n\n{items}\n:::"
        )
    parts.append(_paragraph(rng))
    return "\n\n".join(parts)


def generate(root: Path, posts: int, shape: Corpus, seed: int = 2026) -> Path:
    """Write a blog of `posts` posts under `root`; returns its content folder."""
    rng = random.Random(seed)
    content = root / "content"
    for folder in ("posts", "pages", "authors", "series"):
        (content / folder).mkdir(parents=True, exist_ok=True)

    authors = [
        f"Author {chr(65 + i % 26)}{i:02d}"
        for i in range(max(4, posts // shape.posts_per_author))
    ]
    for number, name in enumerate(authors):
        slug = name.lower().replace(" ", "-")
        (content / "authors" / f"{slug}.md").write_text(
            f"Name: {name}\nRole: Guest author\nTwitter: @bench_author{number}\n"
            f"Short_bio: {_sentence(rng, 10)}\n\n"
            f"{_paragraph(rng)}\n\n{_paragraph(rng)}\n",
            encoding="utf-8",
        )
    tags = [
        f"{word}-{kind}"
        for word in WORDS[: shape.tag_words]
        for kind in shape.tag_kinds
    ]

    # Parts of series, each with an intro; half the series end with an
    # announced (draft) part.
    plan: list[tuple[str, int, bool] | None] = [None] * posts
    cursor, series_number = 0, 0
    while cursor < posts * shape.series_share:
        length = rng.randint(*shape.series_parts)
        series_number += 1
        name = f"Series {series_number}: {_sentence(rng, 3)[:-1]}"
        announced = rng.random() < 0.5
        for index in range(1, length + 1):
            if cursor >= posts:
                break
            plan[cursor] = (name, index, announced and index == length)
            cursor += 1
        slug = f"series-{series_number}"
        (content / "series" / f"{slug}.md").write_text(
            f"Title: {name}\nStatus: {rng.choice(['ongoing', 'complete'])}\n"
            f"Summary: {_sentence(rng, 10)}\n\n{_paragraph(rng)}\n",
            encoding="utf-8",
        )
    rng.shuffle(plan)

    start = dt.datetime(2020, 1, 1, 9, 0)
    for number in range(posts):
        date = start + dt.timedelta(hours=number * 31)
        byline = rng.sample(authors, 2 if rng.random() < shape.coauthored_share else 1)
        meta = {
            "Title": f"Post {number}: {_sentence(rng, 6)[:-1]}",
            "Date": date.strftime("%Y-%m-%d %H:%M"),
            "Slug": f"post-{number}",
            "Category": rng.choice(CATEGORIES),
            "Tags": ", ".join(rng.sample(tags, rng.randint(*shape.tags_per_post))),
            "Authors": ", ".join(byline),
            "Summary": _sentence(rng, 20),
        }
        if plan[number]:
            series, index, announced = plan[number]
            meta["Series"] = series
            meta["Series_index"] = str(index)
            if announced:
                meta["Status"] = "draft"
        header = "\n".join(f"{key}: {value}" for key, value in meta.items())
        checklist = number % shape.checklist_every == 0
        body = _body(rng, shape, number, checklist)
        (content / "posts" / f"post-{number}.md").write_text(
            f"{header}\n\n{body}\n", encoding="utf-8"
        )

    (content / "pages" / "about.md").write_text(
        f"Title: About\nSlug: about\n\n{_paragraph(rng)}\n", encoding="utf-8"
    )
    return content


# ---------------------------------------------------------------------------
# Settings of the builds.
# ---------------------------------------------------------------------------


def url_settings() -> dict:
    """Our URL scheme: every *_URL and *_SAVE_AS setting, and the pagination."""
    names = [
        name
        for name in vars(pelicanconf)
        if name.endswith(("_URL", "_SAVE_AS")) and name != "SITEURL"
    ]
    names.append("PAGINATION_PATTERNS")
    return {name: getattr(pelicanconf, name) for name in sorted(names)}


def write_plain_settings(
    root: Path, name: str, *, our_markdown: bool, our_urls: bool
) -> Path:
    """Settings for plain Pelican: default theme, no plugins.

    Besides the content layout, only what `pelican-quickstart` asks for is
    set (site name, author, timezone, ten posts a page); everything else,
    feeds included, is Pelican's default, and so is Markdown unless
    `our_markdown`.
    """
    settings = root / f"plain_{name}_pelicanconf.py"
    text = (
        "# Plain Pelican: default theme and settings, no plugins.\n"
        f"AUTHOR = {pelicanconf.AUTHOR!r}\n"
        f"SITENAME = {pelicanconf.SITENAME!r}\n"
        f"TIMEZONE = {pelicanconf.TIMEZONE!r}\n"
        f"DEFAULT_PAGINATION = {pelicanconf.DEFAULT_PAGINATION!r}\n"
        "# The content layout: Pelican would read authors/ and series/ as\n"
        "# articles otherwise.\n"
        "ARTICLE_PATHS = ['posts']\n"
        "PAGE_PATHS = ['pages']\n"
        "# None would load every installed namespace plugin (the sitemap).\n"
        "PLUGINS = []\n"
    )
    if our_markdown:
        text += f"MARKDOWN = {pelicanconf.MARKDOWN!r}\n"
    if our_urls:
        text += "# Our URL scheme: the same tree of folders as ours.\n"
        for setting, value in url_settings().items():
            text += f"{setting} = {value!r}\n"
    settings.write_text(text, encoding="utf-8")
    return settings


@dataclass
class Contender:
    """One kind of build: a row of the table."""

    label: str
    settings: Path
    extra: dict = field(default_factory=dict)  # settings given with `-e`
    cold_cards: bool = False  # a new, empty card cache for every run
    runs: int | None = None  # fewer runs than the others (None: as many)


def plain_contenders(work: Path) -> dict[str, Contender]:
    return {
        "a": Contender(
            "(a) plain Pelican at its defaults",
            write_plain_settings(work, "defaults", our_markdown=False, our_urls=False),
        ),
        "m": Contender(
            "(m) plain Pelican with our Markdown settings",
            write_plain_settings(work, "markdown", our_markdown=True, our_urls=False),
        ),
        "u": Contender(
            "(u) plain Pelican with our Markdown settings and folder URLs",
            write_plain_settings(work, "folder_urls", our_markdown=True, our_urls=True),
        ),
    }


def ours(warm_cards: Path | None) -> Contender:
    """Row (b): ours, with the given card cache when share cards are on."""
    if warm_cards is None:
        return Contender("(b) ours", OURS)
    return Contender("(b) ours, share cards warm", OURS, {CARD_CACHE: str(warm_cards)})


def card_contenders(cold_runs: int) -> dict[str, Contender]:
    without = [name for name in pelicanconf.PLUGINS if name != CARDS_PLUGIN]
    return {
        "c": Contender(
            "(c) ours, share cards cold", OURS, cold_cards=True, runs=cold_runs
        ),
        "n": Contender(f"(n) ours without {CARDS_PLUGIN}", OURS, {"PLUGINS": without}),
    }


# ---------------------------------------------------------------------------
# Builds, each in a fresh process.
# ---------------------------------------------------------------------------


@dataclass
class Build:
    seconds: float  # wall-clock time
    cpu_seconds: float  # user + system time of the child: steadier on a busy machine
    peak_mb: float

    def line(self, label: str) -> str:
        return (
            f"  {label}: {self.seconds:.2f} s wall, {self.cpu_seconds:.2f} s CPU, "
            f"{self.peak_mb:.0f} MB"
        )


class BuildFailedError(RuntimeError):
    """A Pelican build exited with an error; the benchmark means nothing then."""


def pelican_command(content: Path, output: Path, settings: Path, extra: dict):
    """The command line of one build: `extra` settings are given with `-e`."""
    command = [sys.executable, "-m", "pelican", str(content), "-o", str(output)]
    command += ["-s", str(settings), "-q"]
    if extra:
        command += [
            "-e",
            *(f"{key}={json.dumps(value)}" for key, value in extra.items()),
        ]
    return command


def build(content: Path, output: Path, settings: Path, **extra) -> Build:
    """Run one Pelican build in a child process; its wall time and peak memory."""
    command = pelican_command(content, output, settings, extra)
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log)
        # wait4, not wait: it also gives the child's own resource usage.
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            log.seek(0)
            raise BuildFailedError(log.read().decode("utf-8", "replace")[-3000:])
    cpu_seconds = usage.ru_utime + usage.ru_stime
    return Build(seconds, cpu_seconds, usage.ru_maxrss / 1024)  # KiB on Linux


INSTRUCTIONS = re.compile(r"I\s+refs:\s+([\d,]+)")


def count_instructions(
    content: Path, builds: dict[str, tuple[Path, Path, dict]]
) -> dict[str, int]:
    """The instructions each build runs, counted by valgrind (deterministic).

    `builds` gives each row's output folder, settings file and extra
    settings. Builds run side by side (a count does not depend on the
    neighbours), in Python only: valgrind does not follow Pelican's child
    processes, which is why the callers leave the Pagefind index out.
    """
    counts = {}
    with contextlib.ExitStack() as stack:
        children = {}
        for key, (output, settings, extra) in builds.items():
            command = [
                "valgrind",
                "--tool=cachegrind",
                "--cache-sim=no",
                "--cachegrind-out-file=/dev/null",
                *pelican_command(content, output, settings, extra),
            ]
            log = stack.enter_context(tempfile.TemporaryFile())
            child = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log)
            children[key] = child, log
        for key, (child, log) in children.items():
            child.wait()
            log.seek(0)
            text = log.read().decode("utf-8", "replace")
            found = INSTRUCTIONS.findall(text)
            if child.returncode != 0 or not found:
                raise BuildFailedError(text[-3000:])
            counts[key] = int(found[-1].replace(",", ""))
    return counts


def unused(folder: Path) -> Path:
    """`folder`, which must not exist yet: every build gets a never-used one.

    Deleting the last build's output just before a build makes that build
    pay for the deletion: on the benchmark machine's disk, our builds into
    a just-emptied folder went from 6.1 s to 7.9 s over five runs (see
    docs/benchmarks.md). The whole work folder is deleted once, at the end.
    """
    if folder.exists():
        raise FileExistsError(folder)
    return folder


def race(
    content: Path, work: Path, contenders: dict[str, Contender], runs: int
) -> dict[str, list[Build]]:
    """The contenders, in turn, `runs` times each, into fresh output folders."""
    results: dict[str, list[Build]] = {key: [] for key in contenders}
    corpus = f"{work.parent.name} {work.name}"  # e.g. "series 1000"
    for run in range(1, runs + 1):
        for key, contender in contenders.items():
            if contender.runs is not None and run > contender.runs:
                continue
            extra = dict(contender.extra)
            if contender.cold_cards:
                extra[CARD_CACHE] = str(unused(work / f"cards-{key}-{run}"))
            if contender.settings == OURS:
                # Every build runs Pagefind: the search plugin's cache of the
                # last index would otherwise hand an unchanged site's index
                # back (measured in the content-cache rows, a real rebuild).
                extra[SEARCH_CACHE] = str(unused(work / f"search-{key}-{run}"))
            output = unused(work / f"out-{key}-{run}")
            result = build(content, output, contender.settings, **extra)
            results[key].append(result)
            print(result.line(f"{corpus} ({key}) run {run}"), flush=True)
    return results


def cache_race(content: Path, work: Path, runs: int, extra: dict):
    """Ours with the content cache: a cold build (empty cache), then a warm rebuild.

    Both caches under CACHE_PATH are cold, then warm: Pelican's content
    cache and the search plugin's last index (SEARCH_CACHE_PATH's default),
    as in a real rebuild of an unchanged site.
    """
    results: dict[str, list[Build]] = {"cold": [], "warm": []}
    corpus = f"{work.parent.name} {work.name}"
    for run in range(1, runs + 1):
        cache = unused(work / f"cache-{run}")
        output = unused(work / f"out-cache-{run}")
        common = {**extra, "CACHE_CONTENT": True, "CACHE_PATH": str(cache)}
        for name, load in (("cold", False), ("warm", True)):
            result = build(content, output, OURS, LOAD_CONTENT_CACHE=load, **common)
            results[name].append(result)
            label = f"{corpus} content cache {name} run {run}"
            print(result.line(label), flush=True)
    return results


def fill_card_cache(content: Path, work: Path) -> Path:
    """A card cache filled by one build of ours, for the warm-cards rows."""
    cache = unused(work / "cards-warm")
    result = build(
        content, unused(work / "out-fill-cards"), OURS, **{CARD_CACHE: str(cache)}
    )
    label = f"{work.parent.name} {work.name} card cache filled (not in the table)"
    print(result.line(label), flush=True)
    return cache


def search_index_note(bundle: Path) -> str:
    """The size of the search index that a build of ours wrote."""
    from search.search import folder_bytes, index_bytes  # noqa: PLC0415

    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(language["page_count"] for language in entry["languages"].values())
    return (
        f"Search index of build (b): {pages:,} pages, index "
        f"{index_bytes(bundle) / 1024:,.0f} KB, whole bundle (with Pagefind's "
        f"scripts and WebAssembly) {folder_bytes(bundle) / 1024:,.0f} KB."
    )


def markdown_cpu(content: Path, settings_file: Path, runs: int) -> float:
    """Median CPU seconds to convert the posts and pages as a build with
    `settings_file` converts them.

    Pelican sets the build up (its plugins too: typography adds its
    extension) and its Markdown reader sets up Python-Markdown, once; the
    conversions alone are timed. Both plain Pelican and ours convert these
    files, so no build of the corpus can spend less on Markdown.
    """
    from markdown import Markdown  # noqa: PLC0415
    from pelican import Pelican  # noqa: PLC0415
    from pelican.readers import MarkdownReader  # noqa: PLC0415
    from pelican.settings import read_settings  # noqa: PLC0415

    settings = read_settings(str(settings_file), override={"PATH": str(content)})
    reader = MarkdownReader(Pelican(settings).settings)
    converter = Markdown(**reader.settings["MARKDOWN"])
    texts = [
        path.read_text(encoding="utf-8")
        for folder in ("posts", "pages")
        for path in sorted((content / folder).rglob("*.md"))
    ]
    seconds = []
    for _ in range(runs):
        started = time.process_time()
        for text in texts:
            converter.reset().convert(text)
        seconds.append(time.process_time() - started)
    return statistics.median(seconds)


def floor_note(plain: float, index: float, ours_md: float, plain_md: float) -> str:
    """What b/a at most 1 would leave for everything but Markdown and the index."""
    left = plain - ours_md - index
    rest = plain - plain_md
    return (
        f"What b/a ≤ 1 leaves: converting the posts and pages alone takes "
        f"{ours_md:.2f} s with our Markdown settings ({plain_md:.2f} s with "
        f"Pelican's), and the search index (b − s) {index:.2f} s; together "
        f"{(ours_md + index) / plain:.2f} of plain Pelican's whole build. "
        f"At b/a = 1, everything else ours does (start Python, read the "
        f"metadata, write every page, feed and card) would have {left:.2f} s, "
        f"where plain Pelican spends {rest:.2f} s on its share of that: "
        f"{left / rest:.2f} of it."
    )


def snapshot(folder: Path) -> dict[Path, int]:
    """Every file under `folder` with its modification time."""
    return {
        path: path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()
    }


# ---------------------------------------------------------------------------
# The report.
# ---------------------------------------------------------------------------


def median_seconds(builds: list[Build]) -> float:
    return statistics.median(b.seconds for b in builds)


def median_cpu(builds: list[Build]) -> float:
    return statistics.median(b.cpu_seconds for b in builds)


def median_peak(builds: list[Build]) -> float:
    return statistics.median(b.peak_mb for b in builds)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pelican  # noqa: PLC0415  (only for its version)

    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, "
        f"{platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, Pelican {pelican.__version__}"
    )


@dataclass
class Results:
    """Everything measured on one corpus."""

    name: str
    posts: int
    contenders: dict[str, Contender]
    builds: dict[str, list[Build]] = field(default_factory=dict)
    cache: dict[str, list[Build]] = field(default_factory=dict)
    large_posts: int = 0  # 0: no growth rows on this corpus
    large: dict[str, list[Build]] = field(default_factory=dict)
    instructions: dict[str, int] = field(default_factory=dict)  # by row, no index
    notes: list[str] = field(default_factory=list)


def report(r: Results) -> str:
    """One corpus's results as Markdown tables, ready for docs/benchmarks.md."""
    rows = [
        (contender.label, r.posts, r.builds[key])
        for key, contender in r.contenders.items()
    ]
    rows += [
        (r.contenders[key].label, r.large_posts, builds)
        for key, builds in r.large.items()
    ]
    rows += [
        ("(b) ours, content cache cold", r.posts, r.cache["cold"]),
        ("(b) ours, content cache warm", r.posts, r.cache["warm"]),
    ]
    lines = [
        f"### Corpus `{r.name}`: {CORPORA[r.name].description}",
        "",
        "| build | posts | runs | median CPU (s) | median wall (s) | peak MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {name} | {count:,} | {len(builds)} | {median_cpu(builds):.2f} | "
        f"{median_seconds(builds):.2f} | {median_peak(builds):.0f} |"
        for name, count, builds in rows
    ]

    # Ratios of CPU time: the wall time of a build on a shared machine
    # measures the neighbours as much as the build.
    def cpu(key: str) -> float:
        return median_cpu(r.builds[key])

    figures = [("time b/a", cpu("b") / cpu("a"), 1.0)]
    if r.large:
        figures.append(
            (
                f"time {r.large_posts:,} / {r.posts:,} posts (b)",
                median_cpu(r.large["b"]) / cpu("b"),
                1.1 * r.large_posts / r.posts,
            )
        )
    figures.append(
        (
            "time warm / cold content cache (b)",
            median_cpu(r.cache["warm"]) / median_cpu(r.cache["cold"]),
            0.5,
        )
    )
    figures.append(
        (
            "peak memory b/a",
            median_peak(r.builds["b"]) / median_peak(r.builds["a"]),
            2.0,
        )
    )
    if "n" in r.builds:
        figures.append(
            ("time b/n (what warm share cards add)", cpu("b") / cpu("n"), 1.05)
        )
    if r.instructions:
        figures.append(
            (
                "instructions b/n (warm share cards, without the index)",
                r.instructions["b"] / r.instructions["n"],
                1.05,
            )
        )
    if "s" in r.builds:
        figures.append(
            ("time b/s (what the search index adds)", cpu("b") / cpu("s"), 1.15)
        )

    def shown(name: str, value: float) -> str:
        # Counts are exact enough for a third decimal; times are not.
        return f"{value:.3f}" if name.startswith("instructions") else f"{value:.2f}"

    lines += ["", "| figure | measured | target | |", "| --- | ---: | ---: | --- |"]
    for name, value, target in figures:
        verdict = "met" if value <= target else "MISSED"
        lines.append(f"| {name} | {shown(name, value)} | ≤ {target:g} | {verdict} |")
    # Not targets: where the difference from plain Pelican comes from.
    information = [
        ("time b/m (ours against the same Markdown work)", cpu("b") / cpu("m")),
        ("time m/a (our Markdown settings alone)", cpu("m") / cpu("a")),
        ("time u/m (folder URLs alone)", cpu("u") / cpu("m")),
    ]
    if "c" in r.builds:
        information.append(
            ("time c/n (cold share cards: every card drawn)", cpu("c") / cpu("n"))
        )
    if "x" in r.builds:
        information.append(
            ("time x/a (ours without share cards and the index)", cpu("x") / cpu("a"))
        )
    if r.instructions:
        information.append(
            (
                "instructions b/a (ours without the index against plain Pelican)",
                r.instructions["b"] / r.instructions["a"],
            )
        )
    lines += [
        f"| {name} | {shown(name, value)} | no target | |"
        for name, value in information
    ]
    if r.instructions:
        lines += [
            "",
            "Instructions counted by valgrind (one build each; ours with the search "
            "index off): "
            + ", ".join(
                f"({key}) {count / 1e9:.2f} G" for key, count in r.instructions.items()
            )
            + ".",
        ]
    if r.notes:
        lines += ["", *r.notes]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The run.
# ---------------------------------------------------------------------------


def measure(
    name: str,
    work: Path,
    plain: dict[str, Contender],
    *,
    posts: int,
    runs: int,
    large_posts: int,
    large_runs: int,
) -> Results:
    """Every build of one corpus; the growth rows only when `large_posts`."""
    shape = CORPORA[name]
    cards = CARDS_PLUGIN in pelicanconf.PLUGINS
    print(f"Corpus {name!r}: {shape.description}")
    folder = work / name / f"{posts}"
    content = generate(folder, posts, shape)
    warm_cards = fill_card_cache(content, folder) if cards else None

    contenders = {**plain, "b": ours(warm_cards)}
    if cards:
        # Drawing every card costs the most, and (c) has no target: it runs
        # as often as the growth rows.
        contenders.update(card_contenders(cold_runs=large_runs))
    results = Results(name, posts, contenders)
    if SEARCH_PLUGIN in pelicanconf.PLUGINS:
        # As (b), without the Pagefind index that the search plugin writes
        # when the build is finalized.
        contenders["s"] = Contender(
            "(s) ours without the search index",
            OURS,
            {**contenders["b"].extra, "SEARCH_INDEX": False},
        )
        if cards:
            # Neither: what our theme and other plugins cost by themselves.
            contenders["x"] = Contender(
                f"(x) ours without {CARDS_PLUGIN} and the search index",
                OURS,
                {**contenders["n"].extra, "SEARCH_INDEX": False},
            )
    if not cards:
        results.notes.append(
            f"{CARDS_PLUGIN!r} is not in pelicanconf.PLUGINS: rows (c) and (n) "
            "and the share-card figures are left out."
        )
    card_caches = [warm_cards] if cards else []
    before = [snapshot(cache) for cache in card_caches]
    results.builds = race(content, folder, contenders, runs)
    if cards and shutil.which("valgrind"):
        # Ours without the index (valgrind does not follow Pagefind), and
        # plain Pelican at its defaults as it is in (a).
        print(
            f"  {name} {posts}: counting the instructions of (a), (b) and (n)",
            flush=True,
        )
        results.instructions = count_instructions(
            content,
            {
                key: (
                    unused(folder / f"out-{key}-instructions"),
                    contenders[key].settings,
                    {**contenders[key].extra, "SEARCH_INDEX": False}
                    if contenders[key].settings == OURS
                    else contenders[key].extra,
                )
                for key in ("a", "b", "n")
            },
        )
    elif cards:
        results.notes.append(
            "valgrind is not installed: no instruction counts (`make bench` "
            "installs it with apt where it can)."
        )
    if "s" in contenders:
        results.notes.append(search_index_note(folder / "out-b-1" / "pagefind"))
        print(f"  {name} {posts}: converting the Markdown alone", flush=True)
        results.notes.append(
            floor_note(
                median_cpu(results.builds["a"]),
                median_cpu(results.builds["b"]) - median_cpu(results.builds["s"]),
                markdown_cpu(content, OURS, runs),
                markdown_cpu(content, contenders["a"].settings, runs),
            )
        )
    if large_posts:
        large_folder = work / name / f"{large_posts}"
        large_content = generate(large_folder, large_posts, shape)
        large_cards = fill_card_cache(large_content, large_folder) if cards else None
        if cards:
            card_caches.append(large_cards)
            before.append(snapshot(large_cards))
        large_contenders = {"a": contenders["a"], "b": ours(large_cards)}
        results.large_posts = large_posts
        results.large = race(large_content, large_folder, large_contenders, large_runs)
    extra = {CARD_CACHE: str(warm_cards)} if cards else {}
    results.cache = cache_race(content, folder, runs, extra)
    # The warm rows mean something only if the cache was filled and they
    # drew no card.
    for cache, files in zip(card_caches, before, strict=True):
        after = snapshot(cache)
        written = sum(after.get(path) != mtime for path, mtime in files.items())
        written += len(after.keys() - files.keys())
        where = f"{cache.parent.parent.name} {cache.parent.name}"
        if not files:
            results.notes.append(
                f"WARNING: the card cache of {where} was empty after the build "
                f"that should have filled it: does {CARDS_PLUGIN} load and "
                f"cache cards in {CARD_CACHE}?"
            )
        elif written:
            results.notes.append(
                f"WARNING: {written} files of the warm card cache of {where} "
                "were written during warm builds: were cards drawn again?"
            )
    print()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--posts", type=int, default=1000, help="posts in each blog (1000)"
    )
    parser.add_argument("--runs", type=int, default=5, help="builds of each kind (5)")
    parser.add_argument(
        "--factor",
        type=int,
        default=4,
        help="growth size factor (4); 1 leaves the growth rows out",
    )
    parser.add_argument(
        "--corpus",
        choices=[*CORPORA, "all"],
        default="all",
        help="the corpus to build (all)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated blogs")
    args = parser.parse_args(argv)

    names = list(CORPORA) if args.corpus == "all" else [args.corpus]
    # The growth rows cost as much as all the rest: fewer runs, one corpus.
    large_posts = args.posts * args.factor if args.factor > 1 else 0
    large_runs = max(1, args.runs // 2)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="wyk-bench-"))
    print(f"Building in {work}")
    try:
        plain = plain_contenders(work)
        results = [
            measure(
                name,
                work,
                plain,
                posts=args.posts,
                runs=args.runs,
                large_posts=large_posts if index == 0 else 0,
                large_runs=large_runs,
            )
            for index, name in enumerate(names)
        ]
        for result in results:
            if not result.large:
                result.notes.append(
                    "No growth rows on this corpus: they run on the first only."
                    if large_posts
                    else "No growth rows: --factor 1."
                )
    except BuildFailedError as error:
        print(f"A build failed:\n{error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    for result in results:
        print(report(result), end="\n\n")
    minutes = (time.perf_counter() - started) / 60
    command = (
        f"python bench/bench.py --posts {args.posts} --runs {args.runs} "
        f"--factor {args.factor} --corpus {args.corpus}"
    )
    halves = []
    if large_posts:
        halves.append(f"the {large_posts:,}-post rows (corpus `{names[0]}` only)")
    if CARDS_PLUGIN in pelicanconf.PLUGINS:
        halves.append("row (c)")
    times = "once" if large_runs == 1 else f"{large_runs} times each"
    fewer = f"; {' and '.join(halves)} {times}" if halves else ""
    print(
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()};\n"
        f"`{command}` ({minutes:.1f} min{fewer})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
