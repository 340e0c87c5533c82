"""The pre-commit hook, for real: a repository whose .pre-commit-config.yaml points at this checkout refuses a
commit of a bad contact list with the `Row N:` lines, and accepts it once fixed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, RULES

pytest.importorskip("pre_commit", reason="pre-commit is a test extra: pip install -e '.[test]'")


def git(*args: str, cwd: Path, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**(env or os.environ), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check)


def checkout_revision() -> str:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("this checkout is not a git repository")
    listed = subprocess.run(["git", "cat-file", "-e", "HEAD:.pre-commit-hooks.yaml"], cwd=ROOT)
    if listed.returncode != 0:
        pytest.skip("the checkout's HEAD has no .pre-commit-hooks.yaml yet (commit it)")
    return head.stdout.strip()


def test_the_hook_blocks_a_bad_contact_list_and_passes_a_fixed_one(tmp_path):
    revision = checkout_revision()
    repo = tmp_path / "contacts"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    (repo / "agent.toml").write_text((RULES / "basic.toml").read_text())
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {ROOT}\n"
        f"    rev: {revision}\n"
        "    hooks:\n"
        "      - id: csvprep-check\n"
        "        args: [--rules, agent.toml]\n"
    )
    (repo / "list.csv").write_text("phone,customer_name\n+14155550100,Ann\n+1234,Bob\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PRE_COMMIT_COLOR": "never"}
    pre_commit = [sys.executable, "-m", "pre_commit"]
    subprocess.run([*pre_commit, "install"], cwd=repo, env=env, check=True, capture_output=True)
    git("add", "-A", cwd=repo)

    blocked = subprocess.run([*pre_commit, "run"], cwd=repo, env=env, capture_output=True, text=True,
                             timeout=900)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "list.csv:3: Row 3: invalid phone number '+1234'" in blocked.stdout
    commit = git("commit", "-q", "-m", "contacts", cwd=repo, check=False, env=env)
    assert commit.returncode != 0  # the installed hook refuses the commit itself

    (repo / "list.csv").write_text("phone,customer_name\n+14155550100,Ann\n+14155550101,Bob\n")
    git("add", "-A", cwd=repo)
    passed = subprocess.run([*pre_commit, "run"], cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "csvprep check" in passed.stdout and "Passed" in passed.stdout
    assert git("commit", "-q", "-m", "contacts", cwd=repo, check=False, env=env).returncode == 0
