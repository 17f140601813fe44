"""Throwaway network-namespace topologies for tests of probes that send packets.

Every namespace, interface and process a :class:`Topology` creates is its own: namespace names carry a
prefix unique to the test process (``hdt<pid>...``), interfaces are created inside the namespaces
(``ip -n NS link add ...``), and nothing is ever attached to, routed through or addressed in the root
namespace. ``close()`` kills the processes it started (by PID) and deletes its namespaces.

A home LAN: ``router`` holds the bridge ``br0`` (192.0.2.1/24), ``client`` is 192.0.2.10/24 behind it
with a default route; extra hosts join the bridge with :meth:`Topology.add_host`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
RUN_PROBES = Path(__file__).with_name("run_probes.py")
_counter = itertools.count()


def require_netns() -> None:
    """Skip without root or ``ip netns``; fail instead when ``CI`` is set."""
    reason = None
    if os.geteuid() != 0:
        reason = "network namespaces need root"
    elif shutil.which("ip") is None:
        reason = "the ip command (iproute2) is missing"
    else:
        name = f"hdt{os.getpid()}check"
        made = subprocess.run(["ip", "netns", "add", name], capture_output=True)
        if made.returncode != 0:
            reason = f"ip netns add failed: {made.stderr.decode(errors='replace').strip()}"
        else:
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"namespace tests must run in CI: {reason}")
        pytest.skip(reason)


def require_binary(name: str) -> str:
    """The path of ``name``; skip (fail in CI) when it is not installed."""
    path = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if Path(p).exists()), None
    )
    if path is None:
        message = f"{name} is not installed (see homediag/lab/debian-packages.txt)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


class Topology:
    """Namespaces, links and processes of one test; everything goes away in :meth:`close`."""

    def __init__(self) -> None:
        self.prefix = f"hdt{os.getpid()}n{next(_counter)}"
        self.namespaces: list[str] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self._hosts = itertools.count(2)

    # --- building --------------------------------------------------------------------------------
    def ns(self, role: str) -> str:
        """The namespace name for ``role`` (created by :meth:`add_ns`)."""
        return f"{self.prefix}{role}"

    def ip(self, *args: str) -> None:
        """Run ``ip`` with ``args``; raise with its stderr when it fails."""
        done = subprocess.run(["ip", *args], capture_output=True, timeout=10)
        if done.returncode != 0:
            raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")

    def add_ns(self, role: str) -> str:
        """Create a namespace with loopback up."""
        name = self.ns(role)
        self.ip("netns", "add", name)
        self.namespaces.append(name)
        self.ip("-n", name, "link", "set", "lo", "up")
        return name

    def home_lan(self) -> Topology:
        """``router`` with ``br0`` 192.0.2.1/24 and ``client`` (``eth0`` 192.0.2.10/24, default route)."""
        router, client = self.add_ns("router"), self.add_ns("client")
        self.ip("-n", router, "link", "add", "br0", "type", "bridge", "forward_delay", "0")
        self.ip("-n", router, "link", "set", "br0", "address", "02:00:5e:00:53:01")
        self.ip("-n", router, "addr", "add", "192.0.2.1/24", "dev", "br0")
        self.ip("-n", router, "link", "set", "br0", "up")
        self.attach(client, "192.0.2.10/24", "02:00:5e:00:53:0a", port="p-client")
        self.ip("-n", client, "route", "add", "default", "via", "192.0.2.1")
        return self

    def attach(self, namespace: str, cidr: str | None, mac: str, *, port: str) -> None:
        """Join ``namespace`` (its ``eth0``) to the router's bridge."""
        router = self.ns("router")
        self.ip("-n", router, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", namespace)
        self.ip("-n", namespace, "link", "set", "eth0", "address", mac)
        if cidr is not None:
            self.ip("-n", namespace, "addr", "add", cidr, "dev", "eth0")
        self.ip("-n", router, "link", "set", port, "master", "br0")
        self.ip("-n", router, "link", "set", port, "up")
        self.ip("-n", namespace, "link", "set", "eth0", "up")

    def add_host(self, role: str, cidr: str | None, mac: str) -> str:
        """Another host on the LAN."""
        namespace = self.add_ns(role)
        self.attach(namespace, cidr, mac, port=f"p-{next(self._hosts)}")
        return namespace

    def remove_host(self, role: str) -> None:
        """Delete a host added with :meth:`add_host` (its processes must be gone) and flush ARP caches."""
        name = self.ns(role)
        self.ip("netns", "del", name)
        self.namespaces.remove(name)
        for namespace in self.namespaces:
            self.ip("-n", namespace, "neigh", "flush", "all")

    # --- processes -------------------------------------------------------------------------------
    def spawn(self, namespace: str, argv: list[str], *, log: Path | None = None) -> subprocess.Popen[bytes]:
        """Start ``argv`` inside ``namespace``; it is killed (by PID) in :meth:`close`."""
        out = log.open("wb") if log is not None else subprocess.DEVNULL
        process = subprocess.Popen(
            ["ip", "netns", "exec", namespace, *argv],
            stdout=out,
            stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        """Stop one process this topology started (SIGTERM, then SIGKILL)."""
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=3)

    def capture(self, namespace: str, interface: str, bpf: str, pcap: Path) -> subprocess.Popen[bytes]:
        """Start tcpdump on ``interface`` in ``namespace`` writing ``pcap``; returns once it listens."""
        tcpdump = require_binary("tcpdump")
        log = pcap.with_suffix(".log")
        process = self.spawn(namespace, [tcpdump, "-n", "-U", "-i", interface, "-w", str(pcap), bpf], log=log)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if "listening on" in log.read_text(errors="replace"):
                return process
            time.sleep(0.05)
        raise RuntimeError(f"tcpdump did not start: {log.read_text(errors='replace')}")

    def run(self, namespace: str, argv: list[str], timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside ``namespace`` and wait for it."""
        return subprocess.run(
            ["ip", "netns", "exec", namespace, *argv], capture_output=True, text=True, timeout=timeout
        )

    def wait_for_udp_port(self, namespace: str, port: int, timeout: float = 5.0) -> None:
        """Wait until something listens on UDP ``port`` in ``namespace``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.run(namespace, ["ss", "-H", "-uln", f"sport = :{port}"], timeout=5)
            if done.stdout.strip():
                return
            time.sleep(0.05)
        raise RuntimeError(f"nothing listens on UDP {port} in {namespace}")

    def wait_for_tcp_port(self, namespace: str, port: int, timeout: float = 5.0) -> None:
        """Wait until something listens on TCP ``port`` in ``namespace``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.run(namespace, ["ss", "-H", "-tln", f"sport = :{port}"], timeout=5)
            if done.stdout.strip():
                return
            time.sleep(0.05)
        raise RuntimeError(f"nothing listens on TCP {port} in {namespace}")

    def run_probes(
        self,
        namespace: str,
        probes: list[str],
        *,
        interface: str = "eth0",
        privileged: bool = True,
        config: dict[str, object] | None = None,
        timeout: float = 60.0,
    ) -> dict[str, dict[str, object]]:
        """Run ``probes`` (and the probes they need) inside ``namespace``; results by probe id."""
        request = {
            "probes": probes,
            "interface": interface,
            "privileged": privileged,
            "config": config or {},
        }
        done = self.run(namespace, [sys.executable, str(RUN_PROBES), json.dumps(request)], timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"run_probes failed ({done.returncode}): {done.stderr[-3000:]}")
        results: dict[str, dict[str, object]] = json.loads(done.stdout)
        return results

    # --- teardown --------------------------------------------------------------------------------
    def close(self) -> None:
        """Kill the processes this topology started and delete its namespaces."""
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=3)
        for name in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10)
        self.namespaces.clear()


def observed(result: dict[str, object], fact: str, subject: str = "local") -> object:
    """The value of ``fact`` in one probe result from :meth:`Topology.run_probes`."""
    for obs in result.get("observations", []):  # type: ignore[union-attr]
        if obs["fact"] == fact and obs["subject"] == subject:
            return obs["value"]
    raise KeyError(f"{fact} not observed; result: {json.dumps(result)[:2000]}")
