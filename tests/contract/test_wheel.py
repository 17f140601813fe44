"""The wheel installs into a fresh virtualenv and works there, playbooks included."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_installs_and_runs(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = dist.glob("homediag-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True, timeout=900
    )
    homediag = env_dir / "bin" / "homediag"
    outside = tmp_path / "elsewhere"  # run away from the source tree so nothing leaks in from it
    outside.mkdir()
    env = {
        "PATH": f"{env_dir / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "HOMEDIAG_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    version = subprocess.run(
        [str(homediag), "--version"], capture_output=True, text=True, cwd=outside, env=env, check=True
    )
    assert version.stdout.startswith("homediag ")
    listing = subprocess.run(
        [str(homediag), "probes", "list", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=outside,
        env=env,
        check=True,
    )
    assert "net.dns" in {p["id"] for p in json.loads(listing.stdout)["probes"]}
    located = subprocess.run(
        [
            str(python),
            "-c",
            "import homediag, pathlib; "
            "p = pathlib.Path(homediag.__file__).parent / '_playbooks'; print(p.is_dir(), p)",
        ],
        capture_output=True,
        text=True,
        cwd=outside,
        env=env,
        check=True,
    )
    assert located.stdout.startswith("True ")
    assert str(env_dir) in located.stdout
    schema = subprocess.run(
        [str(python), "-c", "from homediag.reports.document import schema; print(schema()['$id'])"],
        capture_output=True,
        text=True,
        cwd=outside,
        env=env,
        check=True,
    )
    assert schema.stdout.strip() == "urn:homediag:schema:report:1"
