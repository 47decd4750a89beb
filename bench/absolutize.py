"""Time the feeds' link absolutizer on broken tags, at two sizes.

    .venv/bin/python bench/absolutize.py [--repeats 4000] [--runs 5]

`absolutize()` finds start tags with a regex; an unclosed tag must cost no
more than the text up to the next `<`, or a post with a stray `<a href=x`
would make the tag regex backtrack over the rest of it. This times two
broken fragments at `repeats` and four times as many, best of `runs`: a
linear regex takes about four times as long, a backtracking one far more.
Not a test: a stopwatch in a test fails on a busy machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

from feeds.entries import absolutize  # noqa: E402

BASE = "https://whoyouknow.example/posts/p/"
BROKEN = {
    "unclosed tags": lambda n: "<a href=x " * n,
    "unclosed quotes": lambda n: '<img src="' * n + '">',
}


def best(fragment: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        absolutize(fragment, BASE)
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    for name, make in BROKEN.items():
        small = best(make(args.repeats), args.runs)
        large = best(make(4 * args.repeats), args.runs)
        print(
            f"{name}: {small * 1000:.1f} ms at {args.repeats}, "
            f"{large * 1000:.1f} ms at {4 * args.repeats} "
            f"({large / small:.1f}x; linear is 4x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
