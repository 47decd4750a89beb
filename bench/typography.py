"""Time Markdown conversion with no typography, with smarty and with ours.

    .venv/bin/python bench/typography.py [--posts 1000] [--runs 5]

Converts a synthetic corpus (posts of about 5 KB of prose with apostrophes,
quotes, dashes and ellipses, headings, lists, links and code) and the real
content/ (repeated to a similar size) with the site's MARKDOWN setting and
the checklist extension, one reused Markdown instance per contender, as the
site's reader does. Prints the best of `runs` for each, and the time spent
in the typography tree processor itself (steadier on a busy machine). Not a
test.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

from markdown import Markdown  # noqa: E402
from network_checklist.extension import ChecklistExtension  # noqa: E402
from typography import TypographyExtension  # noqa: E402

import pelicanconf  # noqa: E402
from bench import WORDS  # noqa: E402  (bench/bench.py: the same words)

FLOURISHES = [
    "it's {w}",
    "don't {w}",
    "the {w}'s {w}",
    '"{w} {w}"',
    "'{w}'",
    "{w} -- {w}",
    "{w} --- {w}",
    "{w}...",
    "the '90s",
    "*{w}*",
    "[{w}](https://example.com/{w})",
    "`{w}`",
]


def synthetic_post(rng: random.Random) -> str:
    """About 5 KB of Markdown prose."""

    def sentence() -> str:
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
        for _ in range(rng.randint(0, 2)):
            flourish = rng.choice(FLOURISHES).format(w=rng.choice(WORDS))
            words.insert(rng.randrange(len(words)), flourish)
        return " ".join(words).capitalize() + "."

    parts = []
    for section in range(rng.randint(3, 5)):
        parts.append(f'## Section {section}: it\'s "{rng.choice(WORDS)}"')
        for _ in range(rng.randint(2, 4)):
            parts.append(" ".join(sentence() for _ in range(rng.randint(3, 6))))
        parts.append("\n".join(f"- {sentence()}" for _ in range(3)))
    return "\n\n".join(parts)


def site_markdown(typography) -> Markdown:
    markdown = pelicanconf.MARKDOWN
    extensions = [*markdown["extension_configs"], ChecklistExtension()]
    if typography is not None:
        extensions.append(typography)
    return Markdown(**{**markdown, "extensions": extensions})


def best_time(md: Markdown, sources: list[str], runs: int) -> tuple[float, float]:
    """The best CPU time of `runs` conversions of `sources`, and of that the
    time spent in the typography tree processor (smarty's or ours)."""
    name = next((n for n in ("smarty", "typography") if n in md.treeprocessors), None)
    spent = [0.0]
    if name:
        processor = md.treeprocessors[name]
        run = processor.run

        def timed_run(*args):
            started = time.process_time()
            result = run(*args)
            spent[0] += time.process_time() - started
            return result

        processor.run = timed_run
    best = (float("inf"), 0.0)
    for _ in range(runs):
        spent[0] = 0.0
        started = time.process_time()
        for source in sources:
            md.reset()
            md.convert(source)
        best = min(best, (time.process_time() - started, spent[0]))
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(2026)
    real = [p.read_text(encoding="utf-8") for p in (ROOT / "content").rglob("*.md")]
    corpora = {
        f"synthetic, {args.posts} posts": [
            synthetic_post(rng) for _ in range(args.posts)
        ],
        "content/ repeated to the same size": real
        * (args.posts * 5000 // sum(map(len, real)) or 1),
    }
    contenders = {
        "none": None,
        "smarty": "markdown.extensions.smarty",
        "ours": TypographyExtension(),
    }
    for name, sources in corpora.items():
        print(f"{name} ({sum(map(len, sources)) / 1e6:.1f} MB):")
        times = {
            contender: best_time(site_markdown(typography), sources, args.runs)
            for contender, typography in contenders.items()
        }
        for contender, (seconds, processor) in times.items():
            extra = seconds / times["none"][0] - 1
            print(
                f"  {contender:7} {seconds:6.2f} s CPU ({extra:+.0%} over none),"
                f" {processor:5.2f} s in its tree processor"
            )


if __name__ == "__main__":
    main()
