"""The GitHub Actions workflows: read back, audited, and their commands run.

Every workflow is parsed with PyYAML and its structure checked (what may
write, what may deploy or publish, what a pull request can reach); zizmor,
the static security analyser for GitHub Actions, finds nothing in them; and
every command a `run:` step gives (a make target, a tools/ script) exists
here and runs (`make -n`, `--help`). tests/workflows/test_pr_summary.py
runs the pull-request summary step itself.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ZIZMOR = Path(sys.executable).with_name("zizmor")

# The commit each pinned release tag points to, read from the action's own
# repository (a clone with its tags: `git rev-parse <tag>^{commit}`, the
# peeled commit for an annotated tag) on 2026-12-06. Each tag was also the
# commit of its major tag then (v4, v5...). A workflow may use only these:
# moving to another release means reading its commit the same way and
# writing it here.
VERIFIED_PINS = {
    ("actions/checkout", "v4.4.0"): "11d5960a326750d5838078e36cf38b85af677262",
    ("actions/setup-python", "v5.6.0"): "a26af69be951a213d495a4c3e4e4022e16d87065",
    (
        "actions/upload-pages-artifact",
        "v3.0.1",
    ): "56afc609e74202658d3ffba0e8f6dda462b719fa",
    ("actions/deploy-pages", "v4.0.5"): "d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e",
    ("actions/upload-artifact", "v4.6.2"): "ea165f8d65b6e75b540449e92b4886f43607fa02",
    (
        "actions/download-artifact",
        "v4.3.0",
    ): "d3f86a106a0bac45b974a628896c90dbdf5c8093",
}
USES_LINE = re.compile(
    r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w.-]+)@(?P<sha>\S+)"
    r"(?:\s+#\s+(?P<tag>\S+))?\s*$"
)


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the key `on` as True.
    on = workflow.get("on", workflow.get(True))
    return {on: None} if isinstance(on, str) else on


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.y*ml"))


def steps(workflow: dict):
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, step


def test_the_workflows_are_there():
    assert {path.name for path in workflow_files()} >= {
        "deploy.yml",
        "pr.yml",
        "release.yml",
    }


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_every_action_is_pinned_to_the_commit_of_its_release_tag(path):
    text = path.read_text(encoding="utf-8")
    uses_lines = [line for line in text.splitlines() if "uses:" in line]
    assert uses_lines
    for line in uses_lines:
        match = USES_LINE.match(line)
        assert match, f"{path.name}: cannot read {line.strip()!r}"
        action, sha, tag = match["action"], match["sha"], match["tag"]
        assert re.fullmatch(r"[0-9a-f]{40}", sha), f"{line.strip()}: not a SHA"
        assert tag and re.fullmatch(r"v\d+\.\d+\.\d+", tag), (
            f"{line.strip()}: no `# vX.Y.Z` comment naming the release"
        )
        assert VERIFIED_PINS.get((action, tag)) == sha, (
            f"{line.strip()}: not the commit read from {action}'s repository "
            "for that tag (see VERIFIED_PINS)"
        )
    # And YAML agrees: every step that uses an action is one of those lines.
    workflow = load(path.name)
    used = [step["uses"] for _, step in steps(workflow) if "uses" in step]
    assert len(used) == len(uses_lines)


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_no_expression_is_pasted_into_a_shell_command(path):
    """A `${{ }}` in `run:` is pasted into the script before the shell reads
    it (template injection); values go through `env:` instead."""
    for job_name, step in steps(load(path.name)):
        assert "${{" not in step.get("run", ""), f"{path.name}: {job_name}"


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_every_checkout_keeps_no_credentials(path):
    for job_name, step in steps(load(path.name)):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, job_name


def test_the_token_reaches_only_the_step_that_pushes():
    """The replies job may write, but `make replies` (code that talks to
    other hosts) runs without the token: only the commit step has it."""
    holders = [
        (path.name, job_name, step.get("name"))
        for path in workflow_files()
        for job_name, step in steps(load(path.name))
        if "github.token" in str(step.get("env", {}))
        or "secrets." in yaml.safe_dump(step)
    ]
    assert holders == [("deploy.yml", "replies", "Commit them to main")]
    replies = load("deploy.yml")["jobs"]["replies"]["steps"]
    assert "git push origin HEAD:main" in replies[-1]["run"]


def test_zizmor_finds_nothing():
    """As a new user runs it (offline), and with no finding silenced by an
    ignore comment or a configuration file."""
    assert not list(ROOT.glob("zizmor.y*ml"))
    assert not list((ROOT / ".github").glob("zizmor.y*ml"))
    result = subprocess.run(
        [str(ZIZMOR), "--offline", "--no-ignores", str(WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    # Exit 0 is "no findings" (10 to 14: findings, by their worst severity).
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout
    for path in workflow_files():
        assert f"completed {path}" in result.stderr


def test_pull_requests_run_read_only_and_without_secrets():
    workflow = load("pr.yml")
    text = yaml.safe_dump(workflow)  # every key and value, no comment
    assert triggers(workflow) == {"pull_request": None}
    assert "pull_request_target" not in text
    assert "secrets." not in text
    assert "github.token" not in text
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        assert "permissions" not in job
        assert "environment" not in job
    checkout = next(
        step
        for _, step in steps(workflow)
        if "actions/checkout@" in step.get("uses", "")
    )
    assert checkout["with"]["fetch-depth"] == 0


def test_a_pull_request_is_previewed_reviewed_and_tested():
    workflow = load("pr.yml")
    runs = [step.get("run", "") for _, step in steps(workflow)]
    assert {"make publish", "make check", "make test"} <= set(runs)
    summary = next(run for run in runs if "tools/pr_summary.py" in run)
    assert "$GITHUB_STEP_SUMMARY" in summary
    artifacts = {
        step["with"]["name"]: step["with"]
        for _, step in steps(workflow)
        if "actions/upload-artifact@" in step.get("uses", "")
    }
    assert artifacts["site-preview"]["path"] == "output/"
    assert artifacts["share-cards"]["path"] == "share-cards/"
    assert all(artifact["retention-days"] <= 30 for artifact in artifacts.values())
    # The preview is built for the address its summary tells reviewers to
    # serve it at, and the summary reads it with that same address.
    siteurls = {
        step.get("run"): step["env"]["SITEURL"]
        for _, step in steps(workflow)
        if "SITEURL" in step.get("env", {})
    }
    assert siteurls == {
        "make publish": "http://127.0.0.1:8000",
        summary: "http://127.0.0.1:8000",
    }


def test_only_the_deploy_workflow_deploys():
    for path in workflow_files():
        text = path.read_text(encoding="utf-8")
        workflow = load(path.name)
        deploys = (
            "actions/deploy-pages@" in text
            or "actions/upload-pages-artifact@" in text
            or "make deploy" in text
            or any(
                "pages" in (job.get("permissions") or {})
                for job in workflow["jobs"].values()
            )
        )
        assert deploys == (path.name == "deploy.yml"), path.name


def test_releases_publish_only_from_a_tag_and_only_the_publish_job_may():
    workflow = load("release.yml")
    assert list(triggers(workflow)) == ["push"]
    push = triggers(workflow)["push"]
    assert list(push) == ["tags"]
    (pattern,) = push["tags"]
    # GitHub's filter: `*` matches any characters but `/`.
    for tag in ("series_nav-v1.0.0", "pagefind_search-v2.10.3"):
        assert fnmatch.fnmatchcase(tag, pattern), tag
    for not_a_release in ("v1.0.0", "series_nav-1.0.0", "series_nav-vnext"):
        assert not fnmatch.fnmatchcase(not_a_release, pattern), not_a_release
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    tokens = [
        name
        for name, job in jobs.items()
        if (job.get("permissions") or {}).get("id-token")
    ]
    assert tokens == ["publish"]
    publish = jobs["publish"]
    assert publish["permissions"]["id-token"] == "write"
    assert publish["needs"] == "build"
    assert publish["environment"]["name"] == "pypi"
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/')"
    uploads = [
        name for name, step in steps(workflow) if "upload" in step.get("run", "")
    ]
    assert uploads == ["publish"]
    assert all(
        not (job.get("permissions") or {}).get("contents", "read").endswith("write")
        for job in jobs.values()
    )


def test_a_release_is_built_checked_and_matched_to_its_tag():
    workflow = load("release.yml")
    build = [step.get("run", "") for step in workflow["jobs"]["build"]["steps"]]
    check, dist, keep = (
        build.index('python tools/release_files.py "$TAG"'),
        build.index("make dist"),
        build.index('python tools/release_files.py "$TAG" --dist dist --into release'),
    )
    assert check < dist < keep
    for step in workflow["jobs"]["build"]["steps"]:
        if "$TAG" in step.get("run", ""):
            assert step["env"]["TAG"] == "${{ github.ref_name }}"
    # What the publish job uploads is what the build job kept.
    publish = workflow["jobs"]["publish"]["steps"]
    download = next(s for s in publish if "download-artifact@" in s.get("uses", ""))
    assert download["with"] == {"name": "release", "path": "release"}
    assert publish[-1]["run"] == "python -m twine upload --non-interactive release/*"


def test_the_twine_that_publishes_is_pinned_and_knows_trusted_publishing():
    """The publish job installs twine as requirements-dev.txt pins it;
    twine uses trusted publishing by itself from 6.1 on."""
    pins = re.findall(
        r"^twine==(\d+)\.(\d+)\S*$",
        (ROOT / "requirements-dev.txt").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert len(pins) == 1
    assert tuple(map(int, pins[0])) >= (6, 1)


# Every command the workflows run: make targets and tools/ scripts.


def commands() -> list[tuple[str, list[str]]]:
    found = []
    for path in workflow_files():
        for _, step in steps(load(path.name)):
            script = step.get("run", "").replace("\\\n", " ")
            for line in script.splitlines():
                for command in re.split(r"\s*(?:\|\||&&|\||;)\s*", line.strip()):
                    words = shlex.split(command, comments=True)
                    if words and (words[0] == "make" or "tools/" in " ".join(words)):
                        found.append((path.name, words))
    return found


def test_the_workflows_commands_are_found():
    names = {" ".join(words[:2]) for _, words in commands()}
    assert {"make publish", "make replies", "make check", "make test"} <= names
    assert "make dist" in names


@pytest.mark.parametrize(
    "target",
    sorted({words[1] for _, words in commands() if words[0] == "make"}),
)
def test_each_make_target_a_workflow_runs_exists(target):
    """`make -n` prints what the target would run, and runs nothing."""
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "No rule to make target" not in result.stderr


@pytest.mark.parametrize(
    "script",
    sorted(
        {
            next(word for word in words if word.startswith("tools/"))
            for _, words in commands()
            if words[0] != "make"
        }
    ),
)
def test_each_tools_script_a_workflow_runs_exists_and_starts(script):
    assert (ROOT / script).is_file()
    result = subprocess.run(
        [sys.executable, script, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage:")
