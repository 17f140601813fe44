"""``net.peers``: do the LAN devices this network is known to have still answer?

Safe. A device is *known* when the local resolver names its address (home routers name their DHCP
clients), when it was in the ``--baseline`` report, or when a print queue of this computer prints to it.
It *answers* when discovery saw it (ARP, mDNS, SSDP, unicast queries); a known device discovery did not
see gets one more chance: a TCP connection attempt to ports 80 and 443, where a refusal counts as an
answer (the host is there).

This tells the three reasons a device is not found apart: the device is off (others answer), AP/client
isolation (the gateway answers, no other device does), or a device on another network (its known address
lies outside this interface's subnet).

``lan.peers_reachable`` leaves out the devices complaints are about (printers, TVs and casts, speakers,
smart-home hubs and devices): an unplugged printer that is the only device the router names is a printer
that is off, not client isolation. It is null (not "isolated") when no other device is known, and when the
gateway does not answer either: then nothing on the LAN answers, which says nothing about isolation.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from dataclasses import dataclass, field

from typing_extensions import TypedDict

from homediag.core.devices import classify
from homediag.core.facts import Fact, Privacy, record
from homediag.core.i18n import _
from homediag.core.model import Device, DeviceKind
from homediag.core.probe import Probe, ProbeContext
from homediag.core.records import NameEntry, PrintQueue, SilentPeer
from homediag.core.spec import ProbeSpec, Risk
from homediag.net.addressing import no_lan_reason, require_lan

RECHECK_PORTS = (80, 443)
MAX_RECHECK = 64
RECHECK_CONCURRENCY = 32
RECHECK_S = 2.5
"""Time for one device's re-check: room for one SYN retransmission (Linux sends it after 1 s)."""
SUBJECT_KINDS = frozenset(
    {
        DeviceKind.PRINTER.value,
        DeviceKind.MEDIA.value,
        DeviceKind.SPEAKER.value,
        DeviceKind.HUB.value,
        DeviceKind.IOT.value,
    }
)
"""Kinds of the devices complaints are about (printer, cast, smart-home): a silent one of them is the
complaint's own symptom, never evidence of client isolation."""

OutsideEntry = TypedDict("OutsideEntry", {"ip": str, "from": list[str]})
"""A ``lan.outside_subnet`` item: a known address outside this interface's subnet, and where it is known
from."""
record(OutsideEntry)


@dataclass
class _Known:
    """A LAN device this network is known to have, as collected."""

    ip: str
    names: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)


async def answers(ctx: ProbeContext, address: str, *, timeout_s: float) -> bool:
    """Whether ``address`` accepts or refuses a TCP connection (``ctx.tcp()``) on port 80 or 443 within
    ``timeout_s``.

    Both ports are tried at once and each attempt gets the whole time, so the kernel's SYN
    retransmission (after 1 s) fits in it: a single lost SYN on a lossy link made a printer that was on
    "silent" (bench1.1/1.4, lan-loss: printer.offline beside the loss)."""
    attempts = [asyncio.create_task(ctx.tcp().connect(address, port, timeout_s)) for port in RECHECK_PORTS]
    try:
        for done in asyncio.as_completed(attempts):
            if (await done).answered_ms is not None:
                return True
    finally:
        for task in attempts:
            task.cancel()
        await asyncio.gather(*attempts, return_exceptions=True)
    return False


