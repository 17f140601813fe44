"""The measurements of a watch, each one sample, made with the library in :mod:`homediag.net`.

- :func:`ping`: one echo to a target (raw ICMP with privileges, else the system ``ping``, else a TCP
  connect), :func:`homediag.net.echo.measure`;
- :func:`dns_lookup`: the A record of a fresh random name under the first configured name, so no cache
  answers for the resolver (dnspython, one try);
- :func:`http_check`: the connectivity check URL, 204 expected (:func:`homediag.core.http.fetch`, total
  deadline and byte cap, no redirects followed);
- :func:`wifi_link`: the Wi-Fi link (signal, BSSID, channel, rates) from the OS tools
  (:func:`homediag.net.wifi.collect.read_link`);
- :func:`link_state`: the interface of the default route, its addresses, the gateway and resolvers.

All I/O goes through a :class:`~homediag.core.probe.ProbeContext` made for the watch
(:func:`sampler_context`), so commands are capped and time-limited like a probe's. Every function
returns a sample and never raises for a network failure: a failure is a sample with ``ok`` false.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from dataclasses import dataclass, field

from homediag.core.http import HttpError, fetch
from homediag.core.model import Observation
from homediag.core.probe import FactView, ProbeContext
from homediag.core.session import Session
from homediag.core.spec import ProbeSpec, Risk
from homediag.core.system import SystemView
from homediag.net.dns import Server, query_resolver, random_label
from homediag.net.echo import measure
from homediag.net.hops import hop_address
from homediag.net.os.resolv_conf import parse_resolv_conf
from homediag.net.wifi.collect import read_link
from homediag.watch.samples import Kind, Role, Sample, info_of

PING_TIMEOUT_S = 1.0
DNS_TIMEOUT_S = 2.0
HTTP_TIMEOUT_S = 5.0
HTTP_MAX_BYTES = 4096

WATCH_SPEC = ProbeSpec(
    id="watch.sampler",
    summary="The measurements of homediag watch",
    risk=Risk.SAFE,
    timeout_s=5.0,
    provides=(),
    needs=("interface.all", "interface.name"),
)
"""Not a registered probe: the spec of the context the samplers run in."""


def sampler_context(
    session: Session, system: SystemView | None = None, interface: str | None = None
) -> ProbeContext:
    """A context for the samplers: commands and HTTP capped as for a probe, no overall deadline;
    ``interface`` is the one the Wi-Fi reader prefers."""
    known: tuple[Observation, ...] = ()
    if interface is not None:
        known = (Observation("interface.name", interface, source=WATCH_SPEC.id),)
    return ProbeContext(
        WATCH_SPEC, session, known=FactView(lambda: known, lambda: ()), deadline=float("inf"), system=system
    )


@dataclass(frozen=True)
class Target:
    """A ping target: its role on the path and its address."""

    role: Role
    address: str

    @property
    def subject(self) -> str:
        """``gateway:192.0.2.1``."""
        return f"{self.role.value}:{self.address}"


@dataclass(frozen=True)
class Path:
    """What the watch measures: ping targets, resolvers, connectivity checks, the interface."""

    targets: tuple[Target, ...]
    resolvers: tuple[str, ...] = ()
    http_checks: tuple[str, ...] = ()
    dns_name: str = "example.com"
    interface: str | None = None
    notes: tuple[str, ...] = field(default=())
    """What could not be found (no gateway, no hop 2) — said in the report."""


# --- the path -----------------------------------------------------------------------------------------


def default_route(system: SystemView) -> tuple[str | None, str | None]:
    """(gateway address, interface) of the IPv4 default route, as netifaces sees it."""
    try:
        gateways = system.gateways()
        entry = gateways.get("default", {}).get(socket.AF_INET)
    except (OSError, ValueError, AttributeError):
        return None, None
    if not entry:
        return None, None
    return str(entry[0]), str(entry[1])


def ipv4_addresses(system: SystemView, interface: str | None) -> list[str]:
    """IPv4 addresses of ``interface`` (netifaces)."""
    if interface is None:
        return []
    try:
        entries = system.ifaddresses(interface).get(socket.AF_INET, [])
    except (OSError, ValueError):
        return []
    return sorted(str(e.get("addr")) for e in entries if e.get("addr"))


def resolvers(session: Session, system: SystemView) -> tuple[str, ...]:
    """The configured DNS resolvers (Linux: resolv.conf); empty means: use the system's resolver."""
    platform = session.platform.value if session.platform else "linux"
    if platform != "linux":
        return ()
    text = system.read_text("/etc/resolv.conf")
    if not text:
        return ()
    try:
        return tuple(dict.fromkeys(str(ns) for ns in parse_resolv_conf(text).nameservers))[:2]
    except ValueError:
        return ()


