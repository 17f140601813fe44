"""Throwaway network-namespace topologies for tests that need a routed path (MTU, IPv6, rate limits).

Every namespace and interface name starts with ``hdt<pid>`` so parallel runs never collide; everything is
deleted in :meth:`Topology.close` (use it as a context manager). Nothing here touches the root
namespace's interfaces, routes or addresses: veth pairs are created inside the namespaces.

Tests call :func:`require_netns` first: it skips when not root or without ``ip netns``, and fails
instead when the ``CI`` environment variable is set (CI must run them).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import pytest

_counter = itertools.count()


def require_netns() -> None:
    """Skip (fail under CI) when namespaces cannot be built here."""
    reason = None
    if os.geteuid() != 0:
        reason = "network namespaces need root"
    elif shutil.which("ip") is None:
        reason = "the ip command (iproute2) is missing"
    else:
        probe = subprocess.run(["ip", "netns", "list"], capture_output=True, check=False)
        if probe.returncode != 0:
            reason = "ip netns is not available: " + probe.stderr.decode(errors="replace").strip()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run namespace tests, but {reason}")
    pytest.skip(reason)


class Topology:
    """Namespaces joined by veth pairs, with helpers to run commands inside them."""

    def __init__(self) -> None:
        self.prefix = f"hdt{os.getpid() % 100000}{next(_counter)}"
        self.namespaces: list[str] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self.etc_dirs: list[Path] = []
        self._links = itertools.count()

    def __enter__(self) -> Topology:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def ns(self, role: str) -> str:
        """Create namespace ``<prefix><role>`` with loopback up; return its name."""
        name = f"{self.prefix}{role}"
        subprocess.run(["ip", "netns", "add", name], check=True)
        self.namespaces.append(name)
        self.run(name, ["ip", "link", "set", "lo", "up"])
        return name

    def link(
        self,
        a: str,
        b: str,
        addr_a: Sequence[str],
        addr_b: Sequence[str],
        *,
        mtu_a: int | None = None,
        mtu_b: int | None = None,
    ) -> tuple[str, str]:
        """A veth pair between namespaces ``a`` and ``b`` with addresses (CIDR); returns the names."""
        n = next(self._links)
        if_a, if_b = f"{self.prefix}a{n}"[:15], f"{self.prefix}b{n}"[:15]
        self.run(a, ["ip", "link", "add", if_a, "type", "veth", "peer", "name", if_b, "netns", b])
        for ns, ifname, addrs, mtu in ((a, if_a, addr_a, mtu_a), (b, if_b, addr_b, mtu_b)):
            if mtu is not None:
                self.run(ns, ["ip", "link", "set", ifname, "mtu", str(mtu)])
            for addr in addrs:
                family = ["-6"] if ":" in addr else []
                extra = ["nodad"] if ":" in addr else []
                self.run(ns, ["ip", *family, "addr", "add", addr, "dev", ifname, *extra])
            self.run(ns, ["ip", "link", "set", ifname, "up"])
        return if_a, if_b

    def run(self, ns: str, argv: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside ``ns`` and wait."""
        return subprocess.run(
            ["ip", "netns", "exec", ns, *argv],
            capture_output=True,
            text=True,
            check=check,
            env={**os.environ, "LC_ALL": "C"},
            timeout=60,
        )

    def spawn(self, ns: str, argv: Sequence[str]) -> subprocess.Popen[bytes]:
        """Start ``argv`` inside ``ns`` in the background; it is killed (by PID) on close."""
        process = subprocess.Popen(
            ["ip", "netns", "exec", ns, *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.processes.append(process)
        return process

    def python(self, ns: str, code: str, *, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run Python code inside ``ns`` with this interpreter (the project's virtualenv)."""
        return subprocess.run(
            ["ip", "netns", "exec", ns, sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            env={**os.environ, "LC_ALL": "C"},
        )

    def etc_file(self, ns: str, name: str, text: str) -> None:
        """A file ``ip netns exec`` bind-mounts over ``/etc/<name>`` in ``ns`` (hosts, resolv.conf)."""
        directory = Path("/etc/netns") / ns
        directory.mkdir(parents=True, exist_ok=True)
        if directory not in self.etc_dirs:
            self.etc_dirs.append(directory)
        (directory / name).write_text(text, encoding="utf-8")

    def close(self) -> None:
        """Kill what was spawned and delete the namespaces (their veths go with them)."""
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            if process.stderr is not None:
                process.stderr.close()
        self.processes.clear()
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
        self.namespaces.clear()
        for directory in self.etc_dirs:
            shutil.rmtree(directory, ignore_errors=True)
        self.etc_dirs.clear()


def routed_path(topo: Topology, *, far_mtu: int = 1500) -> tuple[str, str, str]:
    """client ↔ router ↔ internet, IPv4 only; the router's far link has ``far_mtu``.

    Addresses: client 198.51.100.2 (gateway 198.51.100.1), internet 203.0.113.10 (gateway 203.0.113.1).
    Returns the namespace names (client, router, internet).
    """
    client, router, internet = topo.ns("c"), topo.ns("r"), topo.ns("i")
    topo.link(client, router, ["198.51.100.2/24"], ["198.51.100.1/24"])
    topo.link(router, internet, ["203.0.113.1/24"], ["203.0.113.10/24"], mtu_a=far_mtu, mtu_b=far_mtu)
    topo.run(router, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
    topo.run(client, ["ip", "route", "add", "default", "via", "198.51.100.1"])
    topo.run(internet, ["ip", "route", "add", "default", "via", "203.0.113.1"])
    return client, router, internet


def drop_frag_needed(topo: Topology, router: str) -> None:
    """The router sends no ICMP fragmentation-needed any more (an MTU black hole)."""
    topo.run(router, ["nft", "add table ip hdt"])
    topo.run(router, ["nft", "add chain ip hdt out { type filter hook output priority 0; }"])
    topo.run(
        router,
        ["nft", "add rule ip hdt out icmp type destination-unreachable icmp code frag-needed drop"],
    )


RUNNER = """
import asyncio, json, sys
from importlib import import_module
from homediag.core.config import parse_config
from homediag.core.probe import ProbeContext
from homediag.core.runner import execute
from homediag.core.session import Session
from homediag.core.spec import Platform, Risk
from homediag.core.model import Observation

spec = json.loads(sys.argv[1])
module, _, name = spec["probe"].partition(":")
probe = getattr(import_module(module), name)
session = Session(config=parse_config(spec["config"]), privileged=spec["privileged"],
                  platform=Platform.LINUX, max_risk=Risk.INTRUSIVE)
known = [Observation(fact=k, value=v, source="test") for k, v in spec["facts"].items()]
from homediag.core.probe import FactView
ctx = ProbeContext(probe.spec, session, args=spec["args"], known=FactView(lambda: known, lambda: []))
result = asyncio.run(execute(probe, ctx))
print(json.dumps({
    "outcome": result.outcome.value, "reason": result.reason, "method": result.method,
    "observations": [[o.fact, o.subject, o.value, o.evidence] for o in result.observations],
}))
"""


def run_probe_in(
    topo: Topology,
    ns: str,
    probe: str,
    *,
    args: dict[str, object] | None = None,
    facts: dict[str, object] | None = None,
    config: str = "{}",
    privileged: bool = False,
    timeout: float = 90,
) -> dict[str, object]:
    """Run ``probe`` (``module:Class``) once inside ``ns`` with a live context; its result as a dict.

    ``result["values"]`` maps ``(fact, subject)`` to the observed value, ``result["evidence"]`` likewise.
    """
    import json

    payload = json.dumps(
        {"probe": probe, "args": args or {}, "facts": facts or {}, "config": config, "privileged": privileged}
    )
    completed = subprocess.run(
        ["ip", "netns", "exec", ns, sys.executable, "-c", RUNNER, payload],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env={**os.environ, "LC_ALL": "C"},
    )
    if completed.returncode != 0:
        raise AssertionError(f"probe run failed in {ns}: {completed.stderr[-2000:]}")
    data: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    observations = data["observations"]
    assert isinstance(observations, list)
    data["values"] = {(f, s): v for f, s, v, _e in observations}
    data["evidence"] = {(f, s): e for f, s, _v, e in observations}
    return data
