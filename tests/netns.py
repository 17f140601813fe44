"""Throwaway network-namespace topologies for tests of probes that send packets.

Every namespace and interface a :class:`Topology` creates is its own: namespace names carry a prefix
unique to the test process (``hdt<pid>n<k>``), interfaces are created inside the namespaces, and nothing
is ever attached to, routed through or addressed in the root namespace. :meth:`Topology.close` kills the
processes it started (by PID) and deletes its namespaces. Tests that fit the project's lab use the lab
instead (``tests/conftest.py``); these are for routed paths and LANs the lab does not model.

Two shapes are ready-made: :func:`routed_path` (client - router - internet, for MTU and IPv6 tests) and
:meth:`Topology.home_lan` (a bridge in ``router`` at 192.0.2.1/24 with ``client`` at .10, for DHCP, ARP and
SSDP tests). Probes run inside a namespace through ``tests/probe_runner.py``: :meth:`Topology.run_probes`
runs probes and their providers the way ``homediag diagnose`` does; :meth:`Topology.run_probe` runs one
probe with given facts.

Tests call :func:`require_netns` first: it skips without root or ``ip netns``, and fails instead when the
``CI`` environment variable is set (CI must run them).
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
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.support import skip_or_fail

PROBE_RUNNER = Path(__file__).with_name("probe_runner.py")
_counter = itertools.count()


def require_netns() -> None:
    """Skip (fail under CI) when network namespaces cannot be built here."""
    if os.geteuid() != 0:
        skip_or_fail("network namespaces need root")
    if shutil.which("ip") is None:
        skip_or_fail("the ip command (iproute2) is missing")
    name = f"hdt{os.getpid()}check"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, check=False)
    if made.returncode != 0:
        skip_or_fail(f"ip netns add failed: {made.stderr.decode(errors='replace').strip()}")
    subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


def require_binary(name: str) -> str:
    """The path of ``name``; skip (fail under CI) when it is not installed."""
    path = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if Path(p).exists()), None
    )
    if path is None:
        skip_or_fail(f"{name} is not installed (see homediag/lab/debian-packages.txt)")
    assert path is not None
    return path


class Topology:
    """Namespaces, links and processes of one test; everything goes away in :meth:`close`."""

    def __init__(self) -> None:
        self.prefix = f"hdt{os.getpid()}n{next(_counter)}"
        self.namespaces: list[str] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self.etc_dirs: list[Path] = []
        self._links = itertools.count()
        self._hosts = itertools.count(2)

    def __enter__(self) -> Topology:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- building --------------------------------------------------------------------------------
    def ns(self, role: str) -> str:
        """The name of the namespace for ``role`` (created by :meth:`add_ns`)."""
        return f"{self.prefix}{role}"

    def ip(self, *args: str) -> None:
        """Run ``ip`` with ``args``; raise with its stderr when it fails."""
        done = subprocess.run(["ip", *args], capture_output=True, timeout=10, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")

    def add_ns(self, role: str) -> str:
        """Create the namespace for ``role`` with loopback up; return its name."""
        name = self.ns(role)
        self.ip("netns", "add", name)
        self.namespaces.append(name)
        self.ip("-n", name, "link", "set", "lo", "up")
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
        if_a, if_b = f"{self.prefix}a{n}"[-15:], f"{self.prefix}b{n}"[-15:]
        self.ip("-n", a, "link", "add", if_a, "type", "veth", "peer", "name", if_b, "netns", b)
        for ns, ifname, addrs, mtu in ((a, if_a, addr_a, mtu_a), (b, if_b, addr_b, mtu_b)):
            if mtu is not None:
                self.ip("-n", ns, "link", "set", ifname, "mtu", str(mtu))
            for addr in addrs:
                family = ["-6"] if ":" in addr else []
                extra = ["nodad"] if ":" in addr else []
                self.ip("-n", ns, *family, "addr", "add", addr, "dev", ifname, *extra)
            self.ip("-n", ns, "link", "set", ifname, "up")
        return if_a, if_b

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
        """Another host on the LAN of :meth:`home_lan`."""
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

    def etc_file(self, ns: str, name: str, text: str) -> None:
        """A file ``ip netns exec`` bind-mounts over ``/etc/<name>`` in ``ns`` (hosts, resolv.conf)."""
        directory = Path("/etc/netns") / ns
        directory.mkdir(parents=True, exist_ok=True)
        if directory not in self.etc_dirs:
            self.etc_dirs.append(directory)
        (directory / name).write_text(text, encoding="utf-8")

    # --- processes -------------------------------------------------------------------------------
    def run(
        self, ns: str, argv: Sequence[str], *, check: bool = True, timeout: float = 60.0
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside ``ns`` and wait (``check``: raise when it fails)."""
        return subprocess.run(
            ["ip", "netns", "exec", ns, *argv],
            capture_output=True,
            text=True,
            check=check,
            env={**os.environ, "LC_ALL": "C"},
            timeout=timeout,
        )

    def python(self, ns: str, code: str, *, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run Python code inside ``ns`` with this interpreter (the project's virtualenv)."""
        return self.run(ns, [sys.executable, "-c", code], check=False, timeout=timeout)

    def spawn(self, ns: str, argv: Sequence[str], *, log: Path | None = None) -> subprocess.Popen[bytes]:
        """Start ``argv`` inside ``ns`` in the background; it is stopped (by PID) in :meth:`close`."""
        out = log.open("wb") if log is not None else subprocess.DEVNULL
        process = subprocess.Popen(
            ["ip", "netns", "exec", ns, *argv],
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

    def wait_for_port(self, namespace: str, port: int, *, udp: bool = False, timeout: float = 5.0) -> None:
        """Wait until something listens on ``port`` (TCP, or UDP) in ``namespace``."""
        deadline = time.monotonic() + timeout
        flags = "-uln" if udp else "-tln"
        while time.monotonic() < deadline:
            done = self.run(namespace, ["ss", "-H", flags, f"sport = :{port}"], check=False, timeout=5)
            if done.stdout.strip():
                return
            time.sleep(0.05)
        raise RuntimeError(f"nothing listens on {'UDP' if udp else 'TCP'} {port} in {namespace}")

    # --- probes ----------------------------------------------------------------------------------
    def _probe_runner(self, namespace: str, request: dict[str, Any], timeout: float) -> Any:
        done = self.run(
            namespace, [sys.executable, str(PROBE_RUNNER), json.dumps(request)], check=False, timeout=timeout
        )
        if done.returncode != 0:
            raise AssertionError(
                f"probe runner failed in {namespace} ({done.returncode}): {done.stderr[-3000:]}"
            )
        return json.loads(done.stdout)

    def run_probes(
        self,
        namespace: str,
        probes: list[str],
        *,
        interface: str = "eth0",
        privileged: bool = True,
        config: dict[str, object] | None = None,
        timeout: float = 60.0,
    ) -> dict[str, dict[str, Any]]:
        """Run ``probes`` (and the probes they need) inside ``namespace``; results by probe id."""
        request = {"probes": probes, "interface": interface, "privileged": privileged, "config": config or {}}
        results: dict[str, dict[str, Any]] = self._probe_runner(namespace, request, timeout)
        return results

    def run_probe(
        self,
        namespace: str,
        probe: str,
        *,
        args: dict[str, object] | None = None,
        facts: dict[str, object] | None = None,
        config: dict[str, object] | None = None,
        privileged: bool = False,
        timeout: float = 90.0,
    ) -> dict[str, Any]:
        """Run one probe (``module:Class``) inside ``namespace`` with the given facts; its result.

        ``result["values"]`` maps ``(fact, subject)`` to the observed value, ``result["evidence"]``
        likewise.
        """
        request = {
            "probe": probe,
            "args": args or {},
            "facts": facts or {},
            "config": config or {},
            "privileged": privileged,
        }
        data: dict[str, Any] = self._probe_runner(namespace, request, timeout)
        observations = data.get("observations", [])
        data["values"] = {(o["fact"], o["subject"]): o["value"] for o in observations}
        data["evidence"] = {(o["fact"], o["subject"]): o["evidence"] for o in observations}
        return data

    # --- teardown --------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the processes this topology started and delete its namespaces and /etc/netns files."""
        for process in self.processes:
            self.stop(process)
        self.processes.clear()
        for name in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10, check=False)
        self.namespaces.clear()
        for directory in self.etc_dirs:
            shutil.rmtree(directory, ignore_errors=True)
        self.etc_dirs.clear()


def routed_path(topo: Topology, *, far_mtu: int = 1500) -> tuple[str, str, str]:
    """client - router - internet, IPv4 only; the router's far link has ``far_mtu``.

    Addresses: client 198.51.100.2 (gateway 198.51.100.1), internet 203.0.113.10 (gateway 203.0.113.1).
    Returns the namespace names (client, router, internet).
    """
    client, router, internet = topo.add_ns("c"), topo.add_ns("r"), topo.add_ns("i")
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
        router, ["nft", "add rule ip hdt out icmp type destination-unreachable icmp code frag-needed drop"]
    )


def observed(result: dict[str, Any], fact: str, subject: str = "local") -> object:
    """The value of ``fact`` in one probe result from :meth:`Topology.run_probes`."""
    for obs in result.get("observations", []):
        if obs["fact"] == fact and obs["subject"] == subject:
            return obs["value"]
    raise KeyError(f"{fact} not observed; result: {json.dumps(result)[:2000]}")
