"""Run the ``homediag`` command in a network namespace of its own (only loopback inside).

Whatever a command under test does, its packets cannot leave: the namespace has no interface but ``lo``.
As root, ``unshare --net``; otherwise a user namespace (``unshare -rn``) where the kernel allows it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import skip_or_fail

HOMEDIAG = [sys.executable, "-m", "homediag"]


def _isolation_prefix() -> list[str] | None:
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    flags = ["--net"] if os.geteuid() == 0 else ["--map-root-user", "--net"]
    probe = subprocess.run([unshare, *flags, "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    return [unshare, *flags, "sh", "-c", 'ip link set lo up 2>/dev/null; exec "$@"', "isolated"]


PREFIX = _isolation_prefix()


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    """An environment with its own HOME (reports land there) and no inherited config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMEDIAG_")}
    env.update(
        {
            "HOME": str(tmp_path / "home"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "COLUMNS": "120",
            "HOMEDIAG_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
    )
    return env


@pytest.fixture
def loopback_config(tmp_path: Path) -> Path:
    """A config whose probes talk only to 127.0.0.1."""
    path = tmp_path / "loopback.yaml"
    path.write_text(
        "internet:\n  dns_names: [example.com]\n  public_ip_urls: []\n  ping_targets: [127.0.0.1]\n"
        "  tcp_targets: ['127.0.0.1:9']\n"
        "  http_checks: ['http://127.0.0.1:9/generate_204']\n  https_checks: ['https://127.0.0.1:9/']\n"
        "  stun_servers: ['127.0.0.1:9']\n  ipv6_targets: ['::1']\n"
        "speedtest:\n  server: 'http://127.0.0.1:9/'\n"
        "probes:\n"
        "  net.gateway: {target: 127.0.0.1, count: 5}\n"
        "  net.dns: {servers: ['127.0.0.1:5399'], timeout_s: 0.2, compare_servers: []}\n"
    )
    return path


Isolated = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_isolated(isolated_env: dict[str, str]) -> Isolated:
    """Run ``homediag ARGS`` in a network namespace of its own."""
    if PREFIX is None:
        skip_or_fail("this machine cannot create a network namespace (unshare) for the command under test")

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*PREFIX, *HOMEDIAG, *args], capture_output=True, text=True, env=isolated_env, timeout=timeout
        )

    return run


@pytest.fixture
def cli(isolated_env: dict[str, str]) -> Isolated:
    """Run ``homediag ARGS`` for commands that send nothing (help, probes list, report render)."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*HOMEDIAG, *args],
            capture_output=True,
            text=True,
            env={**isolated_env, **(env or {})},
            timeout=60,
        )

    return run