async def find_path(
    session: Session,
    *,
    system: SystemView | None = None,
    internet: tuple[str, ...] | None = None,
    with_hop2: bool = True,
) -> Path:
    """The gateway, hop 2 (towards the first internet target), two internet targets, the resolvers and
    the connectivity checks of ``session``'s configuration."""
    system = system or SystemView()
    config = session.config
    gateway, interface = default_route(system)
    chosen = [a for a in (internet or config.internet.ping_targets) if _is_ipv4(a)][:2]
    targets: list[Target] = []
    notes: list[str] = []
    if gateway is not None:
        targets.append(Target(Role.GATEWAY, gateway))
    else:
        notes.append("no IPv4 default gateway")
    if with_hop2 and chosen and gateway is not None:
        hop = await hop_address(chosen[0], 2, privileged=session.privileged, tries=2, wait_s=1.0)
        if hop.address and hop.address not in (gateway, *chosen):
            targets.append(Target(Role.HOP2, hop.address))
        else:
            notes.append("no router answered at hop 2")
    targets.extend(Target(Role.INTERNET, a) for a in chosen)
    names = config.internet.dns_names
    return Path(
        targets=tuple(targets),
        resolvers=resolvers(session, system),
        http_checks=tuple(config.internet.http_checks[:1]),
        dns_name=names[0] if names else "example.com",
        interface=interface,
        notes=tuple(notes),
    )


def _is_ipv4(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).version == 4
    except ValueError:
        return False


# --- the samples --------------------------------------------------------------------------------------


async def ping(ctx: ProbeContext, target: Target, *, timeout_s: float = PING_TIMEOUT_S) -> Sample:
    """One echo to ``target``: its round trip, or lost."""
    started = time.time()
    try:
        series = await measure(ctx, target.address, count=1, interval_s=0.0, timeout_s=timeout_s)
    except OSError:
        return Sample(started, Kind.PING, target.subject, ok=False)
    rtt = series.samples[0] if series.samples else None
    return Sample(started, Kind.PING, target.subject, ok=rtt is not None, value=_round(rtt))


async def dns_lookup(resolver: str | None, base_name: str, *, timeout_s: float = DNS_TIMEOUT_S) -> Sample:
    """The A record of a fresh name (``<random>.<base_name>``) from ``resolver`` (None: the system's)."""
    name = f"{random_label()}.{base_name.strip('.')}"
    started = time.time()
    if resolver is None:
        return await _system_lookup(name, started, timeout_s)
    result = await query_resolver(Server(resolver), name, timeout_s, tries=1)
    detail = {} if result.answered else {"error": (result.error or "")[:120]}
    return Sample(
        started,
        Kind.DNS,
        f"resolver:{resolver}",
        ok=result.answered,
        value=_round(result.latency_ms),
        info=info_of(detail) if detail else None,
    )


async def _system_lookup(name: str, started: float, timeout_s: float) -> Sample:
    loop = asyncio.get_running_loop()
    clock = time.monotonic()
    try:
        async with asyncio.timeout(timeout_s):
            await loop.getaddrinfo(name, None, family=socket.AF_INET)
    except socket.gaierror as exc:
        # NXDOMAIN is an answer; "temporary failure" and friends are not.
        answered = exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME))
        elapsed = (time.monotonic() - clock) * 1000.0
        return Sample(
            started, Kind.DNS, "resolver:system", ok=answered, value=_round(elapsed) if answered else None
        )
    except (TimeoutError, OSError):
        return Sample(started, Kind.DNS, "resolver:system", ok=False)
    return Sample(
        started, Kind.DNS, "resolver:system", ok=True, value=_round((time.monotonic() - clock) * 1000.0)
    )


async def http_check(url: str, *, timeout_s: float = HTTP_TIMEOUT_S) -> Sample:
    """The connectivity check ``url``: ok on 204 (or 200 with an empty body)."""
    started = time.time()
    try:
        response = await fetch(url, timeout_s=timeout_s, max_bytes=HTTP_MAX_BYTES, follow_redirects=False)
    except (HttpError, TimeoutError, OSError) as exc:
        return Sample(started, Kind.HTTP, f"url:{url}", ok=False, info=info_of({"error": str(exc)[:120]}))
    ok = response.status == 204 or (response.status == 200 and not response.body.strip())
    return Sample(
        started,
        Kind.HTTP,
        f"url:{url}",
        ok=ok,
        value=_round(response.elapsed_ms),
        info=info_of({"status": response.status}),
    )


async def wifi_link(ctx: ProbeContext) -> Sample | None:
    """The Wi-Fi link now (None when this computer has no wireless interface)."""
    started = time.time()
    view = await read_link(ctx)
    if not view.interfaces:
        return None
    link = view.link
    if link is None:
        return Sample(started, Kind.WIFI, f"if:{view.interfaces[0]}", ok=False)
    detail = {
        "bssid": link.bssid,
        "channel": link.channel,
        "tx_rate_mbps": link.tx_rate_mbps,
        "rx_rate_mbps": link.rx_rate_mbps,
        "band": link.band.value if link.band else None,
    }
    return Sample(
        started,
        Kind.WIFI,
        f"if:{link.interface or view.interfaces[0]}",
        ok=link.connected,
        value=link.signal_dbm,
        info=info_of({k: v for k, v in detail.items() if v is not None}),
    )


def link_state(system: SystemView) -> Sample:
    """The interface of the default route, its IPv4 addresses and the gateway (a lease change shows
    as a change of these)."""
    gateway, interface = default_route(system)
    addresses = ipv4_addresses(system, interface)
    detail = {"interface": interface, "gateway": gateway, "ipv4": addresses}
    return Sample(
        time.time(),
        Kind.LINK,
        f"if:{interface or '-'}",
        ok=bool(interface and addresses and gateway),
        info=info_of(detail),
    )


def _round(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None
