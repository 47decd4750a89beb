"""Benchmark the build, for decisions (`make bench`; see docs/benchmarks.md).

Generates a synthetic blog (POSTS posts, 20 stored replies each) in a
temporary folder, builds it in fresh `python -m pelican` processes, rows
interleaved run by run, and prints medians of CPU time (steadier than wall
time on a shared machine):

1. save-to-screen in the preview (bench/preview.py);
2. the cold build, ours against plain Pelican at its defaults (no target),
   and what ours spends on Markdown, the search index and share cards;
3. growth: ours at 4 x POSTS / POSTS (target <= 4.4);
4. a build with Pelican's content cache warm / cold (target <= 0.5);
5. peak memory (the child's ru_maxrss);
6. rebuilds into the same folder (nothing changed; one post edited), and
   for each speed-only plugin a cold build and both rebuilds with and
   without it (it stays only while it saves >= 5% of one of them);
7. what social_replies adds to the cold build (target <= 5%).

    python bench/bench.py --posts 1000 --runs 3
    python bench/bench.py --posts 200 --runs 1 --no-preview --no-growth
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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
sys.path[:0] = [str(ROOT)]

import pelicanconf  # noqa: E402

OURS = ROOT / "pelicanconf.py"
# Plugins that exist only for speed: each stays only while its row shows
# it saving at least 5% of a cold build or of a rebuild.
SPEED_PLUGINS: tuple[str, ...] = ()  # none left since 2026-12-06
REPLIES = "social_replies"
VOCABULARY = (
    "network contact referral career business introduction meeting coffee "
    "colleague customer supplier partner mentor alumni conference follow-up "
    "trust favour reputation profile message community group event idea "
    "problem opportunity project team industry sector market recommendation"
)
WORDS = VOCABULARY.split()
KINDS = ("tips", "stories", "guide", "mistakes", "basics", "research")
# "series" is this site's shape (long posts, 40% in series, 2 to 4 of 40
# tags); "tags" weighs listings more (short posts, 4 to 8 of 198 tags).
SHAPES = {
    "series": {"series": 0.4, "parts": (2, 12), "tags": (20, 2), "per_post": (2, 4)},
    "tags": {"series": 0.1, "parts": (2, 4), "tags": (33, 6), "per_post": (4, 8)},
}


def sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def body(rng: random.Random, sections: int, number: int) -> str:
    """Markdown like the real posts: sections, a list, a quote, links."""
    parts = [paragraph(rng)]
    for section in range(1, sections + 1):
        parts += [f"## Section {section}: {sentence(rng, 4)[:-1]}", paragraph(rng)]
        parts.append(f"See [part {section}](https://example.org/{section}/).")
    parts.append("\n".join(f"- **{word}**: {sentence(rng, 8)}" for word in WORDS[:3]))
    parts.append(f"> {sentence(rng)}")
    if number % 10 == 0:
        items = "\n".join(f"- [ ] {w} {{#item-{i}}}" for i, w in enumerate(WORDS[:6]))
        parts.append(f"::: checklist\nid: audit-{number}\ntitle: Yours\n\n{items}\n:::")
    return "\n\n".join(parts)


def replies(rng: random.Random, slug: str, count: int) -> dict:
    """A post's stored replies (format 1 of plugins/social_replies/store.py):
    `count` replies over the three sources, every third one nested."""
    sources = {name: {"fetched": "2025-04-01T00:00:00+00:00", "items": []}
               for name in ("webmention", "mastodon", "bluesky")}  # fmt: skip
    last = None
    for number in range(count):
        source, reader = list(sources)[number % 3], rng.randint(1, 300)
        html, text = f"<p>{sentence(rng)}</p>", sentence(rng)
        author = {"name": f"Reader {reader}", "avatar": None, "avatar_source": None}
        author["url"] = f"https://social.example/@reader{reader}"
        item = {
            "id": f"{slug}-{number}",
            "kind": "reply",
            "url": f"https://social.example/{source}/{slug}/{number}",
            "aliases": [],
            "in_reply_to": last if number % 3 == 2 else None,
            "published": f"2025-03-{number % 28 + 1:02d}T10:{number:02d}:00+00:00",
            "author": author,
            "html": None if source == "bluesky" else html,
            "text": text if source == "bluesky" else None,
        }
        item |= {"facets": []} if source == "bluesky" else {}
        item |= {"visibility": "public"} if source == "mastodon" else {}
        sources[source]["items"].append(item)
        last = item["url"]
    target = f"https://whoyouknow.example/posts/{slug}/"
    return {"format": 1, "post": f"posts/{slug}.md", "target": target,
            "sources": sources}  # fmt: skip


def generate(root: Path, posts: int, shape: str, reply_count: int) -> Path:
    """Write a blog of `posts` posts under `root`; returns its content folder."""
    rng, form = random.Random(2026), SHAPES[shape]
    content = root / "content"
    for folder in ("posts", "pages", "authors", "series", "replies"):
        (content / folder).mkdir(parents=True, exist_ok=True)
    authors = [f"Author {i:02d}" for i in range(max(4, posts // 50))]
    for name in authors:
        (content / "authors" / f"{name.lower().replace(' ', '-')}.md").write_text(
            f"Name: {name}\nRole: Guest\nShort_bio: {sentence(rng, 10)}\n\n"
            f"{paragraph(rng)}\n",
            encoding="utf-8",
        )
    words, kinds = form["tags"]
    tags = [f"{word}-{kind}" for word in WORDS[:words] for kind in KINDS[:kinds]]
    plan: list = [None] * posts  # (series, part) of each post, or None
    cursor, number = 0, 0
    while cursor < posts * form["series"]:
        number += 1
        name = f"Series {number}: {sentence(rng, 3)[:-1]}"
        for index in range(1, rng.randint(*form["parts"]) + 1):
            if cursor < posts:
                plan[cursor] = (name, index)
            cursor += 1
        (content / "series" / f"series-{number}.md").write_text(
            f"Title: {name}\nSummary: {sentence(rng, 10)}\n\n{paragraph(rng)}\n",
            encoding="utf-8",
        )
    rng.shuffle(plan)
    start = dt.datetime(2020, 1, 1, 9, 0)
    for number in range(posts):
        slug = f"post-{number}"
        header = (
            f"Title: Post {number}: {sentence(rng, 6)[:-1]}\n"
            f"Date: {start + dt.timedelta(hours=31 * number):%Y-%m-%d %H:%M}\n"
            f"Slug: {slug}\nCategory: {rng.choice(WORDS[:5]).title()}\n"
            f"Tags: {', '.join(rng.sample(tags, rng.randint(*form['per_post'])))}\n"
            f"Authors: {', '.join(rng.sample(authors, 1 + (number % 5 == 0)))}\n"
            f"Summary: {sentence(rng, 20)}\n"
        )
        if plan[number]:
            header += f"Series: {plan[number][0]}\nSeries_index: {plan[number][1]}\n"
        sections = rng.randint(3, 5) if shape == "series" else rng.randint(1, 2)
        text = f"{header}\n{body(rng, sections, number)}\n"
        (content / "posts" / f"{slug}.md").write_text(text, encoding="utf-8")
        if reply_count:
            stored = json.dumps(replies(rng, slug, reply_count), indent=1)
            (content / "replies" / f"{slug}.json").write_text(stored, "utf-8")
    (content / "pages" / "about.md").write_text(
        f"Title: About\nSlug: about\n\n{paragraph(rng)}\n", encoding="utf-8"
    )
    return content


@dataclass
class Build:
    cpu: float  # user + system seconds of the build and its children (Pagefind)
    peak_mb: float


class BuildFailedError(RuntimeError):
    """A Pelican build exited with an error; the benchmark means nothing then."""


def build(content: Path, output: Path, settings: Path = OURS, **extra) -> Build:
    """One build in a fresh process; `extra` settings are given with `-e`."""
    command = [sys.executable, "-m", "pelican", str(content), "-o", str(output)]
    command += ["-s", str(settings), "-q"]
    if extra:
        command += ["-e", *(f"{k}={json.dumps(v)}" for k, v in extra.items())]
    with tempfile.TemporaryFile() as log:
        child = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log)
        _pid, status, usage = os.wait4(child.pid, 0)  # the child's own usage
        if os.waitstatus_to_exitcode(status) != 0:
            log.seek(0)
            raise BuildFailedError(log.read().decode("utf-8", "replace")[-3000:])
    return Build(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def cpu(builds: list[Build]) -> float:
    return statistics.median(b.cpu for b in builds)


def peak(builds: list[Build]) -> float:
    return max(b.peak_mb for b in builds)


class Bench:
    """The builds of one blog. A cold build gets new folders: deleting one
    just before a build would be timed with it."""

    def __init__(self, work: Path, args):
        self.work, self.args = work, args
        self.plugins = list(pelicanconf.PLUGINS)
        self.plugins += [] if REPLIES in self.plugins else [REPLIES]
        self.content = generate(work / "blog", args.posts, args.shape, args.replies)
        # The card cache, filled by a first build as the real cache/ is.
        self.cards = str(work / "cards")
        self.first = self.ours(work / "fill", SEARCH_CACHE_PATH=f"{work}/fill-search")

    def without(self, name: str) -> dict:
        return {"PLUGINS": [plugin for plugin in self.plugins if plugin != name]}

    def ours(self, output: Path, **extra) -> Build:
        extra = {"PLUGINS": self.plugins, "SHARE_CARDS_CACHE_PATH": self.cards} | extra
        return build(self.content, output, **extra)

    def race(self, kind: str, rows: dict[str, dict], folder) -> dict[str, list]:
        """Every row once a run, in turn, into `folder(row, run)` (its search
        cache beside it). A rebuild builds into the same folder again: a
        first, untimed run fills it; an "edited" run first edits a post."""
        rebuild = kind != "cold"
        times: dict[str, list[Build]] = {row: [] for row in rows}
        for run in range(self.args.runs + rebuild):
            if "edited" in kind:
                with (self.content / "posts" / "post-7.md").open("a") as post:
                    post.write(f"\nEdited, {run}.\n")
            for row, extra in rows.items():
                out = folder(row, run)
                search = str(out.with_name(f"{out.name}-search"))
                times[row].append(self.ours(out, SEARCH_CACHE_PATH=search, **extra))
            done = ", ".join(f"{row} {b[-1].cpu:.1f}" for row, b in times.items())
            print(f"  {kind} {run}, CPU s: {done}", flush=True)
        return {row: builds[rebuild:] for row, builds in times.items()}

    def plain(self) -> dict:
        """Plain Pelican: its defaults, and what pelican-quickstart asks for."""
        plain = self.work / "plain_pelicanconf.py"
        plain.write_text(
            f"AUTHOR = {pelicanconf.AUTHOR!r}\nSITENAME = {pelicanconf.SITENAME!r}\n"
            f"TIMEZONE = {pelicanconf.TIMEZONE!r}\nDEFAULT_PAGINATION = 10\n"
            "ARTICLE_PATHS = ['posts']\nPAGE_PATHS = ['pages']\nPLUGINS = []\n",
            encoding="utf-8",
        )
        return {"settings": plain, "PLUGINS": []}

    def content_cache(self) -> dict[str, list[Build]]:
        """Ours with the content cache: cold (empty), then warm into the same
        folder; both caches in CACHE_PATH (content, search) cold, then warm."""
        times: dict[str, list[Build]] = {"cold": [], "warm": []}
        for run in range(self.args.runs):
            cache = {"CACHE_CONTENT": True, "CACHE_PATH": str(self.work / f"cc-{run}")}
            for name, builds in times.items():
                load = name == "warm"
                out = self.work / f"cc-out-{run}"
                builds.append(self.ours(out, LOAD_CONTENT_CACHE=load, **cache))
        return times

    def growth(self) -> list[Build]:
        """Ours on a blog four times the size, half as many runs (the longest)."""
        args, folder = self.args, self.work / "large"
        content = generate(folder, 4 * args.posts, args.shape, args.replies)
        extra = {"PLUGINS": self.plugins, "SHARE_CARDS_CACHE_PATH": f"{folder}/c"}
        build(content, folder / "fill", SEARCH_CACHE_PATH=f"{folder}/s", **extra)
        return [
            build(
                content,
                folder / f"{run}",
                SEARCH_CACHE_PATH=f"{folder}/s{run}",
                **extra,
            )
            for run in range(max(1, args.runs // 2))
        ]

    def markdown(self) -> float:
        """CPU seconds to convert the posts alone with our Markdown, set up by
        Pelican (plugins such as typography add their extensions)."""
        from markdown import Markdown  # noqa: PLC0415
        from pelican import Pelican  # noqa: PLC0415
        from pelican.readers import MarkdownReader  # noqa: PLC0415
        from pelican.settings import read_settings  # noqa: PLC0415

        settings = read_settings(str(OURS), override={"PATH": str(self.content)})
        reader = MarkdownReader(Pelican(settings).settings)
        converter = Markdown(**reader.settings["MARKDOWN"])
        texts = [p.read_text("utf-8") for p in (self.content / "posts").glob("*.md")]
        started = time.process_time()
        for text in texts:
            converter.reset().convert(text)
        return time.process_time() - started


def preview_lines(posts: int, edits: int) -> list[str]:
    """Save-to-screen in a real browser, from bench/preview.py when it is
    there (0 posts: this site's own content/)."""
    try:
        from preview import measure  # noqa: PLC0415  (bench/preview.py)
    except ImportError as error:
        return [f"save-to-screen: not measured ({error})"]
    lines = []
    for count, target, where in (
        (0, 150, "this site"),
        (posts, 300, f"{posts:,} posts"),
    ):
        ms = measure(count, edits)
        lines.append(
            f"save-to-screen, {where}, {edits} edits: median {ms['median']:.0f} ms "
            f"(target <= {target}), p95 {ms['p95']:.0f} ms (target <= 2 x median); "
            f"seen by Playwright after {ms['observed_median']:.0f} ms (median)"
        )
    return lines


def saving(base: list[Build], without_it: list[Build]) -> str:
    """What a plugin saves: the median over runs of 1 - with / without, each
    run's pair built one after the other (a drift in load hits both)."""
    pairs = zip(base, without_it, strict=True)
    saved = statistics.median(1 - w.cpu / wo.cpu for w, wo in pairs)
    return f"{cpu(without_it):.2f} -> {cpu(base):.2f} s, {saved:+.1%} saved"


def report(bench: Bench) -> list[str]:
    """Measure everything (in this order) and say it, a figure a line."""
    args, work = bench.args, bench.work
    speed = {"ours": {}} | {f"no {p}": bench.without(p) for p in SPEED_PLUGINS}
    rows = {"plain": bench.plain(), **speed, "no index": {"SEARCH_INDEX": False}}
    rows |= {
        "no cards": bench.without("share_cards"),
        "no replies": bench.without(REPLIES),
    }
    times = bench.race("cold", rows, lambda row, run: work / f"{row}-{run}")
    rebuilt = {  # make html again, into the same folder as before
        kind: bench.race(kind, speed, lambda row, run: work / f"again-{row}")
        for kind in ("rebuild, nothing changed", "rebuild, one post edited")
    }
    cached, markdown = bench.content_cache(), bench.markdown()
    large = [] if args.no_growth else bench.growth()
    ours, plain = cpu(times["ours"]), cpu(times["plain"])
    index, cards = ours - cpu(times["no index"]), ours - cpu(times["no cards"])
    drawing = bench.first.cpu - ours
    lines = [
        (
            f"cold build, {args.posts:,} posts ({args.shape}), {args.replies} "
            f"replies each, median of {args.runs}: ours {ours:.2f} s CPU, plain "
            f"Pelican {plain:.2f} s ({ours / plain:.2f}x; no target)"
        ),
        (
            f"  in ours: Markdown {markdown:.2f} s (the posts converted alone), "
            f"search index {index:.2f} s, share cards {cards:.2f} s (cache warm; "
            f"drawing every card {drawing:.2f} s more, one build)"
        ),
    ]
    if large:
        growth = cpu(large) / ours
        lines.append(f"growth, 4x the posts: {growth:.2f} (target <= 4.4)")
    warm = cpu(cached["warm"]) / cpu(cached["cold"])
    lines.append(f"content cache, warm / cold: {warm:.2f} (target <= 0.5)")
    memory = f"peak memory: ours {peak(times['ours']):.0f} MB"
    memory += f" ({peak(large):.0f} MB at 4x)" if large else ""
    lines.append(f"{memory}, plain Pelican {peak(times['plain']):.0f} MB")
    for kind, builds in rebuilt.items():
        lines.append(f"{kind}: ours {cpu(builds['ours']):.2f} s")
    for name in SPEED_PLUGINS:
        savings = [f"cold {saving(times['ours'], times[f'no {name}'])}"]
        savings += [
            f"{kind} {saving(builds['ours'], builds[f'no {name}'])}"
            for kind, builds in rebuilt.items()
        ]
        lines.append(f"{name} (kept if >= 5% of one): " + "; ".join(savings))
    added = ours / cpu(times["no replies"]) - 1
    lines.append(
        f"{REPLIES}, {args.replies} replies a post: {added:+.1%} (target <= 5%)"
    )
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="builds of each kind")
    parser.add_argument("--shape", choices=SHAPES, default="series")
    parser.add_argument("--replies", type=int, default=20, help="stored per post")
    parser.add_argument("--edits", type=int, default=8, help="saves in the preview")
    parser.add_argument("--no-preview", action="store_true")
    parser.add_argument("--no-growth", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    lines = [] if args.no_preview else preview_lines(args.posts, args.edits)
    work = Path(tempfile.mkdtemp(prefix="wyk-bench-"))
    print(f"Building in {work}", flush=True)
    try:
        lines += report(Bench(work, args))
    except BuildFailedError as error:
        print(f"A build failed:\n{error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    minutes = (time.perf_counter() - started) / 60
    print("\n" + "\n".join(lines))
    print(f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {minutes:.0f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
