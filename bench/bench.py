"""Benchmark the site's build against plain Pelican (`make bench`).

Generates a synthetic blog outside the repository (a temporary folder):
series of varying length with intros and announced parts, co-authors with
profiles, tags, and a checklist in about one post in ten. Then it builds it

  (a) with plain Pelican: default theme, no plugins, Pelican's default
      (flat) URLs; only our Markdown settings, timezone and page size, so
      both do the same Markdown work;
  (a2) plain Pelican again with our folder-per-page URLs: not a target,
      it shows what that URL scheme costs by itself;
  (b) with our pelicanconf.py: our theme and plugins;

alternately, each build in a fresh `python -m pelican` process, and prints
a table: median CPU time, wall time and peak memory (the child's ru_maxrss)
of each, the ratio b/a, the same at four times the size (how cost grows),
and a warm rebuild with Pelican's content cache against a cold one.

    python bench/bench.py --posts 1000 --runs 5
    python bench/bench.py --posts 200 --runs 1      # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pelicanconf  # noqa: E402  (the Markdown settings plain Pelican shares)

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
TAGS = [f"{word}-{kind}" for word in WORDS[:20] for kind in ("tips", "stories")]
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
# The synthetic blog.
# ---------------------------------------------------------------------------


def _sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def _body(rng: random.Random, number: int, checklist: bool) -> str:
    """About 5 KB of Markdown, like the real posts: sections, lists, links."""
    parts = [_paragraph(rng)]
    for section in range(1, rng.randint(4, 6)):
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


def generate(root: Path, posts: int, seed: int = 2026) -> Path:
    """Write a blog of `posts` posts under `root`; returns its content folder."""
    rng = random.Random(seed)
    content = root / "content"
    for folder in ("posts", "pages", "authors", "series"):
        (content / folder).mkdir(parents=True, exist_ok=True)

    authors = [f"Author {chr(65 + i % 26)}{i:02d}" for i in range(max(4, posts // 50))]
    for number, name in enumerate(authors):
        slug = name.lower().replace(" ", "-")
        (content / "authors" / f"{slug}.md").write_text(
            f"Name: {name}\nRole: Guest author\nTwitter: @bench_author{number}\n"
            f"Short_bio: {_sentence(rng, 10)}\n\n"
            f"{_paragraph(rng)}\n\n{_paragraph(rng)}\n",
            encoding="utf-8",
        )

    # About 40% of posts are parts of a series of 2 to 12 parts; half the
    # series end with an announced (draft) part.
    plan: list[tuple[str, int, bool] | None] = [None] * posts
    cursor, series_number = 0, 0
    while cursor < posts * 0.4:
        length = rng.randint(2, 12)
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
        byline = rng.sample(authors, 2 if rng.random() < 0.2 else 1)
        meta = {
            "Title": f"Post {number}: {_sentence(rng, 6)[:-1]}",
            "Date": date.strftime("%Y-%m-%d %H:%M"),
            "Slug": f"post-{number}",
            "Category": rng.choice(CATEGORIES),
            "Tags": ", ".join(rng.sample(TAGS, rng.randint(2, 4))),
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
        body = _body(rng, number, checklist=number % 10 == 0)
        (content / "posts" / f"post-{number}.md").write_text(
            f"{header}\n\n{body}\n", encoding="utf-8"
        )

    (content / "pages" / "about.md").write_text(
        f"Title: About\nSlug: about\n\n{_paragraph(rng)}\n", encoding="utf-8"
    )
    return content


def url_settings() -> dict:
    """Our URL scheme: every *_URL and *_SAVE_AS setting, and the pagination."""
    names = [
        name
        for name in vars(pelicanconf)
        if name.endswith(("_URL", "_SAVE_AS")) and name != "SITEURL"
    ]
    names.append("PAGINATION_PATTERNS")
    return {name: getattr(pelicanconf, name) for name in sorted(names)}


def write_plain_settings(root: Path, *, our_urls: bool) -> Path:
    """Settings for plain Pelican: defaults, our Markdown, no plugins."""
    settings = root / f"plain_{'our_urls' if our_urls else 'flat'}_pelicanconf.py"
    text = (
        "# Plain Pelican: default theme and settings, no plugins; only the\n"
        "# Markdown settings, timezone and page size are ours, for a fair race.\n"
        f"AUTHOR = {pelicanconf.AUTHOR!r}\n"
        f"SITENAME = {pelicanconf.SITENAME!r}\n"
        f"TIMEZONE = {pelicanconf.TIMEZONE!r}\n"
        "ARTICLE_PATHS = ['posts']\n"
        "PAGE_PATHS = ['pages']\n"
        f"DEFAULT_PAGINATION = {pelicanconf.DEFAULT_PAGINATION!r}\n"
        f"MARKDOWN = {pelicanconf.MARKDOWN!r}\n"
        "# None would load every installed namespace plugin (the sitemap).\n"
        "PLUGINS = []\n"
    )
    if our_urls:
        text += "# Our URL scheme: the same tree of folders as ours.\n"
        for name, value in url_settings().items():
            text += f"{name} = {value!r}\n"
    settings.write_text(text, encoding="utf-8")
    return settings


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


def build(content: Path, output: Path, settings: Path, **extra) -> Build:
    """Run one Pelican build in a child process; its wall time and peak memory."""
    command = [sys.executable, "-m", "pelican", str(content), "-o", str(output)]
    command += ["-s", str(settings), "-q"]
    if extra:
        command += [
            "-e",
            *(f"{key}={json.dumps(value)}" for key, value in extra.items()),
        ]
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
    content: Path, work: Path, contenders: dict[str, Path], runs: int
) -> dict[str, list[Build]]:
    """The contenders, in turn, `runs` times each, into fresh output folders."""
    results: dict[str, list[Build]] = {name: [] for name in contenders}
    for run in range(runs):
        for name, settings in contenders.items():
            output = unused(work / f"out-{name}-{run + 1}")
            result = build(content, output, settings)
            results[name].append(result)
            print(
                result.line(f"{content.parent.name} {name} run {run + 1}"), flush=True
            )
    return results


def cache_race(content: Path, work: Path, runs: int) -> dict[str, list[Build]]:
    """Ours with the content cache: a cold build (empty cache), then a warm rebuild."""
    results: dict[str, list[Build]] = {"cold": [], "warm": []}
    settings = ROOT / "pelicanconf.py"
    for run in range(runs):
        cache = unused(work / f"cache-{run + 1}")
        output = unused(work / f"out-cache-{run + 1}")
        common = {"CACHE_CONTENT": True, "CACHE_PATH": str(cache)}
        for name, load in (("cold", False), ("warm", True)):
            result = build(content, output, settings, LOAD_CONTENT_CACHE=load, **common)
            results[name].append(result)
            print(result.line(f"cache {name} run {run + 1}"), flush=True)
    return results


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


def report(*, posts: int, factor: int, runs: int, small, large, cache) -> str:
    """The results as Markdown tables, ready for docs/benchmarks.md."""
    rows = [
        ("(a) plain Pelican", posts, small["plain"]),
        ("(a2) plain Pelican, our folder URLs", posts, small["plain_our_urls"]),
        ("(b) ours", posts, small["ours"]),
        ("(a) plain Pelican", posts * factor, large["plain"]),
        ("(b) ours", posts * factor, large["ours"]),
        ("(b) ours, content cache cold", posts, cache["cold"]),
        ("(b) ours, content cache warm", posts, cache["warm"]),
    ]
    lines = [
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
    figures = [
        ("time b/a", median_cpu(small["ours"]) / median_cpu(small["plain"]), 1.0),
        (
            f"time {posts * factor:,} / {posts:,} posts (b)",
            median_cpu(large["ours"]) / median_cpu(small["ours"]),
            1.1 * factor,
        ),
        (
            "time warm / cold (b)",
            median_cpu(cache["warm"]) / median_cpu(cache["cold"]),
            0.5,
        ),
        (
            "peak memory b/a",
            median_peak(small["ours"]) / median_peak(small["plain"]),
            2.0,
        ),
    ]
    lines += ["", "| figure | measured | target | |", "| --- | ---: | ---: | --- |"]
    for name, value, target in figures:
        verdict = "met" if value <= target else "MISSED"
        lines.append(f"| {name} | {value:.2f} | ≤ {target:g} | {verdict} |")
    # Not a target: what the folder-per-page URLs themselves cost here.
    folders = median_cpu(small["plain_our_urls"]) / median_cpu(small["plain"])
    lines.append(f"| time a2/a (folder URLs alone; no target) | {folders:.2f} | | |")
    lines += [
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()};",
        f"`python bench/bench.py --posts {posts} --runs {runs} --factor {factor}`.",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--posts", type=int, default=1000, help="posts in the blog (1000)"
    )
    parser.add_argument("--runs", type=int, default=5, help="builds of each kind (5)")
    parser.add_argument("--factor", type=int, default=4, help="growth size factor (4)")
    parser.add_argument("--keep", action="store_true", help="keep the generated blogs")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="wyk-bench-"))
    try:
        ours = ROOT / "pelicanconf.py"
        plain = write_plain_settings(work, our_urls=False)
        plain_our_urls = write_plain_settings(work, our_urls=True)
        print(
            f"Generating {args.posts:,} and {args.posts * args.factor:,} posts "
            f"in {work}"
        )
        small_content = generate(work / "small", args.posts)
        large_content = generate(work / "large", args.posts * args.factor)
        print("Plain Pelican (a, a2) against ours (b), in turn:")
        small = race(
            small_content,
            work / "small",
            {"plain": plain, "plain_our_urls": plain_our_urls, "ours": ours},
            args.runs,
        )
        large_runs = max(1, args.runs // 2)
        large = race(
            large_content, work / "large", {"plain": plain, "ours": ours}, large_runs
        )
        print("Content cache, cold then warm:")
        cache = cache_race(small_content, work / "small", args.runs)
        print()
        print(
            report(
                posts=args.posts,
                factor=args.factor,
                runs=args.runs,
                small=small,
                large=large,
                cache=cache,
            )
        )
    except BuildFailedError as error:
        print(f"A build failed:\n{error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