class PeersProbe(Probe):
    """Known LAN devices: do they answer?"""

    spec = ProbeSpec(
        id="net.peers",
        summary="Whether the LAN devices known from local DNS, the baseline or print queues answer",
        risk=Risk.SAFE,
        timeout_s=6.0,
        needs=(
            "interface.ipv4",
            "interface.subnet",
            "gateway.ipv4",
            "gateway.reachable",
            "discovery.devices",
            "names.reverse_dns",
            "printer.queues",
        ),
        provides=(
            Fact(
                "lan.known_peers",
                int,
                "LAN devices known from local DNS names, the baseline or print queues (not the gateway)",
                not_judged="detail of lan.peers_reachable, which is judged",
            ),
            Fact(
                "lan.peers_answering",
                int,
                "Known LAN devices that answered (ARP or TCP)",
                not_judged="detail of lan.peers_reachable, which is judged",
            ),
            Fact(
                "lan.peers_reachable",
                bool,
                "A known LAN device answers that is neither the gateway nor of a kind complaints are about "
                "(printer, TV, speaker, smart-home); null: none known, or the gateway is silent too",
            ),
            Fact(
                "lan.silent_peers",
                list[SilentPeer],
                "Known LAN devices that did not answer: address, name, kind, where known from",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact(
                "lan.foreign_subnet_devices",
                list[str],
                "Devices heard on this link (mDNS, SSDP, unicast) whose every IPv4 address lies outside this "
                "interface's subnet: a second address plan on one LAN, as a rogue DHCP server's lease makes",
            ),
            Fact(
                "lan.outside_subnet",
                list[OutsideEntry],
                "Known devices whose address lies outside this interface's subnet: address, where known from",
            ),
        ),
        description=(
            "Collects the LAN devices this network is known to have: addresses the local resolver "
            "names, devices of the --baseline report, hosts print queues print to. Those discovery saw "
            "answer; each other one (at most 64) gets a TCP connection attempt to ports 80 and 443 at "
            "once (2.5 s, room for a resent SYN), "
            "a refusal counting as an answer. Records how many answer, the silent ones with the kind "
            "their names suggest, and known addresses outside this interface's subnet."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an IPv4 subnet, or on loopback."""
        return no_lan_reason(ctx)

    async def run(self, ctx: ProbeContext) -> None:
        """Collect, re-check, record."""
        own, subnet = require_lan(ctx)
        gateway = str(ctx.fact("gateway.ipv4") or "")
        known: dict[str, _Known] = {}
        outside: dict[str, set[str]] = {}

        def add(ip: str | None, source: str, name: str | None = None, kind: str | None = None) -> None:
            if not ip:
                return
            try:
                address = ipaddress.IPv4Address(ip)
            except ValueError:
                return
            if address not in subnet:
                if not (address.is_loopback or address.is_unspecified):
                    outside.setdefault(str(address), set()).add(source)
                return
            if address == own or str(address) == gateway:
                return
            entry = known.setdefault(str(address), _Known(str(address)))
            entry.sources.add(source)
            if name and name not in entry.names:
                entry.names.append(name[:63])
            if kind and kind != DeviceKind.UNKNOWN.value:
                entry.kinds.append(kind)

        for item in ctx.fact_as("names.reverse_dns", list[NameEntry]) or []:
            add(item["ip"], "dns", item["name"].split(".")[0] or None)
        baseline = ctx.session.baseline
        if baseline is not None:
            for device in baseline.devices:
                add(device.ip, "baseline", device.names[0] if device.names else None, device.kind.value)
        for queue in ctx.fact_as("printer.queues", list[PrintQueue]) or []:
            if queue["network"]:
                add(queue["host"], "print queue", queue["name"], "printer")
        seen = {a for d in ctx.known.devices() for a in d.addresses}
        self._foreign(ctx, subnet)
        silent = [ip for ip in known if ip not in seen]
        rechecked: set[str] = set()
        if silent:
            semaphore = asyncio.Semaphore(RECHECK_CONCURRENCY)
            timeout = max(0.3, min(RECHECK_S, ctx.remaining() - 0.5))

            async def check(ip: str) -> None:
                async with semaphore:
                    if await answers(ctx, ip, timeout_s=timeout):
                        rechecked.add(ip)

            await asyncio.gather(*(check(ip) for ip in silent[:MAX_RECHECK]))
        answering = [ip for ip in known if ip in seen or ip in rechecked]
        entries = {ip: self._silent_entry(known[ip]) for ip in known}
        quiet = [entries[ip] for ip in known if ip not in answering]
        quiet.sort(key=lambda e: ipaddress.IPv4Address(e["ip"]))
        witnesses = [ip for ip in known if entries[ip]["kind"] not in SUBJECT_KINDS]
        evidence = _("{a} of {n} known LAN devices answer").format(a=len(answering), n=len(known))
        if quiet:
            evidence += _("; silent: {names}").format(
                names=", ".join(f"{q['name'] or q['ip']} ({q['kind']})" for q in quiet[:6])
            )
        ctx.observe("lan.known_peers", len(known), evidence=evidence)
        ctx.observe("lan.peers_answering", len(answering), evidence=evidence)
        reachable, why = self._reachable(ctx, witnesses, set(answering))
        ctx.observe("lan.peers_reachable", reachable, evidence=why or evidence)
        ctx.observe("lan.silent_peers", quiet, evidence=evidence if quiet else None)
        ctx.observe(
            "lan.outside_subnet",
            [OutsideEntry({"ip": ip, "from": sorted(sources)}) for ip, sources in sorted(outside.items())],
            evidence=(
                _("{n} known devices are outside {subnet}").format(n=len(outside), subnet=subnet)
                if outside
                else None
            ),
        )

    @staticmethod
    def _foreign(ctx: ProbeContext, subnet: ipaddress.IPv4Network) -> None:
        """Devices on this link none of whose IPv4 addresses is in our subnet (a NAS that also shows a
        container bridge's address is in it, so it does not count)."""
        foreign: set[str] = set()
        for device in ctx.known.devices():
            v4 = []
            for text in device.addresses:
                with contextlib.suppress(ValueError):
                    address = ipaddress.ip_address(text)
                    if isinstance(address, ipaddress.IPv4Address) and not (
                        address.is_link_local or address.is_loopback or address.is_unspecified
                    ):
                        v4.append(address)
            if v4 and not any(a in subnet for a in v4):
                foreign.update(str(a) for a in v4)
        ordered = sorted(foreign, key=ipaddress.IPv4Address)
        ctx.observe(
            "lan.foreign_subnet_devices",
            ordered,
            evidence=(
                _("devices on this link answer from outside {subnet}: {ips}").format(
                    subnet=subnet, ips=", ".join(ordered[:6])
                )
                if ordered
                else None
            ),
        )

    @staticmethod
    def _reachable(
        ctx: ProbeContext, witnesses: list[str], answering: set[str]
    ) -> tuple[bool | None, str | None]:
        """Whether a device that can witness isolation answers (None with the reason when none can)."""
        if not witnesses:
            return None, _("no LAN device is known besides the gateway and the devices complaints are about")
        if any(ip in answering for ip in witnesses):
            return True, None
        if ctx.fact("gateway.reachable") is False:
            return None, _("the gateway does not answer either: isolation cannot be told from a dead LAN")
        return False, None

    @staticmethod
    def _silent_entry(entry: _Known) -> SilentPeer:
        kind = entry.kinds[0] if entry.kinds else None
        if kind is None:
            guess, _because = classify(Device(id="", ip=entry.ip, names=tuple(entry.names)))
            kind = guess.value
        return {
            "ip": entry.ip,
            "name": entry.names[0] if entry.names else None,
            "kind": kind,
            "from": sorted(entry.sources),
        }
